"""Logging set-up: one format, and secrets never reach the output."""
from __future__ import annotations

import logging
import os
import re

SECRET_ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PAGERDUTY_API_TOKEN",
              "STATUSPAGE_API_KEY", "ZOOM_CLIENT_SECRET", "CONFLUENCE_API_TOKEN")
TOKEN_PATTERN = re.compile(r"\bxox[abprse]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+")
URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


class RedactSecrets(logging.Filter):
    """Replaces Slack tokens, URL passwords and known secret values with [redacted]."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        text = TOKEN_PATTERN.sub("[redacted]", text)
        text = URL_PASSWORD.sub(r"\1[redacted]@", text)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.redact(message), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def configure_logging(level: str | None = None, env: dict | None = None) -> None:
    env = os.environ if env is None else env
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets([env.get(name, "") for name in SECRET_ENV]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or env.get("LOG_LEVEL", "INFO"))
    for noisy in ("kombu", "amqp", "nameko", "urllib3", "slack_bolt", "slack_sdk", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
