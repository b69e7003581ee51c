"""Publishing: create, update, resolve, and what the incident's link holds."""
import itertools

import pytest
from nameko.testing.services import worker_factory

from services.common.config import parse_config
from services.integrations.statuspage import publishing
from services.integrations.statuspage.client import StatuspageClient, StatuspageSettings
from services.integrations.statuspage.exceptions import (
    InvalidStatuspageInput,
    NoStatuspageIncident,
    StatuspageError,
    StatuspageOff,
)
from services.integrations.statuspage.service import StatuspageService
from tests.fakes.statuspage_api import StatuspageFake
from tests.integrations.stubs import make_incident
from tests.integrations.vendor_stubs import SettingsIncidents

API, CHECKOUT = "api000000001", "chk000000001"
IDS = itertools.count(1)


@pytest.fixture(scope="module")
def sp():
    fake = StatuspageFake()
    fake.add_component("API", component_id=API)
    fake.add_component("Checkout", component_id=CHECKOUT)
    with fake:
        yield fake


@pytest.fixture
def client(sp):
    return StatuspageClient(StatuspageSettings(sp.api_key, sp.page_id, sp.url))


@pytest.fixture
def incidents():
    return SettingsIncidents(make_incident(id=next(IDS)))


def the_id(incidents):
    return next(iter(incidents.incidents))


def test_create_records_the_link_and_the_timeline(sp, client, incidents):
    incident_id = the_id(incidents)
    link = publishing.create(client, incidents, incident_id, "Checkout failures", "On it",
                             "investigating", {CHECKOUT: "major_outage"}, "U0ALEX")
    created = next(i for i in sp.created() if i["id"] == link["external_id"])
    assert link["kind"] == "statuspage" and link["url"] == created["shortlink"]
    assert link["title"] == "Statuspage: Checkout failures"
    data = link["data"]
    assert data["status"] == "investigating" and data["components"] == {CHECKOUT: "major_outage"}
    assert data["updates"][0]["body"] == "On it" and data["message"] == "On it"
    assert incidents.timeline[incident_id][-1]["text"] == \
        "Statuspage incident published: Checkout failures (investigating)"
    with pytest.raises(StatuspageError, match="already on the status page"):
        publishing.create(client, incidents, incident_id, "Again", "x", "investigating", {},
                          None)


def test_invalid_input_never_reaches_statuspage(sp, client, incidents):
    before = len(sp.requests)
    for name, message, status, components in (("", "m", "investigating", {}),
                                              ("n", "m", "resolved", {}),
                                              ("n", "m", "investigating", {API: "down"})):
        with pytest.raises(InvalidStatuspageInput):
            publishing.create(client, incidents, the_id(incidents), name, message, status,
                              components, None)
    assert len(sp.requests) == before


def test_updates_add_history_and_resolving_returns_components(sp, client, incidents):
    incident_id = the_id(incidents)
    with pytest.raises(NoStatuspageIncident):
        publishing.update(client, incidents, incident_id, "monitoring", "x", {}, None)
    link = publishing.create(client, incidents, incident_id, "API errors", "Looking",
                             "investigating", {API: "partial_outage"}, None)
    link = publishing.update(client, incidents, incident_id, "monitoring", "Fix deployed",
                             {CHECKOUT: "degraded_performance"}, "U0ALEX")
    assert [u["status"] for u in link["data"]["updates"]] == ["investigating", "monitoring"]
    assert link["data"]["components"] == {API: "partial_outage",
                                          CHECKOUT: "degraded_performance"}
    sp.reset_requests()
    resolved = publishing.resolve(client, incidents, incident_id, "U0ALEX")
    assert resolved["data"]["status"] == "resolved"
    patch = sp.calls("PATCH", f"/pages/{sp.page_id}/incidents/{link['external_id']}")[0]
    assert patch.body["incident"]["status"] == "resolved"
    assert patch.body["incident"]["body"] == "This incident has been resolved."
    assert {r.path.rsplit("/", 1)[1]: r.body for r in sp.calls("PATCH", "*/components/*")} == {
        API: {"component": {"status": "operational"}},
        CHECKOUT: {"component": {"status": "operational"}}}
    assert sp.component_status(API) == sp.component_status(CHECKOUT) == "operational"
    # Resolving again (a redelivered incident_resolved) changes nothing.
    sp.reset_requests()
    assert publishing.resolve(client, incidents, incident_id)["external_id"] == \
        link["external_id"]
    assert sp.requests == []


def test_an_update_to_resolved_resolves(sp, client, incidents):
    incident_id = the_id(incidents)
    publishing.create(client, incidents, incident_id, "Blip", "Looking", "identified",
                      {API: "degraded_performance"}, None)
    link = publishing.update(client, incidents, incident_id, "resolved", "All good", {}, None)
    assert link["data"]["status"] == "resolved"
    assert link["data"]["updates"][-1]["body"] == "All good"
    assert sp.component_status(API) == "operational"


def test_the_service_is_off_without_credentials_and_resolves_on_the_event(sp, client):
    incidents = SettingsIncidents(make_incident(id=next(IDS)))
    off = worker_factory(StatuspageService, statuspage=None, incidents=incidents,
                         config=parse_config({}))
    assert off.get_status()["enabled"] is False and off.list_components() == []
    with pytest.raises(StatuspageOff):
        off.create_incident(1, "n", "m")
    off.handle_incident_resolved({"event_id": "e", "incident_id": 1})
    assert incidents.claims == {}
    incident_id = the_id(incidents)
    worker = worker_factory(StatuspageService, statuspage=client, incidents=incidents,
                            config=parse_config({"integrations": {"statuspage": {
                                "url": "https://status.example.com"}}}))
    assert worker.get_status() == {"enabled": True, "page_url": "https://status.example.com",
                                   "permitted_usergroups": []}
    assert [c["name"] for c in worker.list_components()] == ["API", "Checkout"]
    worker.create_incident(incident_id, "Outage", "Down", "investigating",
                           {CHECKOUT: "major_outage"}, "U0ALEX")
    worker.handle_incident_resolved({"event_id": "r1", "incident_id": incident_id,
                                     "actor_id": "U0ALEX"})
    worker.handle_incident_resolved({"event_id": "r1", "incident_id": incident_id})
    assert incidents.links[0]["data"]["status"] == "resolved"
    assert sp.component_status(CHECKOUT) == "operational"
    assert incidents.claims == {"statuspage:resolve:r1": True}
