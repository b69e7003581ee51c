"""What the vendor fakes (PagerDuty, Statuspage) share: a threaded HTTP(S) server on an
ephemeral loopback port that records every request with its body, and knobs to answer
429 with Retry-After, 5xx, or to hang. Subclasses implement `dispatch`.

For TLS, pass `tls=` an SSLContext from tests.fakes.tls_files.
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request as the fake received it, and what it answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int = 0  # 0 while still being answered (or hanging)
    response: Any = None
    time: float = 0.0  # time.monotonic() at arrival, in the fake's process

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class _Fault:
    status: int = 0
    retry_after: float | None = None
    hang: float = 0.0
    body: Any = None


class ApiError(Exception):
    """Raised by a fake's handlers: answered as `status` with `body`."""

    def __init__(self, status: int, body: Any):
        super().__init__(status, body)
        self.status, self.body = status, body


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default


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

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        answer = self.server.fake.handle(method, url.path, parse_qs(url.query), dict(self.headers),
                                         body)
        if answer is None:  # stopped while hanging: drop the connection
            self.close_connection = True
            return
        status, headers, payload = answer
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class JsonApiFake:
    """Base of a vendor fake; see the module docstring."""

    name = "vendor"
    base_path = ""

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
    def fail(self, route: str, status: int, retry_after: float | None = None, times: int = 1,
             body: Any = None) -> None:
        """Answer the next `times` requests matching `route` ("POST /incidents", globs
        allowed, paths without the base path) with `status` (429 gets Retry-After)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.setdefault(route, []).extend(
                _Fault(status, retry_after, 0.0, body) for _ in range(times))

    def hang(self, route: str, seconds: float, times: int = 1) -> None:
        """Hold the next `times` matching requests for `seconds`, then answer normally."""
        with self._lock:
            self._faults.setdefault(route, []).extend(_Fault(hang=seconds) for _ in range(times))

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

    def reset_requests(self) -> None:
        with self._lock:
            self._records.clear()

    # serving -----------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict, headers: dict, body: Any
               ) -> tuple[int, dict[str, str], Any] | None:
        path = path[len(self.base_path):] if path.startswith(self.base_path) else path
        record = Recorded(method, path, query, headers, copy.deepcopy(body), time=monotonic())
        with self._lock:
            self._records.append(record)
            fault = self._take_fault(f"{method} {path}")
        if fault and fault.hang and self._stopped.wait(fault.hang):
            return None
        extra: dict[str, str] = {}
        if fault and fault.status:
            status = fault.status
            payload = fault.body if fault.body is not None else self.error_body(status)
            if fault.retry_after is not None:
                extra["Retry-After"] = str(int(fault.retry_after))
        else:
            try:
                with self._lock:
                    status, payload = self.dispatch(Request(method, path, query, headers, body))
            except ApiError as exc:
                status, payload = exc.status, exc.body
        with self._lock:
            record.status, record.response = status, copy.deepcopy(payload)
        return status, extra, payload

    def _take_fault(self, route: str) -> _Fault | None:
        for pattern, queue in self._faults.items():
            if queue and fnmatch.fnmatchcase(route, pattern):
                return queue.pop(0)
        return None

    def dispatch(self, request: Request) -> tuple[int, Any]:
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
