"""What a postmortem says, as plain data for the template: title, duration, people,
timeline, updates, pins. Pure: no nameko, no HTTP, no Jinja."""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from services.common.config import Config
from services.common.timeutil import from_iso

TITLE_LIMIT = 255  # Confluence refuses longer titles
TITLE_SUFFIX_ROOM = 20  # for " (#123456, 10)"
ELLIPSIS = "…"
TIME_FORMAT = "%Y-%m-%d %H:%M UTC"
# Slack mrkdwn that would read badly in a document.
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]+))?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|([^>]+))?>")


def one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def base_title(incident: dict) -> str:
    """'YYYY-MM-DD - <description>' with the date the incident was declared."""
    date = from_iso(incident["declared_at"]).strftime("%Y-%m-%d")
    prefix = f"{date} - "
    return prefix + one_line(incident["description"],
                             TITLE_LIMIT - TITLE_SUFFIX_ROOM - len(prefix))


def title_candidates(incident: dict, count: int = 10) -> Iterator[str]:
    """The title, then ' (#id)' for a clash, then ' (#id, 2)'... for later resolutions."""
    base = base_title(incident)
    yield base
    yield f"{base} (#{incident['id']})"
    for number in range(2, count + 1):
        yield f"{base} (#{incident['id']}, {number})"


def duration_text(start: dt.datetime, end: dt.datetime) -> str:
    """'2 hours 5 minutes', '1 day 3 hours', 'less than a minute'."""
    minutes = max(int((end - start).total_seconds()), 0) // 60
    if minutes == 0:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)


def plain_text(text: str | None) -> str:
    """Slack mrkdwn to readable text: mentions, channel links and links unwrapped,
    Slack's &amp; &lt; &gt; decoded (escaping for Confluence happens in the template)."""
    if not text:
        return ""
    text = _USER.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1),
                     text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def person(user_id: str | None) -> str:
    return f"@{user_id}" if user_id else ""


def when(value: str | None) -> str:
    return from_iso(value).strftime(TIME_FORMAT) if value else ""


def attachment_name(incident_id: int, item: dict) -> str:
    """A file name unique per pinned item, safe in a Confluence attachment."""
    original = item.get("file_name") or f"image-{item['id']}"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", original).strip("._") or "image"
    return f"incident-{incident_id}-pin-{item['id']}-{safe[-80:]}"


def participants(incident: dict, timeline: list[dict], updates: list[dict],
                 pins: list[dict]) -> list[str]:
    """Everyone who took part, first appearance first: reporter, role holders, then the
    authors of timeline entries, status updates and pins."""
    ids = [incident.get("reporter_id"), *incident.get("roles", {}).values()]
    ids += [entry.get("actor_id") for entry in timeline]
    ids += [update.get("author_id") for update in updates]
    for item in pins:
        ids += [item.get("author_id"), item.get("pinned_by")]
    seen: dict[str, None] = {}
    for user_id in ids:
        if user_id and user_id.startswith(("U", "W")):
            seen.setdefault(user_id, None)
    return [person(user_id) for user_id in seen]


def postmortem_context(incident: dict, resolved_at: str, title: str, timeline: list[dict],
                       updates: list[dict], pins: list[dict], config: Config) -> dict:
    """Everything the template may use (see templates/postmortem.xml.j2 for the list)."""
    declared = from_iso(incident["declared_at"])
    severity = incident["severity"]
    roles = incident.get("roles", {})
    images = [p for p in pins if p.get("kind") == "image"]
    return {
        "title": title,
        "incident": {key: incident.get(key) for key in (
            "id", "description", "status", "severity", "is_private", "channel_name",
            "meeting_url")},
        "severity": {"name": severity, "label": severity.upper(),
                     "description": config.severities.get(severity, "")},
        "declared_at": when(incident["declared_at"]),
        "resolved_at": when(resolved_at),
        "duration": duration_text(declared, from_iso(resolved_at)),
        "reporter": person(incident.get("reporter_id")),
        "roles": [{"name": name, "label": name.replace("_", " ").title(),
                   "description": description, "holder": person(roles.get(name))}
                  for name, description in config.roles.items()],
        "participants": participants(incident, timeline, updates, pins),
        "timeline": [{"time": when(e["occurred_at"]), "kind": e["kind"],
                      "text": plain_text(e["text"]), "actor": person(e.get("actor_id"))}
                     for e in timeline],
        "status_updates": [{"time": when(u["posted_at"]), "text": plain_text(u["text"]),
                            "impacted": plain_text(u.get("impacted")),
                            "author": person(u.get("author_id"))} for u in updates],
        "pinned_messages": [_pin(p) for p in pins if p.get("kind") != "image"],
        "pinned_images": [{**_pin(p), "file_name": p.get("file_name") or "",
                           "attachment": attachment_name(incident["id"], p)} for p in images],
        "links": [{"kind": link["kind"], "title": link.get("title") or link["kind"],
                   "url": link.get("url") or ""} for link in incident.get("links", [])
                  if link["kind"] != "postmortem"],
    }


def _pin(item: dict) -> dict:
    return {"time": when(item.get("pinned_at")), "author": person(item.get("author_id")),
            "pinned_by": person(item.get("pinned_by")), "text": plain_text(item.get("text")),
            "permalink": item.get("permalink") or ""}
