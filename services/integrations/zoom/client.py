"""Zoom adapter: Server-to-Server OAuth tokens and meeting creation over `requests`."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import requests

from services.integrations.http_retry import http_timeout, vendor_session

CREDENTIAL_KEYS = ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")
DEFAULT_API_URL = "https://api.zoom.us/v2"
DEFAULT_OAUTH_URL = "https://zoom.us/oauth/token"
TOKEN_MARGIN = 60.0  # seconds before `expires_in` at which a cached token is renewed
TIMEOUT = 15.0
INSTANT, SCHEDULED = 1, 2


class ZoomError(Exception):
    """Zoom refused or could not be reached; the message is safe to show users."""


@dataclass(frozen=True)
class ZoomSettings:
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    oauth_url: str = DEFAULT_OAUTH_URL
    timeout: float = TIMEOUT  # of each request; HTTP_TIMEOUT_SECONDS overrides

    @staticmethod
    def missing(config: Mapping) -> list[str]:
        return [key for key in CREDENTIAL_KEYS if not config.get(key)]

    @classmethod
    def from_nameko_config(cls, config: Mapping) -> "ZoomSettings | None":
        """None when a credential is missing (see `missing`)."""
        if cls.missing(config):
            return None
        return cls(config["ZOOM_ACCOUNT_ID"], config["ZOOM_CLIENT_ID"],
                   config["ZOOM_CLIENT_SECRET"],
                   (config.get("ZOOM_API_URL") or DEFAULT_API_URL).rstrip("/"),
                   config.get("ZOOM_OAUTH_URL") or DEFAULT_OAUTH_URL,
                   http_timeout(config, TIMEOUT))


def describe(response: requests.Response) -> str:
    """Zoom's own words for a refusal: 'HTTP 400: Validation Failed. (code 300)'."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    message = body.get("message") or body.get("reason") or response.reason or "no reason given"
    code = body.get("code") or body.get("error")
    return f"HTTP {response.status_code}: {message}" + (f" (code {code})" if code else "")


class ZoomClient:
    """Domain verbs around Zoom's REST API. Safe to share between green threads."""

    def __init__(self, settings: ZoomSettings, session: requests.Session | None = None,
                 clock: Callable[[], float] = time.monotonic, timeout: float | None = None):
        self.settings = settings
        # Creating a meeting twice is harmless but untidy: 5xx is retried once only.
        self.session = session or vendor_session(
            rate_limit_retries=3, server_error_retries=1,
            server_error_methods=frozenset({"GET", "POST"}))
        self.clock = clock
        self.timeout = settings.timeout if timeout is None else timeout
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def access_token(self) -> str:
        """A cached account token, renewed shortly before Zoom expires it."""
        with self._lock:
            if self._token is None or self.clock() >= self._expires_at:
                self._token, lifetime = self._request_token()
                margin = min(TOKEN_MARGIN, lifetime / 2)
                self._expires_at = self.clock() + lifetime - margin
            return self._token

    def forget_token(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def _request_token(self) -> tuple[str, float]:
        try:
            response = self.session.post(
                self.settings.oauth_url,
                params={"grant_type": "account_credentials",
                        "account_id": self.settings.account_id},
                auth=(self.settings.client_id, self.settings.client_secret),
                timeout=self.timeout)
        except requests.RequestException as exc:
            raise ZoomError(f"Zoom sign-in failed: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise ZoomError(f"Zoom sign-in was refused ({describe(response)})")
        data = response.json()
        return data["access_token"], float(data.get("expires_in") or 3600)

    def create_meeting(self, topic: str, meeting_type: int = INSTANT) -> dict:
        """Create a meeting owned by the app's account user; returns Zoom's meeting object.

        Responders join without the host: the host is the API account, not a person.
        """
        body = {"topic": topic, "type": meeting_type,
                "settings": {"join_before_host": True, "jbh_time": 0,
                             "waiting_room": False, "approval_type": 2}}
        for attempt in (1, 2):
            token = self.access_token()
            try:
                response = self.session.post(f"{self.settings.api_url}/users/me/meetings",
                                             json=body, timeout=self.timeout,
                                             headers={"Authorization": f"Bearer {token}"})
            except requests.RequestException as exc:
                raise ZoomError(f"Zoom could not be reached: {type(exc).__name__}") from None
            if response.status_code == 401 and attempt == 1:
                self.forget_token(token)  # revoked or expired early: sign in again once
                continue
            break
        if response.status_code != 201:
            raise ZoomError(f"Zoom did not create the meeting ({describe(response)})")
        meeting = response.json()
        if not meeting.get("id") or not meeting.get("join_url"):
            raise ZoomError("Zoom's answer had no meeting id or join link")
        return meeting
