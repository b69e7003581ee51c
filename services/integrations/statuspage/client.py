"""The Statuspage adapter: domain verbs around Statuspage's REST API v1 over `requests`
(there is no maintained vendor library), with bounded, Retry-After-aware retries.

Auth is `Authorization: OAuth <STATUSPAGE_API_KEY>`; everything lives under
/pages/<STATUSPAGE_PAGE_ID>. Refusals become StatuspageError with Statuspage's words.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import requests
from nameko.extensions import DependencyProvider

from services.common.metrics import VENDOR_CALLS
from services.integrations.http_retry import http_timeout, vendor_session
from services.integrations.statuspage.exceptions import (
    StatuspageError,
    StatuspageInDoubt,
    StatuspageOff,
)

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.statuspage.io/v1"
TIMEOUT_SECONDS = 10.0
METADATA_KEY = "incident_bot"  # incident metadata naming the bot's incident
PER_PAGE, MAX_PAGES = 100, 10  # unresolved incidents: a handful on any real page


@dataclass(frozen=True)
class StatuspageSettings:
    api_key: str | None = field(repr=False)
    page_id: str | None
    api_url: str = DEFAULT_API_URL
    timeout: float = TIMEOUT_SECONDS  # of each request; HTTP_TIMEOUT_SECONDS overrides

    @classmethod
    def from_nameko_config(cls, config: dict) -> "StatuspageSettings":
        return cls(api_key=config.get("STATUSPAGE_API_KEY") or None,
                   page_id=config.get("STATUSPAGE_PAGE_ID") or None,
                   api_url=(config.get("STATUSPAGE_API_URL") or DEFAULT_API_URL).rstrip("/"),
                   timeout=http_timeout(config, TIMEOUT_SECONDS))

    @property
    def missing(self) -> list[str]:
        return [name for name, value in (("STATUSPAGE_API_KEY", self.api_key),
                                         ("STATUSPAGE_PAGE_ID", self.page_id)) if not value]


def describe(response: requests.Response) -> str:
    """Statuspage's own words for a refusal: 'HTTP 422: Status is not included in the list'."""
    try:
        body = response.json()
    except ValueError:
        body = None
    reason = None
    if isinstance(body, dict):
        reason = body.get("error") or body.get("message")
    if isinstance(reason, list):
        reason = "; ".join(str(r) for r in reason)
    return f"HTTP {response.status_code}: {reason or response.reason or 'no reason given'}"


class StatuspageClient:
    """What incident-bot does on the status page. Safe to share between green threads."""

    def __init__(self, settings: StatuspageSettings, session: requests.Session | None = None,
                 timeout: float | None = None):
        self.page_url = f"{settings.api_url}/pages/{settings.page_id}"
        # A POST or PATCH that failed with a 5xx may have been carried out: only 429s
        # (never carried out) are retried for those.
        self.session = session or vendor_session(rate_limit_retries=3, server_error_retries=1)
        self.session.headers["Authorization"] = f"OAuth {settings.api_key}"
        self.timeout = settings.timeout if timeout is None else timeout

    def _call(self, what: str, method: str, path: str, body: dict | None = None) -> Any:
        try:
            response = self.session.request(method, f"{self.page_url}{path}", json=body,
                                            timeout=self.timeout)
        except requests.RequestException as exc:
            VENDOR_CALLS.labels("statuspage", "error").inc()
            log.warning("Statuspage: %s failed: %s", what, type(exc).__name__)
            raise StatuspageInDoubt(f"Statuspage did not answer when asked to {what}.") \
                from None
        if not response.ok:
            VENDOR_CALLS.labels("statuspage", "error").inc()
            log.warning("Statuspage: %s refused: %s", what, describe(response))
            error = StatuspageInDoubt if response.status_code >= 500 else StatuspageError
            raise error(f"Statuspage could not {what} ({describe(response)}).")
        VENDOR_CALLS.labels("statuspage", "ok").inc()
        return response.json() if response.content else None

    def list_components(self) -> list[dict]:
        return self._call("list components", "GET", "/components") or []

    def create_incident(self, name: str, status: str, body: str,
                        components: dict[str, str], bot_incident_id: int | None = None) -> dict:
        """`bot_incident_id` goes into the incident's metadata, for `find_published`."""
        incident = {"name": name, "status": status, "body": body,
                    "component_ids": list(components), "components": components,
                    "deliver_notifications": True}
        if bot_incident_id is not None:
            incident["metadata"] = {METADATA_KEY: {"incident_id": str(bot_incident_id)}}
        return self._call("create the incident", "POST", "/incidents", {"incident": incident})

    def find_published(self, bot_incident_id: int) -> dict | None:
        """The unresolved Statuspage incident created for `bot_incident_id`, if any: what
        a create whose answer was lost may have made."""
        wanted = {"incident_id": str(bot_incident_id)}
        for page in range(1, MAX_PAGES + 1):
            listed = self._call("list unresolved incidents", "GET",
                                f"/incidents/unresolved?page={page}&per_page={PER_PAGE}") or []
            for incident in listed:
                if (incident.get("metadata") or {}).get(METADATA_KEY) == wanted:
                    return incident
            if len(listed) < PER_PAGE:
                return None
        return None

    def update_incident(self, incident_id: str, status: str, body: str,
                        components: dict[str, str]) -> dict:
        change: dict[str, Any] = {"status": status, "body": body, "deliver_notifications": True}
        if components:
            change.update(component_ids=list(components), components=components)
        return self._call("update the incident", "PATCH", f"/incidents/{incident_id}",
                          {"incident": change})

    def set_component_status(self, component_id: str, status: str) -> dict:
        return self._call("set a component's status", "PATCH", f"/components/{component_id}",
                          {"component": {"status": status}})


class StatuspageProvider(DependencyProvider):
    """`self.statuspage` in the service: the client, or None when Statuspage is off."""

    def setup(self) -> None:
        from services.common.dependencies import config_of

        self.settings = StatuspageSettings.from_nameko_config(self.container.config)
        enabled = config_of(self.container.config).integrations.statuspage.enabled
        self.client: StatuspageClient | None = None
        if not enabled:
            log.warning("Statuspage is off: integrations.statuspage.enabled is false in the "
                        "config.")
        elif self.settings.missing:
            log.warning("Statuspage is off: %s not set. Nothing is published.",
                        " and ".join(self.settings.missing))
        else:
            self.client = StatuspageClient(self.settings)

    def get_dependency(self, worker_ctx) -> StatuspageClient | None:  # noqa: ANN001
        return self.client


def require(client: StatuspageClient | None) -> StatuspageClient:
    if client is None:
        raise StatuspageOff("Statuspage is not set up for incident-bot (ask an admin to set "
                            "STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID).")
    return client
