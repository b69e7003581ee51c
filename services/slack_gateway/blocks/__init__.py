"""Block Kit builders for the gateway's Slack surfaces.

One module per surface: declare_modal, control_panel, digest, app_home; text holds
plain-string helpers (escaping, topic, help). This package module holds only the
small element constructors and Slack's limits the surfaces share, so every limit is
enforced where the element is built (Slack rejects a whole message for one long field).
Surfaces are imported from their modules, not re-exported here, to keep imports acyclic.
"""

from __future__ import annotations

from typing import Any

from services.slack_gateway.blocks.text import truncate

# Slack's Block Kit limits (docs.slack.dev/reference/block-kit).
MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100  # modals and the Home tab
HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_MAX = 10
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
BUTTON_TEXT_MAX = 75
OPTION_TEXT_MAX = 75
OPTION_DESCRIPTION_MAX = 75
OPTION_VALUE_MAX = 150
SELECT_OPTIONS_MAX = 100
PLACEHOLDER_MAX = 150
LABEL_MAX = 2000
URL_MAX = 3000
VIEW_TITLE_MAX = 24

Block = dict[str, Any]


def plain_text(text: str, limit: int | None = None) -> Block:
    return {"type": "plain_text", "text": truncate(text, limit) if limit else text,
            "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> Block:
    # Callers escape and size user text themselves; this cut is only a last guard.
    return {"type": "mrkdwn", "text": truncate(text, limit)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain_text(text, HEADER_MAX)}


def divider() -> Block:
    return {"type": "divider"}


def section(text: str | None = None, *, block_id: str | None = None,
            accessory: Block | None = None, fields: list[str] | None = None) -> Block:
    block: Block = {"type": "section"}
    if text is not None:
        block["text"] = mrkdwn(text)
    if fields:
        block["fields"] = [mrkdwn(field, FIELD_TEXT_MAX) for field in fields[:FIELDS_MAX]]
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> Block:
    return {"type": "context",
            "elements": [mrkdwn(text) for text in texts[:CONTEXT_ELEMENTS_MAX]]}


def actions(elements: list[Block], *, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": elements[:ACTIONS_ELEMENTS_MAX]}
    if block_id:
        block["block_id"] = block_id
    return block


def button(text: str, action_id: str, *, value: str | None = None,
           url: str | None = None, style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain_text(text, BUTTON_TEXT_MAX),
                      "action_id": action_id}
    if value is not None:
        element["value"] = value
    if url is not None:
        element["url"] = url
    if style:
        element["style"] = style
    return element


def url_fits(url: str | None) -> bool:
    """Whether `url` can go in a button (a longer one would make Slack reject the message)."""
    return bool(url) and len(url) <= URL_MAX


def option(text: str, value: str, description: str | None = None) -> Block:
    item: Block = {"text": plain_text(text, OPTION_TEXT_MAX), "value": value}
    if description:
        item["description"] = plain_text(description, OPTION_DESCRIPTION_MAX)
    return item


def static_select(action_id: str, options: list[Block], *, placeholder: str,
                  initial_value: str | None = None) -> Block:
    """A static_select whose initial option is the option with `initial_value`, if any."""
    options = options[:SELECT_OPTIONS_MAX]
    element: Block = {"type": "static_select", "action_id": action_id,
                      "placeholder": plain_text(placeholder, PLACEHOLDER_MAX),
                      "options": options}
    initial = next((item for item in options if item["value"] == initial_value), None)
    if initial is not None:
        # Slack requires initial_option to be identical to one of the options.
        element["initial_option"] = initial
    return element


def users_select(action_id: str, *, placeholder: str,
                 initial_user: str | None = None) -> Block:
    element: Block = {"type": "users_select", "action_id": action_id,
                      "placeholder": plain_text(placeholder, PLACEHOLDER_MAX)}
    if initial_user:
        element["initial_user"] = initial_user
    return element
