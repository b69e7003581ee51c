"""The audit of web actions: sign-ins, account and token changes, settings, and every
incident change made through the web (those are on the incident's timeline too)."""
from __future__ import annotations

from sqlalchemy import select

from services.common.timeutil import to_iso, utcnow
from services.web.models import AuditEntry


def record(session, actor: str | None, action: str, target: str | None = None,  # noqa: ANN001
           ip: str | None = None, **detail) -> None:
    session.add(AuditEntry(at=utcnow(), actor=actor, action=action, target=target,
                           detail=detail, ip=ip))


def recent(session, limit: int = 100) -> list[dict]:  # noqa: ANN001
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit))
    return [{"id": r.id, "at": to_iso(r.at), "actor": r.actor, "action": r.action,
             "target": r.target, "detail": r.detail, "ip": r.ip} for r in rows]
