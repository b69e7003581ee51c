"""Payloads in and out of the incidents RPC: validated dicts, never ORM objects."""
from __future__ import annotations

import base64
import re
from typing import Any

from services.common.timeutil import from_iso, to_iso
from services.incidents.exceptions import InvalidInput
from services.incidents.models import (
    Incident,
    IncidentLink,
    PinnedItem,
    StatusUpdate,
    TimelineEvent,
)

MAX_DESCRIPTION = 500
MAX_TEXT = 3000
SOURCES = ("slack", "reaction", "web", "api")
USER_ID = re.compile(r"^[UWB][A-Z0-9]{2,30}$")
# Who did something: a Slack user id, or a web actor: "web:<web user id>" for a person
# signed in to the web UI, "web:token-<token id>" for an API token. Web actors have no
# Slack account: nothing may mention, invite or message them in Slack.
WEB_ACTOR = re.compile(r"^web:(token-)?[0-9]{1,12}$")
ACTOR_ID = re.compile(f"{USER_ID.pattern}|{WEB_ACTOR.pattern}")
SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")
SLACK_TS = re.compile(r"^\d{1,12}\.\d{1,9}$")


def require_text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field)
    text = value.strip()
    if not text:
        raise InvalidInput(f"{field} cannot be empty", field)
    if "\x00" in text:  # PostgreSQL cannot store it
        raise InvalidInput(f"{field} contains a NUL character", field)
    if len(text) > limit:
        raise InvalidInput(f"{field} is too long ({len(text)} characters, at most {limit})", field)
    return text


def require_choice(value: Any, field: str, choices: list[str]) -> str:
    if value not in choices:
        raise InvalidInput(f"unknown {field} {value!r}: choose one of {', '.join(choices)}", field)
    return value


def optional_pattern(value: Any, field: str, pattern: re.Pattern) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.match(value):
        raise InvalidInput(f"{field} {value!r} is not a valid Slack id", field)
    return value


def is_slack_user(actor_id: str | None) -> bool:
    return bool(actor_id) and USER_ID.match(actor_id) is not None


def require_int(value: Any, field: str, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a whole number", field)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and {maximum}" if maximum is not None else ""
        raise InvalidInput(f"{field} must be between {minimum}{upper}", field)
    return value


def parse_declaration(data: Any, config) -> dict:  # noqa: ANN001
    """Validate a declare command; the result holds only known, checked fields."""
    if not isinstance(data, dict):
        raise InvalidInput("a declaration must be an object", None)
    unknown = set(data) - {"description", "severity", "is_private", "reporter_id", "source",
                           "idempotency_key", "source_channel_id", "source_ts"}
    if unknown:
        raise InvalidInput(f"unknown field {sorted(unknown)[0]!r}", sorted(unknown)[0])
    is_private = data.get("is_private", False)
    if not isinstance(is_private, bool):
        raise InvalidInput("is_private must be true or false", "is_private")
    key = data.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 255):
        raise InvalidInput("idempotency_key must be 1-255 characters", "idempotency_key")
    return {
        "description": require_text(data.get("description"), "description", MAX_DESCRIPTION),
        "severity": require_choice(data.get("severity", config.default_severity), "severity",
                                   config.severity_names()),
        "is_private": is_private,
        "reporter_id": optional_pattern(data.get("reporter_id"), "reporter_id", ACTOR_ID),
        "source": require_choice(data.get("source", "slack"), "source", list(SOURCES)),
        "idempotency_key": key,
        "source_channel_id": optional_pattern(data.get("source_channel_id"), "source_channel_id",
                                              SLACK_ID),
        "source_ts": optional_pattern(data.get("source_ts"), "source_ts", SLACK_TS),
    }


def parse_slack_resources(data: dict) -> dict:
    checks = {
        "channel_id": SLACK_ID, "digest_channel_id": SLACK_ID,
        "digest_ts": SLACK_TS, "control_panel_ts": SLACK_TS,
    }
    unknown = set(data) - set(checks) - {"channel_name"}
    if unknown:
        raise InvalidInput(f"unknown field {sorted(unknown)[0]!r}", sorted(unknown)[0])
    out = {k: optional_pattern(data.get(k), k, p) for k, p in checks.items() if k in data}
    if "channel_name" in data:
        out["channel_name"] = require_text(data["channel_name"], "channel_name", 80)
    return out


def parse_occurred_at(value: Any):  # noqa: ANN201
    if value is None:
        return None
    try:
        parsed = from_iso(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"occurred_at {value!r} is not an ISO 8601 time", "occurred_at")
    return parsed


def incident_to_dict(incident: Incident) -> dict:
    return {
        "id": incident.id,
        "description": incident.description,
        "severity": incident.severity,
        "status": incident.status,
        "is_private": incident.is_private,
        "reporter_id": incident.reporter_id,
        "source": incident.source,
        "channel_id": incident.channel_id,
        "channel_name": incident.channel_name,
        "digest_channel_id": incident.digest_channel_id,
        "digest_ts": incident.digest_ts,
        "control_panel_ts": incident.control_panel_ts,
        "meeting_url": incident.meeting_url,
        "source_channel_id": incident.source_channel_id,
        "source_ts": incident.source_ts,
        "roles": {a.role: a.user_id for a in sorted(incident.roles, key=lambda a: a.role)},
        "links": [link_to_dict(link) for link in incident.links],
        "declared_at": to_iso(incident.declared_at),
        "updated_at": to_iso(incident.updated_at),
        "severity_changed_at": to_iso(incident.severity_changed_at),
        "resolved_at": to_iso(incident.resolved_at),
        "last_update_at": to_iso(incident.last_update_at),
    }


def timeline_to_dict(entry: TimelineEvent) -> dict:
    return {
        "id": entry.id,
        "incident_id": entry.incident_id,
        "occurred_at": to_iso(entry.occurred_at),
        "kind": entry.kind,
        "text": entry.text,
        "actor_id": entry.actor_id,
    }


def status_update_to_dict(update: StatusUpdate) -> dict:
    return {
        "id": update.id,
        "incident_id": update.incident_id,
        "text": update.text,
        "impacted": update.impacted,
        "author_id": update.author_id,
        "posted_at": to_iso(update.posted_at),
    }


def pinned_item_to_dict(item: PinnedItem, with_content: bool = False) -> dict:
    data = {
        "id": item.id,
        "incident_id": item.incident_id,
        "kind": item.kind,
        "message_ts": item.message_ts,
        "text": item.text,
        "author_id": item.author_id,
        "permalink": item.permalink,
        "file_name": item.file_name,
        "mimetype": item.mimetype,
        "size": len(item.content) if item.content is not None else 0,
        "pinned_by": item.pinned_by,
        "pinned_at": to_iso(item.pinned_at),
    }
    if with_content:
        data["content_base64"] = (base64.b64encode(item.content).decode()
                                  if item.content is not None else None)
    return data


def link_to_dict(link: IncidentLink) -> dict:
    return {
        "id": link.id,
        "incident_id": link.incident_id,
        "kind": link.kind,
        "external_id": link.external_id,
        "url": link.url,
        "title": link.title,
        "data": link.data or {},
        "created_at": to_iso(link.created_at),
        "updated_at": to_iso(link.updated_at),
    }
