"""Block Kit validation with Slack's documented limits.

Each function returns a list of Slack-style error strings, "<problem> [json-pointer:/path]";
an empty list means valid. The method handlers turn them into `invalid_blocks` (messages)
or `invalid_arguments` (views) answers the way Slack does.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS_MAX = 50
SURFACE_BLOCKS_MAX = 100  # modals and App Home
ID_MAX = 255  # action_id, block_id, callback_id, external_id

_SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}
_CHOICE_ELEMENTS = {"radio_buttons": 10, "checkboxes": 10, "overflow": 5}
_SIMPLE_ELEMENTS = {
    "users_select", "multi_users_select", "conversations_select", "multi_conversations_select",
    "channels_select", "multi_channels_select", "external_select", "multi_external_select",
    "datepicker", "timepicker", "datetimepicker", "email_text_input", "url_text_input",
    "number_input", "rich_text_input", "file_input", "workflow_button",
}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, problem: str, pointer: str) -> None:
        self.errors.append(f"{problem} [json-pointer:{pointer}]")

    def length(self, value: Any, limit: int, pointer: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.error(f"must be less than {limit + 1} characters", pointer)

    def items(self, value: Any, limit: int, pointer: str, minimum: int = 0) -> list:
        if not isinstance(value, list):
            self.error("must be an array", pointer)
            return []
        if len(value) > limit:
            self.error(f"must provide no more than {limit} items", pointer)
        elif len(value) < minimum:
            self.error(f"must provide at least {minimum} items", pointer)
        return value

    def text(self, obj: Any, limit: int, pointer: str, plain_only: bool = False) -> None:
        """A text composition object: plain_text or mrkdwn, 1..limit characters."""
        if not isinstance(obj, dict):
            self.error("must be an object", pointer)
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj.get("type") not in allowed:
            self.error(f"must be one of: {', '.join(allowed)}", f"{pointer}/type")
        text = obj.get("text")
        if not isinstance(text, str):
            self.error("missing required field: text", pointer)
        elif not text:
            self.error("must be more than 0 characters", f"{pointer}/text")
        else:
            self.length(text, limit, f"{pointer}/text")

    # elements -----------------------------------------------------------------------
    def option(self, option: Any, pointer: str, plain_only: bool) -> None:
        if not isinstance(option, dict):
            self.error("must be an object", pointer)
            return
        self.text(option.get("text"), 75, f"{pointer}/text", plain_only)
        if "value" in option:
            self.length(option["value"], 150, f"{pointer}/value")
        if "description" in option:
            self.text(option["description"], 75, f"{pointer}/description", plain_only)

    def element(self, element: Any, pointer: str) -> None:
        if not isinstance(element, dict):
            self.error("must be an object", pointer)
            return
        kind = element.get("type")
        self.length(element.get("action_id"), ID_MAX, f"{pointer}/action_id")
        if "placeholder" in element:
            self.text(element["placeholder"], 150, f"{pointer}/placeholder", plain_only=True)
        if kind == "button":
            self.text(element.get("text"), 75, f"{pointer}/text", plain_only=True)
            self.length(element.get("value"), 2000, f"{pointer}/value")
            self.length(element.get("url"), 3000, f"{pointer}/url")
            if element.get("style") not in (None, "primary", "danger"):
                self.error("must be one of: primary, danger", f"{pointer}/style")
        elif kind in _SELECTS_WITH_OPTIONS:
            if "options" in element:
                for i, option in enumerate(self.items(element["options"], 100, f"{pointer}/options")):
                    self.option(option, f"{pointer}/options/{i}", plain_only=True)
            elif "option_groups" in element:
                groups = self.items(element["option_groups"], 100, f"{pointer}/option_groups")
                for g, group in enumerate(groups):
                    gp = f"{pointer}/option_groups/{g}"
                    self.text((group or {}).get("label"), 75, f"{gp}/label", plain_only=True)
                    for i, option in enumerate(self.items((group or {}).get("options"), 100, f"{gp}/options")):
                        self.option(option, f"{gp}/options/{i}", plain_only=True)
            else:
                self.error("must provide either options or option_groups", pointer)
        elif kind in _CHOICE_ELEMENTS:
            options = self.items(element.get("options"), _CHOICE_ELEMENTS[kind], f"{pointer}/options", 1)
            for i, option in enumerate(options):
                self.option(option, f"{pointer}/options/{i}", plain_only=kind == "overflow")
        elif kind == "plain_text_input":
            for key in ("max_length", "min_length"):
                value = element.get(key)
                if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
                    self.error("must be an integer between 0 and 3000", f"{pointer}/{key}")
        elif kind == "image":
            self.length(element.get("image_url"), 3000, f"{pointer}/image_url")
            self.length(element.get("alt_text"), 2000, f"{pointer}/alt_text")
        elif kind not in _SIMPLE_ELEMENTS:
            self.error("failed to match all allowed schemas", pointer)

    # blocks -------------------------------------------------------------------------
    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict):
            self.error("must be an object", pointer)
            return
        kind = block.get("type")
        self.length(block.get("block_id"), ID_MAX, f"{pointer}/block_id")
        if kind == "section":
            if "text" in block:
                self.text(block["text"], 3000, f"{pointer}/text")
            if "fields" in block:
                for i, field in enumerate(self.items(block["fields"], 10, f"{pointer}/fields")):
                    self.text(field, 2000, f"{pointer}/fields/{i}")
            if "text" not in block and "fields" not in block:
                self.error("must provide either text or fields", pointer)
            if "accessory" in block:
                self.element(block["accessory"], f"{pointer}/accessory")
        elif kind == "header":
            self.text(block.get("text"), 150, f"{pointer}/text", plain_only=True)
        elif kind == "actions":
            elements = self.items(block.get("elements"), 25, f"{pointer}/elements", minimum=1)
            seen: set[str] = set()
            for i, element in enumerate(elements):
                self.element(element, f"{pointer}/elements/{i}")
                action_id = element.get("action_id") if isinstance(element, dict) else None
                if action_id is not None and action_id in seen:
                    self.error(f"duplicate action_id: {action_id}", f"{pointer}/elements/{i}/action_id")
                seen.add(action_id)
        elif kind == "context":
            elements = self.items(block.get("elements"), 10, f"{pointer}/elements", minimum=1)
            for i, element in enumerate(elements):
                ep = f"{pointer}/elements/{i}"
                if isinstance(element, dict) and element.get("type") == "image":
                    self.element(element, ep)
                else:
                    self.text(element, 3000, ep)
        elif kind == "input":
            self.text(block.get("label"), 2000, f"{pointer}/label", plain_only=True)
            if "hint" in block:
                self.text(block["hint"], 2000, f"{pointer}/hint", plain_only=True)
            if "element" not in block:
                self.error("missing required field: element", pointer)
            else:
                self.element(block["element"], f"{pointer}/element")
        elif kind == "image":
            if not block.get("image_url") and not block.get("slack_file"):
                self.error("missing required field: image_url", pointer)
            if not block.get("alt_text"):
                self.error("missing required field: alt_text", pointer)
            self.length(block.get("alt_text"), 2000, f"{pointer}/alt_text")
            if "title" in block:
                self.text(block["title"], 2000, f"{pointer}/title", plain_only=True)
        elif kind == "markdown":
            self.length(block.get("text"), 12000, f"{pointer}/text")
        elif kind not in ("divider", "rich_text", "file", "video"):
            self.error("failed to match all allowed schemas", pointer)

    def blocks(self, blocks: Any, limit: int, pointer: str) -> None:
        blocks = self.items(blocks, limit, pointer)
        seen: set[str] = set()
        for i, block in enumerate(blocks):
            self.block(block, f"{pointer}/{i}")
            block_id = block.get("block_id") if isinstance(block, dict) else None
            if block_id is not None:
                if block_id in seen:
                    self.error(f"duplicate block_id: {block_id}", f"{pointer}/{i}/block_id")
                seen.add(block_id)


def validate_message_blocks(blocks: Any) -> list[str]:
    """Errors for a message's `blocks` (chat.postMessage, chat.update, chat.postEphemeral)."""
    checker = _Checker()
    checker.blocks(blocks, MESSAGE_BLOCKS_MAX, "/blocks")
    return checker.errors


def validate_view(view: Any) -> list[str]:
    """Errors for a modal or home view (views.open, views.push, views.update, views.publish)."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.error("must be an object", "/view")
        return checker.errors
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.error("must be one of: modal, home", "/view/type")
    if kind == "modal":
        if "title" not in view:
            checker.error("missing required field: title", "/view")
        else:
            checker.text(view["title"], 24, "/view/title", plain_only=True)
        for key in ("submit", "close"):
            if key in view and view[key] is not None:
                checker.text(view[key], 24, f"/view/{key}", plain_only=True)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and not view.get("submit"):
            checker.error("submit is required when an input block is within the blocks array", "/view")
    if "blocks" not in view:
        checker.error("missing required field: blocks", "/view")
    else:
        checker.blocks(view["blocks"], SURFACE_BLOCKS_MAX, "/view/blocks")
    checker.length(view.get("private_metadata"), 3000, "/view/private_metadata")
    checker.length(view.get("callback_id"), ID_MAX, "/view/callback_id")
    checker.length(view.get("external_id"), ID_MAX, "/view/external_id")
    return checker.errors
