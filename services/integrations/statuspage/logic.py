"""Statuspage rules with no I/O: valid statuses, what a link to a Statuspage incident
holds (status, components, update history), and which one is open."""
from __future__ import annotations

from typing import Any, Iterable

from services.integrations.statuspage.exceptions import InvalidStatuspageInput

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
COMPONENT_STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage",
                      "under_maintenance")
RESOLVED = "resolved"
OPERATIONAL = "operational"
RESOLVED_MESSAGE = "This incident has been resolved."
NAME_MAX = 255
MESSAGE_MAX = 4000
HISTORY_MAX = 20  # updates kept on the link (it holds at most 20,000 characters)
HISTORY_BODY_MAX = 600


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidStatuspageInput(f"the {field} must not be empty", field)
    value = value.strip()
    if len(value) > limit:
        raise InvalidStatuspageInput(f"the {field} is longer than {limit} characters", field)
    return value


def check_status(status: Any, *, allow_resolved: bool = True) -> str:
    allowed = INCIDENT_STATUSES if allow_resolved else INCIDENT_STATUSES[:-1]
    if status not in allowed:
        raise InvalidStatuspageInput(f"status must be one of {', '.join(allowed)}, "
                                     f"not {str(status)[:40]!r}", "status")
    return status


def check_components(components: Any) -> dict[str, str]:
    if components is None:
        return {}
    if not isinstance(components, dict):
        raise InvalidStatuspageInput("components must map component ids to statuses",
                                     "components")
    for component_id, status in components.items():
        if not isinstance(component_id, str) or not component_id:
            raise InvalidStatuspageInput("component ids must be non-empty text", "components")
        if status not in COMPONENT_STATUSES:
            raise InvalidStatuspageInput(
                f"component status must be one of {', '.join(COMPONENT_STATUSES)}, "
                f"not {str(status)[:40]!r}", "components")
    return dict(components)


def history(statuspage_incident: dict) -> list[dict]:
    """Its updates, oldest first, as {status, body, at} (Statuspage lists newest first)."""
    updates = statuspage_incident.get("incident_updates") or []
    rows = [{"status": u.get("status"), "body": _clip(u.get("body") or "", HISTORY_BODY_MAX),
             "at": u.get("display_at") or u.get("created_at")} for u in updates]
    rows.sort(key=lambda row: row["at"] or "")
    return rows[-HISTORY_MAX:]


def link_fields(statuspage_incident: dict, components: dict[str, str],
                previous: dict | None = None) -> dict:
    """upsert_incident_link arguments (after incident_id and kind) for its current state."""
    before = (previous or {}).get("data") or {}
    names = dict(before.get("component_names") or {})
    names.update({c["id"]: c.get("name") or c["id"]
                  for c in statuspage_incident.get("components") or [] if c.get("id")})
    updates = history(statuspage_incident)
    name = statuspage_incident.get("name") or before.get("name") or ""
    return {
        "external_id": statuspage_incident["id"],
        "url": statuspage_incident.get("shortlink") or (previous or {}).get("url"),
        "title": _clip(f"Statuspage: {name}", 255),
        "data": {"name": name, "status": statuspage_incident.get("status"),
                 "components": {**(before.get("components") or {}), **components},
                 "component_names": names, "updates": updates,
                 "message": updates[-1]["body"] if updates else ""},
    }


def open_link(links: Iterable[dict]) -> dict | None:
    """The incident's Statuspage incident that is not resolved yet (the newest one)."""
    found = [link for link in links if link.get("kind") == "statuspage"
             and (link.get("data") or {}).get("status") != RESOLVED]
    return found[-1] if found else None


def latest_link(links: Iterable[dict]) -> dict | None:
    found = [link for link in links if link.get("kind") == "statuspage"]
    return found[-1] if found else None


def component_summary(component: dict) -> dict:
    return {"id": component["id"], "name": component.get("name") or component["id"],
            "status": component.get("status") or OPERATIONAL,
            "group_id": component.get("group_id"), "description": component.get("description")}


def components_of(listed: Iterable[dict]) -> list[dict]:
    """Components people can set: groups are containers whose status Statuspage derives."""
    ordered = sorted(listed, key=lambda c: c.get("position") or 0)  # as the page shows them
    return [component_summary(c) for c in ordered if not c.get("group")]
