"""The PagerDuty adapter: domain verbs around the `pagerduty` library's REST API v2 client,
built once from settings. Library errors become PagerDutyError with a readable message.

The library only accepts https:// base URLs; a local test fake is trusted through
PAGERDUTY_CA_FILE. Its own answer to a 429 is to retry without end on a backoff of its
own that ignores Retry-After: `_RestApi` waits what PagerDuty asks instead, a bounded
number of times. A failure without an answer or with a 5xx becomes PagerDutyUnavailable,
which callers without a person to try again (auto-paging) may retry.
"""
from __future__ import annotations

import contextlib
import logging
import ssl
import time
from dataclasses import dataclass
from typing import Iterator

import pagerduty
from nameko.extensions import DependencyProvider

from services.common.metrics import VENDOR_CALLS
from services.integrations.http_retry import http_timeout, retry_after_seconds
from services.integrations.pagerduty.exceptions import (
    PagerDutyError,
    PagerDutyOff,
    PagerDutyUnavailable,
)

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.pagerduty.com"
TIMEOUT_SECONDS = 8.0
RATE_LIMIT_RETRIES = 3
MAX_RATE_LIMIT_WAIT = 30.0  # a longer Retry-After is not waited for: the 429 is the answer
# PagerDuty's answer to a second open incident with the same incident key on a service;
# matched on the text, as its numeric code is shared with every invalid input.
DEDUP_TEXT = "matching dedup key already exists"


@dataclass(frozen=True)
class PagerDutySettings:
    api_token: str | None
    from_email: str | None
    api_url: str = DEFAULT_API_URL
    ca_file: str | None = None
    timeout: float = TIMEOUT_SECONDS  # of each request; HTTP_TIMEOUT_SECONDS overrides

    @classmethod
    def from_nameko_config(cls, config: dict) -> "PagerDutySettings":
        return cls(api_token=config.get("PAGERDUTY_API_TOKEN") or None,
                   from_email=config.get("PAGERDUTY_FROM_EMAIL") or None,
                   api_url=(config.get("PAGERDUTY_API_URL") or DEFAULT_API_URL).rstrip("/"),
                   ca_file=config.get("PAGERDUTY_CA_FILE") or None,
                   timeout=http_timeout(config, TIMEOUT_SECONDS))

    @property
    def missing(self) -> list[str]:
        # Creating and resolving incidents needs the From header, so both are required.
        return [name for name, value in (("PAGERDUTY_API_TOKEN", self.api_token),
                                         ("PAGERDUTY_FROM_EMAIL", self.from_email)) if not value]


class AlreadyPaged(Exception):
    """PagerDuty already has an open incident with this incident key on the service."""


def _detail(error: pagerduty.Error) -> str:
    response = getattr(error, "response", None)
    if response is None:
        return "no answer"
    try:
        body = response.json().get("error") or {}
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, str):
        return f"HTTP {response.status_code}: {body}"
    reasons = "; ".join(str(e) for e in body.get("errors") or []) or body.get("message") or ""
    return f"HTTP {response.status_code}: {reasons}" if reasons else f"HTTP {response.status_code}"


class _RestApi(pagerduty.RestApiV2Client):
    """The library's REST client, except that a 429 is retried after the wait PagerDuty
    asks for in Retry-After, at most RATE_LIMIT_RETRIES times, and then raised."""

    def send(self, request, **kwargs):  # noqa: ANN001, ANN003, ANN201
        # httpx's Client.request ends here, below the library's own retry loop, which
        # therefore never sees a 429.
        for retry in range(RATE_LIMIT_RETRIES + 1):
            response = super().send(request, **kwargs)
            if response.status_code != 429:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            wait = 2.0 ** retry if wait is None else wait
            if retry == RATE_LIMIT_RETRIES or wait > MAX_RATE_LIMIT_WAIT:
                raise pagerduty.HttpError(f"{request.method} {request.url.path}: rate limited",
                                          response)
            log.info("PagerDuty: rate limited; retrying %s %s in %.1f s as asked",
                     request.method, request.url.path, wait)
            time.sleep(wait)
        raise AssertionError("unreachable")


class PagerDutyClient:
    """What incident-bot does with PagerDuty, in its own words."""

    def __init__(self, settings: PagerDutySettings):
        verify: ssl.SSLContext | bool = True
        if settings.ca_file:
            verify = ssl.create_default_context(cafile=settings.ca_file)
        self.api = _RestApi(settings.api_token, default_from=settings.from_email,
                            base_url=settings.api_url, verify=verify)
        self.api.timeout = settings.timeout
        # One more try after a dropped connection; a hung API must not hold a worker long.
        self.api.max_network_attempts = 1

    @contextlib.contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        try:
            yield
        except AlreadyPaged:
            VENDOR_CALLS.labels("pagerduty", "ok").inc()
            raise
        except pagerduty.Error as exc:
            VENDOR_CALLS.labels("pagerduty", "error").inc()
            log.warning("PagerDuty: %s failed: %s", what, _detail(exc))
            response = getattr(exc, "response", None)
            # No answer, or a 5xx: PagerDuty may take the same request a moment later.
            error = PagerDutyUnavailable if response is None or response.status_code >= 500 \
                else PagerDutyError
            raise error(f"PagerDuty could not {what} ({_detail(exc)}).") from None
        else:
            VENDOR_CALLS.labels("pagerduty", "ok").inc()

    def list_services(self) -> list[dict]:
        with self._calling("list services"):
            return list(self.api.iter_all("services"))

    def list_escalation_policies(self) -> list[dict]:
        with self._calling("list escalation policies"):
            return list(self.api.iter_all("escalation_policies"))

    def list_oncalls(self) -> list[dict]:
        with self._calling("list who is on call"):
            # include[]=users: full user objects (name, email), not just references.
            return list(self.api.iter_all("oncalls", params={"include": ["users"]}))

    def create_incident(self, incident: dict) -> dict:
        """POST /incidents; raises AlreadyPaged when its incident key is open already."""
        with self._calling("page the service"):
            try:
                return self.api.rpost("incidents", json=incident)
            except pagerduty.HttpError as exc:
                if exc.response.status_code == 400 and DEDUP_TEXT in exc.response.text:
                    raise AlreadyPaged(incident.get("incident_key")) from None
                raise

    def find_incident(self, incident_key: str) -> dict | None:
        """The incident opened with `incident_key`, if PagerDuty still lists it."""
        with self._calling("look up an incident"):
            for found in self.api.iter_all("incidents", params={"incident_key": incident_key}):
                return found
        return None

    def resolve_incident(self, incident_id: str) -> dict:
        with self._calling("resolve the incident"):
            return self.api.rput(f"incidents/{incident_id}",
                                 json={"type": "incident_reference", "status": "resolved"})


class PagerDutyProvider(DependencyProvider):
    """`self.pagerduty` in the service: the client, or None when PagerDuty is off."""

    def setup(self) -> None:
        from services.common.dependencies import config_of

        self.settings = PagerDutySettings.from_nameko_config(self.container.config)
        enabled = config_of(self.container.config).integrations.pagerduty.enabled
        self.client: PagerDutyClient | None = None
        if not enabled:
            log.warning("PagerDuty is off: integrations.pagerduty.enabled is false in the config.")
        elif self.settings.missing:
            log.warning("PagerDuty is off: %s not set. Paging and on-call lists do nothing.",
                        " and ".join(self.settings.missing))
        else:
            self.client = PagerDutyClient(self.settings)

    def get_dependency(self, worker_ctx) -> PagerDutyClient | None:  # noqa: ANN001
        return self.client


def require(client: PagerDutyClient | None) -> PagerDutyClient:
    if client is None:
        raise PagerDutyOff("PagerDuty is not set up for incident-bot (ask an admin to set "
                           "PAGERDUTY_API_TOKEN and PAGERDUTY_FROM_EMAIL).")
    return client
