"""Request input checks shared by the API and the forms: what arrives is text or JSON
from anyone, so every value is checked before it reaches a service; a bad value is a
400 naming the field, never a 500."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request

from services.web.errors import InvalidRequest


def _clean(value: Any, field: str) -> Any:
    """Refuse text PostgreSQL cannot store (NUL) or UTF-8 cannot encode (lone surrogates)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidRequest(f"{field} contains a NUL character", field)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidRequest(f"{field} is not valid text", field)
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean(key, field)
            _clean(item, f"{field}.{key}" if field != "body" else str(key))
    elif isinstance(value, list):
        for item in value:
            _clean(item, field)
    return value


def json_body(allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidRequest("the body must be a JSON object", None)
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InvalidRequest(f"unknown field {unknown[0][:40]!r}", unknown[0][:40])
    for name in required:
        if data.get(name) is None:
            raise InvalidRequest(f"{name} is required", name)
    return _clean(data, "body")


def text(value: Any, field: str, limit: int, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise InvalidRequest(f"{field} is required", field)
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be text", field)
    _clean(value, field)
    if len(value) > limit:
        raise InvalidRequest(f"{field} is too long (at most {limit} characters)", field)
    if required and not value.strip():
        raise InvalidRequest(f"{field} cannot be empty", field)
    return value


def whole_number(value: Any, field: str, default: int, low: int, high: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidRequest(f"{field} must be a whole number", field)
    if not low <= number <= high:
        raise InvalidRequest(f"{field} must be between {low} and {high}", field)
    return number


def choice(value: Any, field: str, choices: list[str]) -> str | None:
    if value in (None, ""):
        return None
    if value not in choices:
        raise InvalidRequest(f"{field} must be one of {', '.join(choices)}", field)
    return value


def flag(value: Any, field: str) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("1", "true", "yes", "on"):
        return True
    if str(value).lower() in ("0", "false", "no", "off"):
        return False
    raise InvalidRequest(f"{field} must be true or false", field)


def moment(value: Any, field: str) -> str | None:
    """An ISO 8601 date or time (UTC when no offset is given), as ISO text for RPC."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidRequest(f"{field} must be an ISO 8601 date or time", field)
    try:
        parsed = dt.datetime.fromisoformat(_clean(value, field))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.timezone.utc)
        return parsed.astimezone(dt.timezone.utc).isoformat()
    except (ValueError, OverflowError):
        raise InvalidRequest(f"{field} {value[:40]!r} is not an ISO 8601 date or time", field)
