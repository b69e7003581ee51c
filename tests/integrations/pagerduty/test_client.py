"""The PagerDuty adapter, with the real `pagerduty` library against the HTTPS fake."""
import pytest

from services.integrations.pagerduty.client import (
    AlreadyPaged,
    PagerDutyClient,
    PagerDutySettings,
)
from services.integrations.pagerduty.exceptions import PagerDutyError
from tests.fakes.pagerduty_api import DEDUP_ERROR, PagerDutyFake

FROM = "bot@example.com"


@pytest.fixture(scope="module")
def pd(tmp_path_factory):
    fake = PagerDutyFake(tls_dir=tmp_path_factory.mktemp("tls"))
    policy = fake.add_escalation_policy("Platform", "PPLATFM")
    for number in range(130):
        fake.add_service(f"Service {number:03}", policy, f"PSV{number:04}")
    fake.add_oncall(policy, "Alice Ops", "alice@example.com")
    with fake:
        yield fake


@pytest.fixture
def client(pd):
    pd.clear_failures()
    return PagerDutyClient(PagerDutySettings(pd.token, FROM, pd.url, pd.ca_file))


def incident(service="PSV0000", key="k-1"):
    return {"type": "incident", "title": "Checkout down", "urgency": "high",
            "service": {"id": service, "type": "service_reference"}, "incident_key": key}


def test_settings_need_token_and_from_email():
    assert PagerDutySettings.from_nameko_config({}).missing == [
        "PAGERDUTY_API_TOKEN", "PAGERDUTY_FROM_EMAIL"]
    settings = PagerDutySettings.from_nameko_config({
        "PAGERDUTY_API_TOKEN": "t", "PAGERDUTY_FROM_EMAIL": FROM,
        "PAGERDUTY_API_URL": "https://pd.example/", "PAGERDUTY_CA_FILE": "/ca.pem"})
    assert settings.missing == [] and settings.api_url == "https://pd.example"
    assert PagerDutySettings("t", FROM).api_url == "https://api.pagerduty.com"


def test_services_are_paginated_through_every_page(pd, client):
    pd.reset_requests()
    services = client.list_services()
    assert len(services) == 130 and services[-1]["id"] == "PSV0129"
    pages = pd.calls("GET", "/services")
    assert [(r.query["offset"], r.query["limit"]) for r in pages] == [
        (["0"], ["100"]), (["100"], ["100"])]
    assert all(r.header("Authorization") == f"Token token={pd.token}" for r in pages)


def test_oncalls_come_with_full_users(client):
    (oncall,) = client.list_oncalls()
    assert oncall["user"]["email"] == "alice@example.com"


def test_create_sends_from_and_a_second_page_is_already_paged(pd, client):
    created = client.create_incident(incident(key="dup-1"))
    post = pd.calls("POST", "/incidents")[-1]
    assert post.header("From") == FROM
    assert post.body == {"incident": incident(key="dup-1")}
    with pytest.raises(AlreadyPaged):
        client.create_incident(incident(key="dup-1"))
    assert DEDUP_ERROR in str(pd.calls("POST", "/incidents")[-1].response)
    assert client.find_incident("dup-1")["id"] == created["id"]
    assert client.find_incident("nope") is None


def test_resolve_puts_status_resolved_with_from(pd, client):
    created = client.create_incident(incident(key="res-1"))
    assert client.resolve_incident(created["id"])["status"] == "resolved"
    put = pd.calls("PUT", f"/incidents/{created['id']}")[-1]
    assert put.body == {"incident": {"type": "incident_reference", "status": "resolved"}}
    assert put.header("From") == FROM


def test_refusals_become_readable_errors(pd, client):
    with pytest.raises(PagerDutyError, match="Service not found"):
        client.create_incident(incident(service="PNOSUCH", key="x"))
    pd.fail("POST /incidents", 500)
    with pytest.raises(PagerDutyError, match="HTTP 500"):
        client.create_incident(incident(key="five-hundred"))
    assert pd.created("five-hundred") == []
    wrong = PagerDutyClient(PagerDutySettings("wrong-token", FROM, pd.url, pd.ca_file))
    with pytest.raises(PagerDutyError, match="HTTP 401"):
        wrong.list_services()


def test_the_fake_is_only_trusted_through_its_ca(pd):
    untrusted = PagerDutyClient(PagerDutySettings(pd.token, FROM, pd.url, None))
    untrusted.api.max_network_attempts = 0
    with pytest.raises(PagerDutyError, match="no answer"):
        untrusted.list_escalation_policies()
    trusted = PagerDutyClient(PagerDutySettings(pd.token, FROM, pd.url, pd.ca_file))
    assert trusted.list_escalation_policies()[0]["name"] == "Platform"
