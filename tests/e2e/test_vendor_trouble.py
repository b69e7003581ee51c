"""Slack and vendor trouble, end to end (issue 8, item 4): Slack answering a burst of 429s
with Retry-After, 500s and timeouts from Slack and from each vendor, while incidents are
declared, published and resolved. All work ends done once, and every retry of a 429 comes
at least Retry-After seconds later, measured from the fakes' arrival times.

One stack: incidents, slack_gateway, pagerduty, statuspage, zoom and confluence as their
own processes over RabbitMQ and PostgreSQL, with HTTP_TIMEOUT_SECONDS so short that a
hanging fake times every client out in a couple of seconds."""
from __future__ import annotations

import json
import time

import pytest

from services.common.timeutil import from_iso
from services.integrations.statuspage.exceptions import StatuspageError
from services.slack_gateway.blocks.statuspage import StatuspageId
from tests.e2e.flows import (
    REPORTER,
    bot_messages,
    declare_values,
    digest_posts,
    open_modal_by_shortcut,
    stored_incident,
    wait_for_war_room,
)
from tests.fakes.confluence_api import ConfluenceFake
from tests.fakes.pagerduty_api import PagerDutyFake
from tests.fakes.statuspage_api import StatuspageFake
from tests.fakes.zoom_api import ZoomFake
from tests.integrations.vendor_stack import vendor_stack
from tests.support.stack import wait_until

pytestmark = pytest.mark.e2e
TIMEOUT = 2.0  # HTTP_TIMEOUT_SECONDS: every outgoing call of the stack
HANG = TIMEOUT + 1.0  # a hanging fake holds a request this long
RETRY_AFTER = 4  # s, in every 429 answered; > the pagerduty library's own first backoff (3 s)
STATIC = "https://meet.example.com/war-room"
CHECKOUT = "chk000000001"
DESCRIPTION = "Checkout fails while every vendor struggles"
CONFIG = f"""
meeting_link: {STATIC}
integrations:
  confluence:
    space: ENG
    parent_page: Postmortems
"""
GAPS: dict[str, list[float]] = {}  # measured Retry-After gaps, printed at the end


@pytest.fixture(scope="module")
def fakes(tmp_path_factory):
    pd = PagerDutyFake(tls_dir=tmp_path_factory.mktemp("pd-tls"))
    pd.add_service("Checkout API", pd.add_escalation_policy("Platform", "PPLATFM"), "PCHECKT")
    sp = StatuspageFake()
    sp.add_component("Checkout", component_id=CHECKOUT)
    wiki = ConfluenceFake()
    wiki.add_space("ENG", "Engineering")
    parent_id = wiki.add_page("ENG", "Postmortems")
    started = [pd.start(), sp.start(), ZoomFake().start(), wiki.start()]
    yield {**dict(zip(("pd", "sp", "zoom", "wiki"), started)), "parent_id": parent_id}
    for fake in started:
        fake.stop()
    print("Retry-After gaps (s):", json.dumps(GAPS))


@pytest.fixture(scope="module")
def world(fakes, amqp_uri, tmp_path_factory):
    pd, sp = fakes["pd"], fakes["sp"]
    env = {"PAGERDUTY_API_TOKEN": pd.token, "PAGERDUTY_API_URL": pd.url,
           "PAGERDUTY_FROM_EMAIL": "incident-bot@example.com", "PAGERDUTY_CA_FILE": pd.ca_file,
           "STATUSPAGE_API_KEY": sp.api_key, "STATUSPAGE_PAGE_ID": sp.page_id,
           "STATUSPAGE_API_URL": sp.url, **fakes["zoom"].env(), **fakes["wiki"].env(),
           "HTTP_TIMEOUT_SECONDS": str(TIMEOUT)}
    with vendor_stack(tmp_path_factory.mktemp("trouble"), amqp_uri,
                      ("pagerduty", "statuspage", "zoom", "confluence"), env, CONFIG) as world:
        yield world


def settle(world, fakes, quiet: float = 1.0, timeout: float = 30.0) -> None:
    """Until no fake has received a request for `quiet` seconds: the counts asserted next
    are final, not a snapshot of work in flight. Call once the outcome is there."""
    everyone = [world.slack, *(f for f in fakes.values() if hasattr(f, "requests"))]
    last, since = None, time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        count = sum(len(f.requests) for f in everyone)
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)
    raise AssertionError("the fakes kept receiving requests")


def retry_gaps(name: str, calls: list, same) -> list[float]:
    """Seconds from each call answered 429 to the same request sent again."""
    gaps = []
    for i, call in enumerate(calls):
        if call.status == 429:
            retry = next(c for c in calls[i + 1:] if same(c, call))
            gaps.append(round(retry.time - call.time, 2))
    GAPS[name] = gaps
    return gaps


def timeline(world, incident_id: int) -> list[str]:
    return [e["text"] for e in world.rpc.incidents.list_timeline(incident_id, limit=200)["items"]]


def links(world, incident_id: int, kind: str) -> list[dict]:
    return world.rpc.incidents.list_incident_links(incident_id, kind=kind)


def messages_with(world, channel_id: str, needle: str, where: str = "text") -> list[dict]:
    """The bot's messages in a channel with `needle` in their text (or their blocks)."""
    return [m for m in bot_messages(world.slack, channel_id)
            if needle in ((m.get("text") or "") if where == "text"
                          else json.dumps(m.get("blocks") or []))]


@pytest.fixture(scope="module")
def room(world, fakes):
    """Incident A, declared through Slack while Slack, Zoom and PagerDuty misbehave."""
    slack, rpc, zoom, pd = world.slack, world.rpc, fakes["zoom"], fakes["pd"]
    rpc.pagerduty.set_auto_page_services(["PCHECKT"], REPORTER)
    try:
        view = open_modal_by_shortcut(slack, world.sender)
        slack.fail("chat.postMessage", 429, retry_after=RETRY_AFTER, times=3)
        slack.fail("conversations.setTopic", 500)
        slack.hang("conversations.invite", TIMEOUT + 0.5)  # carried out, answered too late
        zoom.fail("meetings", 429, retry_after=str(RETRY_AFTER))
        zoom.fail("meetings", 500)
        pd.fail("POST /incidents", 429, retry_after=RETRY_AFTER)
        pd.fail("POST /incidents", 500)
        pd.hang("POST /incidents", HANG)  # carried out, answered too late
        answer = world.sender.view_submission(view, declare_values(DESCRIPTION), REPORTER)
        assert answer.status_code == 200 and answer.text == "", answer.text
        channel = wait_for_war_room(slack, DESCRIPTION)
        incident = stored_incident(rpc.incidents, channel["id"])
        wait_until(lambda: links(world, incident["id"], "pagerduty")
                   and links(world, incident["id"], "meeting"), timeout=40)
        # The war room's retry (after the invite timed out) has run to its end.
        wait_until(lambda: len(invites(slack, channel["id"])) == 2 and
                   all(c.status for c in invites(slack, channel["id"])), timeout=30)
    finally:
        rpc.pagerduty.set_auto_page_services([], REPORTER)
    settle(world, fakes)
    return {"channel": slack.channel(channel["id"]),
            "incident": rpc.incidents.get_incident(incident["id"])}


def invites(slack, channel_id: str) -> list:
    return [c for c in slack.calls("conversations.invite") if c.params["channel"] == channel_id]


def test_slack_trouble_still_makes_one_complete_war_room(world, room):
    slack, channel, incident = world.slack, room["channel"], room["incident"]
    cid = channel["id"]
    assert [c.response["channel"]["id"] for c in slack.calls("conversations.create")
            if c.ok and "every-vendor-struggles" in c.params["name"]] == [cid]
    # The burst of 429s: each limited post was sent again, once, Retry-After later.
    posts = slack.calls("chat.postMessage")
    assert len([c for c in posts if c.status == 429]) == 3
    gaps = retry_gaps("slack chat.postMessage", posts, lambda a, b: a.params == b.params)
    assert len(gaps) == 3 and min(gaps) >= RETRY_AFTER, gaps
    for limited in (c for c in posts if c.status == 429):
        assert [c.ok for c in posts if c.params == limited.params and c.status != 429] == [True]
    # The 500 on the topic was retried by slack_sdk; the room's retry found it set.
    assert [c.status for c in slack.calls("conversations.setTopic")
            if c.params["channel"] == cid] == [500, 200]
    assert channel["topic"]["value"].startswith(":rotating_light: SEV2 | Investigating")
    assert DESCRIPTION in channel["topic"]["value"]
    # The invite that hung timed out; the room was retried and the invite with it.
    first, again = invites(slack, cid)
    assert again.time - first.time >= TIMEOUT
    assert channel["members"].count(REPORTER) == 1
    # Nothing doubled: one control panel (pinned), one digest post, one notice each.
    [panel] = messages_with(world, cid, "incident_status_select", "blocks")
    [meeting] = messages_with(world, cid, incident["meeting_url"])
    assert sorted(slack.pins(cid)) == sorted([panel["ts"], meeting["ts"]])
    assert panel["ts"] == incident["control_panel_ts"]
    assert len(messages_with(world, cid, StatuspageId.OPEN, "blocks")) == 1  # the prompt
    assert len(messages_with(world, cid, ":pager:")) == 1  # the page
    assert len(bot_messages(slack, cid)) == 4  # panel, meeting, Statuspage prompt, page
    [digest] = [p for p in digest_posts(slack) if f"<#{cid}" in json.dumps(p["blocks"])]
    assert digest["ts"] == incident["digest_ts"]
    dms = [c for c in slack.channels if c["is_im"] and REPORTER in c["members"]]
    assert [m["text"] for d in dms for m in slack.messages(d["id"])
            if f"<#{cid}>" in m.get("text", "")] == [
        f"Thanks for reporting. Incident #{incident['id']} is being handled in <#{cid}>; "
        "you have been invited."]


def test_zoom_429_and_500_still_make_one_meeting(world, fakes, room):
    zoom, incident = fakes["zoom"], room["incident"]
    topic = f"Incident #{incident['id']}: "
    calls = [c for c in zoom.calls("meetings") if c.json()["topic"].startswith(topic)]
    assert [c.status for c in calls] == [429, 500, 201]
    gaps = retry_gaps("zoom meetings", calls, lambda a, b: a.body == b.body)
    assert len(gaps) == 1 and gaps[0] >= RETRY_AFTER, gaps
    [meeting] = [m for m in zoom.meetings if m["topic"].startswith(topic)]
    [link] = links(world, incident["id"], "meeting")
    assert (link["external_id"], link["url"]) == (str(meeting["id"]), meeting["join_url"])
    assert incident["meeting_url"] == meeting["join_url"]
    texts = timeline(world, incident["id"])
    assert texts.count("Zoom meeting created") == 1
    assert not [t for t in texts if "could not be created" in t]
    assert len(zoom.calls("token")) == 1  # signed in once, the token is cached


def test_pagerduty_429_500_and_timeout_still_page_once(world, fakes, room):
    pd, incident = fakes["pd"], room["incident"]
    key = f"incident-bot-{incident['id']}-PCHECKT"
    posts = [c for c in pd.calls("POST", "/incidents") if c.body["incident"]["incident_key"] == key]
    # 429: waited as asked; 500: auto-paging tried again; the next POST hung past the
    # timeout and was carried out, so the one after it is refused as a duplicate key...
    assert [c.status for c in posts] == [429, 500, 201, 400]
    gaps = retry_gaps("pagerduty POST /incidents", posts, lambda a, b: a.body == b.body)
    assert len(gaps) == 1 and gaps[0] >= RETRY_AFTER, gaps
    assert posts[3].time - posts[2].time >= TIMEOUT
    # ...and the page it made is looked up by that key and recorded.
    lookups = [c for c in pd.calls("GET", "/incidents") if c.query.get("incident_key") == [key]]
    assert [c.status for c in lookups] == [200]
    [created] = pd.created(key)
    [link] = links(world, incident["id"], "pagerduty")
    assert link["external_id"] == created["id"]
    texts = timeline(world, incident["id"])
    assert texts.count("Paged Checkout API (high)") == 1
    assert not [t for t in texts if t.startswith("Could not page")]


def test_zoom_timeout_falls_back_to_the_static_link_without_a_second_try(world, fakes):
    zoom, rpc = fakes["zoom"], world.rpc
    zoom.hang("meetings", HANG)  # held, then dropped: Zoom made nothing
    incident = rpc.incidents.declare_incident({"description": "Search slow while Zoom hangs",
                                               "severity": "sev3", "reporter_id": REPORTER,
                                               "source": "api"})
    iid = incident["id"]
    [link] = wait_until(lambda: links(world, iid, "meeting"), timeout=20)
    [call] = [c for c in zoom.calls("meetings")
              if c.json()["topic"].startswith(f"Incident #{iid}:")]
    wait_until(lambda: time.monotonic() > call.time + HANG, timeout=10)
    channel_id = wait_until(lambda: rpc.incidents.get_incident(iid)["channel_id"])
    wait_until(lambda: messages_with(world, channel_id, STATIC), timeout=20)
    settle(world, fakes)
    # No second attempt: the one request hung and was never answered.
    assert [c.status for c in zoom.calls("meetings")
            if c.json()["topic"].startswith(f"Incident #{iid}:")] == [0]
    assert [m for m in zoom.meetings if m["topic"].startswith(f"Incident #{iid}:")] == []
    assert (link["external_id"], link["url"]) == ("static", STATIC)
    texts = timeline(world, iid)
    assert [t for t in texts if t.startswith("Zoom meeting could not be created")] == [
        "Zoom meeting could not be created: Zoom could not be reached: ReadTimeout"]
    assert texts.count("Meeting link added") == 1
    [posted] = messages_with(world, channel_id, STATIC)
    assert world.slack.pins(channel_id).count(posted["ts"]) == 1


@pytest.fixture(scope="module")
def published(world, fakes, room):
    """Incident A on the status page, by an operator who meets a 429, a 500 and a timeout."""
    sp, rpc, iid = fakes["sp"], world.rpc, room["incident"]["id"]
    request = (iid, "Checkout errors", "Some payments fail.", "identified",
               {CHECKOUT: "degraded_performance"}, REPORTER)
    sp.fail("POST /pages/*/incidents", 429, retry_after=RETRY_AFTER)
    sp.fail("POST /pages/*/incidents", 500)
    with pytest.raises(StatuspageError) as refused:
        rpc.statuspage.create_incident(*request)
    nothing = (sp.created(), links(world, iid, "statuspage"))
    sp.hang("GET /pages/*/components", HANG)
    with pytest.raises(StatuspageError) as unanswered:
        rpc.statuspage.list_components()  # what the form asks first
    # The operator tries again, as both messages invite to.
    components = rpc.statuspage.list_components()
    link = rpc.statuspage.create_incident(*request)
    wait_until(lambda: messages_with(world, room["channel"]["id"], "Statuspage: Checkout errors",
                                     "blocks"))
    settle(world, fakes)
    return {"refused": str(refused.value), "unanswered": str(unanswered.value),
            "nothing": nothing, "components": components, "link": link}


def test_statuspage_errors_reach_the_operator_and_one_incident_is_published(world, fakes,
                                                                            room, published):
    sp, iid = fakes["sp"], room["incident"]["id"]
    assert published["refused"] == ("Statuspage could not create the incident "
                                    "(HTTP 500: Internal server error).")
    assert published["nothing"] == ([], [])  # the 500 made nothing and was not retried
    # After the 500 the bot looked for what it might have made (by its metadata): once.
    assert len(sp.calls("GET", f"/pages/{sp.page_id}/incidents/unresolved")) == 1
    assert published["unanswered"] == "Statuspage did not answer when asked to list components."
    assert [c["id"] for c in published["components"]] == [CHECKOUT]
    posts = sp.calls("POST", f"/pages/{sp.page_id}/incidents")
    assert [c.status for c in posts] == [429, 500, 201]
    gaps = retry_gaps("statuspage POST incidents", posts, lambda a, b: a.body == b.body)
    assert len(gaps) == 1 and gaps[0] >= RETRY_AFTER, gaps
    gets = sp.calls("GET", f"/pages/{sp.page_id}/components")
    assert len(gets) == 2 and gets[1].time - gets[0].time >= TIMEOUT
    [created] = sp.created()
    [link] = links(world, iid, "statuspage")
    assert link["external_id"] == created["id"] == published["link"]["external_id"]
    assert timeline(world, iid).count("Statuspage incident published: Checkout errors "
                                      "(identified)") == 1
    cid = room["channel"]["id"]
    assert len(messages_with(world, cid, "Statuspage: Checkout errors", "blocks")) == 1  # panel
    assert len(messages_with(world, cid, f"<{created['shortlink']}|")) == 1  # its link


@pytest.fixture(scope="module")
def resolved(world, fakes, room, published):
    """Incident A resolved while Confluence answers 429, then 500, then hangs."""
    wiki, iid = fakes["wiki"], room["incident"]["id"]
    wiki.fail("create", 429, retry_after=str(RETRY_AFTER))
    wiki.fail("create", 500)
    wiki.hang("create", HANG)  # held, then dropped: no page made
    world.rpc.incidents.change_status(iid, "resolved", REPORTER)
    [link] = wait_until(lambda: links(world, iid, "postmortem"), timeout=40)
    wait_until(lambda: messages_with(world, room["channel"]["id"], link["url"]), timeout=20)
    settle(world, fakes)
    return link


def test_resolution_under_confluence_trouble_writes_one_postmortem(world, fakes, room,
                                                                   resolved):
    wiki, incident = fakes["wiki"], room["incident"]
    title = f"{from_iso(incident['declared_at']):%Y-%m-%d} - {DESCRIPTION}"
    creates = [c for c in wiki.calls("create") if c.json()["title"] == title]
    # 429 waited as asked; the 500 and the timeout each looked for the page, found none,
    # and wrote it again.
    assert [c.status for c in creates] == [429, 500, 0, 200]
    gaps = retry_gaps("confluence create", creates, lambda a, b: a.body == b.body)
    assert len(gaps) == 1 and gaps[0] >= RETRY_AFTER, gaps
    assert creates[3].time - creates[2].time >= TIMEOUT
    log = world.log("confluence")  # the client gave up on the hung request itself
    assert log.count(f"creating page {title!r} failed (HTTP 500") == 1
    assert log.count(f"creating page {title!r} failed (Confluence could not be reached "
                     "(ReadTimeout)); retrying") == 1
    assert len([c for c in wiki.calls("search") if c.query.get("title") == title]) == 3
    [page] = [p for p in wiki.children(fakes["parent_id"]) if p.title.startswith(title)]
    assert resolved["external_id"] == page.id
    texts = timeline(world, incident["id"])
    assert texts.count(f"Postmortem written: {title}") == 1
    assert not [t for t in texts if "could not be written" in t]
    assert len(messages_with(world, room["channel"]["id"], resolved["url"])) == 1


def test_resolution_resolves_the_page_and_the_status_page_once(world, fakes, room, resolved):
    pd, sp, iid = fakes["pd"], fakes["sp"], room["incident"]["id"]
    [page] = links(world, iid, "pagerduty")
    assert [c.status for c in pd.calls("PUT", f"/incidents/{page['external_id']}")] == [200]
    assert page["data"]["status"] == "resolved"
    [status_page] = links(world, iid, "statuspage")
    patches = sp.calls("PATCH", f"/pages/{sp.page_id}/incidents/{status_page['external_id']}")
    assert [c.body["incident"]["status"] for c in patches] == ["resolved"]
    assert [c.body for c in sp.calls("PATCH", f"/pages/{sp.page_id}/components/{CHECKOUT}")] \
        == [{"component": {"status": "operational"}}]
    assert sp.component_status(CHECKOUT) == "operational"
