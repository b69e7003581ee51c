"""The Slack gateway: Slack in (`POST /slack/events`) and Slack out (renders
incident state into Slack when `incidents` announces a change)."""
from __future__ import annotations

import json
import logging

from nameko.events import event_handler
from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

from services.common.events import SOURCE, IncidentEvent
from services.common.ops import Ops
from services.slack_gateway import announcements
from services.common.timeutil import from_iso
from services.slack_gateway.blocks.reminders import stale_report
from services.slack_gateway.projection import refresh
from services.slack_gateway.provider import SlackProvider
from services.slack_gateway.war_room import WarRoom

log = logging.getLogger(__name__)
CLAIM_LEASE_SECONDS = 120


class SlackGatewayService:
    name = "slack_gateway"

    slack = SlackProvider()
    incidents = RpcProxy("incidents")
    ops = Ops()

    @http("POST", "/slack/events")
    def slack_events(self, request: Request) -> Response:
        return self.slack.handle_http(request)

    @http("GET", "/healthz")
    def healthz(self, request: Request) -> Response:
        body = {"status": "ok", "slack": "on" if self.slack.enabled else "off",
                "digest_channel_id": self.slack.digest.channel_id if self.slack.digest else None}
        return Response(json.dumps(body), mimetype="application/json")

    @event_handler(SOURCE, IncidentEvent.DECLARED)
    def handle_incident_declared(self, payload: dict) -> None:
        if not self.slack.enabled:
            return
        key = f"slack_gateway:war_room:{payload['incident_id']}"
        # Lease: if this worker dies half-way, a redelivery may finish the job later.
        if not self.incidents.claim_delivery(key, lease_seconds=CLAIM_LEASE_SECONDS):
            log.info("war room for incident %s already handled", payload["incident_id"])
            return
        room = WarRoom(self.slack.client, self.incidents, self.slack.config,
                       self.slack.digest.resolve())
        room.open(payload["incident_id"])
        self.incidents.complete_delivery(key)

    def _once(self, payload: dict, announce=None, rerender: bool = True) -> None:  # noqa: ANN001
        """Re-render the incident's Slack surfaces, and say what happened once per event."""
        if not self.slack.enabled:
            return
        incident = self.incidents.get_incident(payload["incident_id"])
        if rerender:
            refresh(self.slack.client, incident, self.slack.config)
        if announce is None:
            return
        key = f"slack_gateway:{payload['event_id']}"
        if not self.incidents.claim_delivery(key, lease_seconds=CLAIM_LEASE_SECONDS):
            return
        announce(self.slack.client, incident, payload, self.slack.config)
        self.incidents.complete_delivery(key)

    @event_handler(SOURCE, IncidentEvent.STATUS_CHANGED)
    def handle_incident_status_changed(self, payload: dict) -> None:
        self._once(payload, announcements.announce_status)

    @event_handler(SOURCE, IncidentEvent.SEVERITY_CHANGED)
    def handle_incident_severity_changed(self, payload: dict) -> None:
        self._once(payload, announcements.announce_severity)

    @event_handler(SOURCE, IncidentEvent.ROLE_ASSIGNED)
    def handle_incident_role_assigned(self, payload: dict) -> None:
        self._once(payload, announcements.announce_role)

    @event_handler(SOURCE, IncidentEvent.STATUS_UPDATE_POSTED)
    def handle_status_update_posted(self, payload: dict) -> None:
        self._once(payload, announcements.announce_status_update, rerender=False)

    @event_handler(SOURCE, IncidentEvent.RESOLVED)
    def handle_incident_resolved(self, payload: dict) -> None:
        self._once(payload, announcements.announce_resolution, rerender=False)

    @event_handler(SOURCE, IncidentEvent.UPDATE_REMINDER_DUE)
    def handle_update_reminder_due(self, payload: dict) -> None:
        self._once(payload, announcements.announce_reminder, rerender=False)

    @event_handler(SOURCE, IncidentEvent.STALE_INCIDENTS_REPORTED)
    def handle_stale_incidents_reported(self, payload: dict) -> None:
        if not self.slack.enabled:
            return
        digest = self.slack.digest.resolve()
        key = f"slack_gateway:{payload['event_id']}"
        if digest and self.incidents.claim_delivery(key, lease_seconds=CLAIM_LEASE_SECONDS):
            self.slack.client.chat_postMessage(channel=digest, **stale_report(
                payload["incidents"], payload["total"], from_iso(payload["reported_at"]),
                self.slack.config))
            self.incidents.complete_delivery(key)

    @event_handler(SOURCE, IncidentEvent.LINK_ADDED)
    def handle_incident_link_added(self, payload: dict) -> None:
        self._once(payload, announcements.announce_link)

    @event_handler(SOURCE, IncidentEvent.LINK_UPDATED)
    def handle_incident_link_updated(self, payload: dict) -> None:
        self._once(payload)

    @event_handler(SOURCE, IncidentEvent.DESCRIPTION_CHANGED)
    def handle_incident_description_changed(self, payload: dict) -> None:
        self._once(payload)  # topic, control panel and digest show the description
