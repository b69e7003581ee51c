"""A Slack Web API fake over real HTTP, for pointing slack_sdk / Bolt at (`base_url=fake.url`).

In-process:   with SlackFake() as fake: WebClient(token="xoxb-test", base_url=fake.url)
Own process:  python -m tests.fakes.slack_api --port 0 --delay-ms 0
              (prints SLACK_FAKE_URL=...; drive it with SlackFakeClient(url))

Method handlers live in slack_api_conversations/_chat/_views/_directory, Block Kit rules in
slack_api_blockkit, the workspace in slack_api_state.
"""

from __future__ import annotations

import argparse
import copy
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

# Importing the method modules registers their handlers in METHODS.
from tests.fakes import (  # noqa: F401
    slack_api_chat, slack_api_conversations, slack_api_directory, slack_api_views,
)
from tests.fakes.slack_api_client import SlackFakeClient
from tests.fakes.slack_api_core import METHODS, Call, RequestRecord, SlackError
from tests.fakes.slack_api_http import FakeServer, SlackFakeHandler
from tests.fakes.slack_api_state import SlackState
from tests.fakes.slack_api_workspace import WorkspaceAccess

__all__ = ["DEFAULT_BOT_SCOPES", "RequestRecord", "SlackFake", "SlackFakeClient", "SlackError"]

# What a full incident bot asks for. chat:write.public is left out on purpose: with it Slack
# lets a bot post in public channels it has not joined, which would hide not_in_channel bugs.
DEFAULT_BOT_SCOPES: tuple[str, ...] = (
    "channels:history", "channels:join", "channels:manage", "channels:read", "chat:write",
    "commands", "files:read", "groups:history", "groups:read", "groups:write", "im:history",
    "im:read", "im:write", "pins:read", "pins:write", "reactions:read", "reactions:write",
    "team:read", "usergroups:read", "users:read", "users:read.email",
)

@dataclass
class _Fault:
    status: int
    error: str
    retry_after: float | None
    hang: float = 0.0
    only: dict | None = None  # applies only to calls whose params include these

    def applies(self, params: dict) -> bool:
        return not self.only or all(params.get(k) == v for k, v in self.only.items())


class SlackFake(WorkspaceAccess):
    """The fake Slack workspace and its HTTP server; see the module docstring."""

    def __init__(self, bot_token: str = "xoxb-test", scopes: list[str] | tuple[str, ...] | None = None,
                 team_id: str = "T0TEST", bot_user_id: str = "U0BOT", host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.bot_token = bot_token
        # Socket Mode: the app-level token and the WebSocket URL apps.connections.open hands out.
        self.app_token = "xapp-1-test"
        self.socket_mode_url: str | None = None
        self.scopes = frozenset(DEFAULT_BOT_SCOPES if scopes is None else scopes)
        self.state = SlackState(team_id, bot_user_id)
        self.delay = 0.0  # seconds added to every API call
        self.trigger_ttl = 3.0  # seconds a trigger id stays valid, as in Slack
        self._host, self._port = host, port
        self._lock = threading.RLock()
        self._records: list[RequestRecord] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._listeners: list[Callable[[RequestRecord], None]] = []
        self._stopped = threading.Event()
        self._server: FakeServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ----------------------------------------------------------------------------
    def start(self) -> "SlackFake":
        self._stopped.clear()
        self._server = FakeServer((self._host, self._port), SlackFakeHandler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="slack-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()  # wakes delayed and hung calls
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "SlackFake":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        assert self._server is not None, "call start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The base URL for slack_sdk (`base_url=`), ending in /api/."""
        return f"{self.root_url}/api/"

    # knobs --------------------------------------------------------------------------------
    def set_delay(self, seconds: float) -> None:
        self.delay = float(seconds)

    def set_trigger_ttl(self, seconds: float) -> None:
        self.trigger_ttl = float(seconds)

    def fail(self, method: str, status: int | None = None, error: str | None = None,
             retry_after: float | None = None, times: int = 1, only: dict | None = None) -> None:
        """Answer the next `times` calls of `method` ("*" = any) with 429/5xx or an ok:false
        error; with `only`, just the calls whose params include those values."""
        if status is None and error is None:
            raise ValueError("fail() needs a status or an error")
        status = status or 200
        if status == 429:
            error, retry_after = error or "ratelimited", 1 if retry_after is None else retry_after
        elif status >= 500:
            error = error or ("service_unavailable" if status == 503 else "internal_error")
        with self._lock:
            self._faults.setdefault(method, []).extend(
                _Fault(status, error or "fatal_error", retry_after, only=only)
                for _ in range(times))

    def hang(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next `times` calls of `method` for `seconds` before answering normally."""
        with self._lock:
            self._faults.setdefault(method, []).extend(_Fault(0, "", None, seconds) for _ in range(times))

    def clear_failures(self) -> None:
        with self._lock:
            self._faults.clear()

    # records ------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def calls(self, method: str | None = None) -> list[RequestRecord]:
        """Recorded calls of one method (or all), successful and failed, in arrival order."""
        return [r for r in self.requests if method is None or r.method == method]

    def reset_requests(self) -> None:
        with self._lock:
            self._records.clear()

    def on_answered(self, listener: Callable[[RequestRecord], None]) -> None:
        """Call `listener(record)` (in the serving thread) once each call has its answer:
        for waiting on calls without polling the whole record list."""
        with self._lock:
            self._listeners.append(listener)

    # the API ------------------------------------------------------------------------------
    def handle_api(self, http_method: str, method: str, headers: dict[str, str], params: dict[str, Any],
                   body_error: str | None = None) -> tuple[int, dict[str, str], dict] | None:
        """Answer one /api/<method> call: record, delay, injected fault, then the method itself."""
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = auth[len("Bearer "):].strip() if auth.startswith("Bearer ") else params.pop("token", None)
        params.pop("token", None)
        record = RequestRecord(method, copy.deepcopy(params), time.monotonic(), 0, http_method, token,
                               dict(headers))
        with self._lock:
            self._records.append(record)
            fault = self._take_fault(method, params)
        wait = self.delay + (fault.hang if fault else 0.0)
        if wait and self._stopped.wait(wait):
            return None
        extra_headers = {"X-OAuth-Scopes": ",".join(sorted(self.scopes))}
        if fault and fault.status:
            status, body = fault.status, {"ok": False, "error": fault.error}
            if fault.retry_after is not None:
                extra_headers["Retry-After"] = str(int(fault.retry_after))
        else:
            ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            try:
                status, body = 200, self._dispatch(method, token, params, body_error, ctype)
            except Exception as exc:  # a bug in the fake: fail loudly, and keep the record honest
                traceback.print_exc(file=sys.stderr)
                status, body = 500, {"ok": False, "error": "fake_internal_error", "detail": repr(exc)}
            if method in METHODS:
                extra_headers["X-Accepted-OAuth-Scopes"] = _scope_header(METHODS[method].scope)
        with self._lock:
            record.status, record.response = status, body
            listeners = list(self._listeners)
        for listener in listeners:
            listener(record)
        return status, extra_headers, body

    def _take_fault(self, method: str, params: dict) -> _Fault | None:
        for key in (method, "*"):
            for n, fault in enumerate(self._faults.get(key) or ()):
                if fault.applies(params):
                    return self._faults[key].pop(n)
        return None

    def _dispatch(self, method: str, token: str | None, params: dict, body_error: str | None,
                  content_type: str) -> dict:
        entry = METHODS.get(method)
        if entry is None and method != "apps.connections.open":
            return {"ok": False, "error": "unknown_method"}
        if not token:
            return {"ok": False, "error": "not_authed"}
        if method == "apps.connections.open":
            # Socket Mode: only an app-level token (xapp-) may open a connection.
            if token != self.app_token:
                return {"ok": False, "error": "not_allowed_token_type" if token == self.bot_token
                        else "invalid_auth"}
            if not self.socket_mode_url:
                return {"ok": False, "error": "socket_mode_not_enabled"}
            return {"ok": True, "url": self.socket_mode_url}
        if token != self.bot_token:
            return {"ok": False, "error": "invalid_auth"}
        if body_error:
            return {"ok": False, "error": body_error}
        call = Call(method, params, self.state, self.scopes, self.root_url)
        try:
            with self._lock:
                if entry.precheck:
                    call.need(entry.scope)
                body = {"ok": True, **entry.handler(call)}
        except SlackError as exc:
            body = {"ok": False, "error": exc.error, **exc.extra}
        if "application/json" in content_type.lower() and "charset" not in content_type.lower():
            call.warn("missing_charset")  # Slack's answer to a JSON body without a charset
        if call.warnings:
            body["warning"] = ",".join(call.warnings)
            body.setdefault("response_metadata", {})["warnings"] = list(call.warnings)
        return body


def _scope_header(scope: Any) -> str:
    if scope is None:
        return ""
    return scope if isinstance(scope, str) else ",".join(scope.values())


def main(argv: list[str] | None = None) -> int:
    """Serve the fake until SIGTERM/SIGINT; prints SLACK_FAKE_URL=... once it listens."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--token", default="xoxb-test")
    parser.add_argument("--team-id", default="T0TEST")
    parser.add_argument("--bot-user-id", default="U0BOT")
    parser.add_argument("--scopes", default=None, help="comma list; default DEFAULT_BOT_SCOPES")
    parser.add_argument("--trigger-ttl", type=float, default=3.0)
    args = parser.parse_args(argv)
    scopes = [s for s in args.scopes.split(",") if s] if args.scopes is not None else None
    fake = SlackFake(args.token, scopes, args.team_id, args.bot_user_id, args.host, args.port)
    fake.delay, fake.trigger_ttl = args.delay_ms / 1000.0, args.trigger_ttl
    fake.start()
    print(f"SLACK_FAKE_URL={fake.url}", flush=True)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(0.2):
        pass
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
