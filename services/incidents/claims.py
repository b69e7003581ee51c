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


def complete(db: Database, key: str) -> bool:
    with db.transaction() as session:
        done = session.execute(
            update(DeliveryClaim)
            .where(DeliveryClaim.key == key, DeliveryClaim.completed_at.is_(None))
            .values(completed_at=utcnow())
        )
        return done.rowcount == 1
