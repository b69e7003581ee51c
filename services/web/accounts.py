"""People who sign in to the web UI: create, authenticate, change. Passwords are hashed
with scrypt (werkzeug); hashing runs in a real thread so it never stalls the green hub."""
from __future__ import annotations

import re
from typing import Any

from eventlet import tpool
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from services.common.timeutil import to_iso, utcnow
from services.web.errors import Conflict, InvalidRequest, NotFound
from services.web.models import ROLES, User

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
_DUMMY_HASH: list[str] = []


def hash_password(password: str) -> str:
    return tpool.execute(generate_password_hash, password, "scrypt")


def password_matches(password_hash: str, password: str) -> bool:
    return tpool.execute(check_password_hash, password_hash, password)


def check_email(email: Any) -> str:
    if not isinstance(email, str) or len(email.strip()) > 254 or not EMAIL.match(email.strip()):
        raise InvalidRequest("email must be an email address", "email")
    return email.strip().lower()


def check_password(password: Any) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidRequest(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters",
                             "password")
    return password


def check_role(role: Any) -> str:
    if role not in ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(ROLES)}", "role")
    return role


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 100:
        raise InvalidRequest("name must be 1 to 100 characters", "name")
    return name.strip()


def at_least(role: str, needed: str) -> bool:
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


def create_user(session, email: Any, name: Any, role: Any, password: Any) -> User:  # noqa: ANN001
    email, name = check_email(email), check_name(name or str(email).split("@")[0])
    role, password = check_role(role), check_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("a user with this email already exists", "email")
    now = utcnow()
    user = User(email=email, name=name, role=role, password_hash=hash_password(password),
                active=True, session_version=1, created_at=now, updated_at=now)
    session.add(user)
    session.flush()
    return user


def authenticate(session, email: str, password: str) -> User | None:  # noqa: ANN001
    """The active user with this email and password, else None (same work either way)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        # Spend the same time as a real check, so timing does not reveal accounts.
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password("not-a-real-password-0000"))
        password_matches(_DUMMY_HASH[0], password)
        return None
    if not password_matches(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


def get_user(session, user_id: int) -> User:  # noqa: ANN001
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def list_users(session) -> list[User]:  # noqa: ANN001
    return list(session.scalars(select(User).order_by(User.email)))


def count_admins(session) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(User)
                          .where(User.role == "admin", User.active.is_(True)))


def update_user(session, user_id: int, changes: dict) -> User:  # noqa: ANN001
    """Change name, role, active flag or password; the last admin cannot be demoted."""
    user = get_user(session, user_id)
    unknown = set(changes) - {"name", "role", "active", "password"}
    if unknown:
        raise InvalidRequest(f"unknown field {sorted(unknown)[0]!r}", sorted(unknown)[0])
    if "active" in changes and not isinstance(changes["active"], bool):
        raise InvalidRequest("active must be true or false", "active")
    role = check_role(changes["role"]) if "role" in changes else user.role
    active = changes.get("active", user.active)
    if user.role == "admin" and user.active and (role != "admin" or not active) \
            and count_admins(session) <= 1:
        raise Conflict("this is the last active admin: make someone else admin first", "role")
    if "name" in changes:
        user.name = check_name(changes["name"])
    if (role, active) != (user.role, user.active) or "password" in changes:
        user.session_version += 1  # their other sessions must sign in again
    if "password" in changes:
        user.password_hash = hash_password(check_password(changes["password"]))
    user.role, user.active, user.updated_at = role, active, utcnow()
    return user


def user_to_dict(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "active": user.active, "actor_id": f"web:{user.id}",
            "created_at": to_iso(user.created_at), "last_login_at": to_iso(user.last_login_at)}
