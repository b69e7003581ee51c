"""Login rate limits, kept in the database so that every web replica counts the same
failures: per account and per client address, over a sliding window."""
from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, func, select

from services.common.timeutil import utcnow
from services.web.errors import TooManyRequests
from services.web.models import LoginAttempt

WINDOW = dt.timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 20
KEEP = dt.timedelta(days=1)


def _failures(session, column, value: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:  # noqa: ANN001,E501
    return session.execute(select(func.count(), func.min(LoginAttempt.at))
                           .where(column == value, LoginAttempt.succeeded.is_(False),
                                  LoginAttempt.at >= since)).one()


def check_allowed(session, email: str, ip: str, now: dt.datetime | None = None) -> None:  # noqa: ANN001
    """Raise TooManyRequests while this account or address has too many recent failures."""
    now = now or utcnow()
    since = now - WINDOW
    for column, value, limit in ((LoginAttempt.email, email, PER_ACCOUNT),
                                 (LoginAttempt.ip, ip, PER_ADDRESS)):
        count, oldest = _failures(session, column, value, since)
        if count >= limit:
            wait = max(1, math.ceil(((oldest + WINDOW) - now).total_seconds()))
            minutes = max(1, math.ceil(wait / 60))
            raise TooManyRequests(f"Too many failed sign-in attempts. Try again in "
                                  f"{minutes} minute{'s' if minutes > 1 else ''}.", wait)


def record(session, email: str, ip: str, succeeded: bool) -> None:  # noqa: ANN001
    now = utcnow()
    session.add(LoginAttempt(email=email[:254], ip=ip[:64], succeeded=succeeded, at=now))
    if not succeeded:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    else:
        # A successful sign-in clears the account's failures (not the address's).
        session.execute(delete(LoginAttempt).where(LoginAttempt.email == email,
                                                   LoginAttempt.succeeded.is_(False)))
