"""The Slack app manifest holds every shortcut, command, scope and event the bot uses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.slack_gateway.blocks.text import SUBCOMMANDS
from services.slack_gateway.ids import CallbackId

GATEWAY = Path(__file__).resolve().parents[2] / "services" / "slack_gateway"
MANIFEST = GATEWAY / "manifest.yaml"
REQUEST_URL = "https://incident-bot.example.com/slack/events"

BOT_EVENTS = {"app_home_opened", "message.channels", "message.groups", "reaction_added",
              "reaction_removed"}
BOT_SCOPES = {
    "channels:history", "channels:join", "channels:manage", "channels:read", "chat:write",
    "commands", "files:read", "groups:history", "groups:read", "groups:write", "im:history", "im:write",
    "pins:read", "pins:write", "reactions:read", "reactions:write", "team:read",
    "usergroups:read", "users:read", "users:read.email",
}
# Slack refuses to deliver an event unless the app holds its scope.
EVENT_SCOPES = {
    "app_home_opened": None,
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "reaction_added": "reactions:read",
    "reaction_removed": "reactions:read",
    "app_mention": "app_mentions:read",
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_manifest_has_every_required_key(manifest: dict[str, Any]) -> None:
    display = manifest["display_information"]
    assert 1 <= len(display["name"]) <= 35 and len(display["description"]) <= 140
    assert 174 <= len(display["long_description"]) <= 4000
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", display["background_color"])
    features = manifest["features"]
    assert features["bot_user"]["always_online"] is True
    assert 1 <= len(features["bot_user"]["display_name"]) <= 80
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    settings = manifest["settings"]
    assert settings["interactivity"] == {"is_enabled": True, "request_url": REQUEST_URL}
    assert settings["event_subscriptions"]["request_url"] == REQUEST_URL
    assert settings["org_deploy_enabled"] is False
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_host_placeholder_is_explained() -> None:
    header = MANIFEST.read_text(encoding="utf-8").split("\n_metadata", 1)[0]
    assert "replace" in header and "incident-bot.example.com" in header


def test_declare_shortcut_matches_the_listener_id(manifest: dict[str, Any]) -> None:
    shortcuts = manifest["features"]["shortcuts"]
    declare = next(s for s in shortcuts if s["callback_id"] == CallbackId.DECLARE_SHORTCUT)
    assert declare["type"] == "global" and declare["name"] == "Declare incident"
    assert declare["description"]


def test_every_shortcut_callback_id_is_a_global_shortcut(manifest: dict[str, Any]) -> None:
    shortcuts = {s["callback_id"]: s for s in manifest["features"]["shortcuts"]}
    expected = {member.value for member in CallbackId if member.name.endswith("SHORTCUT")}
    assert {"provide_incident_update", "manage_incident_timeline"} <= expected
    assert expected <= set(shortcuts)
    for callback_id in expected:
        shortcut = shortcuts[callback_id]
        assert shortcut["type"] == "global"
        # Slack's limits for a shortcut's name and description.
        assert 1 <= len(shortcut["name"]) <= 24 and 1 <= len(shortcut["description"]) <= 150
    assert shortcuts[CallbackId.UPDATE_SHORTCUT]["name"] == "Provide incident update"
    assert shortcuts[CallbackId.TIMELINE_SHORTCUT]["name"] == "Manage incident timeline"


def test_slash_command(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/incident" and command["url"] == REQUEST_URL
    # Escaped, so `/incident role <role> @someone` arrives as <@U123|name>.
    assert command["description"] and command["should_escape"] is True
    hint = command["usage_hint"]
    assert hint.startswith("[") and hint.endswith("]") and len(hint) <= 1000
    assert set(SUBCOMMANDS) <= set(re.findall(r"\w+", hint))


def test_scopes_cover_what_the_bot_uses(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert BOT_SCOPES <= set(scopes)
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert event in EVENT_SCOPES, f"unknown scope for event {event}"
        needed = EVENT_SCOPES[event]
        assert needed is None or needed in scopes, f"{event} needs {needed}"


def _events_registered_by_listeners() -> set[str]:
    """Event types the gateway's listener code registers with `app.event("...")`."""
    found: set[str] = set()
    for path in GATEWAY.rglob("*.py"):
        found |= set(re.findall(r"\.event\(\s*[\"']([a-z_.]+)[\"']",
                                path.read_text(encoding="utf-8")))
    return found


def test_every_subscribed_event_is_listed(manifest: dict[str, Any]) -> None:
    bot_events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert BOT_EVENTS <= bot_events
    for event in _events_registered_by_listeners():
        if event == "message":  # Bolt's "message" covers message.channels/groups/im
            assert any(name.startswith("message.") for name in bot_events)
        else:
            assert event in bot_events, f"listener handles {event!r}; manifest lacks it"
