"""Template helpers: times, durations, who did it, Slack text and links."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask, current_app, g
from markupsafe import Markup, escape
from sqlalchemy import select

from services.common.timeutil import from_iso, utcnow
from services.web.models import ApiToken, User

SLACK_MENTION = re.compile(r"&lt;@([UWB][A-Z0-9]{2,30})&gt;")
SLACK_CHANNEL = re.compile(r"&lt;#([A-Z0-9]{2,32})(?:\|([^&]*))?&gt;")
SLACK_LINK = re.compile(r"&lt;(https?://[^|&\s]+)\|([^&]*)&gt;")


def when(value: str | None) -> Markup:
    """A <time> the browser shows in local time (UTC text until the script runs)."""
    if not value:
        return Markup("")
    moment = from_iso(value)
    return Markup('<time datetime="{}">{}</time>').format(
        moment.isoformat(), moment.strftime("%Y-%m-%d %H:%M UTC"))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} d {hours % 24} h"


def age(value: str | None) -> str:
    if not value:
        return ""
    return duration((utcnow() - from_iso(value)).total_seconds())


def _names() -> dict[str, str]:
    """Display names of web actors, looked up once per request."""
    if "actor_names" not in g:
        names: dict[str, str] = {}
        with current_app.extensions["web"].db.transaction() as session:
            for user_id, name in session.execute(select(User.id, User.name)):
                names[f"web:{user_id}"] = name
            for token_id, name in session.execute(select(ApiToken.id, ApiToken.name)):
                names[f"web:token-{token_id}"] = f"API token “{name}”"
        g.actor_names = names
    return g.actor_names


def actor(actor_id: str | None) -> str:
    if not actor_id:
        return "the bot"
    if actor_id.startswith("web:"):
        return _names().get(actor_id, "a web user")
    return f"@{actor_id}"


def slack_text(text: str | None) -> Markup:
    """Slack mrkdwn references made readable; everything else escaped."""
    safe = str(escape(text or ""))
    safe = SLACK_MENTION.sub(lambda m: f"@{m.group(1)}", safe)
    safe = SLACK_CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", safe)
    safe = SLACK_LINK.sub(lambda m: f'<a href="{m.group(1)}" rel="noopener">{m.group(2)}</a>',
                          safe)
    return Markup(safe)


def slack_channel_url(channel_id: str | None) -> str | None:
    return f"https://slack.com/app_redirect?channel={channel_id}" if channel_id else None


def safe_url(url: str | None) -> str | None:
    """Only http(s) links reach an href (never javascript: or data:)."""
    return url if isinstance(url, str) and url.lower().startswith(("https://", "http://")) \
        else None


def local_input(value: str | None) -> str:
    """ISO time as a datetime-local input value (UTC)."""
    if not value:
        return ""
    return from_iso(value).strftime("%Y-%m-%dT%H:%M")


def label(name: Any) -> str:
    return str(name).replace("_", " ").capitalize()


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(when=when, duration=duration, age=age, actor=actor,
                                 slack_text=slack_text, label=label, local_input=local_input,
                                 safe_url=safe_url)
    app.jinja_env.globals.update(slack_channel_url=slack_channel_url,
                                 now=lambda: utcnow().replace(tzinfo=dt.timezone.utc))
