"""SlackFakeClient: drive and inspect a Slack fake running in another process.

Same method names as SlackFake, over the fake's /_fake/* endpoints. Stdlib urllib only,
so it works the same with or without eventlet's monkey-patching.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

from tests.fakes.slack_api_core import RequestRecord


class SlackFakeClient:
    """Talks to `python -m tests.fakes.slack_api`; `url` is its SLACK_FAKE_URL (or the root URL)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        self.root_url = f"{parts.scheme}://{parts.netloc}"
        self.url = f"{self.root_url}/api/"
        self.timeout = timeout

    def _request(self, path: str, payload: dict | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"{self.root_url}{path}", data=data,
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.loads(response.read())

    def control(self, action: str, **args: Any) -> Any:
        """Run one SlackFake method in the fake's process and return its result."""
        answer = self._request("/_fake/control", {"action": action, "args": args})
        if not answer.get("ok"):
            raise RuntimeError(f"slack fake control {action}: {answer.get('error')}")
        return answer.get("result")

    # records ------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        return self.calls()

    def calls(self, method: str | None = None) -> list[RequestRecord]:
        path = "/_fake/requests" + (f"?method={quote(method)}" if method else "")
        return [RequestRecord.from_dict(r) for r in self._request(path)]

    def reset_requests(self) -> None:
        self.control("reset_requests")

    def state(self) -> dict:
        return self._request("/_fake/state")

    # knobs --------------------------------------------------------------------------------
    def set_delay(self, seconds: float) -> None:
        self.control("set_delay", seconds=seconds)

    def set_trigger_ttl(self, seconds: float) -> None:
        self.control("set_trigger_ttl", seconds=seconds)

    def fail(self, method: str, status: int | None = None, error: str | None = None,
             retry_after: float | None = None, times: int = 1, only: dict | None = None) -> None:
        self.control("fail", method=method, status=status, error=error, retry_after=retry_after,
                     times=times, only=only)

    def hang(self, method: str, seconds: float, times: int = 1) -> None:
        self.control("hang", method=method, seconds=seconds, times=times)

    def clear_failures(self) -> None:
        self.control("clear_failures")

    # workspace ----------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, real_name: str | None = None, email: str | None = None,
                 is_bot: bool = False) -> dict:
        return self.control("add_user", user_id=user_id, name=name, real_name=real_name, email=email,
                            is_bot=is_bot)

    def add_channel(self, name: str, is_private: bool = False, members: list[str] | tuple = ()) -> str:
        return self.control("add_channel", name=name, is_private=is_private, members=list(members))

    def add_message(self, channel_id: str, text: str = "", user: str | None = None,
                    blocks: list | None = None, thread_ts: str | None = None) -> str:
        return self.control("add_message", channel_id=channel_id, text=text, user=user, blocks=blocks,
                            thread_ts=thread_ts)

    def add_reaction(self, channel_id: str, ts: str, name: str, user: str) -> None:
        self.control("add_reaction", channel_id=channel_id, ts=ts, name=name, user=user)

    def add_usergroup(self, handle: str, name: str | None = None, users: list[str] | tuple = ()) -> str:
        return self.control("add_usergroup", handle=handle, name=name, users=list(users))

    def add_file(self, name: str, content: bytes, mimetype: str = "application/octet-stream") -> str:
        return self.control("add_file", name=name, mimetype=mimetype,
                            content_b64=base64.b64encode(content).decode())

    def new_trigger_id(self, view_id: str | None = None) -> str:
        return self.control("new_trigger_id", view_id=view_id)

    def channel(self, channel_id: str) -> dict:
        return self.control("channel", channel_id=channel_id)

    def channel_by_name(self, name: str) -> dict | None:
        return self.control("channel_by_name", name=name)

    @property
    def channels(self) -> list[dict]:
        return self.state()["channels"]

    def messages(self, channel_id: str) -> list[dict]:
        return self.control("messages", channel_id=channel_id)

    def ephemeral_messages(self, channel_id: str) -> list[dict]:
        return self.control("ephemeral_messages", channel_id=channel_id)

    def pins(self, channel_id: str) -> list[str]:
        return self.control("pins", channel_id=channel_id)

    @property
    def views(self) -> list[dict]:
        return self.state()["views"]

    def view(self, view_id: str) -> dict | None:
        return self.control("view", view_id=view_id)

    def home_view(self, user_id: str) -> dict | None:
        return self.control("home_view", user_id=user_id)
