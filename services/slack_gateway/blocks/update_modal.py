"""The "Status update" modal, reading its submission, and the update message it posts."""

from __future__ import annotations

import json
from typing import Any

from services.slack_gateway.blocks import (
    LABEL_MAX,
    MESSAGE_MAX_BLOCKS,
    OPTION_TEXT_MAX,
    SECTION_TEXT_MAX,
    SELECT_OPTIONS_MAX,
    VIEW_TITLE_MAX,
    Block,
    context,
    option,
    plain_text,
    section,
    static_select,
)
from services.slack_gateway.blocks.text import (
    description_of,
    escape_chunks,
    escape_truncate,
    is_resolved,
    severity_label,
    slack_time,
    status_label,
    truncate,
    user_mention,
)
from services.slack_gateway.ids import (
    MAX_IMPACTED,
    MAX_UPDATE,
    ActionId,
    BlockId,
    CallbackId,
)

_CONTEXT_DESCRIPTION_MAX = 500
_FALLBACK_TEXT_MAX = 300


def _incident_context(incident: dict[str, Any]) -> Block:
    description = escape_truncate(description_of(incident), _CONTEXT_DESCRIPTION_MAX)
    return context(f"*Incident #{incident['id']}* · {severity_label(incident['severity'])}"
                   f" · {description}")


def _incident_option(incident: dict[str, Any]) -> Block:
    # Anyone can run the global shortcut: a private incident stays unnamed in the list.
    description = description_of(incident, public=True)
    return option(truncate(f"#{incident['id']} {description}", OPTION_TEXT_MAX),
                  str(incident["id"]))


def _incident_picker(open_incidents: list[dict[str, Any]]) -> Block:
    options = [_incident_option(incident) for incident in open_incidents]
    return {
        "type": "input",
        "block_id": BlockId.UPDATE_INCIDENT,
        "label": plain_text("Incident", LABEL_MAX),
        "element": static_select(ActionId.UPDATE_INCIDENT, options[:SELECT_OPTIONS_MAX],
                                 placeholder="Choose an open incident"),
    }


def _update_inputs() -> list[Block]:
    return [
        {
            "type": "input",
            "block_id": BlockId.UPDATE_MESSAGE,
            "label": plain_text("What's the latest?", LABEL_MAX),
            "element": {
                "type": "plain_text_input",
                "action_id": ActionId.UPDATE_MESSAGE,
                "multiline": True,
                "max_length": MAX_UPDATE,
                "placeholder": plain_text("What we know, what we are doing, when the "
                                          "next update comes"),
            },
        },
        {
            "type": "input",
            "block_id": BlockId.UPDATE_IMPACTED,
            "optional": True,
            "label": plain_text("Impacted resources", LABEL_MAX),
            "element": {
                "type": "plain_text_input",
                "action_id": ActionId.UPDATE_IMPACTED,
                "max_length": MAX_IMPACTED,
                "placeholder": plain_text("e.g. checkout API, EU customers"),
            },
        },
    ]


def update_modal(config: Any, *, incident: dict[str, Any] | None,
                 open_incidents: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """The modal opened from the control panel, `/incident update` or the global shortcut.

    With `incident` the update is about it; without, the user picks one of
    `open_incidents` (and gets no form at all when there is none).
    """
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": CallbackId.UPDATE_MODAL,
        "title": plain_text("Status update", VIEW_TITLE_MAX),
        "close": plain_text("Cancel", VIEW_TITLE_MAX),
        "private_metadata": "{}",
    }
    if incident is not None:
        view["private_metadata"] = json.dumps({"incident_id": incident["id"]})
        blocks = [_incident_context(incident)]
    elif open_incidents:
        blocks = [_incident_picker(list(open_incidents))]
    else:
        view["close"] = plain_text("Close", VIEW_TITLE_MAX)
        view["blocks"] = [section(":white_check_mark: There are no open incidents to "
                                  "post an update about.")]
        return view
    view["submit"] = plain_text("Post update", VIEW_TITLE_MAX)
    view["blocks"] = blocks + _update_inputs()
    return view


def _value(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    return (values.get(block_id) or {}).get(action_id) or {}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_update_submission(view: dict[str, Any]) -> dict[str, Any]:
    """Map a submitted update modal to {"incident_id", "text", "impacted"}.

    `incident_id` comes from private_metadata when the modal was opened for one
    incident, else from the picker; None when neither holds one.
    """
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    values = (view.get("state") or {}).get("values") or {}
    incident_id = metadata.get("incident_id") if isinstance(metadata, dict) else None
    if incident_id is None:
        picked = _value(values, BlockId.UPDATE_INCIDENT, ActionId.UPDATE_INCIDENT)
        incident_id = (picked.get("selected_option") or {}).get("value")
    text = _value(values, BlockId.UPDATE_MESSAGE, ActionId.UPDATE_MESSAGE).get("value")
    impacted = _value(values, BlockId.UPDATE_IMPACTED, ActionId.UPDATE_IMPACTED).get("value")
    return {
        "incident_id": _int_or_none(incident_id),
        "text": (text or "").strip(),
        "impacted": (impacted or "").strip() or None,
    }


def render_status_update(incident: dict[str, Any], update: dict[str, Any],
                         config: Any) -> dict[str, Any]:
    """The update as posted in the digest thread and the war room: {"text", "blocks"}."""
    status = "Resolved" if is_resolved(incident, config) else status_label(incident["status"])
    state = f"{severity_label(incident['severity'])}, {status}"
    title = f":mega: *Update on incident #{incident['id']}* ({state})"
    blocks: list[Block] = [section(title)]
    # The whole update must reach readers: split it rather than cut it.
    room = MESSAGE_MAX_BLOCKS - 3
    blocks += [section(chunk) for chunk in
               escape_chunks(update.get("text") or "", SECTION_TEXT_MAX)[:room] if chunk]
    if update.get("impacted"):
        blocks.append(section(f"*Impacted:* {escape_truncate(update['impacted'], 2900)}"))
    posted = []
    if update.get("author_id"):
        posted.append(f"Posted by {user_mention(update['author_id'])}")
    if update.get("posted_at"):
        posted.append(slack_time(update["posted_at"]))
    if posted:
        blocks.append(context(" · ".join(posted)))
    fallback = escape_truncate(update.get("text") or "", _FALLBACK_TEXT_MAX)
    return {"text": f"Update on incident #{incident['id']} ({state}): {fallback}",
            "blocks": blocks}
