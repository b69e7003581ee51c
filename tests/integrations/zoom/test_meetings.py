"""MeetingDesk: which meeting an incident gets, and only once."""
import pytest

from services.common.config import parse_config
from services.integrations.zoom.client import ZoomClient, ZoomSettings
from services.integrations.zoom.meetings import MeetingDesk, ZoomState
from tests.fakes.zoom_api import ZoomFake
from tests.integrations.stubs import StubIncidents, make_incident

STATIC = "https://meet.example.com/incident-room"


@pytest.fixture
def zoom():
    with ZoomFake() as fake:
        yield fake


def desk(incidents, zoom=None, **config) -> MeetingDesk:
    client = None
    if zoom is not None:
        client = ZoomClient(ZoomSettings(zoom.account_id, zoom.client_id, zoom.client_secret,
                                         zoom.api_url, zoom.oauth_url))
    return MeetingDesk(incidents, ZoomState(parse_config(config), client), war_room_wait=0)


def test_declaration_gets_a_zoom_meeting_stored_as_the_meeting_link(zoom):
    incidents = StubIncidents(make_incident(id=3))
    link = desk(incidents, zoom).on_declared(3)
    meeting = zoom.meetings[0]
    assert link["kind"] == "meeting" and link["external_id"] == str(meeting["id"])
    assert link["url"] == meeting["join_url"] and link["title"] == "Zoom meeting"
    assert incidents.incidents[3]["meeting_url"] == meeting["join_url"]
    assert [e["text"] for e in incidents.timeline[3]] == ["Zoom meeting created"]
    assert "zak" not in str(link["data"])  # the host's start_url is never stored
    assert incidents.claims == {"zoom:meeting:3": True}


def test_a_second_delivery_creates_no_second_meeting(zoom):
    incidents = StubIncidents(make_incident(id=3))
    desk(incidents, zoom).on_declared(3)
    desk(incidents, zoom).on_declared(3)
    assert len(zoom.meetings) == 1 and len(incidents.links) == 1


def test_a_claim_held_elsewhere_means_no_meeting_here(zoom):
    incidents = StubIncidents(make_incident(id=3))
    incidents.claim_delivery("zoom:meeting:3")
    assert desk(incidents, zoom).on_declared(3) is None
    assert zoom.calls() == []


def test_zoom_off_with_a_static_link_stores_that_link(zoom):
    incidents = StubIncidents(make_incident(id=4))
    link = desk(incidents, None, meeting_link=STATIC).on_declared(4)
    assert (link["external_id"], link["url"]) == ("static", STATIC)
    desk(incidents, None, meeting_link=STATIC).on_declared(4)
    assert len(incidents.links) == 1 and len(incidents.timeline[4]) == 1


def test_auto_create_off_uses_the_static_link_and_leaves_zoom_alone(zoom):
    incidents = StubIncidents(make_incident(id=5))
    config = {"meeting_link": STATIC, "integrations": {"zoom": {"auto_create_meeting": False}}}
    desk(incidents, zoom, **config).on_declared(5)
    assert zoom.calls() == [] and incidents.links[0]["url"] == STATIC


def test_no_zoom_and_no_static_link_means_no_meeting():
    incidents = StubIncidents(make_incident(id=6))
    assert desk(incidents, None).on_declared(6) is None and incidents.links == []


def test_zoom_failure_lands_on_the_timeline_and_falls_back_to_the_static_link(zoom):
    zoom.fail("meetings", 500, times=2)
    incidents = StubIncidents(make_incident(id=7))
    link = desk(incidents, zoom, meeting_link=STATIC).on_declared(7)
    assert link["url"] == STATIC
    texts = [e["text"] for e in incidents.timeline[7]]
    assert texts[0].startswith("Zoom meeting could not be created: ") and "HTTP 500" in texts[0]
    assert zoom.meetings == []


def test_meeting_waits_for_the_war_room_so_the_gateway_can_post_it(zoom):
    incidents = StubIncidents(make_incident(id=8, channel_id=None))
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        if len(calls) == 3:
            incidents.incidents[8]["channel_id"] = "C0ROOM"

    meetings = MeetingDesk(incidents, desk(incidents, zoom).zoom, war_room_wait=5, sleep=sleep)
    assert meetings.create_zoom_meeting(8)["url"] == zoom.meetings[0]["join_url"]
    assert len(calls) == 3
