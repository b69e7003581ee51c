"""Confluence end to end: resolving an incident writes its postmortem page, once per
resolution, and the war room gets the link."""
import base64
import time

import pytest

from services.common.timeutil import from_iso
from tests.e2e.flows import REPORTER, declare, stored_incident
from tests.integrations.zoom_confluence_stack import open_stack
from tests.support.stack import wait_until

pytestmark = pytest.mark.e2e
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 300


@pytest.fixture(scope="module")
def vendors(amqp_uri, tmp_path_factory):
    with open_stack(amqp_uri, tmp_path_factory.mktemp("confluence-e2e")) as stack:
        yield stack


def title_of(incident: dict) -> str:
    return f"{from_iso(incident['declared_at']):%Y-%m-%d} - {incident['description']}"


def pages_for(vendors, incident: dict) -> list:
    return sorted((p for p in vendors.wiki.children(vendors.parent_id)
                   if p.title.startswith(title_of(incident))), key=lambda p: int(p.id))


def pin(vendors, channel_id: str, ts: str) -> None:
    vendors.sender.event({"type": "reaction_added", "user": REPORTER, "reaction": "pushpin",
                          "item": {"type": "message", "channel": channel_id, "ts": ts},
                          "event_ts": f"{time.time():.6f}"})


def declared_by_rpc(vendors, description: str) -> dict:
    return vendors.rpc.incidents.declare_incident({"description": description,
                                                   "severity": "sev3",
                                                   "reporter_id": REPORTER, "source": "api"})


def test_resolving_writes_one_postmortem_with_the_whole_record(vendors):
    slack, incidents = vendors.slack, vendors.rpc.incidents
    channel = declare(slack, vendors.sender, "Search index corrupt and stale")
    cid = channel["id"]
    incident = stored_incident(incidents, cid)
    iid = incident["id"]
    incidents.assign_role(iid, "incident_commander", REPORTER, REPORTER)
    incidents.post_status_update(iid, "Reindexing from snapshot", "Search", REPORTER)
    note_ts = slack.add_message(cid, "Shard 7 is the bad one", user=REPORTER)
    file_id = slack.add_file("shards.png", PNG, mimetype="image/png", user=REPORTER,
                             channels=[cid])
    image_ts = slack.add_message(cid, "shard sizes", user=REPORTER, files=[file_id])
    for ts in (note_ts, image_ts):
        pin(vendors, cid, ts)
    wait_until(lambda: len(incidents.list_pinned_items(iid)) == 2)
    incidents.add_timeline_event(iid, "Snapshot <restore> started & running", actor_id=REPORTER)
    vendors.sender.slash_command("/incident", "resolve", REPORTER, slack.new_trigger_id(), cid)

    # The link is stored last, after the page and its attachments.
    [link] = wait_until(lambda: incidents.list_incident_links(iid, kind="postmortem"),
                        timeout=20)
    [page] = pages_for(vendors, incident)
    assert page.title == title_of(incident)
    assert page.ancestors[-1] == vendors.parent_id
    for text in ("Snapshot &lt;restore&gt; started &amp; running", "Reindexing from snapshot",
                 "Shard 7 is the bad one", "Search index corrupt and stale",
                 "<strong>SEV2</strong>", "@U0REPORTER"):
        assert text in page.body, text
    [image] = incidents.list_pinned_items(iid, True)[1:]
    [attachment] = page.attachments
    assert attachment["data"] == PNG == base64.b64decode(image["content_base64"])
    assert f'<ri:attachment ri:filename="{attachment["title"]}"/>' in page.body
    assert link["external_id"] == page.id and link["url"].endswith(f"pageId={page.id}")
    posted = wait_until(lambda: [m for m in slack.messages(cid)
                                 if link["url"] in (m.get("text") or "")])
    assert page.title in posted[0]["text"]
    assert any(e["text"] == f"Postmortem written: {page.title}"
               for e in incidents.list_timeline(iid)["items"])


def test_each_resolution_gets_its_postmortem_and_a_redelivery_none(vendors):
    incidents = vendors.rpc.incidents
    incident = declared_by_rpc(vendors, "Cache stampede on deploy")
    iid = incident["id"]
    incidents.change_status(iid, "resolved", REPORTER)
    wait_until(lambda: len(pages_for(vendors, incident)) == 1, timeout=20)
    incidents.change_status(iid, "investigating", REPORTER)
    incidents.change_status(iid, "resolved", REPORTER)
    pages = wait_until(lambda: len(pages_for(vendors, incident)) == 2 and
                       pages_for(vendors, incident), timeout=20)
    assert [p.title for p in pages] == [title_of(incident), f"{title_of(incident)} (#{iid})"]
    first, second = vendors.outbox_payloads("incident_resolved", iid)
    vendors.redeliver("incident_resolved", first)
    wait_until(lambda: f"postmortem of {first['incident']['resolved_at']} already written"
               in vendors.log("confluence"))
    assert len(pages_for(vendors, incident)) == 2
    links = incidents.list_incident_links(iid, kind="postmortem")
    assert sorted(l["data"]["resolved_at"] for l in links) == sorted(
        p["incident"]["resolved_at"] for p in (first, second))


def test_confluence_failing_twice_then_answering_still_makes_one_page(vendors):
    vendors.wiki.fail("create", 500, times=2)
    incident = declared_by_rpc(vendors, "Disk full on db-3")
    vendors.rpc.incidents.change_status(incident["id"], "resolved", REPORTER)
    wait_until(lambda: vendors.rpc.incidents.list_incident_links(incident["id"],
                                                                 kind="postmortem"), timeout=20)
    assert len(pages_for(vendors, incident)) == 1
    tries = [c for c in vendors.wiki.calls("create")
             if c.json()["title"] == title_of(incident)]
    assert [c.status for c in tries] == [500, 500, 200]
