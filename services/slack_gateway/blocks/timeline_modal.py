"""The "Incident timeline" modal: one page of entries, paging, and the add-entry form."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.slack_gateway.blocks import (
    LABEL_MAX,
    SECTION_TEXT_MAX,
    VIEW_TITLE_MAX,
    Block,
    actions,
    button,
    context,
    divider,
    plain_text,
    section,
)
from services.slack_gateway.blocks.text import (
    description_of,
    escape_truncate,
    slack_time,
    truncate,
    user_mention,
)
from services.slack_gateway.ids import (
    MAX_TIMELINE_TEXT,
    TIMELINE_PAGE_ACTIONS,
    TIMELINE_PAGE_NEXT,
    TIMELINE_PAGE_PATTERN,
    TIMELINE_PAGE_PREV,
    TIMELINE_PAGE_SIZE,
    ActionId,
    BlockId,
    CallbackId,
)

__all__ = [
    "TIMELINE_PAGE_ACTIONS", "TIMELINE_PAGE_PATTERN", "confirm_dialog", "last_page",
    "page_slice", "read_timeline_submission", "resolve_zone", "timeline_errors",
    "timeline_modal", "timeline_page_count",
]

MANUAL_KIND = "manual"  # entries people added; the bot's own entries cannot be deleted
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30
_CONTEXT_DESCRIPTION_MAX = 300


def confirm_dialog(title: str, text: str, confirm: str, deny: str = "Cancel", *,
                   danger: bool = False) -> Block:
    """A confirm object for a button, within Slack's limits for each of its texts."""
    dialog: Block = {"title": plain_text(title, CONFIRM_TITLE_MAX),
                     "text": plain_text(text, CONFIRM_TEXT_MAX),
                     "confirm": plain_text(confirm, CONFIRM_BUTTON_MAX),
                     "deny": plain_text(deny, CONFIRM_BUTTON_MAX)}
    if danger:
        dialog["style"] = "danger"
    return dialog


# --- paging --------------------------------------------------------------------------

def timeline_page_count(total: int) -> int:
    """Pages needed for `total` entries; an empty timeline still has one (empty) page."""
    return max(1, math.ceil(max(total, 0) / TIMELINE_PAGE_SIZE))


def last_page(total: int) -> int:
    return timeline_page_count(total) - 1


def _clamp(page: int, total: int) -> int:
    # A page past the end (entries deleted meanwhile) shows the last one instead.
    return min(max(page, 0), last_page(total))


def page_slice(page: int, total: int) -> tuple[int, int]:
    """(offset, limit) of `page` (0-based, oldest entries first; clamped to the range)."""
    return _clamp(page, total) * TIMELINE_PAGE_SIZE, TIMELINE_PAGE_SIZE


# --- time zones ----------------------------------------------------------------------

def resolve_zone(tz_name: str | None) -> ZoneInfo:
    """The IANA zone `tz_name`, or UTC when it is missing or unknown."""
    try:
        return ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ZoneInfo("UTC")


def _now_utc(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


# --- the view ------------------------------------------------------------------------

def _entry_block(entry: dict[str, Any]) -> Block:
    prefix = f"*{slack_time(entry['occurred_at'])}* "
    suffix = f" (by {user_mention(entry['actor_id'])})" if entry.get("actor_id") else ""
    text = escape_truncate(entry.get("text") or "", SECTION_TEXT_MAX - len(prefix) - len(suffix))
    block = section(prefix + text + suffix)
    if entry.get("kind") == MANUAL_KIND:
        delete = button("Delete", ActionId.TIMELINE_DELETE, value=str(entry["id"]),
                        style="danger")
        delete["confirm"] = confirm_dialog(
            "Delete this entry?", truncate(" ".join((entry.get("text") or "").split()), 200),
            "Delete", danger=True)
        block["accessory"] = delete
    return block


def _summary_block(incident: dict[str, Any], shown: int, offset: int, total: int) -> Block:
    description = escape_truncate(description_of(incident), _CONTEXT_DESCRIPTION_MAX)
    count = (f"Entries {offset + 1}–{offset + shown} of {total}" if shown
             else "No entries yet")
    return context(f"*Incident #{incident['id']}* · {description}", count)


def _nav_block(page: int, total: int) -> Block | None:
    buttons = []
    if page > 0:
        buttons.append(button("Previous", TIMELINE_PAGE_PREV, value=str(page - 1)))
    if page < last_page(total):
        buttons.append(button("Next", TIMELINE_PAGE_NEXT, value=str(page + 1)))
    return actions(buttons, block_id=BlockId.TIMELINE_NAV) if buttons else None


def _entry_inputs(zone: ZoneInfo, now: datetime) -> list[Block]:
    local = now.astimezone(zone)
    return [
        {
            "type": "input",
            "block_id": BlockId.TIMELINE_DATE,
            "optional": True,
            "label": plain_text("Date", LABEL_MAX),
            "element": {"type": "datepicker", "action_id": ActionId.TIMELINE_DATE,
                        "initial_date": local.strftime("%Y-%m-%d")},
        },
        {
            "type": "input",
            "block_id": BlockId.TIMELINE_TIME,
            "optional": True,
            "label": plain_text("Time", LABEL_MAX),
            # Slack shows the zone under the picker, so nobody guesses which one it is.
            "element": {"type": "timepicker", "action_id": ActionId.TIMELINE_TIME,
                        "initial_time": local.strftime("%H:%M"), "timezone": zone.key},
        },
        {
            "type": "input",
            "block_id": BlockId.TIMELINE_TEXT,
            "label": plain_text("What happened?", LABEL_MAX),
            "element": {"type": "plain_text_input", "action_id": ActionId.TIMELINE_TEXT,
                        "multiline": True, "max_length": MAX_TIMELINE_TEXT,
                        "placeholder": plain_text("e.g. Rolled back deploy 1234")},
        },
    ]


def timeline_modal(incident: dict[str, Any], entries: list[dict[str, Any]], *, page: int,
                   total: int, config: Any, tz_name: str = "UTC",
                   now: datetime | None = None) -> dict[str, Any]:
    """One page of the timeline (`entries`, oldest first) above a form adding an entry.

    At most 1 + 40 + 1 + 1 + 3 blocks, well within a modal's 100. `now` is for tests.
    """
    page = _clamp(page, total)
    offset, limit = page_slice(page, total)
    shown = list(entries)[:limit]
    blocks: list[Block] = [_summary_block(incident, len(shown), offset, total)]
    blocks += [_entry_block(entry) for entry in shown]
    nav = _nav_block(page, total)
    if nav:
        blocks.append(nav)
    blocks.append(divider())
    blocks += _entry_inputs(resolve_zone(tz_name), _now_utc(now))
    return {
        "type": "modal",
        "callback_id": CallbackId.TIMELINE_MODAL,
        "title": plain_text("Incident timeline", VIEW_TITLE_MAX),
        "submit": plain_text("Add entry", VIEW_TITLE_MAX),
        "close": plain_text("Done", VIEW_TITLE_MAX),
        "private_metadata": json.dumps({"incident_id": incident["id"], "page": page}),
        "blocks": blocks,
    }


# --- the submission ------------------------------------------------------------------

def _picked(values: dict[str, Any], block_id: str, action_id: str, key: str) -> str | None:
    return ((values.get(block_id) or {}).get(action_id) or {}).get(key)


def _parse(parser: Any, text: Any) -> Any:
    try:
        return parser(text) if text not in (None, "") else None
    except (TypeError, ValueError):
        return None


def read_timeline_submission(view: dict[str, Any], tz_name: str = "UTC", *,
                             now: datetime | None = None) -> dict[str, Any]:
    """Map a submitted timeline modal to {"incident_id", "page", "text", "occurred_at"}.

    The picked date and time are local to `tz_name`; `occurred_at` is ISO 8601 UTC.
    A date or time left empty means today / the current time.
    """
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    values = (view.get("state") or {}).get("values") or {}
    zone = resolve_zone(tz_name)
    local_now = _now_utc(now).astimezone(zone)
    day = _parse(date.fromisoformat, _picked(values, BlockId.TIMELINE_DATE,
                                                ActionId.TIMELINE_DATE, "selected_date"))
    clock = _parse(time.fromisoformat, _picked(values, BlockId.TIMELINE_TIME,
                                                  ActionId.TIMELINE_TIME, "selected_time"))
    if day is None and clock is None:
        moment = local_now.replace(microsecond=0)
    else:
        moment = datetime.combine(day or local_now.date(),
                                  clock or local_now.time().replace(second=0, microsecond=0),
                                  tzinfo=zone)
    text = _picked(values, BlockId.TIMELINE_TEXT, ActionId.TIMELINE_TEXT, "value") or ""
    return {
        "incident_id": _parse(int, metadata.get("incident_id")),
        "page": _parse(int, metadata.get("page")) or 0,
        "text": text.strip(),
        "occurred_at": moment.astimezone(timezone.utc).isoformat(),
    }


def timeline_errors(message: str) -> dict[str, Any]:
    """A view_submission response that shows `message` under the entry's text input."""
    return {"response_action": "errors",
            "errors": {str(BlockId.TIMELINE_TEXT): truncate(message, LABEL_MAX)}}
