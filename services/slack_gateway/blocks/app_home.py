"""The App Home tab: declare button, open incidents, and how to use the bot."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from services.slack_gateway.blocks import (
    SECTION_TEXT_MAX,
    VIEW_MAX_BLOCKS,
    Block,
    actions,
    button,
    context,
    divider,
    header,
    section,
)
from services.slack_gateway.blocks.text import (
    channel_link,
    description_of,
    escape_truncate,
    parse_time,
    severity_label,
    slack_time,
    status_label,
    truncate,
)
from services.slack_gateway.ids import ActionId

_DESCRIPTION_MAX = 200
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


def _newest_first(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(incident: dict[str, Any]) -> tuple[datetime, int]:
        declared = incident.get("declared_at")
        return (parse_time(declared) if declared else _OLDEST, incident.get("id") or 0)
    return sorted(incidents, key=key, reverse=True)


def _incident_block(incident: dict[str, Any]) -> Block:
    # The Home tab is visible to everyone in the workspace: treat it like the digest.
    description = escape_truncate(description_of(incident, public=True), _DESCRIPTION_MAX)
    lock = ":lock: " if incident.get("is_private") else ""
    facts = [severity_label(incident["severity"]), status_label(incident["status"])]
    if incident.get("channel_id") and not incident.get("is_private"):
        facts.append(channel_link(incident["channel_id"]))
    if incident.get("declared_at"):
        facts.append(f"declared {slack_time(incident['declared_at'])}")
    return section(f"{lock}*#{incident['id']}* {description}\n" + "  ·  ".join(facts))


def _how_to_use(config: Any) -> list[Block]:
    reaction = config.slack.declare_reaction
    return [
        header("How to use"),
        section("\n".join([
            "• *Declare incident* shortcut: open the :zap: shortcuts menu anywhere in Slack",
            "• `/incident`: opens the declare form from any channel",
            "• `/incident help`: lists everything the bot can do",
            f"• React with :{reaction}: to a message to declare an incident about it",
            "• In the incident channel, the pinned control panel sets status, severity "
            "and roles",
        ])),
    ]


def _links(config: Any) -> list[Block]:
    """The runbooks and dashboards config.yaml lists, if any."""
    if not config.links:
        return []
    lines = [f"• <{link.url.replace('|', '%7C')}|{escape_truncate(link.title, 100)}>"
             for link in config.links]
    return [header("Links"), section(truncate("\n".join(lines), SECTION_TEXT_MAX))]


def render_app_home(open_incidents: list[dict[str, Any]], config: Any) -> dict[str, Any]:
    """The Home tab view ({"type": "home", "blocks": [...]}), <= 100 blocks."""
    top: list[Block] = [
        header(":rotating_light: Incident bot"),
        section("Declare an incident to get a war-room channel, roles, and updates "
                "in the digest channel."),
        actions([button("Start a new incident", ActionId.HOME_DECLARE,
                        value="declare", style="primary")]),
        divider(),
        header("Open incidents"),
    ]
    bottom = [divider()] + _how_to_use(config) + _links(config)
    # One block per incident, plus one for the "and N more" note; never past the limit.
    room = VIEW_MAX_BLOCKS - len(top) - len(bottom) - 1
    shown = _newest_first(open_incidents)[: max(0, min(config.slack.app_home_incident_count,
                                                        room))]
    listing: list[Block] = [_incident_block(incident) for incident in shown]
    if not open_incidents:
        listing = [section("_None right now._ :tada:")]
    elif len(open_incidents) > len(shown):
        listing.append(context(f"…and {len(open_incidents) - len(shown)} more open "
                               "incidents (newest shown first)."))
    return {"type": "home", "blocks": top + listing + bottom}
