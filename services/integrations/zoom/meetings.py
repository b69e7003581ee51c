"""Giving an incident its meeting: a Zoom meeting, or the static link from config.yaml.

Talks to `incidents` through the RPC proxy it is given and to Zoom through
`ZoomClient`; no nameko here.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from services.common.config import Config
from services.common.leases import Claims
from services.integrations.zoom.client import ZoomClient, ZoomError
from services.integrations.zoom.topic import meeting_topic

log = logging.getLogger(__name__)
# The gateway announces a new link in the war room only if the room exists by then;
# Zoom usually answers before Slack has made the channel.
WAR_ROOM_WAIT_SECONDS = 10.0
POLL_SECONDS = 0.2
STATIC_ID = "static"


@dataclass
class ZoomState:
    """What the service's entrypoints get: the config, and a client when Zoom is on."""

    config: Config
    client: ZoomClient | None
    missing: list[str] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def status(self) -> dict:
        settings = self.config.integrations.zoom
        return {"enabled": self.enabled, "missing": list(self.missing),
                "switched_on": settings.enabled,
                "auto_create_meeting": settings.auto_create_meeting,
                "static_meeting_link": bool(self.config.meeting_link)}


class MeetingDesk:
    def __init__(self, incidents: Any, zoom: ZoomState,
                 war_room_wait: float = WAR_ROOM_WAIT_SECONDS,
                 sleep: Callable[[float], None] = time.sleep, claims: Claims | None = None):
        self.incidents = incidents
        self.zoom = zoom
        self.war_room_wait = war_room_wait
        self.sleep = sleep
        # An event handler passes claims with patience, to take over a killed worker's.
        self.claims = claims or Claims(incidents)

    def on_declared(self, incident_id: int) -> dict | None:
        """A new incident: a Zoom meeting if configured, else the static link, if any."""
        if self.zoom.enabled and self.zoom.config.integrations.zoom.auto_create_meeting:
            return self.create_zoom_meeting(incident_id)
        if self.zoom.config.meeting_link:
            return self.store_static_link(incident_id)
        return None

    def create_zoom_meeting(self, incident_id: int, actor_id: str | None = None) -> dict | None:
        """Create and store the incident's Zoom meeting, once; returns the meeting link."""
        if self.zoom.client is None:
            return None
        existing = self.incidents.list_incident_links(incident_id, kind="meeting")
        if existing:
            log.info("incident %s already has a meeting", incident_id)
            return existing[0]
        key = f"zoom:meeting:{incident_id}"
        # A short lease, kept while we work: if this worker dies before storing the link,
        # the redelivered event creates the meeting soon after.
        if not self.claims.take(key):
            log.info("meeting for incident %s is being or was created elsewhere", incident_id)
            return None
        with self.claims.kept(key):
            return self._create_and_store(key, incident_id, actor_id)

    def _create_and_store(self, key: str, incident_id: int, actor_id: str | None) -> dict | None:
        incident = self.incidents.get_incident(incident_id)
        try:
            # Zoom takes no idempotency key: a worker killed before Zoom's answer came
            # leaves a meeting nobody learns of, and the retry creates another. What
            # happens once is what people see: one meeting stored as the incident's link,
            # posted and pinned once; the other is never shared, so nobody joins it.
            meeting = self.zoom.client.create_meeting(meeting_topic(incident))
        except ZoomError as exc:
            log.error("incident %s: %s", incident_id, exc)
            self.incidents.add_timeline_event(
                incident_id, f"Zoom meeting could not be created: {exc}", kind="meeting")
            return self.store_static_link(incident_id) if self.zoom.config.meeting_link else None
        self.wait_for_war_room(incident_id)
        # start_url carries the host's sign-in token: it is never stored.
        link = self.incidents.upsert_incident_link(
            incident_id, "meeting", str(meeting["id"]), url=meeting["join_url"],
            title="Zoom meeting", data={"uuid": meeting.get("uuid"),
                                        "topic": meeting.get("topic")},
            actor_id=actor_id, timeline_text="Zoom meeting created")
        self.claims.complete(key)
        log.info("incident %s: Zoom meeting %s created", incident_id, meeting["id"])
        return link

    def store_static_link(self, incident_id: int) -> dict:
        """The configured meeting link (idempotent: a redelivery changes nothing)."""
        self.wait_for_war_room(incident_id)
        return self.incidents.upsert_incident_link(
            incident_id, "meeting", STATIC_ID, url=self.zoom.config.meeting_link,
            title="Meeting", timeline_text="Meeting link added")

    def wait_for_war_room(self, incident_id: int) -> bool:
        deadline = time.monotonic() + self.war_room_wait
        while True:
            if self.incidents.get_incident(incident_id).get("channel_id"):
                return True
            if time.monotonic() >= deadline:
                return False
            self.sleep(POLL_SECONDS)
