"""The Slack gateway: Slack in (`POST /slack/events`) and Slack out (renders
incident state into Slack when `incidents` announces a change)."""
from __future__ import annotations

import json
import logging

import eventlet
from nameko.events import event_handler
from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

from services.common.bus import timed_rpc_proxy
from services.common.events import SOURCE, IncidentEvent
from services.common.leases import Claims
from services.common.ops import Ops
from services.slack_gateway import announcements, statuspage_panel
from services.common.timeutil import from_iso
from services.slack_gateway.blocks.reminders import stale_report
from services.slack_gateway.projection import refresh
from services.slack_gateway.provider import SlackProvider
from services.slack_gateway.war_room import WarRoom

log = logging.getLogger(__name__)
CLAIM_LEASE_SECONDS = 15  # renewed every third of it while the work runs
RETRY_PAUSE = 1.0  # before an event goes back to the queue, so a failure cannot spin


class RetryLater(Exception):
    """Another worker holds this work right now; the event goes back to the queue."""


def on(event: str):  # noqa: ANN201
    """Every gateway handler: a failure puts the event back for another try (claims make
    the retry finish what is missing instead of doing anything twice)."""
    return event_handler(SOURCE, event, requeue_on_error=True,
                         expected_exceptions=(RetryLater,))


class SlackGatewayService:
    name = "slack_gateway"

    slack = SlackProvider()
    incidents = timed_rpc_proxy("incidents")
    statuspage = timed_rpc_proxy("statuspage", timeout=3.0)  # asked whether to prompt for a Statuspage incident
    ops = Ops()

    @http("POST", "/slack/events")
    def slack_events(self, request: Request) -> Response:
        return self.slack.handle_http(request)

    @http("GET", "/healthz")
    def healthz(self, request: Request) -> Response:
        body = {"status": "ok", "slack": "on" if self.slack.enabled else "off",
                "digest_channel_id": self.slack.digest.channel_id if self.slack.digest else None}
        return Response(json.dumps(body), mimetype="application/json")

    def _retried(self, key: str, work) -> None:  # noqa: ANN001
        """Run `work(retry)` once across replicas and redeliveries; on failure give the
        claim back and raise, so the requeued event tries again (a bounded number of
        times). `retry` is True when an earlier attempt did not finish."""
        state = self.incidents.claim_work(key, lease_seconds=CLAIM_LEASE_SECONDS)
        if state == "done":
            return
        if state == "exhausted":
            log.error("giving up on %s after repeated failures", key)
            return
        if state == "in_progress":
            eventlet.sleep(RETRY_PAUSE)
            raise RetryLater(key)
        # Renewed while the work runs, so a short lease never lets another replica take
        # over live work, yet a dead holder's work is picked up soon.
        claims = Claims(self.incidents, lease_seconds=CLAIM_LEASE_SECONDS)
        try:
            with claims.kept(key):
                work(state == "reclaimed")
        except Exception:
            try:
                self.incidents.release_delivery(key)
            finally:
                eventlet.sleep(RETRY_PAUSE)
            raise
        claims.complete(key)

    @on(IncidentEvent.DECLARED)
    def handle_incident_declared(self, payload: dict) -> None:
        if not self.slack.enabled:
            return

        def open_room(retry: bool) -> None:
            room = WarRoom(self.slack.client, self.incidents, self.slack.config,
                           self.slack.digest.resolve(), statuspage=self.statuspage)
            room.open(payload["incident_id"], retry=retry, declared=payload.get("incident"))

        self._retried(f"slack_gateway:war_room:{payload['incident_id']}", open_room)

    def _once(self, payload: dict, announce=None, rerender: bool = True) -> None:  # noqa: ANN001
        """Re-render the incident's Slack surfaces, and say what happened once per event."""
        if not self.slack.enabled:
            return
        incident = self.incidents.get_incident(payload["incident_id"])
        if rerender:
            try:
                refresh(self.slack.client, incident, self.slack.config)
            except Exception:
                eventlet.sleep(RETRY_PAUSE)
                raise
        if announce is not None:
            self._retried(f"slack_gateway:{payload['event_id']}", lambda retry: announce(
                self.slack.client, incident, payload, self.slack.config, retry))

    @on(IncidentEvent.STATUS_CHANGED)
    def handle_incident_status_changed(self, payload: dict) -> None:
        self._once(payload, announcements.announce_status)

    @on(IncidentEvent.SEVERITY_CHANGED)
    def handle_incident_severity_changed(self, payload: dict) -> None:
        self._once(payload, announcements.announce_severity)

    @on(IncidentEvent.ROLE_ASSIGNED)
    def handle_incident_role_assigned(self, payload: dict) -> None:
        self._once(payload, announcements.announce_role)

    @on(IncidentEvent.STATUS_UPDATE_POSTED)
    def handle_status_update_posted(self, payload: dict) -> None:
        self._once(payload, announcements.announce_status_update, rerender=False)

    @on(IncidentEvent.RESOLVED)
    def handle_incident_resolved(self, payload: dict) -> None:
        self._once(payload, announcements.announce_resolution, rerender=False)

    @on(IncidentEvent.UPDATE_REMINDER_DUE)
    def handle_update_reminder_due(self, payload: dict) -> None:
        self._once(payload, announcements.announce_reminder, rerender=False)

    @on(IncidentEvent.STALE_INCIDENTS_REPORTED)
    def handle_stale_incidents_reported(self, payload: dict) -> None:
        if not self.slack.enabled:
            return
        digest = self.slack.digest.resolve()
        if digest:
            report = stale_report(payload["incidents"], payload["total"],
                                  from_iso(payload["reported_at"]), self.slack.config)
            self._retried(f"slack_gateway:{payload['event_id']}",
                          lambda retry: self.slack.client.chat_postMessage(channel=digest,
                                                                           **report))

    @on(IncidentEvent.LINK_ADDED)
    def handle_incident_link_added(self, payload: dict) -> None:
        self._once(payload, lambda client, incident, event, config, retry:
                   announcements.post_link(client, self.incidents, incident, event["link"]))
        statuspage_panel.on_link_event(self.slack, self.incidents, payload)

    @on(IncidentEvent.LINK_UPDATED)
    def handle_incident_link_updated(self, payload: dict) -> None:
        self._once(payload)
        statuspage_panel.on_link_event(self.slack, self.incidents, payload)

    @on(IncidentEvent.DESCRIPTION_CHANGED)
    def handle_incident_description_changed(self, payload: dict) -> None:
        self._once(payload)  # topic, control panel and digest show the description
