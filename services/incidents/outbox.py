"""The transactional outbox: events are rows written with the change they announce.

`relay` publishes rows right after their commit; `relay_backlog` catches up what
a crash or a broker outage left behind. Both mark rows published only after the
broker confirmed them, so a fact is published at least once; handlers dedupe by
`event_id`.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Callable, Iterable

from prometheus_client import Gauge
from sqlalchemy import func, select, update

from services.common.db import Database
from services.common.timeutil import to_iso, utcnow
from services.incidents.models import Incident, OutboxEvent
from services.incidents.schemas import incident_to_dict

log = logging.getLogger(__name__)

Publish = Callable[[str, dict], None]
BACKLOG = Gauge("incidentbot_outbox_backlog", "Outbox events not yet published")
BACKLOG_AGE = Gauge("incidentbot_outbox_oldest_seconds",
                    "Age of the oldest unpublished outbox event (0 when none)")


def record_event(session, event_type: str, incident: Incident, **extra) -> OutboxEvent:  # noqa: ANN001
    """Add an event to the current transaction, with a snapshot of the incident."""
    session.flush()
    event_id, now = str(uuid.uuid4()), utcnow()
    payload = {"event_id": event_id, "incident_id": incident.id, "recorded_at": to_iso(now),
               "incident": incident_to_dict(incident), **extra}
    row = OutboxEvent(id=event_id, event_type=event_type, payload=payload, created_at=now)
    session.add(row)
    return row


def record_fact(session, event_type: str, **payload) -> OutboxEvent:  # noqa: ANN001
    """An event about no single incident (a report)."""
    event_id = str(uuid.uuid4())
    row = OutboxEvent(id=event_id, event_type=event_type,
                      payload={"event_id": event_id, **payload}, created_at=utcnow())
    session.add(row)
    return row


def relay(db: Database, publish: Publish, events: Iterable[OutboxEvent]) -> int:
    """Publish events of a transaction that just committed, in the order written."""
    return _publish_rows(db, publish, [(e.id, e.event_type, e.payload) for e in events])


def relay_backlog(db: Database, publish: Publish, older_than: dt.timedelta,
                  limit: int = 200) -> int:
    """Publish events left unpublished for longer than `older_than`."""
    cutoff = utcnow() - older_than
    with db.transaction() as session:
        query = (select(OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.payload)
                 .where(OutboxEvent.published_at.is_(None), OutboxEvent.created_at < cutoff)
                 .order_by(OutboxEvent.created_at).limit(limit))
        if db.dialect == "postgresql":
            # Replicas each take a different slice instead of all publishing the same rows.
            query = query.with_for_update(skip_locked=True)
        rows = session.execute(query).all()
        if rows:
            session.execute(update(OutboxEvent).where(OutboxEvent.id.in_([r[0] for r in rows]))
                            .values(attempts=OutboxEvent.attempts + 1))
    if rows:
        log.info("relaying %d outbox events left behind", len(rows))
    return _publish_rows(db, publish, [tuple(r) for r in rows])


def _publish_rows(db: Database, publish: Publish, rows: list[tuple[str, str, dict]]) -> int:
    sent: list[str] = []
    try:
        for event_id, event_type, payload in rows:
            publish(event_type, payload)
            sent.append(event_id)
    except Exception:  # the broker is down or refused: the backlog relay retries
        log.warning("publishing outbox event failed; %d left for the backlog relay",
                    len(rows) - len(sent), exc_info=True)
    if sent:
        with db.transaction() as session:
            session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(sent))
                            .values(published_at=utcnow()))
    return len(sent)


def measure_backlog(db: Database) -> None:
    """Refresh the backlog gauges (one indexed query on unpublished rows)."""
    with db.transaction() as session:
        count, oldest = session.execute(
            select(func.count(), func.min(OutboxEvent.created_at))
            .where(OutboxEvent.published_at.is_(None))).one()
    BACKLOG.set(count)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.timezone.utc)
    BACKLOG_AGE.set((utcnow() - oldest).total_seconds() if oldest else 0)
