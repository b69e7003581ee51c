"""The update reminder posted in a war room, and the stale-incident report for the digest."""
from __future__ import annotations

import datetime as dt
from typing import Any

from services.slack_gateway.blocks import (
    actions,
    button,
    context,
    option,
    section,
    static_select,
)
from services.slack_gateway.blocks.text import (
    channel_link,
    description_of,
    escape_truncate,
    format_duration,
    parse_time,
    severity_label,
    status_label,
)
from services.slack_gateway.ids import ActionId

SNOOZE_MINUTES = (15, 30, 60, 120)
MAX_STALE_LISTED = 40  # one section each, within a message's 50 blocks


def update_reminder(incident: dict[str, Any], payload: dict[str, Any], config: Any) -> dict:
    holders = [incident["roles"][r] for r in config.communications_roles
               if incident["roles"].get(r)]
    who = " ".join(f"<@{u}>" for u in dict.fromkeys(holders)) or "<!here>"
    minutes = payload.get("minutes_without_update", 0)
    text = (f":alarm_clock: {who} this {severity_label(incident['severity'])} incident has had "
            f"no status update for {minutes} minutes. Please post one.")
    snooze = static_select(ActionId.SNOOZE_REMINDERS, [
        option(f"Snooze {m} min" if m < 60 else f"Snooze {m // 60} h", str(m))
        for m in SNOOZE_MINUTES], placeholder="Snooze reminders")
    return {"text": text, "blocks": [
        section(text),
        actions([button("Provide update", ActionId.PROVIDE_UPDATE, value=str(incident["id"]),
                         style="primary"), snooze], block_id="reminder_actions"),
    ]}


def stale_report(incidents: list[dict[str, Any]], total: int, now: dt.datetime,
                 config: Any) -> dict:
    days = config.stale.stale_after_days
    text = (f":hourglass: {total} incident{'s' if total != 1 else ''} "
            f"{'have' if total != 1 else 'has'} been open for more than {days} days")
    blocks = [section(f"*{text}.* Resolve them, or update their status:")]
    for incident in incidents[:MAX_STALE_LISTED]:
        age = format_duration(now - parse_time(incident["declared_at"]))
        where = channel_link(incident["channel_id"]) if incident["channel_id"] else ""
        blocks.append(section(
            f"*#{incident['id']}* {severity_label(incident['severity'])} · "
            f"{status_label(incident['status'])} · open {age} {where}\n"
            f"{escape_truncate(description_of(incident, public=True), 500)}"))
    if total > MAX_STALE_LISTED:
        blocks.append(context(f"…and {total - MAX_STALE_LISTED} more; see the web UI."))
    return {"text": text, "blocks": blocks}
