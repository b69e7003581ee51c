"""The Slack Web API client, built once from settings, with slack_sdk's own retry
handlers (429 + Retry-After, 5xx, connection errors) instead of hand-written loops."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

DEFAULT_API_URL = "https://slack.com/api/"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str | None
    signing_secret: str | None
    api_url: str = DEFAULT_API_URL
    app_token: str | None = None

    @classmethod
    def from_nameko_config(cls, config: dict) -> "SlackSettings":
        api_url = config.get("SLACK_API_URL") or DEFAULT_API_URL
        return cls(bot_token=config.get("SLACK_BOT_TOKEN") or None,
                   signing_secret=config.get("SLACK_SIGNING_SECRET") or None,
                   api_url=api_url if api_url.endswith("/") else api_url + "/",
                   app_token=config.get("SLACK_APP_TOKEN") or None)

    @property
    def missing(self) -> list[str]:
        return [name for name, value in (("SLACK_BOT_TOKEN", self.bot_token),
                                         ("SLACK_SIGNING_SECRET", self.signing_secret))
                if not value]

    @property
    def enabled(self) -> bool:
        return not self.missing


def make_web_client(settings: SlackSettings, timeout: int = 15) -> WebClient:
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
        logger=logging.getLogger("slack_sdk.web"),
    )
