"""Publishing an incident on the status page: create, update, resolve. Each change is
recorded on the incident as its Statuspage link (a new link, then link updates), which
puts it on the timeline and lets the gateway keep the war room's Statuspage message
current. Resolving sets the affected components back to operational explicitly:
Statuspage does not do it by itself."""
from __future__ import annotations

import logging
from typing import Any

from services.integrations.statuspage import logic
from services.integrations.statuspage.client import StatuspageClient
from services.integrations.statuspage.exceptions import (
    NoStatuspageIncident,
    StatuspageError,
    StatuspageInDoubt,
)

log = logging.getLogger(__name__)
CREATE_IN_DOUBT_SECONDS = 600
IN_DOUBT = ("This incident is being published to Statuspage right now, or its publishing was "
            "interrupted and may have gone through: check the status page. Publishing it "
            f"from here is possible again {CREATE_IN_DOUBT_SECONDS // 60} minutes after the "
            "first attempt.")


def _record(incidents: Any, incident_id: int, fields: dict, actor_id: str | None,
            timeline_text: str) -> dict:
    return incidents.upsert_incident_link(incident_id, "statuspage", actor_id=actor_id,
                                          timeline_text=timeline_text, **fields)


def create(client: StatuspageClient, incidents: Any, incident_id: int, name: str, message: str,
           status: str, components: dict | None, actor_id: str | None) -> dict:
    name = logic.check_text(name, "name", logic.NAME_MAX)
    message = logic.check_text(message, "message", logic.MESSAGE_MAX)
    status = logic.check_status(status, allow_resolved=False)
    components = logic.check_components(components)
    incident = incidents.get_incident(incident_id)
    if logic.open_link(incident.get("links") or []):
        raise StatuspageError("This incident is already on the status page: update that "
                              "Statuspage incident instead.")
    # Statuspage takes no idempotency key. The create carries our incident id in the
    # Statuspage incident's metadata, so a create whose answer was lost (a timeout, a 5xx,
    # the worker killed mid-request: nameko then delivers the same call again) is looked
    # for among the unresolved incidents and adopted, not made twice. The claim, taken
    # before the request and given back once its link is stored, keeps two live callers
    # from both creating.
    key = f"statuspage:create:{incident_id}"
    if not incidents.claim_delivery(key, CREATE_IN_DOUBT_SECONDS):
        created = _lost_create(client, incident_id)
        if created is None:
            raise StatuspageError(IN_DOUBT)
    else:
        try:
            created = client.create_incident(name, status, message, components, incident_id)
        except StatuspageInDoubt as exc:
            created = _lost_create(client, incident_id)
            if created is None:
                incidents.release_delivery(key)
                raise StatuspageError(exc.message) from None
        except StatuspageError:
            incidents.release_delivery(key)  # refused: said to the caller as it is
            raise
    log.info("incident %s: Statuspage incident %s created", incident_id, created["id"])
    link = _record(incidents, incident_id, logic.link_fields(created, components), actor_id,
                   f"Statuspage incident published: {name} ({status})")
    incidents.release_delivery(key)  # from here on the open link says it is published
    return link


def _lost_create(client: StatuspageClient, incident_id: int) -> dict | None:
    """What an earlier create for this incident made, if it went through after all."""
    try:
        found = client.find_published(incident_id)
    except StatuspageError:
        return None  # cannot tell: the caller says so
    if found is not None:
        log.info("incident %s: adopting Statuspage incident %s made by an interrupted create",
                 incident_id, found["id"])
    return found


def update(client: StatuspageClient, incidents: Any, incident_id: int, status: str,
           message: str, components: dict | None, actor_id: str | None) -> dict:
    status = logic.check_status(status)
    if status == logic.RESOLVED:
        return resolve(client, incidents, incident_id, actor_id, message)
    message = logic.check_text(message, "message", logic.MESSAGE_MAX)
    components = logic.check_components(components)
    link = logic.open_link(incidents.list_incident_links(incident_id, kind="statuspage"))
    if link is None:
        raise NoStatuspageIncident("This incident has no open Statuspage incident to update.")
    updated = client.update_incident(link["external_id"], status, message, components)
    return _record(incidents, incident_id, logic.link_fields(updated, components, link),
                   actor_id, f"Statuspage update ({status}): {message[:500]}")


def resolve(client: StatuspageClient, incidents: Any, incident_id: int,
            actor_id: str | None = None, message: str | None = None) -> dict | None:
    """Resolve the open Statuspage incident, if any; the (latest) link either way."""
    links = incidents.list_incident_links(incident_id, kind="statuspage")
    link = logic.open_link(links)
    if link is None:
        return logic.latest_link(links)
    message = (message or "").strip() or logic.RESOLVED_MESSAGE
    back = {component: logic.OPERATIONAL for component in link["data"].get("components") or {}}
    updated = client.update_incident(link["external_id"], logic.RESOLVED,
                                     message[:logic.MESSAGE_MAX], back)
    for component in back:
        client.set_component_status(component, logic.OPERATIONAL)
    log.info("incident %s: Statuspage incident %s resolved, %d components operational",
             incident_id, link["external_id"], len(back))
    return _record(incidents, incident_id, logic.link_fields(updated, back, link), actor_id,
                   "Statuspage incident resolved")
