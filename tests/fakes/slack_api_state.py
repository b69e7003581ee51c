"""The Slack fake's workspace: users, conversations, messages, pins, views, usergroups, files.

Callers hold the fake's lock; nothing here locks. Getters that hand data to tests
return deep copies so a test cannot mutate the workspace by accident.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field

from tests.fakes.slack_api_core import SlackError

CHANNEL_NAME_MAX = 80


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool
    creator: str
    created: int
    members: list[str]
    is_im: bool = False
    is_archived: bool = False
    topic: dict = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    purpose: dict = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    messages: list[dict] = field(default_factory=list)  # chronological, thread replies included
    pins: list[dict] = field(default_factory=list)  # {"ts", "created", "created_by"}
    ephemeral: list[dict] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "im" if self.is_im else ("private" if self.is_private else "public")

    def to_api(self, viewer: str) -> dict:
        """The conversation object as Slack's conversations.* methods return it."""
        if self.is_im:
            other = next((m for m in self.members if m != viewer), viewer)
            return {"id": self.id, "created": self.created, "is_im": True, "is_org_shared": False,
                    "user": other, "is_user_deleted": False, "priority": 0}
        return {
            "id": self.id, "name": self.name, "is_channel": not self.is_private,
            "is_group": self.is_private, "is_im": False, "is_mpim": False,
            "is_private": self.is_private, "created": self.created, "is_archived": self.is_archived,
            "is_general": False, "unlinked": 0, "name_normalized": self.name, "is_shared": False,
            "is_org_shared": False, "is_ext_shared": False, "is_pending_ext_shared": False,
            "pending_shared": [], "creator": self.creator, "is_member": viewer in self.members,
            "topic": dict(self.topic), "purpose": dict(self.purpose), "previous_names": [],
            "num_members": len(self.members),
        }


class SlackState:
    """Everything the fake workspace remembers between calls."""

    def __init__(self, team_id: str, bot_user_id: str, bot_id: str = "B0BOT", app_id: str = "A0TEST") -> None:
        self.team_id, self.bot_user_id, self.bot_id, self.app_id = team_id, bot_user_id, bot_id, app_id
        self.users: dict[str, dict] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, dict] = {}  # view id -> view object
        self.view_order: list[str] = []
        self.home_views: dict[str, str] = {}  # user id -> view id
        self.usergroups: dict[str, dict] = {}
        self.files: dict[str, dict] = {}
        self.file_bytes: dict[str, bytes] = {}
        self.triggers: dict[str, dict] = {}  # trigger id -> {"expires", "used", "view_id"}
        self._ids = itertools.count(1)
        self._last_ts = 0
        self.add_user(bot_user_id, "incident-bot", real_name="Incident Bot", is_bot=True)

    # ids and timestamps ---------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08X}"

    def new_ts(self) -> str:
        """A unique, strictly increasing message ts close to wall-clock time, like Slack's."""
        micros = max(int(time.time() * 1_000_000), self._last_ts + 100)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # users ----------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, real_name: str | None = None, email: str | None = None,
                 is_bot: bool = False, deleted: bool = False, tz: str = "Europe/London",
                 is_admin: bool = False) -> dict:
        real = real_name or name
        profile = {"real_name": real, "real_name_normalized": real, "display_name": name,
                   "display_name_normalized": name, "team": self.team_id,
                   "image_72": f"https://avatars.example/{user_id}_72.png"}
        if email:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = self.bot_id
        self.users[user_id] = {
            "id": user_id, "team_id": self.team_id, "name": name, "deleted": deleted,
            "real_name": real, "tz": tz, "tz_label": tz, "tz_offset": 0, "is_admin": is_admin,
            "is_owner": False, "is_bot": is_bot, "is_app_user": False,
            "updated": int(time.time()), "profile": profile,
        }
        return self.users[user_id]

    def user(self, user_id: str | None, error: str = "user_not_found") -> dict:
        if not user_id or user_id not in self.users:
            raise SlackError(error)
        return self.users[user_id]

    # conversations ----------------------------------------------------------------------
    def add_channel(self, name: str, is_private: bool = False, members: list[str] | tuple = (),
                    creator: str | None = None, channel_id: str | None = None) -> Channel:
        if self.channel_named(name):
            raise SlackError("name_taken")
        channel = Channel(id=channel_id or self.new_id("C"), name=name, is_private=is_private,
                          creator=creator or self.bot_user_id, created=int(time.time()),
                          members=list(dict.fromkeys(members)))
        self.channels[channel.id] = channel
        return channel

    def channel_named(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if not c.is_im and c.name == name), None)

    def im_with(self, user_id: str) -> Channel:
        """The bot's DM with a user, created on first use as Slack does for chat.postMessage."""
        for channel in self.channels.values():
            if channel.is_im and user_id in channel.members:
                return channel
        channel = Channel(id=self.new_id("D"), name=user_id, is_private=True, is_im=True,
                          creator=self.bot_user_id, created=int(time.time()),
                          members=[self.bot_user_id, user_id])
        self.channels[channel.id] = channel
        return channel

    def find_channel(self, ref: str | None, viewer: str | None = None) -> Channel:
        """Resolve an id, or a name with or without '#'; private ones are invisible to non-members."""
        if not ref:
            raise SlackError("channel_not_found")
        viewer = viewer or self.bot_user_id
        channel = self.channels.get(ref) or self.channel_named(ref.lstrip("#"))
        if channel is None and ref in self.users:
            channel = self.im_with(ref)
        if channel is None or (channel.is_private and viewer not in channel.members):
            raise SlackError("channel_not_found")
        return channel

    # messages ---------------------------------------------------------------------------
    def add_message(self, channel: Channel, text: str, user: str, blocks: list | None = None,
                    thread_ts: str | None = None, files: list[str] | tuple = (),
                    attachments: list | None = None) -> dict:
        ts = self.new_ts()
        is_bot = user == self.bot_user_id
        message = {"type": "message", "ts": ts, "user": user, "text": text or "",
                   "blocks": list(blocks or []), "thread_ts": thread_ts, "reactions": [],
                   "team": self.team_id, "bot_id": self.bot_id if is_bot else None,
                   "app_id": self.app_id if is_bot else None, "attachments": list(attachments or []),
                   "files": [self.files[f] for f in files if f in self.files], "edited": None,
                   "reply_count": 0, "reply_users": [], "latest_reply": None}
        if thread_ts:
            parent = self.message(channel, thread_ts)
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] += 1
            parent["latest_reply"] = ts
            if user not in parent["reply_users"]:
                parent["reply_users"].append(user)
        channel.messages.append(message)
        return message

    def message(self, channel: Channel, ts: str | None) -> dict:
        for message in channel.messages:
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def api_message(self, channel: Channel, message: dict) -> dict:
        """A stored message in Slack's wire shape: empty optional fields left out."""
        out = {k: v for k, v in message.items()
               if v not in (None, [], 0) or k in ("text", "ts", "type")}
        if "thread_ts" in out and out["thread_ts"] != out["ts"]:
            out["parent_user_id"] = self.message(channel, out["thread_ts"])["user"]
        if any(p["ts"] == message["ts"] for p in channel.pins):
            out["pinned_to"] = [channel.id]
        return out

    # triggers ---------------------------------------------------------------------------
    def new_trigger_id(self, ttl: float, view_id: str | None = None) -> str:
        trigger = f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        self.triggers[trigger] = {"expires": time.monotonic() + ttl, "used": False, "view_id": view_id}
        return trigger

    def check_trigger(self, trigger_id: str | None) -> dict:
        """Slack's trigger rules: unknown -> invalid, used or older than its ttl -> expired."""
        trigger = self.triggers.get(trigger_id or "")
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger["used"] or time.monotonic() > trigger["expires"]:
            raise SlackError("expired_trigger_id")
        return trigger

    # usergroups and files -----------------------------------------------------------------
    def add_usergroup(self, handle: str, name: str | None = None, users: list[str] | tuple = (),
                      description: str = "") -> dict:
        group_id = self.new_id("S")
        now = int(time.time())
        self.usergroups[group_id] = {
            "id": group_id, "team_id": self.team_id, "is_usergroup": True, "is_subteam": True,
            "name": name or handle, "description": description, "handle": handle,
            "is_external": False, "date_create": now, "date_update": now, "date_delete": 0,
            "auto_type": None, "created_by": self.bot_user_id, "updated_by": self.bot_user_id,
            "deleted_by": None, "prefs": {"channels": [], "groups": []},
            "users": list(users), "user_count": len(users),
        }
        return self.usergroups[group_id]

    def add_file(self, name: str, content: bytes, root_url: str, mimetype: str = "application/octet-stream",
                 title: str | None = None, user: str | None = None, channels: list[str] | tuple = ()) -> dict:
        file_id = self.new_id("F")
        now = int(time.time())
        url = f"{root_url}/_fake/files/{file_id}/{name}"
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        self.files[file_id] = {
            "id": file_id, "created": now, "timestamp": now, "name": name, "title": title or name,
            "mimetype": mimetype, "filetype": filetype, "pretty_type": filetype.upper(),
            "user": user or self.bot_user_id, "user_team": self.team_id, "mode": "hosted",
            "editable": False, "is_external": False, "external_type": "", "is_public": True,
            "public_url_shared": False, "display_as_bot": False, "username": "", "size": len(content),
            "url_private": url, "url_private_download": f"{url}?download=1",
            "permalink": f"https://fake-team.slack.com/files/{user or self.bot_user_id}/{file_id}/{name}",
            "channels": list(channels), "groups": [], "ims": [], "comments_count": 0,
        }
        self.file_bytes[file_id] = content
        return self.files[file_id]
