"""Plain strings for Slack: formatting helpers, channel topic, help and notices.

Everything here returns text (mrkdwn unless said otherwise); the Block Kit
surfaces build on these helpers so that escaping and truncation happen in one place.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

ELLIPSIS = "…"
TOPIC_MAX = 250  # Slack's limit for conversations.setTopic
NO_DESCRIPTION = "(no description)"
PRIVATE_DESCRIPTION = "Private incident"

_MRKDWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}

# Subcommands of the slash command, name -> description. The bare command (no
# subcommand) always opens the declare modal; later features add their own entries.
SUBCOMMANDS: dict[str, str] = {
    "help": "show this help",
    "update": "post a status update (in an incident channel, or pick the incident)",
    "timeline": "view and add timeline entries",
    "status": "`/incident status <status>` in an incident channel",
    "severity": "`/incident severity <severity>` in an incident channel",
    "role": "`/incident role <role> [@someone]` claim or assign a role",
    "resolve": "resolve the incident of this channel",
}

# Slack markup in message text: <@U1>, <#C1|name>, <!here>, <https://x|label>.
_SLACK_MARKUP = re.compile(r"<([^<>]*)>")
_SLACK_UNESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return "".join(_MRKDWN_ESCAPES.get(char, char) for char in text)


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def escape_truncate(text: str, limit: int) -> str:
    """Escape user text for mrkdwn and keep the *escaped* result within `limit`.

    Escaping first and truncating after could cut an entity in half ("&am…");
    this truncates on whole source characters instead.
    """
    escaped = escape_mrkdwn(text)
    if len(escaped) <= limit:
        return escaped
    if limit <= 0:
        return ""
    pieces: list[str] = []
    used = 0
    for char in text:
        piece = _MRKDWN_ESCAPES.get(char, char)
        if used + len(piece) > limit - 1:  # keep room for the ellipsis
            break
        pieces.append(piece)
        used += len(piece)
    return "".join(pieces).rstrip() + ELLIPSIS


def escape_chunks(text: str, limit: int) -> list[str]:
    """Escape user text for mrkdwn and split it into pieces of at most `limit` characters.

    For text that must reach Slack whole (a status update can fill a section once
    escaped and then overflow it); pieces break after a newline or a space when one
    is near the end of the piece, else on a whole source character.
    """
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        piece = _MRKDWN_ESCAPES.get(char, char)
        if used + len(piece) > limit:
            cut = _break_point(current)
            chunks.append("".join(current[:cut]))
            current = current[cut:]
            used = sum(len(item) for item in current)
        current.append(piece)
        used += len(piece)
    if current or not chunks:
        chunks.append("".join(current))
    return [chunk for chunk in chunks if chunk.strip()] or [""]


def _break_point(pieces: list[str]) -> int:
    """Where to cut `pieces`: after the last newline or space in its final fifth."""
    for index in range(len(pieces) - 1, len(pieces) * 4 // 5, -1):
        if pieces[index] in ("\n", " "):
            return index + 1
    return len(pieces)


def slack_to_plain(text: str) -> str:
    """Slack message text as a person reads it: links by label, entities decoded."""
    def readable(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if label:
            return ("#" if target.startswith("#") else "") + label
        if target[:1] in ("@", "#"):
            return target
        return f"@{target[1:]}" if target.startswith("!") else target
    plain = _SLACK_MARKUP.sub(readable, text)
    for entity, char in _SLACK_UNESCAPES:
        plain = plain.replace(entity, char)
    return plain


def format_duration(delta: timedelta) -> str:
    """A short human duration: "45 s", "12 min", "2 h 5 min", "3 d 4 h"."""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"


def format_bytes(size: int) -> str:
    """A file size the way Slack shows it: "850 B", "12.3 KB", "10 MB"."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            break
        value /= 1024
    else:
        unit = "GB"
    if unit == "B":
        return f"{int(value)} B"
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>"


def user_mention(user_id: str) -> str:
    if user_id.startswith("web:"):  # a person on the web UI or an API token: not in Slack
        return "someone on the web UI" if user_id[4:].isdigit() else "an API client"
    return f"<@{user_id}>"


def parse_time(iso: str) -> datetime:
    """Parse an ISO 8601 timestamp; naive values are UTC (how the store writes them)."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def slack_time(iso: str) -> str:
    """A date Slack renders in each reader's own time zone, with a UTC fallback."""
    moment = parse_time(iso)
    fallback = moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def severity_label(severity: str) -> str:
    return severity.upper()


def status_label(status: str) -> str:
    return status.replace("_", " ").capitalize()


def role_title(role: str) -> str:
    """Turn "incident_commander" into "Incident Commander"."""
    return " ".join(word.capitalize() for word in role.split("_") if word)


def role_abbreviation(role: str) -> str:
    """Turn "incident_commander" into "IC" (keeps the channel topic short)."""
    return "".join(word[0].upper() for word in role.split("_") if word)


def is_resolved(incident: dict[str, Any], config: Any) -> bool:
    return config.is_final(incident["status"])


def description_of(incident: dict[str, Any], *, public: bool = False) -> str:
    """The raw (unescaped) description; `public` hides it for private incidents."""
    if public and incident.get("is_private"):
        return PRIVATE_DESCRIPTION
    return (incident.get("description") or "").strip() or NO_DESCRIPTION


def lead_role(config: Any) -> str | None:
    """The role the topic and welcome name (the incident commander by default)."""
    return config.commander_role if config.commander_role in config.roles else None


def render_topic(incident: dict[str, Any], config: Any) -> str:
    """Channel topic: state at a glance, always within Slack's 250-character limit."""
    emoji = ":white_check_mark:" if is_resolved(incident, config) else ":rotating_light:"
    parts = [
        f"{emoji} {severity_label(incident['severity'])}",
        status_label(incident["status"]),
    ]
    role = lead_role(config)
    holder = (incident.get("roles") or {}).get(role) if role else None
    if role and holder:
        parts.append(f"{role_abbreviation(role)}: {user_mention(holder)}")
    prefix = " | ".join(parts) + " | "
    room = TOPIC_MAX - len(prefix)
    return prefix + escape_truncate(description_of(incident), room)


def render_help(command: str = "/incident", *, reaction: str | None = None) -> str:
    """What the bot does and how to drive it, as mrkdwn."""
    lines = [
        "*Incident bot* opens a war-room channel for each incident, keeps the digest "
        "channel up to date and tracks severity, status and roles.",
        "",
        f"• `{command}`: declare an incident (opens a form)",
    ]
    lines += [f"• `{command} {name}`: {text}" for name, text in SUBCOMMANDS.items()]
    lines.append("• The *Declare incident* shortcut (:zap: menu) opens the same form")
    if reaction:
        lines.append(f"• React with :{reaction}: to a message to declare an incident about it")
    lines.append("• In the war room, use the pinned control panel to change status, "
                 "severity and roles")
    return "\n".join(lines)


def render_reporter_notice(incident: dict[str, Any]) -> str:
    """Tells the reporter where the incident is being handled."""
    number = incident["id"]
    channel_id = incident.get("channel_id")
    if channel_id:
        return (f"Thanks for reporting. Incident #{number} is being handled in "
                f"{channel_link(channel_id)}; you have been invited.")
    return (f"Thanks for reporting. Incident #{number} is declared; "
            "its channel is being set up and you will be invited.")


def render_channel_welcome(incident: dict[str, Any], config: Any) -> str:
    """First message in the war room: what this channel is and what to do first."""
    description = escape_truncate(description_of(incident), 1000)
    role = lead_role(config)
    ask = (f"Claim the *{role_title(role)}* role in the pinned control panel if nobody has."
           if role else "Use the pinned control panel to manage the incident.")
    return (f":rotating_light: *Incident #{incident['id']}* "
            f"({severity_label(incident['severity'])}): {description}\n{ask}")
