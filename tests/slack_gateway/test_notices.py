"""Unit tests for the notices the gateway posts as an incident runs (no I/O)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from services.common.config import Config
from services.slack_gateway.blocks.notices import (
    PIN_CONFIRM_REACTION,
    image_too_large_notice,
    incident_help,
    not_in_incident_channel,
    reaction_declared_reply,
    reaction_description,
    resolution_summary,
    role_dm,
    role_notice,
    severity_notice,
    status_notice,
)
from services.slack_gateway.blocks.text import (
    format_bytes,
    format_duration,
    slack_time,
    slack_to_plain,
)
from services.slack_gateway.ids import MAX_DESCRIPTION, ActionId
from tests.slack_gateway.test_blocks import (
    SECRET,
    assert_valid_message,
    block_kit_problems,
    make_incident,
)

PERMALINK = "https://acme.slack.com/archives/C0GENERAL/p1700000000000100"


@pytest.fixture
def config() -> Config:
    return Config.default()


# --- helpers in text.py ---------------------------------------------------------------

@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(seconds=40), "40 s"), (timedelta(minutes=12, seconds=59), "12 min"),
    (timedelta(hours=2, minutes=5), "2 h 5 min"), (timedelta(hours=3), "3 h"),
    (timedelta(days=1, hours=4, minutes=30), "1 d 4 h"), (timedelta(seconds=-5), "0 s"),
])
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


def test_format_bytes() -> None:
    assert [format_bytes(size) for size in (850, 1024, 12_900_000, 10 * 1024 ** 2)] == [
        "850 B", "1 KB", "12.3 MB", "10 MB"]


def test_slack_to_plain_reads_markup_like_a_person() -> None:
    assert slack_to_plain("<@U1> in <#C1|general>: <!here> see <https://x.io|the doc> "
                          "or <https://y.io> &lt;b&gt; &amp;") == (
        "@U1 in #general: @here see the doc or https://y.io <b> &")


# --- status, severity, roles ----------------------------------------------------------

def test_status_notice_wording(config: Config) -> None:
    changed = status_notice(make_incident(status="identified"), "investigating", "U1", config)
    assert changed == (":arrows_counterclockwise: <@U1> changed the status from "
                       "Investigating to Identified")
    resolved = status_notice(make_incident(status="resolved"), "monitoring", "U1", config)
    assert resolved == ":white_check_mark: <@U1> resolved the incident"
    reopened = status_notice(make_incident(status="investigating"), "resolved", "U1", config)
    assert reopened == (":leftwards_arrow_with_hook: <@U1> reopened the incident "
                        "(now Investigating)")
    assert status_notice(make_incident(), "identified", None, config).startswith(
        ":arrows_counterclockwise: Someone changed")


def test_severity_notice(config: Config) -> None:
    incident = make_incident(severity="sev1")
    assert severity_notice(incident, "sev3", "U1") == (
        ":vertical_traffic_light: <@U1> changed the severity from SEV3 to SEV1")
    assert "raised the severity" in severity_notice(incident, "sev3", "U1", config)
    lowered = severity_notice(make_incident(severity="sev4"), "sev2", "U1", config)
    assert "lowered the severity from SEV2 to SEV4" in lowered


def test_role_notice(config: Config) -> None:
    role = "incident_commander"
    assert role_notice(role, "U1", None, "U1", config) == (
        ":bust_in_silhouette: <@U1> is now the *Incident Commander*")
    assert role_notice(role, "U1", "U0", "U2", config) == (
        ":bust_in_silhouette: <@U1> is now the *Incident Commander* (replacing <@U0>) "
        "(assigned by <@U2>)")
    assert "replacing" not in role_notice(role, "U1", "U1", None, config)
    assert "Nobody is the *Incident Commander*" in role_notice(role, None, "U0", "U0", config)


def test_role_dm_explains_the_role_and_links_the_channel(config: Config) -> None:
    dm = role_dm(make_incident(description="db < 1"), "scribe", config)
    assert "*Scribe*" in dm and "incident #12 (db &lt; 1)" in dm and "<#C0123>" in dm
    assert config.roles["scribe"][:40] in dm
    private = role_dm(make_incident(is_private=True, description=SECRET),
                      "incident_commander", config)
    assert SECRET not in private and "private incident #12" in private
    assert "being set up" in role_dm(make_incident(channel_id=None), "scribe", config)


# --- resolution -----------------------------------------------------------------------

def test_resolution_summary(config: Config) -> None:
    incident = make_incident(status="resolved", declared_at="2026-11-26T15:30:00+00:00",
                             resolved_at="2026-11-26T17:35:20+00:00",
                             roles={"incident_commander": "U0ABC", "scribe": "U0SCR"})
    summary = resolution_summary(incident, config)
    assert_valid_message(summary)
    text = json.dumps(summary["blocks"])
    for expected in ("2 h 5 min", "SEV2", "Incident Commander: <@U0ABC>", "Scribe: <@U0SCR>",
                     slack_time("2026-11-26T17:35:20+00:00")):
        assert expected in text
    assert summary["text"] == "Incident #12 is resolved after 2 h 5 min."
    archive = summary["blocks"][-1]["elements"][0]
    assert (archive["action_id"], archive["value"]) == (ActionId.ARCHIVE_CHANNEL, "12")
    confirm = archive["confirm"]
    assert len(confirm["text"]["text"]) <= 300 and confirm["confirm"]["text"] == "Archive"
    # Without timestamps there is no duration, and the message is still valid.
    bare = resolution_summary(make_incident(declared_at=None, roles={}), config)
    assert block_kit_problems(bare["blocks"], 50) == []
    assert "Duration" not in json.dumps(bare) and "None assigned" in json.dumps(bare)


# --- reactions and pins ---------------------------------------------------------------

def test_reaction_description_quotes_the_message_and_keeps_the_link() -> None:
    text = "Checkout   is\n\ndown for <@U9> &amp; friends"
    description = reaction_description(text, PERMALINK, "U1")
    assert description == f"“Checkout is down for @U9 & friends” {PERMALINK}"
    long = reaction_description("word " * 400, PERMALINK, "U1")
    assert len(long) == MAX_DESCRIPTION and long.endswith(f"…” {PERMALINK}")
    assert reaction_description("   ", PERMALINK, "U1") == (
        f"Reported from a message by <@U1> {PERMALINK}")
    assert reaction_description("", None, None) == "Reported from a message"
    assert reaction_description("hi", None, "U1") == "“hi”"


def test_reaction_declared_reply_and_pin_notices() -> None:
    assert reaction_declared_reply(make_incident()) == (
        "I declared incident #12 for this message: <#C0123>")
    assert "being set up" in reaction_declared_reply(make_incident(channel_id=None))
    assert PIN_CONFIRM_REACTION == "white_check_mark"
    notice = image_too_large_notice(15 * 1024 ** 2, 10 * 1024 ** 2)
    assert "15 MB" in notice and "10 MB" in notice


# --- commands -------------------------------------------------------------------------

def test_not_in_incident_channel() -> None:
    assert not_in_incident_channel("/incident status") == (
        "`/incident status` only works in an incident channel. "
        "Use `/incident` to declare one.")


def test_incident_help_lists_the_configured_names(config: Config) -> None:
    text = incident_help("/incident", config)
    for command in ("status <status>", "severity <severity>", "role <role> [@someone]",
                    "update", "timeline", "resolve", "help"):
        assert f"`/incident {command}`" in text
    for name in [*config.statuses, *config.severities, *config.roles]:
        assert f"`{name}`" in text

