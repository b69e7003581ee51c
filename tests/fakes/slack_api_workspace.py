"""SlackFake's test-facing side of the workspace: seed users, channels, messages; read them back.

Kept apart from the HTTP plumbing in slack_api.py. Everything takes the fake's lock and
hands out deep copies, so tests can read while the server answers calls.
"""

from __future__ import annotations

import base64
import copy
import threading
from typing import Any

from tests.fakes import slack_api_chat
from tests.fakes.slack_api_core import SlackError
from tests.fakes.slack_api_state import SlackState

# Fake methods another process may call through POST /_fake/control.
CONTROL_ACTIONS = {
    "set_delay", "set_trigger_ttl", "fail", "hang", "clear_failures", "reset_requests",
    "add_user", "add_channel", "add_message", "add_reaction", "add_usergroup", "add_file",
    "new_trigger_id", "messages", "ephemeral_messages", "pins", "channel", "channel_by_name",
    "view", "home_view",
}


class WorkspaceAccess:
    """Mixin for SlackFake; needs `state`, `_lock`, `root_url`, `trigger_ttl`, `bot_token`."""

    state: SlackState
    _lock: threading.RLock
    root_url: str
    trigger_ttl: float
    bot_token: str

    # workspace ----------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, real_name: str | None = None, email: str | None = None,
                 is_bot: bool = False, **fields: Any) -> dict:
        with self._lock:
            return copy.deepcopy(self.state.add_user(user_id, name, real_name, email, is_bot, **fields))

    def add_channel(self, name: str, is_private: bool = False, members: list[str] | tuple = ()) -> str:
        """Create a channel as if someone made it earlier; the bot is in it only if listed."""
        with self._lock:
            return self.state.add_channel(name, is_private=is_private, members=members,
                                          creator=(list(members) or [None])[0]).id

    def add_message(self, channel_id: str, text: str = "", user: str | None = None,
                    blocks: list | None = None, thread_ts: str | None = None,
                    files: list[str] | tuple = ()) -> str:
        """A message someone (default: the bot) posted; returns its ts."""
        with self._lock:
            channel = self.state.channels[channel_id]
            user = user or self.state.bot_user_id
            return self.state.add_message(channel, text, user, blocks, thread_ts, files)["ts"]

    def add_reaction(self, channel_id: str, ts: str, name: str, user: str) -> None:
        with self._lock:
            channel = self.state.channels[channel_id]
            slack_api_chat.add_reaction(self.state.message(channel, ts), name, user)

    def add_usergroup(self, handle: str, name: str | None = None, users: list[str] | tuple = (),
                      description: str = "") -> str:
        with self._lock:
            return self.state.add_usergroup(handle, name, users, description)["id"]

    def add_file(self, name: str, content: bytes, mimetype: str = "application/octet-stream",
                 title: str | None = None, user: str | None = None, channels: list[str] | tuple = ()) -> str:
        with self._lock:
            return self.state.add_file(name, content, self.root_url, mimetype, title, user, channels)["id"]

    def new_trigger_id(self, view_id: str | None = None) -> str:
        """A trigger id valid for `trigger_ttl` seconds and one views.open/push (`view_id`: push onto it)."""
        with self._lock:
            return self.state.new_trigger_id(self.trigger_ttl, view_id)

    def channel(self, channel_id: str) -> dict:
        with self._lock:
            channel = self.state.channels[channel_id]
            return {**channel.to_api(self.state.bot_user_id), "members": list(channel.members)}

    def channel_by_name(self, name: str) -> dict | None:
        with self._lock:
            channel = self.state.channel_named(name.lstrip("#"))
            return self.channel(channel.id) if channel else None

    @property
    def channels(self) -> list[dict]:
        with self._lock:
            return [self.channel(cid) for cid in self.state.channels]

    def messages(self, channel_id: str) -> list[dict]:
        """All messages in a channel, oldest first, thread replies included (see thread_ts)."""
        with self._lock:
            return copy.deepcopy(self.state.channels[channel_id].messages)

    def ephemeral_messages(self, channel_id: str) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self.state.channels[channel_id].ephemeral)

    def pins(self, channel_id: str) -> list[str]:
        with self._lock:
            return [p["ts"] for p in self.state.channels[channel_id].pins]

    @property
    def views(self) -> list[dict]:
        """Every view opened, pushed or published, in creation order, as currently stored."""
        with self._lock:
            return [copy.deepcopy(self.state.views[v]) for v in self.state.view_order]

    def view(self, view_id: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self.state.views.get(view_id))

    def home_view(self, user_id: str) -> dict | None:
        with self._lock:
            view_id = self.state.home_views.get(user_id)
            return self.view(view_id) if view_id else None

    def snapshot(self) -> dict:
        """The whole workspace as JSON-able data (GET /_fake/state)."""
        with self._lock:
            state = self.state
            return {
                "team_id": state.team_id, "bot_user_id": state.bot_user_id, "users": copy.deepcopy(state.users),
                "channels": self.channels,
                "messages": {cid: self.messages(cid) for cid in state.channels},
                "ephemeral": {cid: self.ephemeral_messages(cid) for cid in state.channels},
                "pins": {cid: self.pins(cid) for cid in state.channels},
                "views": self.views, "home_views": dict(state.home_views),
                "usergroups": copy.deepcopy(state.usergroups), "files": copy.deepcopy(state.files),
            }

    def file_content(self, file_id: str, authorization: str) -> tuple[bytes, str, str] | None:
        """File bytes, only for a request carrying the bot token, as Slack's url_private."""
        with self._lock:
            if authorization != f"Bearer {self.bot_token}" or file_id not in self.state.files:
                return None
            file = self.state.files[file_id]
            return self.state.file_bytes[file_id], file["mimetype"], file["name"]

    def control(self, action: str, args: dict[str, Any]) -> dict:
        """Run one fake method for another process (POST /_fake/control)."""
        if action not in CONTROL_ACTIONS:
            return {"ok": False, "error": f"unknown action {action!r}"}
        if "content_b64" in args:  # bytes travel base64-encoded in JSON
            args = dict(args)
            args["content"] = base64.b64decode(args.pop("content_b64"))
        try:
            return {"ok": True, "result": getattr(self, action)(**args)}
        except (SlackError, KeyError, TypeError, ValueError) as exc:
            return {"ok": False, "error": getattr(exc, "error", repr(exc))}
