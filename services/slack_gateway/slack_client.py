"""The Slack Web API client, built once from settings, with slack_sdk's own retry
handlers (429 + Retry-After, 5xx, connection errors) instead of hand-written loops."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from services.common.metrics import SLACK_CALLS, SLACK_RETRIES
from services.integrations.http_retry import http_timeout

DEFAULT_API_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 15.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str | None
    signing_secret: str | None
    api_url: str = DEFAULT_API_URL
    app_token: str | None = None
    timeout: float = TIMEOUT_SECONDS  # of each Web API call; HTTP_TIMEOUT_SECONDS overrides

    @classmethod
    def from_nameko_config(cls, config: dict) -> "SlackSettings":
        api_url = config.get("SLACK_API_URL") or DEFAULT_API_URL
        return cls(bot_token=config.get("SLACK_BOT_TOKEN") or None,
                   signing_secret=config.get("SLACK_SIGNING_SECRET") or None,
                   api_url=api_url if api_url.endswith("/") else api_url + "/",
                   app_token=config.get("SLACK_APP_TOKEN") or None,
                   timeout=http_timeout(config, TIMEOUT_SECONDS))

    @property
    def missing(self) -> list[str]:
        return [name for name, value in (("SLACK_BOT_TOKEN", self.bot_token),
                                         ("SLACK_SIGNING_SECRET", self.signing_secret))
                if not value]

    @property
    def enabled(self) -> bool:
        return not self.missing


def _counted(handler_cls: type, reason: str) -> type:
    """slack_sdk's own retry handler, counting the retries it decides on."""

    class Counted(handler_cls):
        def _can_retry(self, *, state, request, response=None, error=None) -> bool:  # noqa: ANN001
            decided = super()._can_retry(state=state, request=request, response=response,
                                         error=error)
            if decided:
                SLACK_RETRIES.labels(reason).inc()
            return decided

    Counted.__name__ = f"Counted{handler_cls.__name__}"
    return Counted


class MeteredWebClient(WebClient):
    """WebClient that counts each Web API call by method and outcome."""

    def api_call(self, api_method: str, **kwargs):  # noqa: ANN003, ANN201
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            SLACK_CALLS.labels(api_method, exc.response.get("error") or "error").inc()
            raise
        SLACK_CALLS.labels(api_method, "ok").inc()
        return response


def make_web_client(settings: SlackSettings, timeout: float | None = None) -> WebClient:
    return MeteredWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=settings.timeout if timeout is None else timeout,
        retry_handlers=[
            _counted(ConnectionErrorRetryHandler, "connection")(max_retry_count=2),
            _counted(RateLimitErrorRetryHandler, "ratelimited")(max_retry_count=5),
            _counted(ServerErrorRetryHandler, "server_error")(max_retry_count=2),
        ],
        logger=logging.getLogger("slack_sdk.web"),
    )
