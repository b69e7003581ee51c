"""The digest-channel entry for an incident, and the "declare one?" suggestion."""

from __future__ import annotations

from typing import Any

from services.slack_gateway.blocks import (
    FIELD_TEXT_MAX,
    Block,
    actions,
    button,
    context,
    section,
    url_fits,
)
from services.slack_gateway.blocks.text import (
    channel_link,
    description_of,
    escape_mrkdwn,
    escape_truncate,
    is_resolved,
    role_title,
    severity_label,
    slack_time,
    status_label,
    truncate,
    user_mention,
)
from services.slack_gateway.ids import ActionId

APP_REDIRECT_URL = "https://slack.com/app_redirect?channel={channel_id}"
_FALLBACK_DESCRIPTION_MAX = 150


def join_channel_url(channel_id: str) -> str:
    """A link that opens (and offers to join) the channel in the reader's Slack client."""
    return APP_REDIRECT_URL.format(channel_id=channel_id)


def _link_target(url: str) -> str:
    # "|" would end the link target early; "%7C" is the same character URL-encoded.
    return escape_mrkdwn(url).replace("|", "%7C")


def _severity_field(incident: dict[str, Any], config: Any) -> str:
    severity = incident["severity"]
    meaning = config.severities.get(severity, "")
    text = f"*Severity*\n{severity_label(severity)}"
    return f"{text}: {escape_truncate(meaning, 500)}" if meaning else text


def _status_field(incident: dict[str, Any], config: Any) -> str:
    if is_resolved(incident, config):
        return "*Status*\n:white_check_mark: Resolved"
    return f"*Status*\n{status_label(incident['status'])}"


def _roles_field(incident: dict[str, Any], config: Any) -> str:
    holders: dict[str, str] = incident.get("roles") or {}
    ordered = [role for role in config.roles if role in holders]
    ordered += [role for role in holders if role not in config.roles]
    lines = [f"{role_title(role)}: {user_mention(holders[role])}" for role in ordered]
    return truncate("*Roles*\n" + ("\n".join(lines) or "_None assigned yet_"), FIELD_TEXT_MAX)


def _fields(incident: dict[str, Any], config: Any, *, private: bool) -> list[str]:
    fields = [_severity_field(incident, config), _status_field(incident, config)]
    if incident.get("declared_at"):
        fields.append(f"*Declared*\n{slack_time(incident['declared_at'])}")
    if incident.get("resolved_at") and is_resolved(incident, config):
        fields.append(f"*Resolved*\n{slack_time(incident['resolved_at'])}")
    if private:
        # A security incident's people, room and call stay out of the public digest.
        return fields
    fields.append(_roles_field(incident, config))
    if incident.get("channel_id"):
        fields.append(f"*War room*\n{channel_link(incident['channel_id'])}")
    if url_fits(incident.get("meeting_url")):
        fields.append(f"*Meeting*\n<{_link_target(incident['meeting_url'])}|Join the call>")
    return fields


def render_digest(incident: dict[str, Any], config: Any) -> dict[str, Any]:
    """The digest message: {"text": one-line fallback, "blocks": [...]}."""
    private = bool(incident.get("is_private"))
    resolved = is_resolved(incident, config)
    description = description_of(incident, public=True)
    emoji = ":white_check_mark:" if resolved else ":rotating_light:"
    lock = " :lock:" if private else ""
    title = (f"{emoji}{lock} *Incident #{incident['id']}*"
             f"{' (resolved)' if resolved else ''}: {escape_truncate(description, 2500)}")
    blocks: list[Block] = [section(title), section(fields=_fields(incident, config,
                                                                   private=private))]
    buttons: list[Block] = []
    if not private and incident.get("channel_id"):
        buttons.append(button("Join channel", ActionId.JOIN_CHANNEL,
                              url=join_channel_url(incident["channel_id"]),
                              style=None if resolved else "primary"))
    if not private and url_fits(incident.get("meeting_url")):
        buttons.append(button("Join meeting", ActionId.OPEN_MEETING,
                              url=incident["meeting_url"]))
    if buttons:
        blocks.append(actions(buttons))
    if private:
        blocks.append(context(":lock: Private incident: details are shared only in its "
                              "private channel."))
    text = " | ".join([
        f"Incident #{incident['id']}",
        severity_label(incident["severity"]),
        "Resolved" if resolved else status_label(incident["status"]),
        escape_truncate(description, _FALLBACK_DESCRIPTION_MAX),
    ])
    return {"text": text, "blocks": blocks}


def render_digest_suggestion() -> dict[str, Any]:
    """Reply to a digest-channel message that looks like an incident nobody declared."""
    return {
        "text": "Is this an incident? Declare it to get a war room, roles and updates here.",
        "blocks": [
            section(":wave: Is this an incident? Declaring it opens a war-room channel, "
                    "tracks roles and keeps this channel updated."),
            actions([button("Declare incident", ActionId.DIGEST_DECLARE,
                             value="declare", style="primary")]),
        ],
    }
