"""What the vendor fakes (PagerDuty, Statuspage, Zoom, Confluence) share: a threaded
HTTP(S) server on an ephemeral loopback port that records every request with its body,
and knobs to answer 429 with Retry-After, 5xx, to hang, or to lose an answer.

Subclasses implement `dispatch`; they may key faults otherwise than "METHOD path"
(`route_of`), record their own kind of request (`record_type`) and answer JSON, or text
when the payload is a str. For TLS, pass `tls=` an SSLContext from tests.fakes.tls_files.
"""

from __future__ import annotations

import copy
import datetime as dt
import fnmatch
import json
import ssl
import threading
from dataclasses import dataclass, field
from time import monotonic
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


Answer = tuple[int, dict[str, str], Any]  # status, extra headers, payload


@dataclass
class Request:
    method: str
    path: str  # without the fake's base path
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any  # parsed JSON, else the text
    params: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""  # the body as sent (multipart, form-encoded...)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None


@dataclass
class Recorded(Request):
    """One request as the fake received it, and what it answered."""

    status: int = 0  # 0 while still being answered, hanging, or never answered
    response: Any = None
    time: float = 0.0  # time.monotonic() at arrival, in the fake's process
    route: str = ""  # what faults are keyed by: `JsonApiFake.route_of`


@dataclass
class _Fault:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    hang: float = 0.0
    then: str = "answer"  # after the hang: "answer", "drop" or "lose" (see the knobs)


class ApiError(Exception):
    """Raised by a fake's handlers: answered as `status` with `body` (and `headers`)."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        super().__init__(status, body)
        self.status, self.body, self.headers = status, body, dict(headers or {})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hung handler must not keep stop() waiting
    fake: "JsonApiFake"
    tls: ssl.SSLContext | None = None

    def finish_request(self, request, client_address):  # noqa: ANN001
        # The TLS handshake runs in the connection's own thread, never in accept().
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # fake.requests is the log

    def _serve(self) -> None:
        fake, method = self.server.fake, self.command
        if method not in fake.methods:  # as http.server answers a method it lacks
            self.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({method!r})")
            return
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = fake.handle(method, url.path, parse_qs(url.query), dict(self.headers), raw)
        if answer is None:  # dropped (a hang, a lost answer, or stopped): no answer at all
            self.close_connection = True
            return
        status, headers, payload = answer
        if isinstance(payload, str):
            content_type, data = "text/plain", payload.encode()
        else:
            content_type = fake.content_type
            data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in {"Content-Type": content_type, **headers,
                            "Content-Length": str(len(data))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class JsonApiFake:
    """Base of a vendor fake; see the module docstring."""

    name = "vendor"
    base_path = ""
    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")  # others get http.server's 501
    content_type = "application/json; charset=utf-8"
    record_type: type[Recorded] = Recorded
    default_retry_after: float | None = 1  # for a 429 fault given none (None: no header)
    hang_then = "answer"  # what hang() does once the time is up, unless told

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 tls: ssl.SSLContext | None = None) -> None:
        self._host, self._port, self._tls = host, port, tls
        self._lock = threading.RLock()
        self._records: list[Recorded] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._stopped = threading.Event()
        self._server: _Server | None = None

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> "JsonApiFake":
        self._stopped.clear()
        self._server = _Server((self._host, self._port), _Handler)
        self._server.fake, self._server.tls = self, self._tls
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name=f"{self.name}-fake", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "JsonApiFake":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        assert self._server is not None, "call start() first"
        host, port = self._server.server_address[:2]
        return f"{'https' if self._tls else 'http'}://{host}:{port}"

    @property
    def url(self) -> str:
        """The API base URL to give the client."""
        return self.root_url + self.base_path

    # knobs -------------------------------------------------------------------------------
    def fail(self, route: str, status: int, retry_after: float | str | None = None,
             times: int = 1, body: Any = None, headers: dict[str, str] | None = None) -> None:
        """Answer the next `times` requests matching `route` ("POST /incidents", globs
        allowed, paths without the base path; or what `route_of` gives) with `status` and
        `body` (else `error_body`). Retry-After: `retry_after` in whole seconds, or a str
        as it is; a 429 without one gets `default_retry_after`."""
        headers = dict(headers or {})
        if status == 429 and retry_after is None:
            retry_after = self.default_retry_after
        if retry_after is not None:
            headers["Retry-After"] = (retry_after if isinstance(retry_after, str)
                                      else str(int(retry_after)))
        self._inject(route, times, _Fault(status, headers, body))

    def hang(self, route: str, seconds: float = 30.0, times: int = 1,
             then: str | None = None) -> None:
        """Hold the next `times` matching requests for `seconds` (or until stop), then
        `then`: "answer" (carried out, answered late) or "drop" (the connection is closed,
        the request never carried out); by default the fake's `hang_then`."""
        assert (then or self.hang_then) in ("answer", "drop"), then
        self._inject(route, times, _Fault(hang=seconds, then=then or self.hang_then))

    def lose_answer(self, route: str, hold: float = 60.0, times: int = 1) -> None:
        """Carry out the next `times` matching requests at once, but hold their answer for
        `hold` seconds (or until stop) and then close the connection without it: as when
        the caller dies before the answer arrives. Their record keeps status 0."""
        self._inject(route, times, _Fault(hang=hold, then="lose"))

    def _inject(self, route: str, times: int, fault: _Fault) -> None:
        with self._lock:
            self._faults.setdefault(route, []).extend(copy.deepcopy(fault)
                                                      for _ in range(times))

    def clear_failures(self) -> None:
        with self._lock:
            self._faults.clear()

    # records -----------------------------------------------------------------------------
    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return copy.deepcopy(self._records)

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """Recorded requests, optionally of one method and a path glob (without base path)."""
        return [r for r in self.requests
                if (method is None or r.method == method)
                and (path is None or fnmatch.fnmatchcase(r.path, path))]

    def calls_to(self, route: str | None = None) -> list[Recorded]:
        """Recorded requests whose `route` (see `route_of`) is that one."""
        return [r for r in self.requests if route is None or r.route == route]

    def reset_requests(self) -> None:
        with self._lock:
            self._records.clear()

    # serving -----------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict, headers: dict, raw: bytes
               ) -> Answer | None:
        """The answer to one request; None to drop the connection without one."""
        path = path[len(self.base_path):] if path.startswith(self.base_path) else path
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        request = Request(method, path, query, headers, body, raw=raw)
        record = self.record_type(method, path, query, headers, copy.deepcopy(body), raw=raw,
                                  route=self.route_of(request), time=monotonic())
        with self._lock:
            self._records.append(record)
            fault = self._take_fault(record.route)
        if fault and fault.hang and fault.then != "lose":
            stopped = self._stopped.wait(fault.hang)
            if stopped or fault.then == "drop":
                return None
        status, extra, payload = self._answer(request, fault)
        if fault and fault.then == "lose":  # carried out; the answer never leaves
            self._stopped.wait(fault.hang)
            return None
        with self._lock:
            record.status, record.response = status, copy.deepcopy(payload)
        return status, extra, payload

    def _answer(self, request: Request, fault: _Fault | None) -> Answer:
        if fault and fault.status:
            payload = fault.body if fault.body is not None else self.error_body(fault.status)
            return fault.status, dict(fault.headers), payload
        try:
            with self._lock:
                status, payload = self.dispatch(request)
        except ApiError as exc:
            return exc.status, exc.headers, exc.body
        return status, {}, payload

    def _take_fault(self, route: str) -> _Fault | None:
        for pattern, queue in self._faults.items():
            if queue and fnmatch.fnmatchcase(route, pattern):
                return queue.pop(0)
        return None

    def route_of(self, request: Request) -> str:
        """What `fail`, `hang` and `lose_answer` match (as a glob) for this request."""
        return f"{request.method} {request.path}"

    def dispatch(self, request: Request) -> tuple[int, Any]:
        """(status, payload) for a request no fault took, under the fake's lock; raise
        ApiError to refuse it."""
        raise NotImplementedError

    def error_body(self, status: int) -> Any:
        return {"error": f"injected {status}"}


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def match(path: str, pattern: str) -> dict[str, str] | None:
    """`/incidents/{id}` against `/incidents/Q1`: {"id": "Q1"}; None when it differs."""
    parts, wanted = path.strip("/").split("/"), pattern.strip("/").split("/")
    if len(parts) != len(wanted):
        return None
    params = {}
    for part, want in zip(parts, wanted):
        if want.startswith("{"):
            params[want[1:-1]] = part
        elif part != want:
            return None
    return params
