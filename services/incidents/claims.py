"""Compare-and-set claims, so a retried Slack event or a redelivered bus event
is acted on once, whichever replica receives it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from services.common.db import Database
from services.common.timeutil import utcnow
from services.incidents.exceptions import InvalidInput
from services.incidents.models import DeliveryClaim


def claim(db: Database, key: str, lease_seconds: int | None) -> bool:
    """True for the one caller that gets `key`.

    With a lease, an unfinished claim whose lease ran out (its holder died) can
    be taken again; without one, a claim is forever.
    """
    if not isinstance(key, str) or not 0 < len(key) <= 255:
        raise InvalidInput("claim key must be 1-255 characters", "key")
    now = utcnow()
    lease_until = now + dt.timedelta(seconds=lease_seconds) if lease_seconds else None
    try:
        with db.transaction() as session:
            session.add(DeliveryClaim(key=key, claimed_at=now, lease_until=lease_until))
        return True
    except IntegrityError:
        pass
    with db.transaction() as session:
        taken = session.execute(
            update(DeliveryClaim)
            .where(DeliveryClaim.key == key, DeliveryClaim.completed_at.is_(None),
                   DeliveryClaim.lease_until.is_not(None), DeliveryClaim.lease_until < now)
            .values(claimed_at=now, lease_until=lease_until)
        )
        return taken.rowcount == 1


def claim_state(db: Database, key: str, lease_seconds: int, max_attempts: int) -> str:
    """Claim work that may fail half-way and be retried.

    "claimed": yours to do now, the first attempt; "reclaimed": yours to do now, and an
    earlier attempt did not finish (some of its effects may exist: look before acting);
    "in_progress": someone holds it (retry later); "done": finished before;
    "exhausted": tried `max_attempts` times, give up.
    """
    if not isinstance(key, str) or not 0 < len(key) <= 255:
        raise InvalidInput("claim key must be 1-255 characters", "key")
    now = utcnow()
    lease_until = now + dt.timedelta(seconds=lease_seconds)
    try:
        with db.transaction() as session:
            session.add(DeliveryClaim(key=key, claimed_at=now, lease_until=lease_until,
                                      attempts=1))
        return "claimed"
    except IntegrityError:
        pass
    with db.transaction() as session:
        taken = session.execute(
            update(DeliveryClaim)
            .where(DeliveryClaim.key == key, DeliveryClaim.completed_at.is_(None),
                   DeliveryClaim.lease_until < now, DeliveryClaim.attempts < max_attempts)
            .values(claimed_at=now, lease_until=lease_until,
                    attempts=DeliveryClaim.attempts + 1)
        ).rowcount == 1
        if taken:
            return "reclaimed"
        row = session.get(DeliveryClaim, key)
        if row.completed_at is not None:
            return "done"
        return "exhausted" if row.attempts >= max_attempts and row.lease_until < now \
            else "in_progress"


def renew(db: Database, key: str, lease_seconds: int) -> bool:
    """Extend an unfinished claim: its holder is alive and still working."""
    with db.transaction() as session:
        return session.execute(
            update(DeliveryClaim)
            .where(DeliveryClaim.key == key, DeliveryClaim.completed_at.is_(None))
            .values(lease_until=utcnow() + dt.timedelta(seconds=lease_seconds))
        ).rowcount == 1


def release(db: Database, key: str) -> bool:
    """Give an unfinished claim back at once (its holder failed), for a retry."""
    with db.transaction() as session:
        return session.execute(
            update(DeliveryClaim)
            .where(DeliveryClaim.key == key, DeliveryClaim.completed_at.is_(None))
            .values(lease_until=utcnow() - dt.timedelta(seconds=1))
        ).rowcount == 1


def complete(db: Database, key: str) -> bool:
    with db.transaction() as session:
        done = session.execute(
            update(DeliveryClaim)
            .where(DeliveryClaim.key == key, DeliveryClaim.completed_at.is_(None))
            .values(completed_at=utcnow())
        )
        return done.rowcount == 1
