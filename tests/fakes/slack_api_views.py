"""views.* methods of the Slack fake: modals (with trigger ids and stacks) and App Home."""

from __future__ import annotations

import copy
import secrets
import time

from tests.fakes.slack_api_blockkit import validate_view
from tests.fakes.slack_api_core import Call, SlackError, api_method

PUSH_LIMIT = 3  # Slack allows a stack of at most 3 modal views


def _invalid(*messages: str) -> SlackError:
    return SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {m}" for m in messages]})


def _checked_view(call: Call, kinds: tuple[str, ...]) -> dict:
    view = call.params.get("view")
    if view in (None, ""):
        raise _invalid("missing required field: view")
    errors = validate_view(view)
    if not errors and view.get("type") not in kinds:
        errors = [f"must be one of: {', '.join(kinds)} [json-pointer:/view/type]"]
    if errors:
        raise _invalid(*errors)
    external_id = view.get("external_id")
    if external_id:
        for other in call.state.views.values():
            if other["external_id"] == external_id and other["id"] != call.params.get("view_id"):
                raise SlackError("duplicate_external_id")
    return view


def _fill_ids(blocks: list) -> list:
    """Slack assigns block_id and action_id where the app left them out; state values use them."""
    blocks = copy.deepcopy(blocks)
    for block in blocks:
        block.setdefault("block_id", secrets.token_urlsafe(4)[:5])
        elements = list(block.get("elements") or [])
        elements += [block[k] for k in ("element", "accessory") if isinstance(block.get(k), dict)]
        for element in elements:
            if isinstance(element, dict) and element.get("type") not in (None, "mrkdwn", "plain_text", "image"):
                element.setdefault("action_id", secrets.token_urlsafe(4)[:5])
    return blocks


def _new_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def _store(call: Call, view: dict, view_id: str | None = None, root: str | None = None,
           previous: str | None = None) -> dict:
    state = call.state
    view_id = view_id or state.new_id("V")
    stored = {
        "id": view_id, "team_id": state.team_id, "type": view["type"],
        "title": view.get("title"), "submit": view.get("submit"), "close": view.get("close"),
        "blocks": _fill_ids(view.get("blocks") or []),
        "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
        "state": {"values": {}}, "hash": _new_hash(),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "root_view_id": root or view_id, "previous_view_id": previous, "app_id": state.app_id,
        "external_id": view.get("external_id", ""), "app_installed_team_id": state.team_id,
        "bot_id": state.bot_id,
    }
    if view_id not in state.views:
        state.view_order.append(view_id)
    state.views[view_id] = stored
    return stored


def _existing(call: Call) -> dict:
    view_id, external_id = call.get("view_id"), call.get("external_id")
    if not view_id and not external_id:
        raise _invalid("must provide either view_id or external_id [json-pointer:/view_id]")
    for view in call.state.views.values():
        if view["id"] == view_id or (external_id and view["external_id"] == external_id):
            return view
    raise SlackError("not_found")


def _check_hash(call: Call, current: dict) -> None:
    given = call.get("hash")
    if given and given != current["hash"]:
        raise SlackError("hash_conflict")


@api_method("views.open")
def views_open(call: Call) -> dict:
    trigger = call.state.check_trigger(call.required("trigger_id", "invalid_trigger_id"))
    view = _checked_view(call, ("modal",))
    trigger["used"] = True
    return {"view": copy.deepcopy(_store(call, view))}


@api_method("views.push")
def views_push(call: Call) -> dict:
    trigger = call.state.check_trigger(call.required("trigger_id", "invalid_trigger_id"))
    view = _checked_view(call, ("modal",))
    views = call.state.views
    under_id = trigger["view_id"] or next(
        (v for v in reversed(call.state.view_order) if views[v]["type"] == "modal"), None)
    if under_id is None or under_id not in views:
        raise SlackError("not_found")
    root = views[under_id]["root_view_id"]
    if sum(1 for v in views.values() if v["root_view_id"] == root) >= PUSH_LIMIT:
        raise SlackError("push_limit_reached")
    trigger["used"] = True
    return {"view": copy.deepcopy(_store(call, view, root=root, previous=under_id))}


@api_method("views.update")
def views_update(call: Call) -> dict:
    current = _existing(call)
    _check_hash(call, current)
    view = _checked_view(call, (current["type"],))
    if not view.get("external_id") and current["external_id"]:
        view = {**view, "external_id": current["external_id"]}
    stored = _store(call, view, view_id=current["id"], root=current["root_view_id"],
                    previous=current["previous_view_id"])
    return {"view": copy.deepcopy(stored)}


@api_method("views.publish")
def views_publish(call: Call) -> dict:
    user_id = call.get("user_id")
    if not user_id or user_id not in call.state.users:
        raise _invalid("invalid `user_id`")
    current_id = call.state.home_views.get(user_id)
    if current_id:
        _check_hash(call, call.state.views[current_id])
    view = _checked_view(call, ("home",))
    stored = _store(call, view, view_id=current_id)
    call.state.home_views[user_id] = stored["id"]
    return {"view": copy.deepcopy(stored)}
