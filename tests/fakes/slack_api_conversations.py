"""conversations.* methods of the Slack fake, with Slack's validation and error names."""

from __future__ import annotations

import re
import time

from tests.fakes.slack_api_core import HISTORY, MANAGE, READ, Call, SlackError, api_method, paginate
from tests.fakes.slack_api_state import CHANNEL_NAME_MAX, Channel

TOPIC_MAX = 250
PURPOSE_MAX = 250
_NAME_CHARS = re.compile(r"^[a-z0-9_\-\u00c0-\uffff]+$")  # Slack also allows non-ASCII letters
_TYPE_KIND = {"public_channel": "public", "private_channel": "private", "im": "im", "mpim": "mpim"}


def validate_channel_name(name: str | None) -> str:
    """Slack's channel name rules, in the order Slack reports them."""
    if not name or not name.strip():
        raise SlackError("invalid_name_required")
    if len(name) > CHANNEL_NAME_MAX:
        raise SlackError("invalid_name_maxlength")
    if not _NAME_CHARS.match(name):
        raise SlackError("invalid_name_specials")
    if not re.search(r"[^\-_]", name):
        raise SlackError("invalid_name_punctuation")
    return name


def _member_channel(call: Call, scope: dict, ref_param: str = "channel") -> Channel:
    """Resolve the channel, check the scope for its kind, and require the bot to be in it."""
    channel = call.state.find_channel(call.get(ref_param))
    call.need(scope, channel.kind)
    if call.state.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    return channel


def _kinds(call: Call) -> list[str]:
    kinds = []
    for name in call.csv("types") or ["public_channel"]:
        if name not in _TYPE_KIND:
            raise SlackError("invalid_types")
        kinds.append(_TYPE_KIND[name])
    for kind in kinds:
        call.need(READ, kind)
    return kinds


def _listing(call: Call) -> list[Channel]:
    """Conversations of the requested types the bot can see (private ones only if a member)."""
    kinds = _kinds(call)
    exclude_archived = call.flag("exclude_archived")
    bot = call.state.bot_user_id
    return [c for c in call.state.channels.values()
            if c.kind in kinds and not (exclude_archived and c.is_archived)
            and (not c.is_private or bot in c.members)]


@api_method("conversations.create", scope=MANAGE, precheck=False)  # kind comes from is_private
def conversations_create(call: Call) -> dict:
    is_private = call.flag("is_private")
    call.need(MANAGE, "private" if is_private else "public")
    name = validate_channel_name(call.get("name"))
    channel = call.state.add_channel(name, is_private=is_private, members=[call.state.bot_user_id])
    return {"channel": channel.to_api(call.state.bot_user_id)}


@api_method("conversations.info", scope=READ)
def conversations_info(call: Call) -> dict:
    channel = call.state.find_channel(call.get("channel"))
    call.need(READ, channel.kind)
    return {"channel": channel.to_api(call.state.bot_user_id)}


@api_method("conversations.list", scope=READ, precheck=False)  # kinds come from `types`
def conversations_list(call: Call) -> dict:
    channels = _listing(call)
    page, cursor = paginate(channels, call)
    bot = call.state.bot_user_id
    return {"channels": [c.to_api(bot) for c in page], "response_metadata": {"next_cursor": cursor}}


@api_method("users.conversations", scope=READ, precheck=False)  # kinds come from `types`
def users_conversations(call: Call) -> dict:
    user_id = call.get("user") or call.state.bot_user_id
    call.state.user(user_id)
    channels = [c for c in _listing(call) if user_id in c.members]
    page, cursor = paginate(channels, call)
    bot = call.state.bot_user_id
    return {"channels": [c.to_api(bot) for c in page], "response_metadata": {"next_cursor": cursor}}


@api_method("conversations.join", scope="channels:join")
def conversations_join(call: Call) -> dict:
    channel = call.state.find_channel(call.get("channel"))
    if channel.kind != "public":
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    bot = call.state.bot_user_id
    result: dict = {"channel": channel.to_api(bot)}
    if bot in channel.members:
        call.warn("already_in_channel")
    else:
        channel.members.append(bot)
        result["channel"] = channel.to_api(bot)
    return result


@api_method("conversations.invite", scope=MANAGE)
def conversations_invite(call: Call) -> dict:
    channel = _member_channel(call, MANAGE)
    if channel.is_archived:
        raise SlackError("is_archived")
    users = call.csv("users")
    if not users:
        raise SlackError("no_user")
    errors, valid = [], []
    for user_id in users:
        if user_id == call.state.bot_user_id:
            error = "cant_invite_self"
        elif user_id not in call.state.users:
            error = "user_not_found"
        elif user_id in channel.members:
            error = "already_in_channel"
        else:
            valid.append(user_id)
            continue
        errors.append({"user": user_id, "ok": False, "error": error})
    # Without force Slack invites nobody if any user fails; with force it invites the valid ones.
    if errors and not (call.flag("force") and valid):
        raise SlackError(errors[0]["error"], errors=errors)
    channel.members.extend(u for u in valid if u not in channel.members)
    result: dict = {"channel": channel.to_api(call.state.bot_user_id)}
    if errors:
        result["errors"] = errors
    return result


@api_method("conversations.kick", scope=MANAGE)
def conversations_kick(call: Call) -> dict:
    channel = _member_channel(call, MANAGE)
    user_id = call.required("user", "user_not_found")
    if user_id == call.state.bot_user_id:
        raise SlackError("cant_kick_self")
    call.state.user(user_id)
    if user_id not in channel.members:
        raise SlackError("not_in_channel")
    channel.members.remove(user_id)
    return {}


@api_method("conversations.members", scope=READ)
def conversations_members(call: Call) -> dict:
    channel = call.state.find_channel(call.get("channel"))
    call.need(READ, channel.kind)
    page, cursor = paginate(channel.members, call)
    return {"members": list(page), "response_metadata": {"next_cursor": cursor}}


def _set_text_field(call: Call, field_name: str, param: str, limit: int) -> dict:
    channel = _member_channel(call, MANAGE)
    if channel.is_archived:
        raise SlackError("is_archived")
    value = call.get(param, "")
    if len(value) > limit:
        raise SlackError("too_long")
    setattr(channel, field_name, {"value": value, "creator": call.state.bot_user_id,
                                  "last_set": int(time.time())})
    return {"channel": channel.to_api(call.state.bot_user_id)}


@api_method("conversations.setTopic", scope=MANAGE)
def conversations_set_topic(call: Call) -> dict:
    return _set_text_field(call, "topic", "topic", TOPIC_MAX)


@api_method("conversations.setPurpose", scope=MANAGE)
def conversations_set_purpose(call: Call) -> dict:
    result = _set_text_field(call, "purpose", "purpose", PURPOSE_MAX)
    return {"channel": result["channel"], "purpose": result["channel"]["purpose"]["value"]}


@api_method("conversations.archive", scope=MANAGE)
def conversations_archive(call: Call) -> dict:
    channel = _member_channel(call, MANAGE)
    if channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("already_archived")
    channel.is_archived = True
    return {}


@api_method("conversations.open", scope={"im": "im:write", "mpim": "mpim:write"})
def conversations_open(call: Call) -> dict:
    users = call.csv("users")
    if len(users) != 1:
        raise SlackError("not_enough_users" if not users else "too_many_users")
    call.need({"im": "im:write"}, "im")
    call.state.user(users[0])
    channel = call.state.im_with(users[0])
    return {"channel": {"id": channel.id} if not call.flag("return_im") else channel.to_api(call.state.bot_user_id)}


def _ts_param(call: Call, name: str) -> float | None:
    value = call.get(name)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise SlackError(f"invalid_ts_{name}") from None


def _in_window(call: Call, ts: str) -> bool:
    oldest, latest = _ts_param(call, "oldest"), _ts_param(call, "latest")
    inclusive, when = call.flag("inclusive"), float(ts)
    if oldest is not None and (when < oldest or (not inclusive and when == oldest)):
        return False
    if latest is not None and (when > latest or (not inclusive and when == latest)):
        return False
    return True


def _readable(call: Call) -> Channel:
    channel = call.state.find_channel(call.get("channel"))
    call.need(HISTORY, channel.kind)
    if call.state.bot_user_id not in channel.members:  # bots read only where they are members
        raise SlackError("not_in_channel")
    return channel


@api_method("conversations.history", scope=HISTORY)
def conversations_history(call: Call) -> dict:
    channel = _readable(call)
    # Top-level messages only (replies live in conversations.replies), newest first.
    top = [m for m in reversed(channel.messages)
           if (m["thread_ts"] in (None, m["ts"])) and _in_window(call, m["ts"])]
    page, cursor = paginate(top, call)
    return {"messages": _shown(call, channel, page), "has_more": bool(cursor),
            "pin_count": len(channel.pins), "response_metadata": {"next_cursor": cursor}}


def _shown(call: Call, channel, messages: list[dict]) -> list[dict]:  # noqa: ANN001
    """Messages in the wire shape; metadata only when asked for (include_all_metadata)."""
    shown = [call.state.api_message(channel, m) for m in messages]
    if not call.flag("include_all_metadata"):
        for message in shown:
            message.pop("metadata", None)
    return shown


@api_method("conversations.replies", scope=HISTORY)
def conversations_replies(call: Call) -> dict:
    channel = _readable(call)
    ts = call.required("ts", "thread_not_found")
    try:
        parent = call.state.message(channel, ts)
    except SlackError:
        raise SlackError("thread_not_found") from None
    thread = [parent] + [m for m in channel.messages if m["thread_ts"] == ts and m["ts"] != ts]
    thread = [m for m in thread if m is parent or _in_window(call, m["ts"])]
    page, cursor = paginate(thread, call)
    return {"messages": _shown(call, channel, page), "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor}}
