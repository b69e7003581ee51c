"""A Zoom API fake over real HTTP: Server-to-Server OAuth and meeting creation.

    with ZoomFake() as zoom:
        settings = ZoomSettings(zoom.account_id, zoom.client_id, zoom.client_secret,
                                api_url=zoom.api_url, oauth_url=zoom.oauth_url)

Speaks `POST /oauth/token?grant_type=account_credentials&account_id=...` (HTTP Basic
client_id:client_secret) and `POST /v2/users/me/meetings` (Bearer token). Records every
request with its body; `fail()` answers 429 (Retry-After, X-RateLimit-*) or 5xx, `hang()`
holds requests and then drops them undone, `lose_answer()` carries one out and drops its
answer, `expire_tokens()` makes issued tokens invalid. Faults are keyed by endpoint:
"token" or "meetings". The plumbing is JsonApiFake's.
"""
from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.json_api_fake import ApiError, JsonApiFake, Recorded, Request

TOPIC_LIMIT = 200
RATE_LIMIT_HEADERS = {"X-RateLimit-Category": "Medium", "X-RateLimit-Type": "QPS",
                      "X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0"}
RATE_LIMIT_BODY = {"code": 429, "message": "You have exceeded the per-second rate limit for "
                                           "this API. Try again later."}


@dataclass
class ZoomRequest(Recorded):
    """A request to the fake; `query` keeps the last value of each name."""

    def __post_init__(self) -> None:
        self.query = {k: v[-1] for k, v in self.query.items()}

    @property
    def endpoint(self) -> str:
        return self.route  # "token", "meetings" or "other"


class ZoomFake(JsonApiFake):
    name = "zoom"
    methods = ("GET", "POST")
    content_type = "application/json;charset=UTF-8"
    record_type = ZoomRequest
    default_retry_after = None
    hang_then = "drop"  # Zoom made nothing: the request is dropped undone

    def __init__(self, account_id: str = "acct-test", client_id: str = "client-test",
                 client_secret: str = "zoom-secret-test", token_ttl: int = 3600) -> None:
        super().__init__()
        self.account_id, self.client_id, self.client_secret = account_id, client_id, client_secret
        self.token_ttl = token_ttl
        self.meetings: list[dict] = []
        self._tokens: set[str] = set()
        self._next_id = 85_746_065_000

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
            for name, value in RATE_LIMIT_HEADERS.items():
                headers.setdefault(name, value)
            body = body or RATE_LIMIT_BODY
        super().fail(endpoint, status, retry_after, times, body, headers)

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def calls(self, endpoint: str | None = None) -> list[ZoomRequest]:
        return self.calls_to(endpoint)

    # serving ------------------------------------------------------------------------------
    def route_of(self, request: Request) -> str:
        return "token" if request.path == "/oauth/token" else \
            "meetings" if request.path.endswith("/meetings") else "other"

    def error_body(self, status: int) -> Any:
        return {"code": status, "message": "Internal Error"}

    def dispatch(self, request: Request) -> tuple[int, Any]:
        if request.method == "POST" and request.path == "/oauth/token":
            return self._token(request)
        if request.method == "POST" and request.path == "/v2/users/me/meetings":
            return self._create_meeting(request)
        raise ApiError(404, {"code": 404, "message": "Not found"})

    def _token(self, request: Request) -> tuple[int, dict]:
        params = {k: v[-1] for k, v in request.query.items()}
        if request.raw and "x-www-form-urlencoded" in (request.header("Content-Type") or ""):
            params.update({k: v[-1] for k, v in parse_qs(request.raw.decode()).items()})
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.header("Authorization") != f"Basic {expected}":
            raise ApiError(401, {"reason": "Invalid client_id or client_secret",
                                 "error": "invalid_client"})
        if params.get("grant_type") != "account_credentials":
            raise ApiError(400, {"reason": "Unsupported grant type",
                                 "error": "unsupported_grant_type"})
        if params.get("account_id") != self.account_id:
            raise ApiError(400, {"reason": "Invalid account_id", "error": "invalid_request"})
        token = "eyJ" + secrets.token_urlsafe(24)
        self._tokens.add(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": self.token_ttl,
                     "scope": "meeting:write:meeting:admin meeting:read:meeting:admin",
                     "api_url": self.root_url}

    def _create_meeting(self, request: Request) -> tuple[int, dict]:
        auth = request.header("Authorization") or ""
        if not (auth.startswith("Bearer ") and auth[len("Bearer "):] in self._tokens):
            raise ApiError(401, {"code": 124, "message": "Invalid access token."})
        body = request.body  # parsed JSON, or the text when it was none
        if not isinstance(body, dict):
            raise ApiError(400, {"code": 300,
                                 "message": "Request Body should be a valid JSON object."})
        topic, kind = body.get("topic", "Zoom Meeting"), body.get("type", 2)
        problems = []
        if not isinstance(topic, str) or len(topic) > TOPIC_LIMIT:
            problems.append({"field": "topic", "message": f"Topic must be at most {TOPIC_LIMIT} "
                                                          "characters."})
        if kind not in (1, 2, 3, 8, 10):
            problems.append({"field": "type", "message": "Invalid meeting type."})
        if problems:
            raise ApiError(400, {"code": 300, "message": "Validation Failed.",
                                 "errors": problems})
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
        self.meetings.append(meeting)
        return 201, meeting

