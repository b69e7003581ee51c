"""Logging set-up: one format, and secrets never reach the output."""
from __future__ import annotations

import contextvars
import json
import logging
import os
import re

SECRET_ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PAGERDUTY_API_TOKEN",
              "STATUSPAGE_API_KEY", "ZOOM_CLIENT_SECRET", "CONFLUENCE_API_TOKEN",
              "WEB_SECRET_KEY", "WEB_ADMIN_PASSWORD")
# Slack tokens, and incident-bot's own API tokens (ibt_...).
TOKEN_PATTERN = re.compile(r"\bxox[abprse]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+|\bibt_[A-Za-z0-9_-]+")
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


# The incident the current entrypoint works on (set by services.common.ops.Ops).
incident_context: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "incident_id", default=None)


class IncidentFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.incident_id = incident_context.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log pipelines (`LOG_FORMAT=json`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if getattr(record, "incident_id", None) is not None:
            entry["incident_id"] = record.incident_id
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        incident = getattr(record, "incident_id", None)
        return f"{line} [incident {incident}]" if incident is not None else line


def configure_logging(level: str | None = None, env: dict | None = None) -> None:
    env = os.environ if env is None else env
    handler = logging.StreamHandler()
    handler.addFilter(IncidentFilter())
    handler.setFormatter(JsonFormatter() if env.get("LOG_FORMAT", "text") == "json" else
                         TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets([env.get(name, "") for name in SECRET_ENV]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or env.get("LOG_LEVEL", "INFO"))
    for noisy in ("kombu", "amqp", "nameko", "urllib3", "slack_bolt", "slack_sdk", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
