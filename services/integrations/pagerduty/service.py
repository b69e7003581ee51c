"""The PagerDuty service: page teams for an incident (by hand, or automatically when
one is declared), list services and who is on call, resolve pages with the incident.
Off (every entrypoint a no-op, RPC lists empty) until its credentials are set."""
from __future__ import annotations

import logging

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc

from services.common.dependencies import ConfigProvider
from services.common.events import SOURCE, IncidentEvent
from services.common.ops import Ops
from services.incidents.exceptions import IncidentError
from services.common.leases import REDELIVERY_PATIENCE, Claims
from services.integrations.pagerduty import logic, paging
from services.integrations.pagerduty.client import PagerDutyProvider, require
from services.integrations.pagerduty.exceptions import InvalidPage, PagerDutyError

log = logging.getLogger(__name__)
EXPECTED = (PagerDutyError, IncidentError)


class PagerDutyService:
    name = "pagerduty"

    config = ConfigProvider()
    pagerduty = PagerDutyProvider()
    incidents = RpcProxy("incidents")
    ops = Ops()

    @rpc
    def get_status(self) -> dict:
        settings = self.config.integrations.pagerduty
        return {"enabled": self.pagerduty is not None,
                "auto_page_on_declare": settings.auto_page_on_declare}

    @rpc(expected_exceptions=EXPECTED)
    def list_services(self) -> list[dict]:
        if self.pagerduty is None:
            return []
        services = [logic.service_summary(s) for s in self.pagerduty.list_services()]
        return sorted(services, key=lambda s: s["name"].lower())

    @rpc(expected_exceptions=EXPECTED)
    def list_escalation_policies(self) -> list[dict]:
        if self.pagerduty is None:
            return []
        return [logic.policy_summary(p) for p in self.pagerduty.list_escalation_policies()]

    @rpc(expected_exceptions=EXPECTED)
    def list_oncalls(self) -> list[dict]:
        """Who is on call, per escalation policy (for the web UI)."""
        if self.pagerduty is None:
            return []
        return logic.group_oncalls(self.pagerduty.list_oncalls())

    @rpc(expected_exceptions=EXPECTED)
    def page_team(self, incident_id: int, service_id: str, urgency: str = "high",
                  actor_id: str | None = None, note: str | None = None) -> dict:
        """Page one service for an incident; the link dict plus `already_paged`."""
        client = require(self.pagerduty)
        incident = self.incidents.get_incident(incident_id)
        return paging.page(client, self.incidents, incident, service_id, urgency, actor_id, note)

    @rpc(expected_exceptions=EXPECTED)
    def get_auto_page_services(self) -> list[str]:
        return self.incidents.get_setting(logic.AUTO_PAGE_SETTING, [])

    @rpc(expected_exceptions=EXPECTED)
    def set_auto_page_services(self, service_ids: list[str],
                               actor_id: str | None = None) -> list[str]:
        """Choose the services paged on every declaration; each must exist in PagerDuty."""
        ids = logic.check_service_ids(service_ids)
        known = {s["id"] for s in require(self.pagerduty).list_services()}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise InvalidPage(f"PagerDuty has no service {', '.join(unknown)}", "service_ids")
        self.incidents.set_setting(logic.AUTO_PAGE_SETTING, ids, actor_id)
        return ids

    @event_handler(SOURCE, IncidentEvent.DECLARED)
    def handle_incident_declared(self, payload: dict) -> None:
        if self.pagerduty is None or not self.config.integrations.pagerduty.auto_page_on_declare:
            return
        incident_id = payload["incident_id"]
        services = self.incidents.get_setting(logic.AUTO_PAGE_SETTING, [])
        paged = {(link.get("data") or {}).get("service_id")
                 for link in self.incidents.list_incident_links(incident_id, kind="pagerduty")}
        if not set(services) - paged:
            return
        # Once per incident, whichever replica gets it and however often it is delivered.
        # After a crash mid-page the redelivered event pages again: the incident key
        # brings back the page that went through, which is then recorded.
        key = f"pagerduty:auto_page:{incident_id}"
        Claims(self.incidents, patience=REDELIVERY_PATIENCE).once(
            key, lambda: paging.auto_page(self.pagerduty, self.incidents, incident_id,
                                          services))

    @event_handler(SOURCE, IncidentEvent.RESOLVED)
    def handle_incident_resolved(self, payload: dict) -> None:
        if self.pagerduty is None:
            return
        incident_id = payload["incident_id"]
        if not logic.open_pages(self.incidents.list_incident_links(incident_id,
                                                                   kind="pagerduty")):
            return
        key = f"pagerduty:resolve:{payload['event_id']}"

        def resolve() -> None:
            count = paging.resolve_pages(self.pagerduty, self.incidents, incident_id)
            if count:
                log.info("incident %s resolved: resolved %d PagerDuty incidents",
                         incident_id, count)
        Claims(self.incidents, patience=REDELIVERY_PATIENCE).once(key, resolve)
