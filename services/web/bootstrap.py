"""Start-up chores: the session key and the first admin. No default password exists:
the first admin comes from WEB_ADMIN_EMAIL + WEB_ADMIN_PASSWORD or `incident-bot
create-admin`."""
from __future__ import annotations

import logging
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common.db import Database
from services.common.timeutil import utcnow
from services.web import accounts, audit
from services.web.errors import WebError
from services.web.models import InstanceSecret, User

log = logging.getLogger(__name__)
SECRET_NAME = "session_key"


def session_key(db: Database, configured: str | None) -> str:
    """WEB_SECRET_KEY, or a generated key kept in the database so replicas share it."""
    if configured:
        if len(configured) < 32:
            log.warning("WEB_SECRET_KEY is shorter than 32 characters: use a long random value")
        return configured
    log.warning("WEB_SECRET_KEY is not set: using a generated key stored in the database. "
                "Set WEB_SECRET_KEY (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`) in production.")
    try:
        with db.transaction() as session:
            row = session.get(InstanceSecret, SECRET_NAME)
            if row is None:
                row = InstanceSecret(name=SECRET_NAME, value=secrets.token_urlsafe(48),
                                     created_at=utcnow())
                session.add(row)
            return row.value
    except IntegrityError:  # another replica created it first
        with db.transaction() as session:
            return session.get(InstanceSecret, SECRET_NAME).value


def create_admin(db: Database, email: str, password: str, name: str | None = None) -> User:
    """Create an admin account; raises WebError when the input or the email is refused."""
    with db.transaction() as session:
        user = accounts.create_user(session, email, name, "admin", password)
        audit.record(session, None, "user.created", f"web:{user.id}", role="admin",
                     via="bootstrap")
        return user


def first_admin(db: Database, email: str | None, password: str | None) -> None:
    """Create the first admin from the environment when there is no admin yet."""
    if not email and not password:
        return
    if not (email and password):
        log.warning("set both WEB_ADMIN_EMAIL and WEB_ADMIN_PASSWORD to create the first admin")
        return
    with db.transaction() as session:
        if session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
            return
    try:
        create_admin(db, email, password)
        log.info("created the first admin account from WEB_ADMIN_EMAIL")
    except IntegrityError:
        pass  # another replica created it at the same moment
    except WebError as exc:
        log.error("cannot create the first admin from WEB_ADMIN_EMAIL: %s", exc.message)
