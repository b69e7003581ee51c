"""Incident operations on one session: each change writes its timeline entry and
its outbox event in the caller's transaction. No nameko, no HTTP here."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from services.common.events import IncidentEvent
from services.common.timeutil import to_iso, utcnow
from services.incidents import reminders
from services.incidents.exceptions import IncidentNotFound, InvalidInput
from services.incidents.models import Incident, RoleAssignment, TimelineEvent
from services.incidents.outbox import record_event
from services.incidents.queries import search_incidents
from services.incidents.schemas import (
    ACTOR_ID,
    MAX_TEXT,
    USER_ID,
    is_slack_user,
    optional_pattern,
    parse_occurred_at,
    require_choice,
    require_int,
    require_text,
)

MAX_PAGE = 200


ONE_INCIDENT = (joinedload(Incident.roles), joinedload(Incident.links))


def load(session, incident_id) -> Incident:  # noqa: ANN001
    require_int(incident_id, "incident_id", minimum=1)
    # One query with its roles and links joined, not three (the relationships' default
    # selectin loading): almost every RPC loads one incident, and the round trips were
    # most of their CPU.
    incident = session.get(Incident, incident_id, options=ONE_INCIDENT)
    if incident is None:
        raise IncidentNotFound(f"incident {incident_id} does not exist", "incident_id")
    return incident


def add_timeline(session, incident: Incident, kind: str, text: str, actor_id: str | None = None,  # noqa: ANN001
                 occurred_at: dt.datetime | None = None) -> TimelineEvent:
    entry = TimelineEvent(incident_id=incident.id, kind=kind, text=text, actor_id=actor_id,
                          occurred_at=occurred_at or utcnow(), created_at=utcnow())
    session.add(entry)
    return entry


def by_channel(session, channel_id) -> Incident | None:  # noqa: ANN001
    if not isinstance(channel_id, str) or not channel_id:
        raise InvalidInput("channel_id is required", "channel_id")
    return session.scalar(select(Incident).where(Incident.channel_id == channel_id))


def declare(session, fields: dict, config, now=None) -> tuple[Incident, list]:  # noqa: ANN001
    """Create an incident; with a known idempotency key return the existing one."""
    key = fields.get("idempotency_key")
    if key:
        existing = session.scalar(select(Incident).where(Incident.idempotency_key == key))
        if existing is not None:
            return existing, []
    now = now or utcnow()
    incident = Incident(**fields, status=config.statuses[0], declared_at=now, updated_at=now,
                        severity_changed_at=now, reminders_sent=0)
    reminders.schedule(incident, config, now, restart=True)
    session.add(incident)
    session.flush()
    who = f" by <@{incident.reporter_id}>" if is_slack_user(incident.reporter_id) else ""
    add_timeline(session, incident, "declared",
                 f"Incident declared{who} as {incident.severity}: {incident.description}",
                 incident.reporter_id, now)
    return incident, [record_event(session, IncidentEvent.DECLARED, incident)]


def change_status(session, incident_id, status, actor_id, config, now=None) -> tuple[Incident, list]:  # noqa: ANN001,E501
    incident = load(session, incident_id)
    require_choice(status, "status", list(config.statuses))
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    if incident.status == status:
        return incident, []
    previous, now = incident.status, now or utcnow()
    incident.status, incident.updated_at = status, now
    resolved, reopened = config.is_final(status), config.is_final(previous)
    incident.resolved_at = now if resolved else None
    reminders.schedule(incident, config, now, restart=reopened)
    text = (f"Incident reopened (status {status})" if reopened
            else f"Status changed from {previous} to {status}")
    add_timeline(session, incident, "reopened" if reopened else "status_changed", text,
                 actor_id, now)
    events = [record_event(session, IncidentEvent.STATUS_CHANGED, incident,
                           previous=previous, actor_id=actor_id)]
    if resolved:
        events.append(record_event(session, IncidentEvent.RESOLVED, incident, actor_id=actor_id))
    if reopened:
        events.append(record_event(session, IncidentEvent.REOPENED, incident, actor_id=actor_id))
    return incident, events


def change_severity(session, incident_id, severity, actor_id, config, now=None) -> tuple[Incident, list]:  # noqa: ANN001,E501
    incident = load(session, incident_id)
    require_choice(severity, "severity", config.severity_names())
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    if incident.severity == severity:
        return incident, []
    previous, now = incident.severity, now or utcnow()
    incident.severity, incident.updated_at, incident.severity_changed_at = severity, now, now
    # Coming into a reminded severity starts the clock; moving between two keeps it.
    reminders.schedule(incident, config, now, restart=False)
    add_timeline(session, incident, "severity_changed",
                 f"Severity changed from {previous} to {severity}", actor_id, now)
    return incident, [record_event(session, IncidentEvent.SEVERITY_CHANGED, incident,
                                   previous=previous, actor_id=actor_id)]


def assign_role(session, incident_id, role, user_id, actor_id, config) -> tuple[Incident, list]:  # noqa: ANN001
    incident = load(session, incident_id)
    require_choice(role, "role", list(config.roles))
    user_id = optional_pattern(user_id, "user_id", USER_ID)
    if user_id is None:
        raise InvalidInput("user_id is required", "user_id")
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    current = next((a for a in incident.roles if a.role == role), None)
    if current is not None and current.user_id == user_id:
        return incident, []
    previous = current.user_id if current else None
    now = utcnow()
    if current is None:
        incident.roles.append(RoleAssignment(role=role, user_id=user_id, assigned_by=actor_id,
                                             assigned_at=now))
    else:
        current.user_id, current.assigned_by, current.assigned_at = user_id, actor_id, now
    incident.updated_at = now
    text = f"<@{user_id}> is now {role}" + (f" (replacing <@{previous}>)" if previous else "")
    add_timeline(session, incident, "role_assigned", text, actor_id, now)
    return incident, [record_event(session, IncidentEvent.ROLE_ASSIGNED, incident, role=role,
                                   user_id=user_id, previous_user_id=previous, actor_id=actor_id)]


# What an incident's page shows of its Slack resources (the war room's link).
VISIBLE_SLACK_RESOURCES = frozenset({"channel_id", "channel_name"})


def attach_slack_resources(session, incident_id, resources: dict) -> tuple[Incident, list]:  # noqa: ANN001
    incident = load(session, incident_id)
    changed = {k: v for k, v in resources.items() if getattr(incident, k) != v}
    if not changed:
        return incident, []
    new_channel = "channel_id" in changed and incident.channel_id is None
    for key, value in changed.items():
        setattr(incident, key, value)
    incident.updated_at = utcnow()
    if new_channel:
        add_timeline(session, incident, "channel_created",
                     f"War room <#{incident.channel_id}> created")
    if not changed.keys() & VISIBLE_SLACK_RESOURCES:
        # The message timestamps are the gateway's own bookkeeping, which no other
        # service shows: an event for each would cost every declaration two more
        # outbox rows, publishes and web handler runs for nothing.
        return incident, []
    return incident, [record_event(session, IncidentEvent.SLACK_RESOURCES_ATTACHED, incident,
                                   changed=sorted(changed))]


def add_timeline_entry(session, incident_id, text, kind, actor_id, occurred_at) -> tuple[TimelineEvent, list]:  # noqa: ANN001,E501
    incident = load(session, incident_id)
    text = require_text(text, "text", MAX_TEXT)
    kind = require_text(kind, "kind", 32)
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    entry = add_timeline(session, incident, kind, text, actor_id, parse_occurred_at(occurred_at))
    session.flush()
    event = record_event(session, IncidentEvent.TIMELINE_EVENT_ADDED, incident,
                         timeline_event_id=entry.id, kind=kind,
                         occurred_at=to_iso(entry.occurred_at))
    return entry, [event]


def delete_timeline_entry(session, incident_id, entry_id, actor_id) -> tuple[Incident, list]:  # noqa: ANN001,E501
    """Delete a manual entry; automatic entries are the record and stay."""
    incident = load(session, incident_id)
    require_int(entry_id, "entry_id", minimum=1)
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    entry = session.get(TimelineEvent, entry_id)
    if entry is None or entry.incident_id != incident.id:
        raise IncidentNotFound(f"timeline entry {entry_id} does not exist", "entry_id")
    if entry.kind != "manual":
        raise InvalidInput("only manual timeline entries can be deleted", "entry_id")
    session.delete(entry)
    incident.updated_at = utcnow()
    return incident, [record_event(session, IncidentEvent.TIMELINE_EVENT_DELETED, incident,
                                   timeline_event_id=entry_id, actor_id=actor_id)]


def page_args(limit, offset) -> tuple[int, int]:  # noqa: ANN001
    return require_int(limit, "limit", 1, MAX_PAGE), require_int(offset, "offset", 0)


def list_incidents(session, config, status=None, severity=None, open_only=False,  # noqa: ANN001
                   limit=50, offset=0) -> tuple[list[Incident], int]:
    return search_incidents(session, config, status=status, severity=severity,
                            open_only=open_only, limit=limit, offset=offset)


def last_page_offset(total: int, limit: int) -> int:
    return ((total - 1) // limit) * limit if total else 0


def list_timeline(session, incident_id, limit=100, offset=0, last_page=False) -> tuple[list[TimelineEvent], int]:  # noqa: ANN001,E501
    """Oldest first; `last_page` ignores `offset` and returns the newest page."""
    load(session, incident_id)
    limit, offset = page_args(limit, offset)
    where = TimelineEvent.incident_id == incident_id
    total = session.scalar(select(func.count()).select_from(TimelineEvent).where(where))
    if last_page:
        offset = last_page_offset(total, limit)
    rows = session.scalars(select(TimelineEvent).where(where)
                           .order_by(TimelineEvent.occurred_at, TimelineEvent.id)
                           .limit(limit).offset(offset)).all()
    return list(rows), total
