"""Confluence adapter: pages and attachments, over atlassian-python-api (Server/DC REST v1).

`cloud=False` on purpose: in atlassian-python-api 5.x a `*.atlassian.net` URL would give
the Cloud class, which has no `create_page`/`attach_content` (see STACK-NOTES); the v1
REST paths used here are the same on Cloud and Server.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import requests
from atlassian import Confluence
from atlassian.errors import ApiError

from services.integrations.http_retry import http_timeout, vendor_session

log = logging.getLogger(__name__)
CREDENTIAL_KEYS = ("CONFLUENCE_URL", "CONFLUENCE_USERNAME", "CONFLUENCE_API_TOKEN")
ATTEMPTS = 3  # for writes; reads are retried by the session (429 and 5xx)
PAUSE_SECONDS = 1.0
TIMEOUT = 30.0


class ConfluenceError(Exception):
    """Confluence refused or could not be reached; the message names no secret."""


class TitleTaken(ConfluenceError):
    pass


@dataclass(frozen=True)
class ConfluenceSettings:
    url: str
    username: str
    api_token: str = field(repr=False)
    timeout: float = TIMEOUT  # of each request; HTTP_TIMEOUT_SECONDS overrides

    @staticmethod
    def missing(config: Mapping) -> list[str]:
        return [key for key in CREDENTIAL_KEYS if not config.get(key)]

    @classmethod
    def from_nameko_config(cls, config: Mapping) -> "ConfluenceSettings | None":
        if cls.missing(config):
            return None
        return cls(config["CONFLUENCE_URL"].rstrip("/"), config["CONFLUENCE_USERNAME"],
                   config["CONFLUENCE_API_TOKEN"], http_timeout(config, TIMEOUT))


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    url: str


def _transient(exc: Exception) -> bool:
    if isinstance(exc, requests.HTTPError):
        status = exc.response.status_code if exc.response is not None else 0
        return status >= 500 or status == 429
    return isinstance(exc, (requests.ConnectionError, requests.Timeout))


def _reason(exc: Exception) -> str:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.response.reason
        return f"HTTP {exc.response.status_code}: {first[:300]}"
    if isinstance(exc, ApiError):
        return str(exc)[:300]
    return f"Confluence could not be reached ({type(exc).__name__})"


class ConfluenceClient:
    """Domain verbs: find a page, create a page, attach a file."""

    def __init__(self, settings: ConfluenceSettings, attempts: int = ATTEMPTS,
                 pause: float = PAUSE_SECONDS, timeout: float | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.attempts, self.pause, self.sleep = attempts, pause, sleep
        # Reads retry 429 and 5xx in the session; writes retry 429 there (not carried
        # out) and 5xx here, after checking whether the failed write happened anyway.
        session = vendor_session(rate_limit_retries=3, server_error_retries=2)
        # The library keeps whole seconds only (int(0.5) would be 0, which requests
        # refuses): rounded up, never shorter than asked.
        self.timeout = math.ceil(settings.timeout if timeout is None else timeout)
        self.api = Confluence(url=settings.url, username=settings.username,
                              password=settings.api_token, cloud=False, session=session,
                              timeout=self.timeout, retry_with_header=False)

    def find_page(self, space: str, title: str) -> Page | None:
        try:
            found = self.api.get_page_by_title(space, title)
        except (requests.RequestException, ApiError) as exc:
            raise ConfluenceError(f"could not look up page {title!r}: {_reason(exc)}") from None
        if isinstance(found, dict) and "results" in found:
            found = next((p for p in found["results"] if p.get("title") == title), None)
        return self._page(found) if found else None

    def create_page(self, space: str, parent_id: str, title: str, body: str) -> Page:
        """Create a page under `parent_id`. Callers pick a title that was free: after a
        failed attempt, a page found under that title is the one this call made."""
        for attempt in range(1, self.attempts + 1):
            try:
                return self._page(self.api.create_page(space, title, body, parent_id=parent_id,
                                                       representation="storage"))
            except (requests.RequestException, ApiError) as exc:
                if isinstance(exc, requests.HTTPError) and exc.response is not None and \
                        exc.response.status_code == 400 and "already exists" in str(exc).lower():
                    raise TitleTaken(title) from None
                if not _transient(exc) or attempt == self.attempts:
                    raise ConfluenceError(f"could not create the page: {_reason(exc)}") from None
                log.warning("creating page %r failed (%s); retrying", title, _reason(exc))
            self.sleep(self.pause * attempt)
            made = self.find_page(space, title)
            if made is not None:
                return made
        raise AssertionError("unreachable")

    def attach(self, page_id: str, name: str, content: bytes, mimetype: str) -> None:
        """Upload a file under a name new on this page (re-uploads fail, see STACK-NOTES).
        A file of that name already there is ours (names are derived from the pinned item):
        an interrupted writer uploaded it before, and it is left as it is."""
        for attempt in range(1, self.attempts + 1):
            try:
                self.api.attach_content(content, name, content_type=mimetype, page_id=page_id,
                                        comment="Pinned in the incident's war room")
                return
            except (requests.RequestException, ApiError) as exc:
                if not _transient(exc) and self._has_attachment(page_id, name):
                    return
                if not _transient(exc) or attempt == self.attempts:
                    raise ConfluenceError(f"could not attach {name}: {_reason(exc)}") from None
                log.warning("attaching %s failed (%s); retrying", name, _reason(exc))
            self.sleep(self.pause * attempt)
            if self._has_attachment(page_id, name):
                return

    def _has_attachment(self, page_id: str, name: str) -> bool:
        try:
            found = self.api.get_attachments_from_content(page_id, filename=name)
        except (requests.RequestException, ApiError):
            return False
        return bool((found or {}).get("results"))

    def _page(self, content: dict) -> Page:
        links = content.get("_links") or {}
        base = links.get("base") or self.settings.url
        webui = links.get("webui") or f"/pages/viewpage.action?pageId={content['id']}"
        return Page(str(content["id"]), content.get("title", ""), base + webui)
