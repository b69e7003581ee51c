"""Paging for an incident: open a PagerDuty incident per paged service and record it
on the incident as a link (which puts it on the timeline and in the war room);
resolve them when the incident is resolved. Idempotent throughout: the incident key is
stable per (incident, service), and PagerDuty refuses a second open one."""
from __future__ import annotations

import logging
import time
from typing import Any

from services.integrations.pagerduty import logic
from services.integrations.pagerduty.client import AlreadyPaged, PagerDutyClient
from services.integrations.pagerduty.exceptions import (
    InvalidPage,
    PagerDutyError,
    PagerDutyUnavailable,
)

log = logging.getLogger(__name__)
WAR_ROOM_WAIT_SECONDS = 5.0
AUTO_PAGE_ATTEMPTS = 3
AUTO_PAGE_PAUSE_SECONDS = 1.0


def page(client: PagerDutyClient, incidents: Any, incident: dict, service_id: str,
         urgency: str, actor_id: str | None, note: str | None = None) -> dict:
    """Page one service; returns the link dict plus `already_paged`."""
    service_id, urgency = logic.check_service_id(service_id), logic.check_urgency(urgency)
    request = logic.page_request(incident, service_id, urgency, note)
    try:
        created = client.create_incident(request)
    except AlreadyPaged:
        known = logic.link_for_service(incident.get("links") or [], service_id)
        if known is not None:
            return {**known, "already_paged": True}
        # Paged before a crash recorded it: find that incident and record it now.
        created = client.find_incident(request["incident_key"])
        if created is None:
            raise PagerDutyError("PagerDuty says this service is already paged for this "
                                 "incident but does not list that page.") from None
        link = incidents.upsert_incident_link(
            incident["id"], "pagerduty", actor_id=actor_id,
            **logic.page_link(created, service_id, created.get("urgency") or urgency, actor_id,
                              note))
        return {**link, "already_paged": True}
    link = incidents.upsert_incident_link(
        incident["id"], "pagerduty", actor_id=actor_id,
        **logic.page_link(created, service_id, urgency, actor_id, note))
    log.info("incident %s: paged %s (%s), PagerDuty incident %s", incident["id"], service_id,
             urgency, created["id"])
    return {**link, "already_paged": False}


def wait_for_war_room(incidents: Any, incident_id: int,
                      seconds: float = WAR_ROOM_WAIT_SECONDS) -> dict:
    """The incident once its war room exists (so the page links to it), or as it is
    after `seconds`: a page without the link beats a late page."""
    deadline = time.monotonic() + seconds
    while True:
        incident = incidents.get_incident(incident_id)
        if incident.get("channel_id") or time.monotonic() >= deadline:
            return incident
        time.sleep(0.25)


def auto_page(client: PagerDutyClient, incidents: Any, incident_id: int,
              service_ids: list[str], wait: float = WAR_ROOM_WAIT_SECONDS,
              pause: float = AUTO_PAGE_PAUSE_SECONDS) -> list[dict]:
    """Page every configured service for a new incident; a failure is put on the timeline."""
    if not service_ids:
        return []
    incident = wait_for_war_room(incidents, incident_id, wait)
    pages = []
    for service_id in service_ids:
        try:
            pages.append(_page_until_answered(client, incidents, incident, service_id, pause))
        except (PagerDutyError, InvalidPage) as exc:
            log.error("incident %s: auto-paging %s failed: %s", incident_id, service_id, exc)
            incidents.add_timeline_event(incident_id, f"Could not page {service_id} "
                                                      f"automatically: {exc}", kind="pagerduty")
    return pages


def _page_until_answered(client: PagerDutyClient, incidents: Any, incident: dict,
                         service_id: str, pause: float) -> dict:
    """An automatic page has nobody to try again when PagerDuty is down (5xx, no answer):
    try again here, a few times. Safe: the incident key is the same each time, so a page
    that went through after all comes back as already paged, and is found and recorded."""
    for attempt in range(1, AUTO_PAGE_ATTEMPTS + 1):
        try:
            return page(client, incidents, incident, service_id, "high", None)
        except PagerDutyUnavailable as exc:
            if attempt == AUTO_PAGE_ATTEMPTS:
                raise
            log.warning("incident %s: auto-paging %s failed (%s); trying again",
                        incident["id"], service_id, exc)
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")


def resolve_pages(client: PagerDutyClient, incidents: Any, incident_id: int) -> int:
    """Resolve the PagerDuty incidents this incident opened; returns how many changed."""
    resolved = 0
    for link in logic.open_pages(incidents.list_incident_links(incident_id, kind="pagerduty")):
        updated = client.resolve_incident(link["external_id"])
        incidents.upsert_incident_link(
            incident_id, "pagerduty", link["external_id"], url=link["url"], title=link["title"],
            data={**link["data"], "status": updated.get("status") or "resolved"})
        resolved += 1
    return resolved
