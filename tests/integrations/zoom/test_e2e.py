"""Zoom end to end: Slack declaration -> meeting in Zoom -> link posted and pinned."""
import pytest

from tests.e2e.flows import REPORTER, declare, stored_incident
from tests.integrations.zoom_confluence_stack import CONFIG, open_stack
from tests.support.stack import wait_until

pytestmark = pytest.mark.e2e
STATIC = "https://meet.example.com/war-room"


@pytest.fixture(scope="module")
def vendors(amqp_uri, tmp_path_factory):
    with open_stack(amqp_uri, tmp_path_factory.mktemp("zoom-e2e")) as stack:
        yield stack


def meetings_for(zoom, incident_id: int) -> list[dict]:
    return [m for m in zoom.meetings if m["topic"].startswith(f"Incident #{incident_id}:")]


def pinned_post_with(slack, channel_id: str, url: str) -> dict | None:
    posts = [m for m in slack.messages(channel_id) if url in (m.get("text") or "")]
    return posts[0] if posts and posts[0]["ts"] in slack.pins(channel_id) else None


def test_declared_incident_gets_one_zoom_meeting_posted_and_pinned(vendors):
    slack, zoom, incidents = vendors.slack, vendors.zoom, vendors.rpc.incidents
    channel = declare(slack, vendors.sender, "Payments API timing out")
    incident = stored_incident(incidents, channel["id"])
    [meeting] = wait_until(lambda: meetings_for(zoom, incident["id"]))
    assert meeting["topic"] == f"Incident #{incident['id']}: Payments API timing out"
    stored = wait_until(lambda: incidents.get_incident(incident["id"])["meeting_url"])
    assert stored == meeting["join_url"]
    [link] = incidents.list_incident_links(incident["id"], kind="meeting")
    assert (link["external_id"], link["title"]) == (str(meeting["id"]), "Zoom meeting")
    wait_until(lambda: pinned_post_with(slack, channel["id"], meeting["join_url"]))
    # One sign-in for the whole run: the token is cached.
    assert len(zoom.calls("token")) == 1
    assert zoom.calls("token")[0].query["account_id"] == zoom.account_id
    timeline = [e["text"] for e in incidents.list_timeline(incident["id"])["items"]]
    assert "Zoom meeting created" in timeline


def test_a_redelivered_declaration_creates_no_second_meeting(vendors):
    zoom, incidents = vendors.zoom, vendors.rpc.incidents
    incident = incidents.declare_incident({"description": "Login page blank", "severity": "sev3",
                                           "reporter_id": REPORTER, "source": "api"})
    wait_until(lambda: incidents.list_incident_links(incident["id"], kind="meeting"))
    [payload] = vendors.outbox_payloads("incident_declared", incident["id"])
    vendors.redeliver("incident_declared", payload)
    wait_until(lambda: f"incident {incident['id']} already has a meeting" in vendors.log("zoom"))
    assert len(meetings_for(zoom, incident["id"])) == 1
    assert len(incidents.list_incident_links(incident["id"], kind="meeting")) == 1
    assert len(zoom.calls("token")) == 1


def test_private_incident_meeting_topic_names_no_details(vendors):
    incidents = vendors.rpc.incidents
    incident = incidents.declare_incident({"description": "Leaked credentials",
                                           "is_private": True, "reporter_id": REPORTER,
                                           "source": "api"})
    wait_until(lambda: incidents.list_incident_links(incident["id"], kind="meeting"))
    assert [m["topic"] for m in vendors.zoom.meetings if m["topic"] ==
            f"Incident #{incident['id']}"] == [f"Incident #{incident['id']}"]
    assert not any("Leaked" in m["topic"] for m in vendors.zoom.meetings)


def test_zoom_off_with_a_static_meeting_link_uses_it(vendors):
    slack, incidents = vendors.slack, vendors.rpc.incidents
    config = CONFIG + f"  zoom:\n    enabled: false\nmeeting_link: {STATIC}\n"
    with vendors.service_with_config("zoom", config):
        assert vendors.wait_ready("zoom", enabled=False)["static_meeting_link"] is True
        calls_before = len(vendors.zoom.calls())
        channel = declare(slack, vendors.sender, "Static link please")
        incident = stored_incident(incidents, channel["id"])
        wait_until(lambda: incidents.get_incident(incident["id"])["meeting_url"] == STATIC)
        [link] = incidents.list_incident_links(incident["id"], kind="meeting")
        assert (link["external_id"], link["url"]) == ("static", STATIC)
        wait_until(lambda: pinned_post_with(slack, channel["id"], STATIC))
        assert len(vendors.zoom.calls()) == calls_before
