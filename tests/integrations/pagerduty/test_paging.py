"""Paging for an incident: links, timeline, idempotence, auto-paging, resolving."""
import itertools

import pytest

from services.integrations.pagerduty import paging
from services.integrations.pagerduty.client import PagerDutyClient, PagerDutySettings
from services.integrations.pagerduty.exceptions import InvalidPage
from tests.fakes.pagerduty_api import PagerDutyFake
from tests.integrations.stubs import make_incident
from tests.integrations.vendor_stubs import SettingsIncidents


@pytest.fixture(scope="module")
def pd(tmp_path_factory):
    fake = PagerDutyFake(tls_dir=tmp_path_factory.mktemp("tls"))
    policy = fake.add_escalation_policy("Platform", "PPLATFM")
    fake.add_service("Checkout API", policy, "PCHECKT")
    fake.add_service("Search", policy, "PSEARCH")
    with fake:
        yield fake


@pytest.fixture
def client(pd):
    pd.clear_failures()
    return PagerDutyClient(PagerDutySettings(pd.token, "bot@example.com", pd.url, pd.ca_file))


INCIDENT_IDS = itertools.count(1000)


@pytest.fixture
def incidents():
    # A fresh incident id per test: the fake keeps its open incidents across tests.
    return SettingsIncidents(make_incident(id=next(INCIDENT_IDS)))


def the_incident(incidents):
    return incidents.get_incident(next(iter(incidents.incidents)))


def test_a_page_is_recorded_as_a_link_with_a_timeline_entry(pd, client, incidents):
    incident = the_incident(incidents)
    link = paging.page(client, incidents, incident, "PCHECKT", "low", "U0ALEX", "DB first")
    (created,) = pd.created(f"incident-bot-{incident['id']}-PCHECKT")
    assert link["already_paged"] is False
    assert (link["kind"], link["external_id"], link["url"]) == (
        "pagerduty", created["id"], created["html_url"])
    assert link["title"] == "Paged Checkout API"
    assert link["data"]["urgency"] == "low" and "DB first" in link["data"]["message"]
    assert [e["text"] for e in incidents.timeline[incident["id"]]] == [
        "Paged Checkout API (low)"]


def test_paging_again_is_already_paged_not_a_second_incident(pd, client, incidents):
    incident = the_incident(incidents)
    first = paging.page(client, incidents, incident, "PSEARCH", "high", "U0ALEX")
    again = paging.page(client, incidents, the_incident(incidents), "PSEARCH", "low", "U0BEA")
    assert again["already_paged"] is True and again["external_id"] == first["external_id"]
    assert len(pd.created(f"incident-bot-{incident['id']}-PSEARCH")) == 1
    assert len(incidents.links) == 1


def test_a_page_made_before_a_crash_is_found_and_recorded(pd, client, incidents):
    incident = the_incident(incidents)
    made = client.create_incident({"type": "incident", "title": "t", "incident_key":
                                   f"incident-bot-{incident['id']}-PCHECKT",
                                   "service": {"id": "PCHECKT", "type": "service_reference"}})
    link = paging.page(client, incidents, incident, "PCHECKT", "high", None)
    assert link["already_paged"] is True and link["external_id"] == made["id"]
    assert incidents.links[0]["external_id"] == made["id"]


def test_invalid_input_is_refused_before_calling_pagerduty(pd, client, incidents):
    before = len(pd.requests)
    with pytest.raises(InvalidPage):
        paging.page(client, incidents, the_incident(incidents), "PCHECKT", "urgent", None)
    assert len(pd.requests) == before


def test_auto_page_pages_each_service_and_puts_failures_on_the_timeline(pd, client,
                                                                        incidents):
    incident = the_incident(incidents)
    pages = paging.auto_page(client, incidents, incident["id"], ["PCHECKT", "PNOSUCH"], wait=0)
    assert [p["data"]["service_id"] for p in pages] == ["PCHECKT"]
    texts = [e["text"] for e in incidents.timeline[incident["id"]]]
    assert texts[0] == "Paged Checkout API (high)"
    assert texts[1].startswith("Could not page PNOSUCH automatically")


def test_auto_page_waits_for_the_war_room_so_the_page_links_it(client, incidents):
    incident = the_incident(incidents)
    incidents.incidents[incident["id"]]["channel_id"] = None
    calls = []
    original = incidents.get_incident

    def get_incident(incident_id):
        calls.append(incident_id)
        if len(calls) == 2:  # the war room appears while waiting
            incidents.incidents[incident_id]["channel_id"] = "C0LATE"
        return original(incident_id)

    incidents.get_incident = get_incident
    room = paging.wait_for_war_room(incidents, incident["id"], seconds=5)
    assert room["channel_id"] == "C0LATE" and len(calls) == 2


def test_resolving_resolves_open_pages_once(pd, client, incidents):
    incident = the_incident(incidents)
    link = paging.page(client, incidents, incident, "PCHECKT", "high", None)
    assert paging.resolve_pages(client, incidents, incident["id"]) == 1
    assert incidents.links[0]["data"]["status"] == "resolved"
    assert pd.created(f"incident-bot-{incident['id']}-PCHECKT")[0]["status"] == "resolved"
    puts = len(pd.calls("PUT", f"/incidents/{link['external_id']}"))
    assert paging.resolve_pages(client, incidents, incident["id"]) == 0
    assert len(pd.calls("PUT", f"/incidents/{link['external_id']}")) == puts
