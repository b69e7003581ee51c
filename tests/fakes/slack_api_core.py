"""Plumbing shared by the Slack fake's method modules: errors, call context, registry.

A method handler is a plain function `handler(call) -> dict` registered with
`@api_method("conversations.create", scope=...)`. It raises `SlackError` for an
`ok: false` answer; the server adds `"ok": true` to whatever it returns.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:
    from tests.fakes.slack_api_state import SlackState

# Scopes by conversation kind, as Slack documents them for kind-dependent methods.
READ = {"public": "channels:read", "private": "groups:read", "im": "im:read", "mpim": "mpim:read"}
HISTORY = {"public": "channels:history", "private": "groups:history", "im": "im:history", "mpim": "mpim:history"}
MANAGE = {"public": "channels:manage", "private": "groups:write", "im": "im:write", "mpim": "mpim:write"}

ScopeSpec = str | Mapping[str, str] | None


class SlackError(Exception):
    """An `ok: false` answer; `extra` fields (needed, errors, response_metadata) go in the body."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Method:
    name: str
    handler: Callable[["Call"], dict]
    scope: ScopeSpec
    precheck: bool  # False: the handler checks the scope once it knows the conversation kind


METHODS: dict[str, Method] = {}


def api_method(name: str, scope: ScopeSpec = None, precheck: bool = True) -> Callable:
    """Register a handler under its Slack method name with the scope Slack requires."""

    def register(handler: Callable[["Call"], dict]) -> Callable[["Call"], dict]:
        METHODS[name] = Method(name, handler, scope, precheck)
        return handler

    return register


@dataclass
class Call:
    """One API call as a handler sees it: parsed params, the state, the token's scopes."""

    method: str
    params: dict[str, Any]
    state: "SlackState"
    scopes: frozenset[str]
    root_url: str  # "http://127.0.0.1:N", for permalinks and file URLs
    warnings: list[str] = field(default_factory=list)

    def need(self, scope: ScopeSpec, kind: str | None = None) -> None:
        """Raise missing_scope unless the token holds the scope (for `kind` if kind-dependent)."""
        if scope is None:
            return
        if isinstance(scope, str):
            needed = [scope]
        elif kind is not None:
            needed = [scope[kind]]
        else:  # conversation kind unknown yet: any of them lets the call go on
            if self.scopes & set(scope.values()):
                return
            needed = list(scope.values())
        if not set(needed) <= self.scopes:
            raise SlackError(
                "missing_scope", needed=",".join(needed), provided=",".join(sorted(self.scopes))
            )

    def get(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name, default)
        return default if value is None else value

    def required(self, name: str, error: str | None = None) -> Any:
        """A required argument; Slack answers a missing one with its own error or invalid_arguments."""
        value = self.params.get(name)
        if value in (None, ""):
            if error:
                raise SlackError(error)
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] missing required field: {name}"]},
            )
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        return as_bool(self.params.get(name), default)

    def csv(self, name: str) -> list[str]:
        return as_csv(self.params.get(name))

    def warn(self, warning: str) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)


def as_bool(value: Any, default: bool = False) -> bool:
    # Form bodies carry "1"/"0" or "true"/"false"; JSON bodies carry real booleans.
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def as_csv(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def paginate(items: list, call: Call, default_limit: int = 100, max_limit: int = 1000) -> tuple[list, str]:
    """Slice `items` by Slack's cursor protocol; returns (page, next_cursor) with "" at the end."""
    try:
        limit = int(call.params.get("limit") or default_limit)
    except (TypeError, ValueError):
        raise SlackError("invalid_limit") from None
    limit = default_limit if limit <= 0 else min(limit, max_limit)
    cursor = call.params.get("cursor") or ""
    offset = decode_cursor(cursor) if cursor else 0
    page = items[offset : offset + limit]
    end = offset + limit
    return page, (encode_cursor(end) if end < len(items) else "")


def encode_cursor(offset: int) -> str:
    # Slack's cursors are opaque base64 strings; clients must pass them back verbatim.
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, number = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(cursor)
        return int(number)
    except ValueError:
        raise SlackError("invalid_cursor") from None


def decode_json_fields(params: dict[str, Any]) -> dict[str, Any]:
    """Form bodies carry blocks/view/attachments/metadata as JSON strings: decode them."""
    for key in ("blocks", "view", "attachments", "metadata"):
        value = params.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                params[key] = json.loads(value)
            except ValueError:
                pass  # left as a string: validation answers invalid_blocks / invalid_arguments
    return params


@dataclass
class RequestRecord:
    """One API call as the fake received and answered it (status 0 while still in flight)."""

    method: str
    params: dict[str, Any]
    time: float  # time.monotonic() at arrival, in the fake's process
    status: int = 0
    http_method: str = "POST"
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return (self.response or {}).get("error")

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "params": self.params, "time": self.time, "status": self.status,
                "http_method": self.http_method, "token": self.token, "headers": self.headers,
                "response": self.response}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RequestRecord":
        return cls(**{k: data.get(k) for k in ("method", "params", "time", "status", "http_method",
                                                "token", "headers", "response")})
