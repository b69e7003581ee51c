"""chat.*, pins.* and reactions.* methods of the Slack fake."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.fakes.slack_api_blockkit import validate_message_blocks
from tests.fakes.slack_api_core import Call, SlackError, api_method
from tests.fakes.slack_api_state import Channel

TEXT_MAX = 40000


def _postable_channel(call: Call) -> Channel:
    channel = call.state.find_channel(call.get("channel"))
    # chat:write.public lets a bot post in public channels it has not joined; otherwise it must be in.
    public_ok = channel.kind == "public" and "chat:write.public" in call.scopes
    if call.state.bot_user_id not in channel.members and not public_ok:
        raise SlackError("not_in_channel")
    if channel.is_archived:
        raise SlackError("is_archived")
    return channel


def _content(call: Call, require: bool = True) -> tuple[str | None, list | None]:
    """Validate text/blocks as Slack does: something to show, text within 40k, valid blocks."""
    text, blocks = call.params.get("text"), call.params.get("blocks")
    if isinstance(blocks, str):
        if blocks.strip():
            raise SlackError("invalid_blocks_format")
        blocks = None
    if blocks is not None and not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if require and not text and not blocks and not call.params.get("attachments"):
        raise SlackError("no_text")
    if text is not None and len(str(text)) > TEXT_MAX:
        raise SlackError("msg_too_long")
    if blocks:
        errors = validate_message_blocks(blocks)
        if errors:
            raise SlackError("invalid_blocks", errors=errors,
                             response_metadata={"messages": [f"[ERROR] {e}" for e in errors]})
    return (None if text is None else str(text)), blocks


def _thread_root(call: Call, channel: Channel) -> str | None:
    thread_ts = call.get("thread_ts")
    if not thread_ts:
        return None
    try:
        parent = call.state.message(channel, thread_ts)
    except SlackError:
        raise SlackError("thread_not_found") from None
    return parent["thread_ts"] or parent["ts"]  # a reply's ts threads onto its parent, as in Slack


def _metadata(call: Call) -> dict | None:
    """Message metadata as Slack takes it: JSON (or a JSON string) with a non-empty
    `event_type` and an `event_payload` object."""
    raw = call.params.get("metadata")
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SlackError("invalid_metadata_format") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("event_type"), str) \
            or not raw["event_type"] or not isinstance(raw.get("event_payload"), dict):
        raise SlackError("invalid_metadata_schema")
    return {"event_type": raw["event_type"], "event_payload": raw["event_payload"]}


@api_method("chat.postMessage", scope="chat:write")
def chat_post_message(call: Call) -> dict:
    channel = _postable_channel(call)
    text, blocks = _content(call)
    thread_ts = _thread_root(call, channel)
    metadata = _metadata(call)
    message = call.state.add_message(channel, text or "", call.state.bot_user_id, blocks=blocks,
                                     thread_ts=thread_ts, attachments=call.params.get("attachments"))
    message["metadata"] = metadata
    if thread_ts and call.flag("reply_broadcast"):
        message["subtype"] = "thread_broadcast"
    return {"channel": channel.id, "ts": message["ts"], "message": call.state.api_message(channel, message)}


@api_method("chat.update", scope="chat:write")
def chat_update(call: Call) -> dict:
    channel = call.state.find_channel(call.get("channel"))
    message = call.state.message(channel, call.required("ts", "message_not_found"))
    if message["user"] != call.state.bot_user_id:
        raise SlackError("cant_update_message")
    if channel.is_archived:
        raise SlackError("is_archived")
    text, blocks = _content(call)
    # Slack keeps fields the update leaves out; an empty blocks array removes the blocks.
    if text is not None:
        message["text"] = text
    if "blocks" in call.params:
        message["blocks"] = blocks or []
    message["edited"] = {"user": call.state.bot_user_id, "ts": call.state.new_ts()}
    api = call.state.api_message(channel, message)
    return {"channel": channel.id, "ts": message["ts"], "text": message["text"], "message": api}


@api_method("chat.delete", scope="chat:write")
def chat_delete(call: Call) -> dict:
    channel = call.state.find_channel(call.get("channel"))
    message = call.state.message(channel, call.required("ts", "message_not_found"))
    if message["user"] != call.state.bot_user_id:
        raise SlackError("cant_delete_message")
    channel.messages.remove(message)
    channel.pins[:] = [p for p in channel.pins if p["ts"] != message["ts"]]
    return {"channel": channel.id, "ts": message["ts"]}


@api_method("chat.postEphemeral", scope="chat:write")
def chat_post_ephemeral(call: Call) -> dict:
    channel = _postable_channel(call)
    user_id = call.required("user", "user_not_found")
    call.state.user(user_id)
    if user_id not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks = _content(call)
    ts = call.state.new_ts()
    channel.ephemeral.append({"ts": ts, "user": user_id, "text": text or "", "blocks": blocks or [],
                              "thread_ts": call.get("thread_ts")})
    return {"message_ts": ts}


@api_method("chat.getPermalink")
def chat_get_permalink(call: Call) -> dict:
    channel = call.state.find_channel(call.get("channel"))
    message = call.state.message(channel, call.required("message_ts", "message_not_found"))
    link = f"https://fake-team.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
    if message["thread_ts"] and message["thread_ts"] != message["ts"]:
        link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
    return {"channel": channel.id, "permalink": link}


def _item(call: Call, member_required: bool) -> tuple[Channel, dict]:
    if not call.get("channel") or not call.get("timestamp"):
        raise SlackError("no_item_specified")
    channel = call.state.find_channel(call.get("channel"))
    if member_required and call.state.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    return channel, call.state.message(channel, call.get("timestamp"))


@api_method("pins.add", scope="pins:write")
def pins_add(call: Call) -> dict:
    channel, message = _item(call, member_required=True)
    if any(p["ts"] == message["ts"] for p in channel.pins):
        raise SlackError("already_pinned")
    channel.pins.append({"ts": message["ts"], "created": int(time.time()),
                         "created_by": call.state.bot_user_id})
    return {}


@api_method("pins.remove", scope="pins:write")
def pins_remove(call: Call) -> dict:
    channel, message = _item(call, member_required=True)
    before = len(channel.pins)
    channel.pins[:] = [p for p in channel.pins if p["ts"] != message["ts"]]
    if len(channel.pins) == before:
        raise SlackError("no_pin")
    return {}


@api_method("pins.list", scope="pins:read")
def pins_list(call: Call) -> dict:
    channel = call.state.find_channel(call.get("channel"))
    items = [{"type": "message", "created": p["created"], "created_by": p["created_by"],
              "channel": channel.id,
              "message": call.state.api_message(channel, call.state.message(channel, p["ts"]))}
             for p in reversed(channel.pins)]
    return {"items": items}


def add_reaction(message: dict, name: str, user_id: str) -> None:
    """Add one user's reaction; raises already_reacted like Slack."""
    for reaction in message["reactions"]:
        if reaction["name"] == name:
            if user_id in reaction["users"]:
                raise SlackError("already_reacted")
            reaction["users"].append(user_id)
            reaction["count"] += 1
            return
    message["reactions"].append({"name": name, "users": [user_id], "count": 1})


def _reaction_name(call: Call) -> str:
    name = str(call.get("name", "")).strip(":")
    if not name:
        raise SlackError("invalid_name")
    return name


@api_method("reactions.add", scope="reactions:write")
def reactions_add(call: Call) -> dict:
    name = _reaction_name(call)
    _, message = _item(call, member_required=False)
    add_reaction(message, name, call.state.bot_user_id)
    return {}


@api_method("reactions.remove", scope="reactions:write")
def reactions_remove(call: Call) -> dict:
    name = _reaction_name(call)
    _, message = _item(call, member_required=False)
    bot = call.state.bot_user_id
    reaction: dict[str, Any] | None = next(
        (r for r in message["reactions"] if r["name"] == name and bot in r["users"]), None)
    if reaction is None:
        raise SlackError("no_reaction")
    reaction["users"].remove(bot)
    reaction["count"] -= 1
    if not reaction["users"]:
        message["reactions"].remove(reaction)
    return {}


@api_method("reactions.get", scope="reactions:read")
def reactions_get(call: Call) -> dict:
    channel, message = _item(call, member_required=False)
    return {"type": "message", "channel": channel.id, "message": call.state.api_message(channel, message)}
