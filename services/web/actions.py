"""What people and tokens change through the web, in one place for the API and the UI:
each verb calls `incidents` (or `pagerduty`) as the acting principal and writes the
web audit entry."""
from __future__ import annotations

from typing import Any

from flask import current_app, request

from services.web import audit
from services.web.errors import InvalidRequest
from services.web.security import Principal

INCIDENT_FIELDS = ("description", "status", "severity")


def _web():  # noqa: ANN202
    return current_app.extensions["web"]


def _audit(who: Principal, action: str, target: str | None, **detail: Any) -> None:
    with _web().db.transaction() as session:
        audit.record(session, who.actor_id, action, target, request.remote_addr, **detail)


def declare(who: Principal, fields: dict) -> dict:
    data = {key: fields[key] for key in ("description", "severity", "is_private",
                                         "idempotency_key") if fields.get(key) is not None}
    data.update(reporter_id=who.actor_id, source="web" if who.kind == "user" else "api")
    incident = _web().backend.incidents("declare_incident", data)
    _audit(who, "incident.declared", f"incident:{incident['id']}",
           severity=incident["severity"])
    return incident


def change_incident(who: Principal, incident_id: int, changes: dict) -> dict:
    """Apply description, severity and status changes together, or none of them (each
    on the timeline)."""
    if not changes or set(changes) - set(INCIDENT_FIELDS):
        raise InvalidRequest(f"give one or more of {', '.join(INCIDENT_FIELDS)}", None)
    incident = _web().backend.incidents("change_incident", incident_id, changes, who.actor_id)
    _audit(who, "incident.changed", f"incident:{incident_id}", **changes)
    return incident


def assign_role(who: Principal, incident_id: int, role: str, user_id: Any) -> dict:
    incident = _web().backend.incidents("assign_role", incident_id, role, user_id, who.actor_id)
    _audit(who, "incident.role_assigned", f"incident:{incident_id}", role=role, user_id=user_id)
    return incident


def add_timeline_entry(who: Principal, incident_id: int, text: Any,
                       occurred_at: Any = None) -> dict:
    entry = _web().backend.incidents("add_timeline_event", incident_id, text, kind="manual",
                                     actor_id=who.actor_id, occurred_at=occurred_at)
    _audit(who, "timeline.added", f"incident:{incident_id}", entry_id=entry["id"])
    return entry


def edit_timeline_entry(who: Principal, incident_id: int, entry_id: int, text: Any = None,
                        occurred_at: Any = None) -> dict:
    entry = _web().backend.incidents("edit_timeline_event", incident_id, entry_id, text=text,
                                     occurred_at=occurred_at, actor_id=who.actor_id)
    _audit(who, "timeline.edited", f"incident:{incident_id}", entry_id=entry_id)
    return entry


def delete_timeline_entry(who: Principal, incident_id: int, entry_id: int) -> None:
    _web().backend.incidents("delete_timeline_event", incident_id, entry_id, who.actor_id)
    _audit(who, "timeline.deleted", f"incident:{incident_id}", entry_id=entry_id)


def post_status_update(who: Principal, incident_id: int, text: Any, impacted: Any = None) -> dict:
    update = _web().backend.incidents("post_status_update", incident_id, text, impacted,
                                      who.actor_id)
    _audit(who, "status_update.posted", f"incident:{incident_id}", update_id=update["id"])
    return update


def delete_pinned_item(who: Principal, incident_id: int, item_id: int) -> dict:
    item = _web().backend.incidents("remove_pinned_item_by_id", incident_id, item_id,
                                    who.actor_id)
    _audit(who, "pinned_item.deleted", f"incident:{incident_id}", item_id=item_id)
    return item


def set_auto_page_services(who: Principal, service_ids: Any) -> list:
    if not isinstance(service_ids, list) or not all(isinstance(s, str) and 0 < len(s) <= 64
                                                    for s in service_ids):
        raise InvalidRequest("service_ids must be a list of PagerDuty service ids",
                             "service_ids")
    result = _web().backend.pagerduty("set_auto_page_services", service_ids, who.actor_id)
    _audit(who, "settings.auto_page_services", "pagerduty", service_ids=service_ids)
    return result if isinstance(result, list) else service_ids
