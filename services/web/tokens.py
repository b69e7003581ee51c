"""API tokens for automation: high-entropy, shown once, stored as SHA-256, revocable."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import select

from services.common.timeutil import to_iso, utcnow
from services.web.errors import InvalidRequest, NotFound
from services.web.models import SCOPES, ApiToken

PREFIX = "ibt_"
TOUCH_EVERY = dt.timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(session, name: Any, scope: Any, created_by: int | None) -> tuple[ApiToken, str]:  # noqa: ANN001,E501
    """A new token and its secret; only the hash is stored, the secret is returned once."""
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 100:
        raise InvalidRequest("name must be 1 to 100 characters", "name")
    if scope not in SCOPES:
        raise InvalidRequest(f"scope must be one of {', '.join(SCOPES)}", "scope")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip(), scope=scope, token_hash=digest(secret),
                     prefix=secret[:10], created_by=created_by, created_at=utcnow())
    session.add(token)
    session.flush()
    return token, secret


def verify_token(session, secret: str) -> ApiToken | None:  # noqa: ANN001
    """The live token with this secret, else None; notes when it was last used."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
    return token


def revoke_token(session, token_id: int) -> ApiToken:  # noqa: ANN001
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"token {token_id} does not exist")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def list_tokens(session) -> list[ApiToken]:  # noqa: ANN001
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(),
                                                          ApiToken.id.desc())))


def token_to_dict(token: ApiToken) -> dict:
    return {"id": token.id, "name": token.name, "scope": token.scope, "prefix": token.prefix,
            "actor_id": f"web:token-{token.id}", "created_by": token.created_by,
            "created_at": to_iso(token.created_at), "last_used_at": to_iso(token.last_used_at),
            "revoked_at": to_iso(token.revoked_at), "active": token.revoked_at is None}
