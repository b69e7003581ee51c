"""A Zoom API fake over real HTTP: Server-to-Server OAuth and meeting creation.

    with ZoomFake() as zoom:
        settings = ZoomSettings(zoom.account_id, zoom.client_id, zoom.client_secret,
                                api_url=zoom.api_url, oauth_url=zoom.oauth_url)

Speaks `POST /oauth/token?grant_type=account_credentials&account_id=...` (HTTP Basic
client_id:client_secret) and `POST /v2/users/me/meetings` (Bearer token). Records every
request with its body; `fail()` answers 429 (Retry-After, X-RateLimit-*) or 5xx, `hang()`
holds requests, `expire_tokens()` makes issued tokens invalid.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOPIC_LIMIT = 200
ENDPOINTS = ("token", "meetings")


@dataclass
class ZoomRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int = 0  # 0 while being answered, or when a hang dropped the connection
    time: float = 0.0  # time.monotonic() at arrival, in the fake's process

    @property
    def endpoint(self) -> str:
        return "token" if self.path == "/oauth/token" else \
            "meetings" if self.path.endswith("/meetings") else "other"

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None
    hang: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: "ZoomFake"


class ZoomFake:
    def __init__(self, account_id: str = "acct-test", client_id: str = "client-test",
                 client_secret: str = "zoom-secret-test", token_ttl: int = 3600) -> None:
        self.account_id, self.client_id, self.client_secret = account_id, client_id, client_secret
        self.token_ttl = token_ttl
        self.requests: list[ZoomRequest] = []
        self.meetings: list[dict] = []
        self._tokens: set[str] = set()
        self._faults: dict[str, list[_Fault]] = {name: [] for name in ENDPOINTS}
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._server: _Server | None = None
        self._next_id = 85_746_065_000

    # lifecycle ----------------------------------------------------------------------------
    def start(self) -> "ZoomFake":
        self._stopped.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name="zoom-fake", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "ZoomFake":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.root_url}/v2"

    @property
    def oauth_url(self) -> str:
        return f"{self.root_url}/oauth/token"

    def env(self) -> dict[str, str]:
        """The service's environment for talking to this fake."""
        return {"ZOOM_ACCOUNT_ID": self.account_id, "ZOOM_CLIENT_ID": self.client_id,
                "ZOOM_CLIENT_SECRET": self.client_secret, "ZOOM_API_URL": self.api_url,
                "ZOOM_OAUTH_URL": self.oauth_url}

    # knobs --------------------------------------------------------------------------------
    def fail(self, endpoint: str, status: int, times: int = 1, retry_after: str | None = None,
             headers: dict[str, str] | None = None, body: dict | None = None) -> None:
        """Answer the next `times` requests to `endpoint` ("token" or "meetings") with
        `status` (429: Zoom's rate-limit body and X-RateLimit-* headers)."""
        headers = dict(headers or {})
        if status == 429:
            headers.setdefault("X-RateLimit-Category", "Medium")
            headers.setdefault("X-RateLimit-Type", "QPS")
            headers.setdefault("X-RateLimit-Limit", "20")
            headers.setdefault("X-RateLimit-Remaining", "0")
            body = body or {"code": 429, "message": "You have exceeded the per-second rate "
                                                    "limit for this API. Try again later."}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        with self._lock:
            self._faults[endpoint].extend(_Fault(status, headers, body) for _ in range(times))

    def hang(self, endpoint: str, seconds: float = 30.0, times: int = 1) -> None:
        """Hold the next requests `seconds` (or until stop), then drop the connection."""
        with self._lock:
            self._faults[endpoint].extend(_Fault(0, hang=seconds) for _ in range(times))

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def calls(self, endpoint: str | None = None) -> list[ZoomRequest]:
        with self._lock:
            return [r for r in self.requests if endpoint is None or r.endpoint == endpoint]

    # handling -----------------------------------------------------------------------------
    def handle(self, request: ZoomRequest) -> tuple[int, dict[str, str], dict] | None:
        with self._lock:
            self.requests.append(request)
            queue = self._faults.get(request.endpoint)
            fault = queue.pop(0) if queue else None
        if fault is not None and fault.hang:
            self._stopped.wait(fault.hang)
            return None
        if fault is not None:
            return fault.status, fault.headers, fault.body or {
                "code": fault.status, "message": "Internal Error"}
        if request.method == "POST" and request.endpoint == "token":
            return self._token(request)
        if request.method == "POST" and request.path == "/v2/users/me/meetings":
            return self._create_meeting(request)
        return 404, {}, {"code": 404, "message": "Not found"}

    def _token(self, request: ZoomRequest) -> tuple[int, dict, dict]:
        params = dict(request.query)
        if request.body and "x-www-form-urlencoded" in request.headers.get("content-type", ""):
            params.update({k: v[-1] for k, v in parse_qs(request.body.decode()).items()})
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return 401, {}, {"reason": "Invalid client_id or client_secret",
                             "error": "invalid_client"}
        if params.get("grant_type") != "account_credentials":
            return 400, {}, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"}
        if params.get("account_id") != self.account_id:
            return 400, {}, {"reason": "Invalid account_id", "error": "invalid_request"}
        token = "eyJ" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return 200, {}, {"access_token": token, "token_type": "bearer",
                         "expires_in": self.token_ttl,
                         "scope": "meeting:write:meeting:admin meeting:read:meeting:admin",
                         "api_url": self.root_url}

    def _create_meeting(self, request: ZoomRequest) -> tuple[int, dict, dict]:
        auth = request.headers.get("authorization", "")
        with self._lock:
            valid = auth.startswith("Bearer ") and auth[len("Bearer "):] in self._tokens
        if not valid:
            return 401, {}, {"code": 124, "message": "Invalid access token."}
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return 400, {}, {"code": 300, "message": "Request Body should be a valid JSON object."}
        topic, kind = body.get("topic", "Zoom Meeting"), body.get("type", 2)
        problems = []
        if not isinstance(topic, str) or len(topic) > TOPIC_LIMIT:
            problems.append({"field": "topic", "message": f"Topic must be at most {TOPIC_LIMIT} "
                                                          "characters."})
        if kind not in (1, 2, 3, 8, 10):
            problems.append({"field": "type", "message": "Invalid meeting type."})
        if problems:
            return 400, {}, {"code": 300, "message": "Validation Failed.", "errors": problems}
        with self._lock:
            self._next_id += 1
            meeting_id = self._next_id
        password = secrets.token_hex(3)
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        meeting = {
            "uuid": base64.b64encode(secrets.token_bytes(16)).decode(), "id": meeting_id,
            "host_id": "KDcuGIm1QgePTO8WbOqwIQ", "host_email": "incidents@example.com",
            "topic": topic, "type": kind, "status": "waiting", "timezone": "UTC",
            "created_at": now, "start_time": body.get("start_time", now),
            "duration": body.get("duration", 60), "agenda": body.get("agenda", ""),
            "start_url": f"https://zoom.us/s/{meeting_id}?zak=host-secret-{secrets.token_hex(8)}",
            "join_url": f"https://zoom.us/j/{meeting_id}?pwd={password}",
            "password": password, "h323_password": password, "pstn_password": password,
            "encrypted_password": password, "pre_schedule": False,
            "settings": {"join_before_host": False, "waiting_room": True, "approval_type": 2,
                         **(body.get("settings") or {})},
        }
        if kind == 1:
            meeting.pop("start_time")
        with self._lock:
            self.meetings.append(meeting)
        return 201, {}, meeting


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = ZoomRequest(method, url.path,
                              {k: v[-1] for k, v in parse_qs(url.query).items()},
                              {k.lower(): v for k, v in self.headers.items()}, body,
                              time=time.monotonic())
        answer = self.server.fake.handle(request)
        if answer is None:
            self.close_connection = True
            return
        status, headers, payload = answer
        request.status = status
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
