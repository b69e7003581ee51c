"""Short notices the gateway posts as things change: status, severity, roles, resolution,
incidents declared by reaction, and command usage."""

from __future__ import annotations

from typing import Any

from services.slack_gateway.blocks import (
    FIELD_TEXT_MAX,
    Block,
    actions,
    button,
    context,
    section,
)
from services.slack_gateway.blocks.text import (
    channel_link,
    description_of,
    escape_truncate,
    format_bytes,
    format_duration,
    parse_time,
    role_title,
    severity_label,
    slack_time,
    slack_to_plain,
    status_label,
    truncate,
    user_mention,
)
from services.slack_gateway.blocks.timeline_modal import confirm_dialog
from services.slack_gateway.ids import MAX_DESCRIPTION, ActionId

# The bot reacts with this to a message it pinned into the incident's timeline.
PIN_CONFIRM_REACTION = "white_check_mark"

_DESCRIPTION_MAX = 1000


def _who(user_id: str | None) -> str:
    # Changes made from the web UI or the API have no Slack user behind them.
    return user_mention(user_id) if user_id else "Someone"


# --- state changes -------------------------------------------------------------------

def status_notice(incident: dict[str, Any], previous: str, actor_id: str | None,
                  config: Any) -> str:
    """Announces a status change; resolving and reopening get their own wording."""
    current = incident["status"]
    who = _who(actor_id)
    if config.is_final(current) and not config.is_final(previous):
        return f":white_check_mark: {who} resolved the incident"
    if config.is_final(previous) and not config.is_final(current):
        return (f":leftwards_arrow_with_hook: {who} reopened the incident "
                f"(now {status_label(current)})")
    return (f":arrows_counterclockwise: {who} changed the status from "
            f"{status_label(previous)} to {status_label(current)}")


def severity_notice(incident: dict[str, Any], previous: str, actor_id: str | None,
                    config: Any = None) -> str:
    """Announces a severity change; with `config` it says whether it was raised or lowered."""
    current = incident["severity"]
    verb = "changed"
    order = list(config.severities) if config is not None else []
    if previous in order and current in order and previous != current:
        # Severities are listed most severe first.
        verb = "raised" if order.index(current) < order.index(previous) else "lowered"
    return (f":vertical_traffic_light: {_who(actor_id)} {verb} the severity from "
            f"{severity_label(previous)} to {severity_label(current)}")


def role_notice(role: str, user_id: str | None, previous_user_id: str | None,
                actor_id: str | None, config: Any) -> str:
    """Announces a new role holder, who they replace and who assigned them."""
    title = f"*{role_title(role)}*"
    if not user_id:
        released = f" ({user_mention(previous_user_id)} stepped down)" \
            if previous_user_id else ""
        return f":bust_in_silhouette: Nobody is the {title} any more{released}"
    text = f":bust_in_silhouette: {user_mention(user_id)} is now the {title}"
    if previous_user_id and previous_user_id != user_id:
        text += f" (replacing {user_mention(previous_user_id)})"
    if actor_id and actor_id != user_id:
        text += f" (assigned by {user_mention(actor_id)})"
    return text


def role_dm(incident: dict[str, Any], role: str, config: Any) -> str:
    """Direct message to a new role holder: the role, what it means, where to go."""
    number = incident["id"]
    if incident.get("is_private"):
        about = f"private incident #{number}"
    else:
        about = (f"incident #{number} "
                 f"({escape_truncate(description_of(incident), _DESCRIPTION_MAX)})")
    channel_id = incident.get("channel_id")
    where = (f"Join the response in {channel_link(channel_id)}." if channel_id
             else "Its channel is being set up; you will be invited.")
    lines = [f":wave: You are now the *{role_title(role)}* for {about}."]
    meaning = (config.roles or {}).get(role)
    if meaning:
        lines.append(f">{escape_truncate(' '.join(meaning.split()), _DESCRIPTION_MAX)}")
    lines.append(where)
    return "\n".join(lines)


# --- resolution ----------------------------------------------------------------------

def _duration(incident: dict[str, Any]) -> str | None:
    if not incident.get("declared_at") or not incident.get("resolved_at"):
        return None
    return format_duration(parse_time(incident["resolved_at"])
                           - parse_time(incident["declared_at"]))


def _holders(incident: dict[str, Any], config: Any) -> str:
    holders: dict[str, str] = incident.get("roles") or {}
    ordered = [role for role in config.roles if role in holders]
    ordered += [role for role in holders if role not in config.roles]
    lines = [f"{role_title(role)}: {user_mention(holders[role])}" for role in ordered]
    return truncate("*Roles*\n" + ("\n".join(lines) or "_None assigned_"), FIELD_TEXT_MAX)


def resolution_summary(incident: dict[str, Any], config: Any) -> dict[str, Any]:
    """The war-room message when the incident is resolved, with an archive button."""
    number = incident["id"]
    description = escape_truncate(description_of(incident), _DESCRIPTION_MAX)
    duration = _duration(incident)
    fields = [f"*Severity*\n{severity_label(incident['severity'])}"]
    if duration:
        fields.append(f"*Duration*\n{duration}")
    if incident.get("declared_at"):
        fields.append(f"*Declared*\n{slack_time(incident['declared_at'])}")
    if incident.get("resolved_at"):
        fields.append(f"*Resolved*\n{slack_time(incident['resolved_at'])}")
    fields.append(_holders(incident, config))
    archive = button("Archive channel", ActionId.ARCHIVE_CHANNEL, value=str(number))
    archive["confirm"] = confirm_dialog(
        "Archive this channel?",
        "Members will be removed and the channel becomes read-only. Its history stays "
        "searchable, and an admin can unarchive it.", "Archive")
    blocks: list[Block] = [
        section(f":white_check_mark: *Incident #{number} is resolved*: {description}"),
        section(fields=fields),
        context("Reopen it by changing the status in the control panel. Archive the "
                "channel once the follow-ups are done."),
        actions([archive]),
    ]
    took = f" after {duration}" if duration else ""
    return {"text": f"Incident #{number} is resolved{took}.", "blocks": blocks}


# --- incidents declared by reaction --------------------------------------------------

def reaction_description(text: str, permalink: str | None, author_id: str | None) -> str:
    """The description of an incident declared by reacting to a message.

    Quotes the message on one line and ends with its permalink, within
    MAX_DESCRIPTION: the quote is cut, never the link (a cut link is useless).
    """
    quote = " ".join(slack_to_plain(text or "").split())
    if not quote:
        quote = "Reported from a message" + (f" by {user_mention(author_id)}"
                                             if author_id else "")
    else:
        quote = f"“{quote}”"
    link = f" {permalink}" if permalink and len(permalink) < MAX_DESCRIPTION // 2 else ""
    if len(quote) + len(link) <= MAX_DESCRIPTION:
        return quote + link
    return truncate(quote[:-1], MAX_DESCRIPTION - len(link) - 1) + "”" + link


def reaction_declared_reply(incident: dict[str, Any]) -> str:
    """Thread reply under the message someone declared an incident about."""
    number = incident["id"]
    if incident.get("channel_id"):
        return f"I declared incident #{number} for this message: " \
               f"{channel_link(incident['channel_id'])}"
    return f"I declared incident #{number} for this message; its channel is being set up."


def image_too_large_notice(size_bytes: int, limit_bytes: int) -> str:
    return (f":warning: This image is {format_bytes(size_bytes)}, over the "
            f"{format_bytes(limit_bytes)} limit, so it was not added to the incident's "
            "timeline. Attach a smaller version or link to it instead.")


# --- commands ------------------------------------------------------------------------

def not_in_incident_channel(command: str) -> str:
    """For a subcommand used outside a war room; `command` is as typed ("/incident status")."""
    base = command.split()[0] if command.strip() else "/incident"
    return (f"`{command.strip()}` only works in an incident channel. "
            f"Use `{base}` to declare one.")


def _names(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def incident_help(command: str, config: Any) -> str:
    """Help for `command` inside an incident channel, with the configured names."""
    statuses = _names(list(config.statuses))
    severities = _names(list(config.severities))
    roles = _names(list(config.roles))
    lines = [
        "*In this incident channel you can use:*",
        f"• `{command} status <status>`: set the status ({statuses})",
        f"• `{command} severity <severity>`: set the severity ({severities})",
        f"• `{command} role <role> [@someone]`: claim a role, or assign it ({roles})",
        f"• `{command} update`: post a status update to this channel and the digest",
        f"• `{command} timeline`: view the timeline and add entries",
        f"• `{command} resolve`: resolve the incident",
        f"• `{command} help`: show this help",
        "The pinned control panel does the same with buttons.",
    ]
    return "\n".join(lines)

