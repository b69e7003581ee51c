"""When an incident owes its audience an update, and stale incidents.

The rule lives here, in the system of record, so any number of scheduler replicas
can ask what is due: each due reminder is claimed with a compare-and-set on
`next_reminder_at`, and only the claimant's transaction writes the event that
makes the gateway post it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from services.common.events import IncidentEvent
from services.incidents.exceptions import InvalidInput
from services.incidents.models import Incident
from services.incidents.outbox import record_event
from services.incidents.schemas import ACTOR_ID, optional_pattern, require_int

SNOOZE_CHOICES = (15, 30, 60, 120)


def qualifies(incident: Incident, config) -> bool:  # noqa: ANN001
    return (config.reminders.enabled and incident.severity in config.reminders.severities
            and not config.is_final(incident.status))


def schedule(incident: Incident, config, now: dt.datetime, restart: bool) -> None:  # noqa: ANN001
    """Keep `next_reminder_at` true to the rule after a change.

    `restart`: the clock starts again (an update was sent, or the incident just came
    into a reminded severity or out of resolved); otherwise a running clock is kept.
    """
    if not qualifies(incident, config):
        incident.next_reminder_at = None
    elif restart or incident.next_reminder_at is None:
        incident.next_reminder_at = now + dt.timedelta(
            minutes=config.reminders.first_reminder_minutes)


def due(session, now: dt.datetime, limit: int = 500) -> list[dict]:  # noqa: ANN001
    """Reminders due now: one indexed range scan on next_reminder_at."""
    rows = session.execute(
        select(Incident.id, Incident.next_reminder_at)
        .where(Incident.next_reminder_at.is_not(None), Incident.next_reminder_at <= now)
        .order_by(Incident.next_reminder_at).limit(limit)
    ).all()
    return [{"incident_id": r[0], "due_at": r[1].isoformat()} for r in rows]


def claim(session, incident_id: int, due_at: dt.datetime, now: dt.datetime, config) -> tuple[bool, list]:  # noqa: ANN001,E501
    """Take the reminder due at `due_at`; False if another scheduler took it first."""
    from services.incidents.store import add_timeline, load

    repeat = dt.timedelta(minutes=config.reminders.repeat_minutes)
    taken = session.execute(
        update(Incident)
        .where(Incident.id == incident_id, Incident.next_reminder_at == due_at)
        .values(next_reminder_at=now + repeat, reminders_sent=Incident.reminders_sent + 1)
    ).rowcount == 1
    if not taken:
        return False, []
    incident = load(session, incident_id)
    session.refresh(incident)
    since = incident.last_update_at or incident.declared_at
    minutes = int((now - since).total_seconds() // 60)
    add_timeline(session, incident, "reminder",
                 f"Reminder sent: no status update for {minutes} minutes", None, now)
    return True, [record_event(session, IncidentEvent.UPDATE_REMINDER_DUE, incident,
                               minutes_without_update=minutes,
                               reminder_number=incident.reminders_sent)]


def snooze(session, incident_id, minutes, actor_id, now: dt.datetime, config) -> tuple[Incident, list]:  # noqa: ANN001,E501
    from services.incidents.store import add_timeline, load

    incident = load(session, incident_id)
    minutes = require_int(minutes, "minutes", 1, 24 * 60)
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    if not qualifies(incident, config):
        raise InvalidInput("this incident gets no update reminders right now", "incident_id")
    incident.next_reminder_at = now + dt.timedelta(minutes=minutes)
    add_timeline(session, incident, "reminder_snoozed",
                 f"Update reminders snoozed for {minutes} minutes", actor_id, now)
    return incident, []


def stale(session, config, now: dt.datetime, limit: int = 100) -> tuple[list[Incident], int]:  # noqa: ANN001
    """Unresolved incidents older than `stale_after_days`: one indexed query (plus count)."""
    from sqlalchemy import func

    cutoff = now - dt.timedelta(days=config.stale.stale_after_days)
    excluded = [config.final_status, *config.stale.exclude_statuses]
    where = (Incident.status.not_in(excluded), Incident.declared_at < cutoff)
    total = session.scalar(select(func.count()).select_from(Incident).where(*where))
    rows = session.scalars(select(Incident).where(*where)
                           .order_by(Incident.declared_at).limit(limit)).all()
    return list(rows), total
