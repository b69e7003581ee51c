"""The Statuspage service: publish an incident on the public status page, update it,
resolve it (also when the incident is resolved). Off (entrypoints do nothing, lists
empty) until its credentials are set."""
from __future__ import annotations

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc

from services.common.dependencies import ConfigProvider
from services.common.events import SOURCE, IncidentEvent
from services.common.ops import Ops
from services.incidents.exceptions import IncidentError
from services.common.leases import REDELIVERY_PATIENCE, Claims
from services.integrations.statuspage import logic, publishing
from services.integrations.statuspage.client import StatuspageProvider, require
from services.integrations.statuspage.exceptions import StatuspageError

EXPECTED = (StatuspageError, IncidentError)


class StatuspageService:
    name = "statuspage"

    config = ConfigProvider()
    statuspage = StatuspageProvider()
    incidents = RpcProxy("incidents")
    ops = Ops()

    @rpc
    def get_status(self) -> dict:
        settings = self.config.integrations.statuspage
        return {"enabled": self.statuspage is not None, "page_url": settings.url or None,
                "permitted_usergroups": list(settings.permitted_usergroups)}

    @rpc(expected_exceptions=EXPECTED)
    def list_components(self) -> list[dict]:
        if self.statuspage is None:
            return []
        return logic.components_of(self.statuspage.list_components())

    @rpc(expected_exceptions=EXPECTED)
    def create_incident(self, incident_id: int, name: str, message: str,
                        status: str = "investigating", components: dict | None = None,
                        actor_id: str | None = None) -> dict:
        return publishing.create(require(self.statuspage), self.incidents, incident_id, name,
                                 message, status, components, actor_id)

    @rpc(expected_exceptions=EXPECTED)
    def update_incident(self, incident_id: int, status: str, message: str,
                        components: dict | None = None, actor_id: str | None = None) -> dict:
        return publishing.update(require(self.statuspage), self.incidents, incident_id, status,
                                 message, components, actor_id)

    @rpc(expected_exceptions=EXPECTED)
    def resolve_incident(self, incident_id: int, actor_id: str | None = None,
                         message: str | None = None) -> dict | None:
        return publishing.resolve(require(self.statuspage), self.incidents, incident_id,
                                  actor_id, message)

    @event_handler(SOURCE, IncidentEvent.RESOLVED)
    def handle_incident_resolved(self, payload: dict) -> None:
        if self.statuspage is None:
            return
        incident_id = payload["incident_id"]
        if not logic.open_link(self.incidents.list_incident_links(incident_id,
                                                                  kind="statuspage")):
            return
        key = f"statuspage:resolve:{payload['event_id']}"
        Claims(self.incidents, patience=REDELIVERY_PATIENCE).once(
            key, lambda: publishing.resolve(self.statuspage, self.incidents, incident_id,
                                            payload.get("actor_id")))
