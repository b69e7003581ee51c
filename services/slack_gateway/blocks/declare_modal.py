"""The "Declare incident" modal: the view, reading its submission, and field errors."""

from __future__ import annotations

from typing import Any

from services.slack_gateway.blocks import (
    Block,
    LABEL_MAX,
    VIEW_TITLE_MAX,
    option,
    plain_text,
    static_select,
)
from services.slack_gateway.blocks.text import severity_label, truncate
from services.slack_gateway.ids import MAX_DESCRIPTION, ActionId, BlockId, CallbackId

PRIVATE_METADATA_MAX = 3000
PRIVATE_VALUE = "private"

# Field names (as validation errors name them) -> the input block that shows the error.
_ERROR_BLOCKS = {
    "description": BlockId.DESCRIPTION,
    "severity": BlockId.SEVERITY,
    "is_private": BlockId.PRIVATE,
    "private": BlockId.PRIVATE,
}


def _severity_options(config: Any) -> list[Block]:
    return [option(severity_label(name), name, description)
            for name, description in config.severities.items()]


def _private_option() -> Block:
    return option("This is a private or security incident", PRIVATE_VALUE,
                  "Creates a private channel; only invited people see it")


def declare_modal(config: Any, *, initial_description: str = "",
                  private_metadata: str = "") -> dict[str, Any]:
    """The modal view opened by the shortcut, `/incident`, App Home and digest buttons."""
    if len(private_metadata) > PRIVATE_METADATA_MAX:
        # Cutting it would corrupt whatever the caller encoded; fail loudly instead.
        raise ValueError(f"private_metadata exceeds Slack's {PRIVATE_METADATA_MAX} characters")
    description_input: Block = {
        "type": "plain_text_input",
        "action_id": ActionId.DESCRIPTION,
        "multiline": True,
        "max_length": MAX_DESCRIPTION,
        "placeholder": plain_text("e.g. Checkout API returns 500 for some customers"),
    }
    if initial_description.strip():
        description_input["initial_value"] = initial_description.strip()[:MAX_DESCRIPTION]
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": BlockId.DESCRIPTION,
            "label": plain_text("What is happening?", LABEL_MAX),
            "element": description_input,
            "hint": plain_text("Describe the impact in a sentence; it also names the "
                               "incident channel."),
        },
        {
            "type": "input",
            "block_id": BlockId.SEVERITY,
            "label": plain_text("Severity", LABEL_MAX),
            "element": static_select(ActionId.SEVERITY, _severity_options(config),
                                     placeholder="Choose a severity",
                                     initial_value=config.default_severity),
        },
        {
            "type": "input",
            "block_id": BlockId.PRIVATE,
            "optional": True,
            "label": plain_text("Private/security incident", LABEL_MAX),
            "element": {"type": "checkboxes", "action_id": ActionId.PRIVATE,
                        "options": [_private_option()]},
        },
    ]
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": CallbackId.DECLARE_MODAL,
        "title": plain_text("Declare incident", VIEW_TITLE_MAX),
        "submit": plain_text("Declare", VIEW_TITLE_MAX),
        "close": plain_text("Cancel", VIEW_TITLE_MAX),
        "blocks": blocks,
    }
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def _element_state(state_values: dict[str, Any], block_id: str,
                   action_id: str) -> dict[str, Any]:
    return (state_values.get(block_id) or {}).get(action_id) or {}


def read_declare_submission(state_values: dict[str, Any]) -> dict[str, Any]:
    """Map Slack's `view.state.values` to {"description", "severity", "is_private"}.

    Values are returned as typed, not validated: `incidents.declare_incident`
    validates, and its errors come back through declare_errors().
    """
    description = _element_state(state_values, BlockId.DESCRIPTION, ActionId.DESCRIPTION)
    severity = _element_state(state_values, BlockId.SEVERITY, ActionId.SEVERITY)
    private = _element_state(state_values, BlockId.PRIVATE, ActionId.PRIVATE)
    selected = severity.get("selected_option") or {}
    return {
        "description": (description.get("value") or "").strip(),
        "severity": selected.get("value") or "",
        "is_private": any(item.get("value") == PRIVATE_VALUE
                          for item in private.get("selected_options") or []),
    }


def declare_errors(field: str, message: str) -> dict[str, Any]:
    """A view_submission response that shows `message` under the field's input."""
    # An unknown field still has to reach the user: show it on the first input.
    block_id = _ERROR_BLOCKS.get(field, BlockId.DESCRIPTION)
    return {"response_action": "errors",
            "errors": {str(block_id): truncate(message, LABEL_MAX)}}
