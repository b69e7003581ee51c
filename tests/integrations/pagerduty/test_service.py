"""PagerDutyService entrypoints, one at a time (nameko's worker_factory)."""
import logging
from types import SimpleNamespace

import pytest
from nameko.testing.services import worker_factory

from services.common.config import Config, parse_config
from services.integrations.pagerduty.client import (
    PagerDutyClient,
    PagerDutyProvider,
    PagerDutySettings,
)
from services.integrations.pagerduty.exceptions import InvalidPage, PagerDutyOff
from services.integrations.pagerduty.service import PagerDutyService
from tests.fakes.pagerduty_api import PagerDutyFake
from tests.integrations.stubs import make_incident
from tests.integrations.vendor_stubs import SettingsIncidents


@pytest.fixture(scope="module")
def pd(tmp_path_factory):
    fake = PagerDutyFake(tls_dir=tmp_path_factory.mktemp("tls"))
    policy = fake.add_escalation_policy("Platform", "PPLATFM")
    fake.add_service("Checkout API", policy, "PCHECKT")
    fake.add_service("Payments", policy, "PPAYSVC")
    with fake:
        yield fake


def service(incidents, client=None, **config):
    return worker_factory(PagerDutyService, pagerduty=client, incidents=incidents,
                          config=parse_config(config))


def on(pd, incidents, **config):
    client = PagerDutyClient(PagerDutySettings(pd.token, "bot@example.com", pd.url, pd.ca_file))
    return service(incidents, client, **config)


def test_off_without_credentials_says_so_once_and_does_nothing(caplog):
    provider = PagerDutyProvider()
    provider.container = SimpleNamespace(config={"INCIDENTBOT_CONFIG_OBJECT": Config.default()})
    with caplog.at_level(logging.WARNING):
        provider.setup()
    assert provider.client is None
    (warning,) = [r.getMessage() for r in caplog.records if "PagerDuty" in r.getMessage()]
    assert "PAGERDUTY_API_TOKEN and PAGERDUTY_FROM_EMAIL" in warning
    incidents = SettingsIncidents(make_incident(id=1))
    worker = service(incidents)
    assert worker.get_status()["enabled"] is False
    assert worker.list_services() == [] and worker.list_oncalls() == []
    with pytest.raises(PagerDutyOff):
        worker.page_team(1, "PCHECKT", "high", "U0ALEX")
    worker.handle_incident_declared({"event_id": "e1", "incident_id": 1})
    assert incidents.claims == {}


def test_switched_off_in_config_even_with_credentials(pd):
    provider = PagerDutyProvider()
    provider.container = SimpleNamespace(config={
        "INCIDENTBOT_CONFIG_OBJECT": parse_config({"integrations": {"pagerduty": {
            "enabled": False}}}),
        "PAGERDUTY_API_TOKEN": pd.token, "PAGERDUTY_FROM_EMAIL": "bot@example.com"})
    provider.setup()
    assert provider.client is None


def test_auto_page_services_are_validated_against_pagerduty(pd):
    incidents = SettingsIncidents()
    worker = on(pd, incidents)
    with pytest.raises(InvalidPage, match="PNOSUCH"):
        worker.set_auto_page_services(["PCHECKT", "PNOSUCH"], "U0ALEX")
    assert worker.set_auto_page_services(["PCHECKT", "PCHECKT"], "U0ALEX") == ["PCHECKT"]
    assert worker.get_auto_page_services() == ["PCHECKT"]


def test_declaration_pages_the_configured_services_once(pd):
    incidents = SettingsIncidents(make_incident(id=501))
    incidents.settings["pagerduty.auto_page_services"] = ["PCHECKT", "PPAYSVC"]
    worker = on(pd, incidents)
    payload = {"event_id": "e-501", "incident_id": 501}
    worker.handle_incident_declared(payload)
    worker.handle_incident_declared({**payload, "event_id": "e-501-again"})
    assert len(pd.created("incident-bot-501-PCHECKT")) == 1
    assert len(pd.created("incident-bot-501-PPAYSVC")) == 1
    assert incidents.claims == {"pagerduty:auto_page:501": True}


def test_no_auto_page_when_the_config_says_so(pd):
    incidents = SettingsIncidents(make_incident(id=502))
    incidents.settings["pagerduty.auto_page_services"] = ["PCHECKT"]
    worker = on(pd, incidents, integrations={"pagerduty": {"auto_page_on_declare": False}})
    worker.handle_incident_declared({"event_id": "e-502", "incident_id": 502})
    assert pd.created("incident-bot-502-PCHECKT") == []


def test_resolution_resolves_the_pages(pd):
    incidents = SettingsIncidents(make_incident(id=503))
    worker = on(pd, incidents)
    link = worker.page_team(503, "PPAYSVC", "low", "U0ALEX")
    worker.handle_incident_resolved({"event_id": "r-503", "incident_id": 503})
    assert incidents.links[0]["data"]["status"] == "resolved"
    assert pd.calls("PUT", f"/incidents/{link['external_id']}")
