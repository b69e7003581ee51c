"""Who is asking, and may they: a signed-in person (session cookie) or an API token
(`Authorization: Bearer`), roles checked on the server for every route, CSRF tokens for
cookie-authenticated changes, and the response headers every page gets."""
from __future__ import annotations

import dataclasses
import functools
import hmac
import secrets
from typing import Callable

from flask import current_app, g, request, session

from services.web import accounts, tokens
from services.web.errors import Forbidden, Unauthorized
from services.web.models import User

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclasses.dataclass(frozen=True)
class Principal:
    kind: str            # "user" | "token"
    id: int
    name: str
    role: str            # viewer | responder | admin (a token is at most responder)
    email: str | None = None
    scope: str | None = None

    @property
    def actor_id(self) -> str:
        """How incidents records this principal (see services/incidents/schemas.py)."""
        return f"web:{self.id}" if self.kind == "user" else f"web:token-{self.id}"

    def can(self, role: str) -> bool:
        return accounts.at_least(self.role, role)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "name": self.name, "role": self.role,
                "email": self.email, "scope": self.scope, "actor_id": self.actor_id}


def user_principal(user: User) -> Principal:
    return Principal("user", user.id, user.name, user.role, email=user.email)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Authorization must be 'Bearer <token>'")
    return value.strip()


def load_principal() -> Principal | None:
    """Bearer token if one is sent (a bad one is refused outright), else the session."""
    db = current_app.extensions["web"].db
    if "Authorization" in request.headers:
        secret = _bearer()
        with db.transaction() as db_session:
            token = tokens.verify_token(db_session, secret)
            if token is None:
                raise Unauthorized("this API token is not valid (unknown or revoked)")
            role = "responder" if token.scope == "read-write" else "viewer"
            return Principal("token", token.id, token.name, role, scope=token.scope)
    user_id = session.get("uid")
    if not isinstance(user_id, int):
        return None
    with db.transaction() as db_session:
        user = db_session.get(User, user_id)
        if user is None or not user.active or user.session_version != session.get("ver"):
            session.clear()
            return None
        return user_principal(user)


def principal() -> Principal | None:
    return g.get("principal")


def requires(role: str, people_only: bool = False) -> Callable:
    """Route decorator: 401 without credentials, 403 without the role. `people_only`:
    signed-in people only (API tokens never manage accounts or settings)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            who = principal()
            if who is None:
                raise Unauthorized("sign in or send an API token")
            if people_only and who.kind != "user":
                raise Forbidden("API tokens cannot do this; sign in as an admin")
            if not who.can(role):
                raise Forbidden(f"this needs the {role} role (you are {who.role})")
            return view(*args, **kwargs)

        wrapper.required_role = role
        return wrapper

    return decorate


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Cookie-authenticated changes must carry the session's CSRF token."""
    if request.method not in UNSAFE or "Authorization" in request.headers:
        return
    if principal() is None and request.path.startswith("/api/"):
        return  # no cookie identity to abuse: the route answers 401
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(str(sent), expected):
        raise Forbidden("The form has expired or did not come from this site: reload the "
                        "page and try again.")


def security_headers(response, behind_tls: bool):  # noqa: ANN001, ANN201
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                       "script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
                       "base-uri 'self'; form-action 'self'")
    if behind_tls:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
