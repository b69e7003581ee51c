"""Read-only questions about many incidents: the filtered list and the dashboard figures,
each a few SQL statements that work on PostgreSQL and SQLite alike."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select

from services.common.timeutil import from_iso
from services.incidents.exceptions import InvalidInput
from services.incidents.models import Incident
from services.incidents.schemas import require_choice, require_int

MAX_PAGE = 200
MAX_QUERY = 200
AGE_BUCKETS = (("under_1h", dt.timedelta(hours=1)), ("1h_to_24h", dt.timedelta(days=1)),
               ("1d_to_7d", dt.timedelta(days=7)))


def _time(value: Any, field: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return from_iso(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"{field} {str(value)[:40]!r} is not an ISO 8601 date or time", field)


def _text_filter(query: Any):  # noqa: ANN202
    if not isinstance(query, str) or len(query) > MAX_QUERY or "\x00" in query:
        raise InvalidInput(f"query must be text of at most {MAX_QUERY} characters", "query")
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # ilike is lower(..) LIKE lower(..) on SQLite: case-insensitive on both backends.
    return Incident.description.ilike(f"%{escaped}%", escape="\\")


def search_incidents(session, config, status=None, severity=None, open_only=False,  # noqa: ANN001
                     query=None, declared_from=None, declared_to=None,
                     limit=50, offset=0) -> tuple[list[Incident], int]:
    """Newest first; `declared_from` is inclusive, `declared_to` exclusive."""
    limit = require_int(limit, "limit", 1, MAX_PAGE)
    offset = require_int(offset, "offset", 0)
    where = []
    if status is not None:
        where.append(Incident.status == require_choice(status, "status", list(config.statuses)))
    if severity is not None:
        where.append(Incident.severity == require_choice(severity, "severity",
                                                         config.severity_names()))
    if open_only:
        where.append(Incident.status != config.final_status)
    if query:
        where.append(_text_filter(query))
    if (start := _time(declared_from, "declared_from")) is not None:
        where.append(Incident.declared_at >= start)
    if (end := _time(declared_to, "declared_to")) is not None:
        where.append(Incident.declared_at < end)
    total = session.scalar(select(func.count()).select_from(Incident).where(*where))
    rows = session.scalars(select(Incident).where(*where)
                           .order_by(Incident.declared_at.desc(), Incident.id.desc())
                           .limit(limit).offset(offset)).all()
    return list(rows), total


def _seconds_to_resolve(dialect: str):  # noqa: ANN202
    if dialect == "postgresql":
        return func.extract("epoch", Incident.resolved_at - Incident.declared_at)
    return (func.julianday(Incident.resolved_at) - func.julianday(Incident.declared_at)) * 86400.0


def open_counts(session, config) -> dict:  # noqa: ANN001
    rows = session.execute(select(Incident.severity, Incident.status, func.count())
                           .where(Incident.status != config.final_status)
                           .group_by(Incident.severity, Incident.status)).all()
    by_severity = {name: 0 for name in config.severity_names()}
    by_status = {name: 0 for name in config.statuses if name != config.final_status}
    for severity, status, count in rows:
        by_severity[severity] = by_severity.get(severity, 0) + count
        by_status[status] = by_status.get(status, 0) + count
    return {"open_total": sum(by_status.values()), "open_by_severity": by_severity,
            "open_by_status": by_status}


def open_ages(session, config, now: dt.datetime) -> dict:  # noqa: ANN001
    """How many open incidents were declared less than 1 h, 24 h, 7 days ago, or earlier."""
    columns, previous = [], now
    for name, age in AGE_BUCKETS:
        cutoff = now - age
        columns.append(func.sum(case((Incident.declared_at > cutoff, 1), else_=0)).label(name))
        previous = cutoff
    columns.append(func.sum(case((Incident.declared_at <= previous, 1), else_=0))
                   .label("over_7d"))
    row = session.execute(select(*columns).where(Incident.status != config.final_status)).one()
    counts = [int(value or 0) for value in row]
    # Each bucket above counted everything younger than its cutoff: make them disjoint.
    for index in range(len(AGE_BUCKETS) - 1, 0, -1):
        counts[index] -= counts[index - 1]
    return dict(zip([name for name, _ in AGE_BUCKETS] + ["over_7d"], counts))


def time_to_resolve(session, config, since: dt.datetime) -> list[dict]:  # noqa: ANN001
    """Per severity, incidents resolved since `since`: count, mean and longest seconds."""
    seconds = _seconds_to_resolve(session.get_bind().dialect.name)
    rows = session.execute(select(Incident.severity, func.count(), func.avg(seconds),
                                  func.max(seconds))
                           .where(Incident.resolved_at.is_not(None),
                                  Incident.resolved_at >= since)
                           .group_by(Incident.severity)).all()
    found = {severity: (count, mean, longest) for severity, count, mean, longest in rows}
    return [{"severity": name, "resolved": found.get(name, (0,))[0],
             "mean_seconds": float(found[name][1]) if name in found else None,
             "max_seconds": float(found[name][2]) if name in found else None}
            for name in config.severity_names()]


def oldest_open(session, config, limit: int) -> list[Incident]:  # noqa: ANN001
    return list(session.scalars(select(Incident).where(Incident.status != config.final_status)
                                .order_by(Incident.declared_at, Incident.id).limit(limit)))
