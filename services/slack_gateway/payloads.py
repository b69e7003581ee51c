"""The minimum shape of what Slack sends, checked before Bolt routes it: a payload of
the wrong shape gets a clear 400 instead of failing somewhere inside a listener."""
from __future__ import annotations

from typing import Any

# For each interactivity type: the keys that must be there, and their types.
REQUIRED: dict[str, dict[str, type]] = {
    "shortcut": {"user": dict, "trigger_id": str, "callback_id": str},
    "message_action": {"user": dict, "trigger_id": str, "callback_id": str, "channel": dict,
                       "message": dict},
    "block_actions": {"user": dict, "actions": list},
    "view_submission": {"user": dict, "view": dict},
    "view_closed": {"user": dict, "view": dict},
    "block_suggestion": {"user": dict, "action_id": str},
}
VIEW_KEYS: dict[str, type] = {"id": str, "callback_id": str, "state": dict}
ENVELOPES = ("event_callback", "url_verification", "app_rate_limited")


def problem(body: dict[str, Any]) -> str | None:
    """What is wrong with an interactivity payload, or None when it is well formed."""
    kind = body.get("type")
    if "command" in body or kind in ENVELOPES:
        return None  # slash commands and Events API envelopes: Bolt routes them
    if kind not in REQUIRED:
        return f"unsupported request type {str(kind)[:40]!r}"
    for key, expected in REQUIRED[kind].items():
        if not isinstance(body.get(key), expected):
            return f"{kind} payload: `{key}` must be {expected.__name__}"
    if not isinstance(body["user"].get("id"), str) or not body["user"]["id"]:
        return f"{kind} payload: `user.id` is missing"
    if "view" in REQUIRED[kind]:
        for key, expected in VIEW_KEYS.items():
            if not isinstance(body["view"].get(key), expected):
                return f"{kind} payload: `view.{key}` must be {expected.__name__}"
    if kind == "block_actions" and not all(isinstance(a, dict) and isinstance(
            a.get("action_id"), str) for a in body["actions"]):
        return "block_actions payload: every action needs an action_id"
    return None
