"""Sign and send requests into the gateway exactly as Slack does (events, interactivity, commands).

Slack signs `v0:{timestamp}:{raw body}` with HMAC-SHA256 under the app's signing secret and
sends it as `X-Slack-Signature: v0=<hex>` next to `X-Slack-Request-Timestamp`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import requests

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
VERIFICATION_TOKEN = "fake-verification-token"  # the deprecated body token Slack still sends


def sign_request(body: bytes, signing_secret: str, timestamp: int | None = None,
                 content_type: str | None = None) -> dict[str, str]:
    """Headers Slack sends with `body`; the content type is guessed from the body when not given."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    signature = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    if content_type is None:
        content_type = JSON if body.lstrip()[:1] == b"{" else FORM
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": content_type}


def _select_option(value: Any) -> dict | None:
    """An option object from a value, a (value, label) pair, or a ready option dict."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    value, label = value if isinstance(value, tuple) else (value, value)
    return {"text": {"type": "plain_text", "text": str(label), "emoji": True}, "value": str(value)}


def state_value_for(element_type: str, value: Any) -> dict:
    """One `view.state.values[block_id][action_id]` entry in Slack's shape for an input element."""
    entry: dict[str, Any] = {"type": element_type}
    if element_type in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        entry["value"] = None if value is None else str(value)
    elif element_type in ("static_select", "external_select", "radio_buttons"):
        entry["selected_option"] = _select_option(value)
    elif element_type in ("checkboxes", "multi_static_select", "multi_external_select"):
        entry["selected_options"] = [_select_option(v) for v in (value or [])]
    elif element_type == "users_select":
        entry["selected_user"] = value
    elif element_type == "multi_users_select":
        entry["selected_users"] = list(value or [])
    elif element_type == "conversations_select":
        entry["selected_conversation"] = value
    elif element_type == "channels_select":
        entry["selected_channel"] = value
    elif element_type == "datepicker":
        entry["selected_date"] = value  # "YYYY-MM-DD"
    elif element_type == "timepicker":
        entry["selected_time"] = value  # "HH:MM"
    elif element_type == "datetimepicker":
        entry["selected_date_time"] = value  # unix seconds
    else:
        raise ValueError(f"no state shape known for {element_type!r}")
    return entry


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _fake_trigger_id() -> str:
    # Looks like Slack's; the Slack fake refuses it (invalid_trigger_id) unless minted by the fake.
    return f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


class SlackSender:
    """Posts signed requests to the gateway (`gateway_url` is the full /slack/events URL)."""

    def __init__(self, gateway_url: str, signing_secret: str, session: requests.Session | None = None,
                 team_id: str = "T0TEST", api_app_id: str = "A0TEST", bot_user_id: str = "U0BOT",
                 team_domain: str = "fake-team", timeout: float = 10.0) -> None:
        self.gateway_url = gateway_url
        self.signing_secret = signing_secret
        self.session = session or requests.Session()
        self.team_id, self.api_app_id, self.bot_user_id = team_id, api_app_id, bot_user_id
        self.team_domain = team_domain
        self.timeout = timeout

    # transport ----------------------------------------------------------------------------
    def raw(self, body: bytes | str, headers: dict[str, str] | None = None) -> requests.Response:
        """Post `body` with exactly these headers, unsigned: for forged or replayed requests."""
        data = body.encode() if isinstance(body, str) else body
        return self.session.post(self.gateway_url, data=data, headers=headers or {}, timeout=self.timeout)

    def send(self, body: bytes, content_type: str, extra_headers: dict[str, str] | None = None,
             timestamp: int | None = None) -> requests.Response:
        headers = sign_request(body, self.signing_secret, timestamp, content_type)
        headers["User-Agent"] = USER_AGENT
        headers.update(extra_headers or {})
        return self.raw(body, headers)

    def _payload(self, payload: dict) -> requests.Response:
        # Interactivity arrives as a form with one field, payload=<JSON>.
        return self.send(urlencode({"payload": json.dumps(payload)}).encode(), FORM)

    def _team(self, team_id: str | None) -> dict:
        return {"id": team_id or self.team_id, "domain": self.team_domain}

    def _user(self, user_id: str, team_id: str | None) -> dict:
        return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(),
                "team_id": team_id or self.team_id}

    # interactivity ------------------------------------------------------------------------
    def shortcut(self, callback_id: str, user_id: str, trigger_id: str,
                 team_id: str | None = None) -> requests.Response:
        """A global shortcut (type "shortcut")."""
        return self._payload({
            "type": "shortcut", "token": VERIFICATION_TOKEN, "action_ts": _action_ts(),
            "team": self._team(team_id), "user": self._user(user_id, team_id),
            "is_enterprise_install": False, "enterprise": None,
            "callback_id": callback_id, "trigger_id": trigger_id,
        })

    def message_shortcut(self, callback_id: str, user_id: str, trigger_id: str, channel_id: str,
                         message: dict, channel_name: str = "general",
                         team_id: str | None = None) -> requests.Response:
        """A message shortcut (type "message_action") on `message` (needs at least ts, text, user)."""
        return self._payload({
            "type": "message_action", "token": VERIFICATION_TOKEN, "action_ts": _action_ts(),
            "team": self._team(team_id), "user": self._user(user_id, team_id),
            "channel": {"id": channel_id, "name": channel_name},
            "is_enterprise_install": False, "enterprise": None, "callback_id": callback_id,
            "trigger_id": trigger_id, "message_ts": message["ts"], "message": message,
            "response_url": f"https://hooks.slack.com/app/{team_id or self.team_id}/{secrets.token_hex(6)}",
        })

    def slash_command(self, command: str, text: str, user_id: str, trigger_id: str, channel_id: str,
                      channel_name: str = "general", user_name: str | None = None,
                      team_id: str | None = None) -> requests.Response:
        """A slash command, form-encoded with the fields Slack sends."""
        team_id = team_id or self.team_id
        fields = {
            "token": VERIFICATION_TOKEN, "team_id": team_id, "team_domain": self.team_domain,
            "channel_id": channel_id, "channel_name": channel_name, "user_id": user_id,
            "user_name": user_name or user_id.lower(), "command": command, "text": text,
            "api_app_id": self.api_app_id, "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.com/commands/{team_id}/{secrets.token_hex(6)}",
            "trigger_id": trigger_id,
        }
        return self.send(urlencode(fields).encode(), FORM)

    def view_submission(self, view: dict, values: dict, user_id: str, team_id: str | None = None,
                        trigger_id: str | None = None) -> requests.Response:
        """A modal submitted with `values` ({block_id: {action_id: state_value_for(...)}})."""
        submitted = {"team_id": team_id or self.team_id, "private_metadata": "", "callback_id": "",
                     "hash": "", "root_view_id": view.get("id"), "previous_view_id": None, "app_id": self.api_app_id,
                     "external_id": "", "bot_id": "B0BOT", **view, "state": {"values": values}}
        return self._payload({
            "type": "view_submission", "token": VERIFICATION_TOKEN, "team": self._team(team_id),
            "user": self._user(user_id, team_id), "api_app_id": self.api_app_id,
            "trigger_id": trigger_id or _fake_trigger_id(), "view": submitted, "response_urls": [],
            "is_enterprise_install": False, "enterprise": None,
        })

    def view_closed(self, view: dict, user_id: str, team_id: str | None = None) -> requests.Response:
        """A modal closed by the user (sent only if the view asked for notify_on_close)."""
        return self._payload({
            "type": "view_closed", "token": VERIFICATION_TOKEN, "team": self._team(team_id),
            "user": self._user(user_id, team_id), "api_app_id": self.api_app_id, "view": view,
            "is_cleared": False, "is_enterprise_install": False, "enterprise": None,
        })

    def block_actions(self, actions: list[dict], user_id: str, channel_id: str | None = None,
                      message: dict | None = None, container: dict | None = None,
                      trigger_id: str | None = None, view: dict | None = None,
                      team_id: str | None = None) -> requests.Response:
        """Clicks/selections in a message (pass channel_id + message) or a view (pass view)."""
        actions = [{"action_ts": _action_ts(), **a} for a in actions]
        if container is None:
            if view is not None:
                container = {"type": "view", "view_id": view.get("id")}
            elif message is not None:
                container = {"type": "message", "message_ts": message.get("ts"), "channel_id": channel_id,
                             "is_ephemeral": False}
            else:
                container = {"type": "message", "channel_id": channel_id, "is_ephemeral": False}
        payload: dict[str, Any] = {
            "type": "block_actions", "user": self._user(user_id, team_id), "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN, "container": container,
            "trigger_id": trigger_id or _fake_trigger_id(), "team": self._team(team_id),
            "enterprise": None, "is_enterprise_install": False, "actions": actions,
        }
        if channel_id:
            payload["channel"] = {"id": channel_id, "name": "channel"}
        if message is not None:
            payload["message"] = message
            payload["state"] = {"values": {}}
            team = team_id or self.team_id
            payload["response_url"] = f"https://hooks.slack.com/actions/{team}/{secrets.token_hex(6)}"
        if view is not None:
            payload["view"] = view
        return self._payload(payload)

    # Events API ---------------------------------------------------------------------------
    def event(self, event: dict, event_id: str | None = None, retry_num: int | None = None,
              retry_reason: str | None = None) -> requests.Response:
        """An event_callback envelope; retries carry X-Slack-Retry-Num/-Reason like Slack's."""
        envelope = {
            "token": VERIFICATION_TOKEN, "team_id": self.team_id, "context_team_id": self.team_id,
            "context_enterprise_id": None, "api_app_id": self.api_app_id, "event": event,
            "type": "event_callback", "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": self.bot_user_id,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": f"4-{secrets.token_urlsafe(24)}",
        }
        headers = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self.send(json.dumps(envelope).encode(), JSON, headers)

    def url_verification(self, challenge: str) -> requests.Response:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.send(json.dumps(body).encode(), JSON)
