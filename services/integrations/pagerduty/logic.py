"""PagerDuty rules with no I/O: incident keys, what a page says, how PagerDuty's
objects are summarised for the gateway and the web UI."""
from __future__ import annotations

import re
from typing import Any, Iterable

from services.integrations.pagerduty.exceptions import InvalidPage

URGENCIES = ("high", "low")
AUTO_PAGE_SETTING = "pagerduty.auto_page_services"
TITLE_MAX = 255
DETAILS_MAX = 10_000
NOTE_MAX = 2_000
SERVICE_ID = re.compile(r"^[A-Z0-9]{1,32}$")


def incident_key(incident_id: int, service_id: str) -> str:
    """Stable per (incident, service): PagerDuty refuses a second open page with it."""
    return f"incident-bot-{incident_id}-{service_id}"


def war_room_url(channel_id: str | None) -> str | None:
    return f"https://slack.com/app_redirect?channel={channel_id}" if channel_id else None


def check_urgency(urgency: str) -> str:
    if urgency not in URGENCIES:
        raise InvalidPage(f"urgency must be one of {', '.join(URGENCIES)}, not {urgency!r}",
                          "urgency")
    return urgency


def check_service_id(service_id: Any) -> str:
    if not isinstance(service_id, str) or not SERVICE_ID.match(service_id):
        raise InvalidPage(f"{str(service_id)[:40]!r} is not a PagerDuty service id", "service_id")
    return service_id


def check_service_ids(ids: Any) -> list[str]:
    if not isinstance(ids, list):
        raise InvalidPage("service ids must be a list", "service_ids")
    return list(dict.fromkeys(check_service_id(i) for i in ids))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def page_request(incident: dict, service_id: str, urgency: str, note: str | None = None) -> dict:
    """The incident entity POSTed to /incidents for paging `service_id`."""
    title = f"Incident #{incident['id']} ({incident['severity'].upper()}): "
    title += "Private incident" if incident.get("is_private") else incident["description"]
    lines = [] if incident.get("is_private") else [incident["description"], ""]
    lines.append(f"Severity: {incident['severity'].upper()} · Status: {incident['status']}")
    room = war_room_url(incident.get("channel_id"))
    if room:
        lines.append(f"War room: {room}")
    if note:
        lines += ["", _clip(note, NOTE_MAX)]
    return {
        "type": "incident",
        "title": _clip(title, TITLE_MAX),
        "service": {"id": service_id, "type": "service_reference"},
        "urgency": urgency,
        "incident_key": incident_key(incident["id"], service_id),
        "body": {"type": "incident_body", "details": _clip("\n".join(lines), DETAILS_MAX)},
    }


def page_link(pd_incident: dict, service_id: str, urgency: str, actor_id: str | None,
              note: str | None = None) -> dict:
    """upsert_incident_link arguments (after incident_id and kind) for one page."""
    service_name = (pd_incident.get("service") or {}).get("summary") or service_id
    who = f"paged by <@{actor_id}>" if actor_id else "paged automatically"
    message = f"{urgency} urgency, {who}"
    if note:
        message += f": {_clip(note, 500)}"
    return {
        "external_id": pd_incident["id"],
        "url": pd_incident.get("html_url"),
        "title": f"Paged {service_name}",
        "data": {"service_id": service_id, "service_name": service_name, "urgency": urgency,
                 "status": pd_incident.get("status") or "triggered",
                 "incident_number": pd_incident.get("incident_number"), "message": message},
        "timeline_text": f"Paged {service_name} ({urgency})",
    }


def link_for_service(links: Iterable[dict], service_id: str) -> dict | None:
    """This incident's page of `service_id` that is still open, if any."""
    for link in links:
        data = link.get("data") or {}
        if (link.get("kind") == "pagerduty" and data.get("service_id") == service_id
                and data.get("status") != "resolved"):
            return link
    return None


def open_pages(links: Iterable[dict]) -> list[dict]:
    return [link for link in links if link.get("kind") == "pagerduty"
            and (link.get("data") or {}).get("status") != "resolved"]


def service_summary(service: dict) -> dict:
    policy = service.get("escalation_policy") or {}
    return {"id": service["id"], "name": service.get("name") or service.get("summary") or "",
            "description": service.get("description") or "", "status": service.get("status"),
            "html_url": service.get("html_url"),
            "escalation_policy": {"id": policy.get("id"), "name": policy.get("summary")}}


def policy_summary(policy: dict) -> dict:
    return {"id": policy["id"], "name": policy.get("name") or policy.get("summary") or "",
            "description": policy.get("description") or "", "html_url": policy.get("html_url")}


def group_oncalls(oncalls: Iterable[dict]) -> list[dict]:
    """Who is on call, per escalation policy (by name), lowest escalation level first."""
    policies: dict[str, dict] = {}
    for entry in oncalls:
        policy = entry.get("escalation_policy") or {}
        user = entry.get("user") or {}
        group = policies.setdefault(policy.get("id"), {
            "escalation_policy": {"id": policy.get("id"), "name": policy.get("summary"),
                                  "html_url": policy.get("html_url")},
            "oncalls": []})
        schedule = entry.get("schedule") or None
        person = {"level": entry.get("escalation_level"),
                  "user": {"id": user.get("id"), "name": user.get("name") or user.get("summary"),
                           "email": user.get("email"), "html_url": user.get("html_url")},
                  "schedule": ({"id": schedule.get("id"), "name": schedule.get("summary")}
                               if schedule else None),
                  "start": entry.get("start"), "end": entry.get("end")}
        if person not in group["oncalls"]:  # one person can be on call through two schedules
            group["oncalls"].append(person)
    for group in policies.values():
        group["oncalls"].sort(key=lambda p: (p["level"] or 0, p["user"]["name"] or ""))
    return sorted(policies.values(), key=lambda g: (g["escalation_policy"]["name"] or "").lower())
