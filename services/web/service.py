"""The web service: REST API under /api/v1 and the web UI (a Flask app served by the
WebServer dependency on WEB_PORT), plus live updates: every replica hears every
incident event (BROADCAST) and tells the browsers connected to it.

It owns only its account tables; incidents are read and changed over RPC."""
from __future__ import annotations

from nameko.events import BROADCAST, event_handler

from services.common.events import SOURCE, IncidentEvent
from services.common.ops import Ops
from services.web.server import WebServer


def broadcast(event: IncidentEvent):  # noqa: ANN201
    # Not reliable: a replica that is down has no browsers to tell.
    return event_handler(SOURCE, event, handler_type=BROADCAST, reliable_delivery=False)


class WebService:
    name = "web"

    web = WebServer()
    ops = Ops(database=True)

    def _changed(self, event: IncidentEvent, payload: dict) -> None:
        self.web.publish(event.value, payload)

    @broadcast(IncidentEvent.DECLARED)
    def handle_incident_declared(self, payload: dict) -> None:
        self._changed(IncidentEvent.DECLARED, payload)

    @broadcast(IncidentEvent.STATUS_CHANGED)
    def handle_incident_status_changed(self, payload: dict) -> None:
        self._changed(IncidentEvent.STATUS_CHANGED, payload)

    @broadcast(IncidentEvent.SEVERITY_CHANGED)
    def handle_incident_severity_changed(self, payload: dict) -> None:
        self._changed(IncidentEvent.SEVERITY_CHANGED, payload)

    @broadcast(IncidentEvent.DESCRIPTION_CHANGED)
    def handle_incident_description_changed(self, payload: dict) -> None:
        self._changed(IncidentEvent.DESCRIPTION_CHANGED, payload)

    @broadcast(IncidentEvent.ROLE_ASSIGNED)
    def handle_incident_role_assigned(self, payload: dict) -> None:
        self._changed(IncidentEvent.ROLE_ASSIGNED, payload)

    @broadcast(IncidentEvent.SLACK_RESOURCES_ATTACHED)
    def handle_incident_slack_resources_attached(self, payload: dict) -> None:
        self._changed(IncidentEvent.SLACK_RESOURCES_ATTACHED, payload)

    @broadcast(IncidentEvent.TIMELINE_EVENT_ADDED)
    def handle_timeline_event_added(self, payload: dict) -> None:
        self._changed(IncidentEvent.TIMELINE_EVENT_ADDED, payload)

    @broadcast(IncidentEvent.TIMELINE_EVENT_EDITED)
    def handle_timeline_event_edited(self, payload: dict) -> None:
        self._changed(IncidentEvent.TIMELINE_EVENT_EDITED, payload)

    @broadcast(IncidentEvent.TIMELINE_EVENT_DELETED)
    def handle_timeline_event_deleted(self, payload: dict) -> None:
        self._changed(IncidentEvent.TIMELINE_EVENT_DELETED, payload)

    @broadcast(IncidentEvent.STATUS_UPDATE_POSTED)
    def handle_status_update_posted(self, payload: dict) -> None:
        self._changed(IncidentEvent.STATUS_UPDATE_POSTED, payload)

    @broadcast(IncidentEvent.ITEM_PINNED)
    def handle_item_pinned(self, payload: dict) -> None:
        self._changed(IncidentEvent.ITEM_PINNED, payload)

    @broadcast(IncidentEvent.ITEM_UNPINNED)
    def handle_item_unpinned(self, payload: dict) -> None:
        self._changed(IncidentEvent.ITEM_UNPINNED, payload)

    @broadcast(IncidentEvent.LINK_ADDED)
    def handle_incident_link_added(self, payload: dict) -> None:
        self._changed(IncidentEvent.LINK_ADDED, payload)

    @broadcast(IncidentEvent.LINK_UPDATED)
    def handle_incident_link_updated(self, payload: dict) -> None:
        self._changed(IncidentEvent.LINK_UPDATED, payload)
