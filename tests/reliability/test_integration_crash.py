"""The integration services and the web, each SIGKILLed in the middle of a flow and
restarted: every flow completes and nothing is done twice, counted at the vendors' fakes
and in the database.

One stack for the module (`vendor_world` in conftest.py: incidents, slack_gateway, web and
the four vendor services as their own processes, with the Slack and vendor fakes); each
drill kills one service while a fake holds its request."""
from __future__ import annotations

import uuid

import eventlet
import psycopg2
import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.leases import LEASE_SECONDS
from services.integrations.statuspage.exceptions import StatuspageError
from tests.e2e.flows import REPORTER, declare, stored_incident
from tests.support.stack import wait_http, wait_until

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def world(vendor_world):
    return vendor_world


def in_flight(calls) -> list:  # noqa: ANN001
    """Requests the fake has received and not answered yet."""
    return [c for c in calls if c.status == 0]


def test_pagerduty_killed_while_a_page_is_in_flight(world):
    """PagerDuty takes the page but its answer comes after pagerduty died: the restarted
    service pages again, PagerDuty refuses the open incident key, and the page that exists
    is found and recorded. One PagerDuty incident, one link, one war-room notice."""
    rpc, pd = world.rpc, world.pd
    rpc.pagerduty.set_auto_page_services(["PCHECKT"], REPORTER)
    try:
        pd.hang("POST /incidents", 4)  # then carried out, answered to a closed socket
        channel = declare(world.slack, world.sender, "Pager crash drill")
        incident = stored_incident(rpc.incidents, channel["id"])
        key = f"incident-bot-{incident['id']}-PCHECKT"
        wait_until(lambda: in_flight(pd.calls("POST", "/incidents")), timeout=20)
        world.crash("pagerduty")

        [link] = wait_until(lambda: world.links(incident["id"], "pagerduty"), timeout=60)
        [created] = pd.created(key)
        assert link["external_id"] == created["id"]
        assert link["title"] == "Paged Checkout API"
        posts = pd.calls("POST", "/incidents")
        assert [p.body["incident"]["incident_key"] for p in posts] == [key, key]
        assert [p.status for p in posts] == [201, 400]  # the retry hit PagerDuty's dedup
        wait_until(lambda: world.room_posts(channel["id"], ":pager:"), timeout=20)
        eventlet.sleep(1)
        assert len(world.room_posts(channel["id"], ":pager:")) == 1
        assert world.timeline(incident["id"]).count("Paged Checkout API (high)") == 1
    finally:
        pd.clear_failures()
        rpc.pagerduty.set_auto_page_services([], REPORTER)


def test_zoom_killed_while_creating_the_meeting(world):
    """Zoom makes the meeting but zoom dies before the answer arrives. Zoom's API takes no
    idempotency key and the bot never learned that meeting's id, so the restarted service
    creates a second one: what happens once is the incident's meeting, one link stored,
    posted and pinned once in the war room; the first meeting is never shared."""
    rpc, zoom = world.rpc, world.zoom
    before = len(zoom.meetings)
    zoom.lose_answer("meetings")
    channel = declare(world.slack, world.sender, "Meeting crash drill")
    incident = stored_incident(rpc.incidents, channel["id"])
    wait_until(lambda: in_flight(zoom.calls("meetings")), timeout=20)
    world.crash("zoom")

    [link] = wait_until(lambda: world.links(incident["id"], "meeting"), timeout=60)
    made = zoom.meetings[before:]
    assert [m["topic"] for m in made] == [f"Incident #{incident['id']}: Meeting crash drill"] * 2
    assert link["external_id"] == str(made[1]["id"]) and link["url"] == made[1]["join_url"]
    assert rpc.incidents.get_incident(incident["id"])["meeting_url"] == made[1]["join_url"]
    [posted] = wait_until(lambda: world.room_posts(channel["id"], ":video_camera:"),
                          timeout=20)
    eventlet.sleep(1)
    assert world.room_posts(channel["id"], ":video_camera:") == [posted]
    assert made[1]["join_url"] in posted["text"] and made[0]["join_url"] not in str(
        world.slack.messages(channel["id"]))
    assert posted["ts"] in world.slack.pins(channel["id"])
    assert len(world.slack.pins(channel["id"])) == 2  # the control panel and the meeting
    assert world.timeline(incident["id"]).count("Zoom meeting created") == 1


def test_confluence_killed_while_writing_the_postmortem(world):
    """Confluence makes the page but confluence dies before the answer arrives: the
    restarted service finds the page it reserved the title for and records it, rather
    than writing a second page under the next title."""
    rpc, wiki = world.rpc, world.wiki
    channel = declare(world.slack, world.sender, "Postmortem crash drill")
    incident = stored_incident(rpc.incidents, channel["id"])
    wiki.lose_answer("create")
    resolved_at = rpc.incidents.change_status(incident["id"], "resolved",
                                              REPORTER)["resolved_at"]
    wait_until(lambda: in_flight(wiki.calls("create")), timeout=30)
    # The writer keeps its short lease alive while it waits on Confluence...
    claim = f"confluence:postmortem:{incident['id']}:{resolved_at}"
    wait_until(lambda: world.sql("SELECT lease_until - claimed_at > interval '%s seconds' "
                                 "FROM delivery_claims WHERE key = %s",
                                 LEASE_SECONDS, claim) == [(True,)], timeout=LEASE_SECONDS)
    # ...and once it is killed, the lease lapses and the redelivered event is written.
    world.crash("confluence")

    [link] = wait_until(lambda: world.links(incident["id"], "postmortem"), timeout=60)
    pages = [p for p in wiki.children(world.parent_id) if "Postmortem crash drill" in p.title]
    assert [p.id for p in pages] == [link["external_id"]]
    assert link["data"]["page_title"] == pages[0].title and "(#" not in pages[0].title
    assert len([c for c in wiki.calls("create")
                if "Postmortem crash drill" in c.json()["title"]]) == 1
    wait_until(lambda: world.room_posts(channel["id"], ":memo:"), timeout=20)
    eventlet.sleep(1)
    assert len(world.room_posts(channel["id"], ":memo:")) == 1
    assert world.timeline(incident["id"]).count(f"Postmortem written: {pages[0].title}") == 1


def test_statuspage_killed_while_creating_an_incident(world):
    """The create reaches Statuspage and is carried out, but statuspage dies before the
    answer; nameko delivers the call again to the restarted service. Statuspage takes no
    idempotency key: the create carried the incident's id in its metadata, so the second
    attempt finds the incident the first one made among the unresolved ones and adopts
    it. Exactly one Statuspage incident and one request; the caller gets its link."""
    rpc, sp = world.rpc, world.sp
    incident = rpc.incidents.declare_incident({"description": "Status crash drill",
                                               "reporter_id": REPORTER})
    [checkout] = sp.components
    route = f"/pages/{sp.page_id}/incidents"
    sp.hang(f"POST {route}", 3)  # then carried out, answered to a closed socket

    def publish() -> Exception | dict:
        with ClusterRpcProxy({"AMQP_URI": world.amqp_uri, "serializer": "json"},
                             timeout=60) as caller:
            try:
                return caller.statuspage.create_incident(
                    incident["id"], "Checkout down", "Investigating", "investigating",
                    {checkout: "major_outage"}, REPORTER)
            except Exception as exc:  # what the caller is told is the outcome under test
                return exc

    call = eventlet.spawn(publish)
    try:
        wait_until(lambda: in_flight(sp.calls("POST", route)), timeout=20)
        world.stack.kill("statuspage")
        # The held request is carried out while nobody listens for its answer.
        wait_until(lambda: all(c.status for c in sp.calls("POST", route)), timeout=20)
        world.crash("statuspage")
        answer = call.wait()
    finally:
        call.kill()
        sp.clear_failures()
    [made] = sp.created()
    assert isinstance(answer, dict) and answer["external_id"] == made["id"], answer
    assert len(sp.calls("POST", route)) == 1
    assert made["metadata"] == {"incident_bot": {"incident_id": str(incident["id"])}}
    [link] = world.links(incident["id"], "statuspage")
    assert link["external_id"] == made["id"]
    assert world.timeline(incident["id"]).count(
        "Statuspage incident published: Checkout down (investigating)") == 1
    # Trying again is refused: the incident is on the status page already.
    with pytest.raises(StatuspageError, match="already on the status page"):
        rpc.statuspage.create_incident(incident["id"], "Checkout down", "Investigating")
    assert len(sp.calls("POST", route)) == 1


def test_web_killed_in_the_middle_of_a_request(world):
    """A declaration through the REST API is in `incidents` (held on a table lock) when
    the web dies. The web serves again after its restart; the declaration is done once,
    and the client's retry with the same idempotency key gets that incident."""
    description = f"Web crash drill {uuid.uuid4().hex[:6]}"
    body = {"description": description, "severity": "sev2",
            "idempotency_key": f"crash-drill-{uuid.uuid4()}"}
    headers = {"Authorization": f"Bearer {world.api_token}"}
    url = f"{world.stack.web_url}/api/v1/incidents"
    lock = psycopg2.connect(world.database_url)
    try:
        with lock.cursor() as cur:  # inserts into incidents wait; reads go on
            cur.execute("LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE")
        first = eventlet.spawn(requests.post, url, json=body, headers=headers, timeout=30)
        wait_until(lambda: world.sql("SELECT count(*) FROM pg_locks WHERE NOT granted AND "
                                     "relation = 'incidents'::regclass")[0][0], timeout=20)
        world.stack.kill("web")
        with pytest.raises(requests.ConnectionError):
            first.wait()
        world.stack.restart("web")
        wait_http(f"{world.stack.web_url}/readyz", timeout=60, procs=[world.stack.procs["web"]])
    finally:
        lock.commit()  # the declaration the dead web had asked for goes through now
        lock.close()

    stored = wait_until(lambda: world.sql("SELECT id FROM incidents WHERE description = %s",
                                          description), timeout=20)
    retried = requests.post(url, json=body, headers=headers, timeout=30)
    assert retried.status_code == 201, retried.text
    assert [(retried.json()["id"],)] == stored
    assert requests.get(f"{url}/{stored[0][0]}", headers=headers,
                        timeout=30).json()["description"] == description
    assert world.sql("SELECT count(*) FROM incidents WHERE description = %s",
                     description) == [(1,)]
    assert world.sql("SELECT count(*) FROM timeline_events WHERE incident_id = %s AND "
                     "kind = 'declared'", stored[0][0]) == [(1,)]
    # Audited once: by the retry (the web died before it could audit the first request).
    assert world.sql("SELECT count(*) FROM web_audit_log WHERE action = 'incident.declared' "
                     "AND target = %s", f"incident:{stored[0][0]}") == [(1,)]
