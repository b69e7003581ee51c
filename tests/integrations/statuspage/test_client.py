"""The Statuspage adapter against the Statuspage fake."""
import pytest

from services.integrations.statuspage.client import StatuspageClient, StatuspageSettings
from services.integrations.statuspage.exceptions import StatuspageError
from tests.fakes.statuspage_api import StatuspageFake


@pytest.fixture(scope="module")
def sp():
    fake = StatuspageFake()
    fake.add_component("API", component_id="api000000001")
    fake.add_component("Checkout", component_id="chk000000001")
    with fake:
        yield fake


@pytest.fixture
def client(sp):
    sp.clear_failures()
    sp.reset_requests()
    return StatuspageClient(StatuspageSettings(sp.api_key, sp.page_id, sp.url), timeout=2)


def test_settings_need_key_and_page():
    assert StatuspageSettings.from_nameko_config({}).missing == [
        "STATUSPAGE_API_KEY", "STATUSPAGE_PAGE_ID"]
    settings = StatuspageSettings.from_nameko_config({
        "STATUSPAGE_API_KEY": "k", "STATUSPAGE_PAGE_ID": "p"})
    assert settings.api_url == "https://api.statuspage.io/v1" and "k" not in repr(settings)


def test_create_sends_statuspage_shapes_with_oauth(sp, client):
    created = client.create_incident("Checkout failures", "identified", "We are on it",
                                     {"chk000000001": "major_outage"})
    (post,) = sp.calls("POST")
    assert post.path == f"/pages/{sp.page_id}/incidents"
    assert post.header("Authorization") == f"OAuth {sp.api_key}"
    assert post.body == {"incident": {
        "name": "Checkout failures", "status": "identified", "body": "We are on it",
        "component_ids": ["chk000000001"], "components": {"chk000000001": "major_outage"},
        "deliver_notifications": True}}
    assert created["incident_updates"][0]["affected_components"][0]["new_status"] == \
        "major_outage"
    assert sp.component_status("chk000000001") == "major_outage"


def test_update_and_component_status(sp, client):
    created = client.create_incident("Slow API", "investigating", "Looking", {})
    updated = client.update_incident(created["id"], "monitoring", "Fixed, watching", {})
    assert updated["status"] == "monitoring" and len(updated["incident_updates"]) == 2
    patch = sp.calls("PATCH")[-1]
    assert patch.body == {"incident": {"status": "monitoring", "body": "Fixed, watching",
                                       "deliver_notifications": True}}
    assert client.set_component_status("api000000001", "operational")["status"] == \
        "operational"


def test_refusals_carry_statuspage_words(sp, client):
    with pytest.raises(StatuspageError, match="HTTP 422: Status is not included in the list"):
        client.create_incident("x", "bogus", "y", {})
    bad = StatuspageClient(StatuspageSettings("wrong", sp.page_id, sp.url))
    with pytest.raises(StatuspageError, match="HTTP 401: Could not authenticate"):
        bad.list_components()


def test_rate_limit_is_retried_but_a_failed_post_is_not(sp, client):
    before = len(sp.created())
    sp.fail("POST /pages/*/incidents", 429, retry_after=0)
    client.create_incident("Once", "investigating", "Looking", {})
    assert len(sp.created()) == before + 1
    sp.fail("POST /pages/*/incidents", 500)
    with pytest.raises(StatuspageError, match="HTTP 500"):
        client.create_incident("Maybe", "investigating", "Looking", {})
    assert [r.status for r in sp.calls("POST")] == [429, 201, 500]
    sp.fail("GET /pages/*/components", 503)
    assert len(client.list_components()) == 2  # a GET is retried after a 5xx


def test_a_hung_statuspage_times_out(sp, client):
    sp.hang("GET /pages/*/components", 3)
    with pytest.raises(StatuspageError, match="did not answer"):
        client.list_components()


def test_a_create_whose_answer_was_lost_is_found_by_its_metadata():
    with StatuspageFake() as sp:
        found_by_metadata(sp, StatuspageClient(StatuspageSettings(sp.api_key, sp.page_id,
                                                                  sp.url)))
        # Found on the first page; a miss reads every page (126 unresolved: 2 pages).
        assert [c.query["page"] for c in sp.calls("GET")] == [["1"], ["1"], ["2"], ["1"], ["2"]]


def found_by_metadata(sp, client):
    for n in range(120):  # more than one page of other unresolved incidents
        client.create_incident(f"Other {n}", "investigating", "x", {}, 1000 + n)
    made = client.create_incident("Checkout down", "investigating", "x", {}, 7)
    for n in range(5):
        client.create_incident(f"Newer {n}", "investigating", "x", {}, 2000 + n)
    assert client.find_published(7)["id"] == made["id"]
    assert client.find_published(8) is None
    client.update_incident(made["id"], "resolved", "fixed", {})
    assert client.find_published(7) is None  # resolved ones are not in doubt
