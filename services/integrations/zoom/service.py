"""The Zoom service: a meeting for every new incident, stored as the incident's
meeting link (the gateway posts and pins it, and the digest shows it)."""
from __future__ import annotations

import logging

from nameko.events import event_handler
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy, rpc

from services.common.dependencies import config_of
from services.common.events import SOURCE, IncidentEvent
from services.common.ops import Ops
from services.common.leases import REDELIVERY_PATIENCE, Claims
from services.integrations.zoom.client import ZoomClient, ZoomSettings
from services.integrations.zoom.meetings import MeetingDesk, ZoomState

log = logging.getLogger(__name__)


class ZoomProvider(DependencyProvider):
    """Builds the Zoom client once from the container config, and says once if Zoom is off."""

    def setup(self) -> None:
        config = config_of(self.container.config)
        missing = ZoomSettings.missing(self.container.config)
        settings = ZoomSettings.from_nameko_config(self.container.config)
        switched_on = config.integrations.zoom.enabled
        client = ZoomClient(settings) if switched_on and settings else None
        self.state = ZoomState(config, client, missing)
        fallback = (" War rooms get the static meeting_link instead." if config.meeting_link
                    else "")
        if not switched_on:
            log.warning("Zoom is off: integrations.zoom.enabled is false in config.yaml.%s",
                        fallback)
        elif missing:
            log.warning("Zoom is off: %s not set.%s", " and ".join(missing), fallback)

    def get_dependency(self, worker_ctx) -> ZoomState:  # noqa: ANN001
        return self.state


class ZoomService:
    name = "zoom"

    incidents = RpcProxy("incidents")
    zoom = ZoomProvider()
    ops = Ops()

    @event_handler(SOURCE, IncidentEvent.DECLARED)
    def handle_incident_declared(self, payload: dict) -> None:
        claims = Claims(self.incidents, patience=REDELIVERY_PATIENCE)
        MeetingDesk(self.incidents, self.zoom, claims=claims).on_declared(payload["incident_id"])

    @rpc
    def create_meeting(self, incident_id: int, actor_id: str | None = None) -> dict | None:
        """A Zoom meeting for an incident that has none (say, declared while Zoom was down)."""
        return MeetingDesk(self.incidents, self.zoom).create_zoom_meeting(incident_id, actor_id)

    @rpc
    def get_status(self) -> dict:
        """{"enabled": bool, "missing": [env var names], ...} for the web UI."""
        return self.zoom.status()
