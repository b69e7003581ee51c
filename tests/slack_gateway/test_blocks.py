"""Unit tests for the gateway's Block Kit builders and text helpers (no I/O)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from services.common.config import Config
from services.slack_gateway.blocks.app_home import render_app_home
from services.slack_gateway.blocks.control_panel import render_control_panel, role_from_action
from services.slack_gateway.blocks.declare_modal import (
    declare_errors,
    declare_modal,
    read_declare_submission,
)
from services.slack_gateway.blocks.digest import render_digest, render_digest_suggestion
from services.slack_gateway.blocks.text import (
    SUBCOMMANDS,
    TOPIC_MAX,
    channel_link,
    escape_mrkdwn,
    escape_truncate,
    render_channel_welcome,
    render_help,
    render_reporter_notice,
    render_topic,
    role_title,
    slack_time,
    truncate,
    user_mention,
)
from services.slack_gateway.ids import (
    MAX_DESCRIPTION,
    ActionId,
    BlockId,
    CallbackId,
    role_block_id,
    role_from_block_id,
)

SECRET = "Customer database exfiltration suspected"


@pytest.fixture
def config() -> Config:
    return Config.default()


def make_config(**overrides: Any) -> Config:
    return Config(**overrides)


def many_roles_config(count: int) -> Config:
    roles = {f"role_number_{index}": f"Role {index}" for index in range(count)}
    return make_config(roles=roles, commander_role="role_number_0",
                       communications_roles=["role_number_0"])


def make_incident(**overrides: Any) -> dict[str, Any]:
    incident = {
        "id": 12, "description": "Checkout API returns 500", "severity": "sev2",
        "status": "investigating", "is_private": False, "reporter_id": "U0REPORTER",
        "source": "slack", "channel_id": "C0123",
        "channel_name": "inc-202611261530-checkout-api-returns-500",
        "digest_channel_id": "C0DIGEST", "digest_ts": None, "control_panel_ts": None,
        "meeting_url": None, "roles": {"incident_commander": "U0ABC"},
        "declared_at": "2026-11-26T15:30:00+00:00", "updated_at": "2026-11-26T15:30:00+00:00",
        "resolved_at": None, "last_update_at": None,
    }
    incident.update(overrides)
    return incident


# --- a Block Kit limit checker ---------------------------------------------------------

def _text(obj: dict[str, Any] | None) -> str:
    return (obj or {}).get("text", "")


def _check_element(element: dict[str, Any], problems: list[str]) -> None:
    kind = element["type"]
    if kind == "button":
        if not 1 <= len(_text(element["text"])) <= 75:
            problems.append(f"button text {_text(element['text'])!r}")
        if len(element.get("url", "")) > 3000 or len(element.get("value", "")) > 2000:
            problems.append("button url/value too long")
    if "placeholder" in element and len(_text(element["placeholder"])) > 150:
        problems.append("placeholder too long")
    options = element.get("options", [])
    if len(options) > 100:
        problems.append("more than 100 options")
    for item in options:
        if not 1 <= len(_text(item["text"])) <= 75 or len(item["value"]) > 150:
            problems.append(f"option {item!r}")
        if len(_text(item.get("description"))) > 75:
            problems.append(f"option description {item!r}")
    if "initial_option" in element and element["initial_option"] not in options:
        problems.append("initial_option is not one of the options")


def block_kit_problems(blocks: list[dict[str, Any]], max_blocks: int) -> list[str]:
    """Every way `blocks` breaks a Block Kit limit this bot can hit; [] when valid."""
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks > {max_blocks}")
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    if len(block_ids) != len(set(block_ids)):
        problems.append(f"duplicate block_ids {block_ids}")
    for block in blocks:
        kind = block["type"]
        if kind == "header" and not 1 <= len(_text(block["text"])) <= 150:
            problems.append("header text length")
        if kind == "section":
            if "text" in block and not 1 <= len(_text(block["text"])) <= 3000:
                problems.append("section text length")
            fields = block.get("fields", [])
            if len(fields) > 10 or any(not 1 <= len(_text(f)) <= 2000 for f in fields):
                problems.append("section fields")
        if kind == "context" and len(block["elements"]) > 10:
            problems.append("context elements > 10")
        if kind == "input" and (len(_text(block["label"])) > 2000
                                or len(_text(block.get("hint"))) > 2000):
            problems.append("input label/hint too long")
        elements = list(block.get("elements", [])) if kind == "actions" else []
        elements += [block[key] for key in ("accessory", "element") if key in block]
        if kind == "actions" and not 1 <= len(elements) <= 25:
            problems.append("actions elements count")
        action_ids = [e["action_id"] for e in elements if "action_id" in e]
        if len(action_ids) != len(set(action_ids)):
            problems.append(f"duplicate action_ids in a block: {action_ids}")
        for element in elements:
            _check_element(element, problems)
    # Second opinion: slack_sdk's own model validators.
    for parsed in Block.parse_all(blocks):
        parsed.validate_json()
    return problems


def assert_valid_message(message: dict[str, Any]) -> None:
    assert message["text"].strip()
    assert block_kit_problems(message["blocks"], 50) == []
    json.dumps(message)  # JSON-able as posted


# --- ids ------------------------------------------------------------------------------

def test_role_block_id_round_trips_and_rejects_other_blocks() -> None:
    assert role_block_id("incident_commander") == "role_incident_commander"
    assert role_from_block_id(role_block_id("technical_lead")) == "technical_lead"
    assert role_from_block_id(BlockId.STATUS) is None
    assert role_from_block_id(None) is None
    assert CallbackId.DECLARE_SHORTCUT == "declare_incident"


# --- text helpers ---------------------------------------------------------------------

def test_formatting_helpers() -> None:
    assert escape_mrkdwn("a & <b> c") == "a &amp; &lt;b&gt; c"
    assert truncate("abcdef", 4) == "abc…" and truncate("abc", 4) == "abc"
    assert escape_truncate("&&&&", 11) == "&amp;&amp;…"
    assert escape_truncate("&&&&", 10) == "&amp;…"  # never half an entity
    assert channel_link("C123") == "<#C123>" and user_mention("U1") == "<@U1>"
    assert slack_time("2026-11-26T15:30:00+00:00") == (
        "<!date^1795707000^{date_short_pretty} {time}|2026-11-26 15:30 UTC>")
    assert slack_time("2026-11-26T15:30:00") == slack_time("2026-11-26T15:30:00+00:00")
    assert role_title("incident_commander") == "Incident Commander"


def test_topic_fits_slack_limit_and_escapes_description(config: Config) -> None:
    long = "<script> & " + "x" * (MAX_DESCRIPTION - 11)
    topic = render_topic(make_incident(description=long), config)
    assert len(topic) <= TOPIC_MAX
    assert topic.startswith(":rotating_light: SEV2 | Investigating | IC: <@U0ABC> | ")
    assert "&lt;script&gt; &amp; " in topic and "<script>" not in topic
    assert topic.endswith("…")
    assert not re.search(r"&(?!amp;|lt;|gt;)", topic)  # no entity cut in half
    resolved = render_topic(make_incident(status="resolved", roles={}), config)
    assert resolved == ":white_check_mark: SEV2 | Resolved | Checkout API returns 500"


def test_help_lists_the_command_and_every_subcommand() -> None:
    text = render_help("/incident", reaction="rotating_light")
    assert "`/incident`" in text and "`/incident help`" in text
    assert all(f"/incident {name}" in text for name in SUBCOMMANDS)
    assert ":rotating_light:" in text


def test_reporter_notice_and_welcome(config: Config) -> None:
    assert "<#C0123>" in render_reporter_notice(make_incident())
    assert "#12" in render_reporter_notice(make_incident(channel_id=None))
    welcome = render_channel_welcome(make_incident(description="a < b"), config)
    assert "a &lt; b" in welcome and "Incident Commander" in welcome


# --- declare modal --------------------------------------------------------------------

def _state_for(view: dict[str, Any], description: str, severity: str | None,
               private: bool) -> dict[str, Any]:
    """view.state.values as Slack sends it for `view`'s input blocks."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block["element"]
        if element["type"] == "plain_text_input":
            state = {"type": "plain_text_input", "value": description}
        elif element["type"] == "static_select":
            chosen = next((o for o in element["options"] if o["value"] == severity), None)
            state = {"type": "static_select", "selected_option": chosen}
        else:
            state = {"type": "checkboxes",
                     "selected_options": element["options"] if private else []}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def test_declare_modal_structure(config: Config) -> None:
    view = declare_modal(config, initial_description="  db down ", private_metadata='{"c":1}')
    View(**view).validate_json()
    assert view["callback_id"] == CallbackId.DECLARE_MODAL
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Declare incident", "Declare", "Cancel")
    assert view["private_metadata"] == '{"c":1}'
    assert block_kit_problems(view["blocks"], 100) == []
    by_id = {block["block_id"]: block for block in view["blocks"]}
    description = by_id[BlockId.DESCRIPTION]["element"]
    assert description["multiline"] and description["max_length"] == MAX_DESCRIPTION
    assert description["initial_value"] == "db down" and by_id[BlockId.DESCRIPTION]["hint"]
    severity = by_id[BlockId.SEVERITY]["element"]
    assert [o["value"] for o in severity["options"]] == list(config.severities)
    assert severity["initial_option"]["value"] == config.default_severity
    assert all(len(o["description"]["text"]) <= 75 for o in severity["options"])
    private = by_id[BlockId.PRIVATE]
    assert private["optional"] and private["label"]["text"] == "Private/security incident"
    assert [o["value"] for o in private["element"]["options"]] == ["private"]
    assert "private_metadata" not in declare_modal(config)


def test_declare_submission_round_trip(config: Config) -> None:
    view = declare_modal(config)
    state = _state_for(view, "  Checkout API returns 500 \n", "sev1", private=True)
    assert read_declare_submission(state) == {
        "description": "Checkout API returns 500", "severity": "sev1", "is_private": True}
    public = _state_for(view, "x", "sev3", private=False)
    assert read_declare_submission(public)["is_private"] is False
    # An optional block the user never touched may be missing from the state.
    del public[BlockId.PRIVATE]
    assert read_declare_submission(public) == {
        "description": "x", "severity": "sev3", "is_private": False}


def test_declare_errors_map_fields_to_blocks() -> None:
    assert declare_errors("description", "Too short") == {
        "response_action": "errors", "errors": {"declare_description": "Too short"}}
    assert declare_errors("severity", "Unknown")["errors"] == {"declare_severity": "Unknown"}
    assert list(declare_errors("nonsense", "Oops")["errors"]) == ["declare_description"]


# --- control panel --------------------------------------------------------------------

def _select(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    return next(b for b in blocks if b.get("block_id") == block_id)["accessory"]


def test_control_panel_shows_state_and_holders(config: Config) -> None:
    incident = make_incident(severity="sev1", status="identified",
                             meeting_url="https://zoom.example/j/1")
    panel = render_control_panel(incident, config)
    assert_valid_message(panel)
    blocks = panel["blocks"]
    assert blocks[0]["text"]["text"] == "Incident #12: Checkout API returns 500"
    assert _select(blocks, BlockId.STATUS)["initial_option"]["value"] == "identified"
    assert _select(blocks, BlockId.STATUS)["action_id"] == ActionId.STATUS_SELECT
    severity = _select(blocks, BlockId.SEVERITY_PANEL)
    assert severity["initial_option"]["value"] == "sev1"
    assert severity["action_id"] == ActionId.SEVERITY_SELECT
    texts = json.dumps(blocks)
    assert "*Incident Commander*: <@U0ABC>" in texts and "*Scribe*: _unassigned_" in texts
    for role in config.roles:
        block = next(b for b in blocks if b.get("block_id") == role_block_id(role))
        claim, assign = block["elements"]
        assert (claim["action_id"], claim["value"]) == (ActionId.ROLE_CLAIM, role)
        assert assign["action_id"] == ActionId.ROLE_ASSIGN
        assert assign.get("initial_user") == incident["roles"].get(role)
    footer = blocks[-1]["elements"]
    assert (footer[0]["action_id"], footer[0]["value"]) == (ActionId.PROVIDE_UPDATE, "12")
    assert footer[1]["url"] == "https://zoom.example/j/1"
    assert "was resolved" not in texts


def test_control_panel_resolved_notice_and_long_description(config: Config) -> None:
    panel = render_control_panel(make_incident(
        status="resolved", resolved_at="2026-11-26T17:00:00+00:00",
        description="d" * MAX_DESCRIPTION), config)
    assert_valid_message(panel)
    assert len(panel["blocks"][0]["text"]["text"]) == 150
    assert any("was resolved" in _text(b.get("text")) for b in panel["blocks"])


def test_control_panel_folds_thirty_roles_into_fifty_blocks() -> None:
    config = many_roles_config(30)
    holders = {"role_number_0": "U0AAA", "role_number_29": "U0ZZZ"}
    panel = render_control_panel(make_incident(roles=holders), config)
    assert_valid_message(panel)
    text = json.dumps(panel["blocks"])
    assert all(role_title(role) in text for role in config.roles)
    assert "<@U0AAA>" in text and "<@U0ZZZ>" in text
    picker = next(b for b in panel["blocks"] if b.get("block_id") == BlockId.ROLE_PICKER)
    kinds = {e["action_id"]: e for e in picker["elements"]}
    assert [o["value"] for o in kinds[ActionId.ROLE_PICK]["options"]] == list(config.roles)
    assert {ActionId.ROLE_CLAIM, ActionId.ROLE_ASSIGN} <= set(kinds)
    # The listener finds the role from the picker's state in the action payload.
    body = {"state": {"values": {BlockId.ROLE_PICKER: {ActionId.ROLE_PICK: {
        "type": "static_select", "selected_option": {"value": "role_number_7"}}}}}}
    action = {"action_id": ActionId.ROLE_CLAIM, "block_id": BlockId.ROLE_PICKER}
    assert role_from_action(body, action) == "role_number_7"
    assert role_from_action({}, action) is None


def test_role_from_action_in_per_role_layout() -> None:
    assert role_from_action({}, {"value": "scribe", "block_id": "role_scribe"}) == "scribe"
    assert role_from_action({}, {"selected_user": "U1", "block_id": "role_scribe"}) == "scribe"


# --- digest ---------------------------------------------------------------------------

def test_digest_for_open_incident(config: Config) -> None:
    digest = render_digest(make_incident(meeting_url="https://zoom.example/j/1"), config)
    assert_valid_message(digest)
    text = json.dumps(digest["blocks"])
    for expected in ("Checkout API returns 500", "SEV2", "Major", "Investigating",
                     "Incident Commander: <@U0ABC>", "<#C0123>", "<!date^"):
        assert expected in text
    buttons = {e["action_id"]: e for b in digest["blocks"] if b["type"] == "actions"
               for e in b["elements"]}
    assert buttons[ActionId.JOIN_CHANNEL]["url"] == (
        "https://slack.com/app_redirect?channel=C0123")
    assert buttons[ActionId.OPEN_MEETING]["url"] == "https://zoom.example/j/1"
    assert digest["text"] == "Incident #12 | SEV2 | Investigating | Checkout API returns 500"


def test_digest_for_resolved_incident(config: Config) -> None:
    digest = render_digest(make_incident(status="resolved",
                                         resolved_at="2026-11-26T18:00:00+00:00"), config)
    assert_valid_message(digest)
    text = json.dumps(digest["blocks"])
    assert ":white_check_mark: Resolved" in text and "*Resolved*" in text
    assert slack_time("2026-11-26T18:00:00+00:00") in text
    assert "Resolved" in digest["text"]


def test_private_digest_hides_details(config: Config) -> None:
    incident = make_incident(is_private=True, description=SECRET,
                             meeting_url="https://zoom.example/j/secret")
    digest = render_digest(incident, config)
    assert_valid_message(digest)
    everything = json.dumps(digest)
    assert "Private incident" in everything and "SEV2" in everything
    for leak in (SECRET, "C0123", "zoom.example", "U0ABC"):
        assert leak not in everything
    assert not any(b["type"] == "actions" for b in digest["blocks"])


def test_digest_suggestion_offers_declare_button() -> None:
    suggestion = render_digest_suggestion()
    assert_valid_message(suggestion)
    assert ActionId.DIGEST_DECLARE in json.dumps(suggestion["blocks"])


# --- App Home -------------------------------------------------------------------------

def test_app_home_lists_newest_first_and_caps_count() -> None:
    config = make_config(slack={"app_home_incident_count": 3})
    incidents = [make_incident(id=n, declared_at=f"2026-11-{n:02d}T10:00:00+00:00",
                               description=f"incident {n}") for n in range(1, 8)]
    incidents.append(make_incident(id=99, is_private=True, description=SECRET))
    home = render_app_home(incidents, config)
    assert home["type"] == "home"
    assert block_kit_problems(home["blocks"], 100) == []
    View(**home).validate_json()
    listed = [int(m) for m in re.findall(r"\*#(\d+)\*", json.dumps(home["blocks"]))]
    assert listed == [99, 7, 6]
    text = json.dumps(home)
    assert SECRET not in text and "5 more" in text
    declare = home["blocks"][2]["elements"][0]
    assert (declare["action_id"], declare["style"]) == (ActionId.HOME_DECLARE, "primary")
    for usage in ("/incident`", "/incident help", ":rotating_light:", "shortcut"):
        assert usage in text


def test_app_home_says_none_when_empty(config: Config) -> None:
    home = render_app_home([], config)
    assert "None right now" in json.dumps(home)
    assert block_kit_problems(home["blocks"], 100) == []


def test_app_home_shows_configured_links() -> None:
    config = make_config(links=[{"title": "Runbook <v2>", "url": "https://wiki.example/rb"}])
    text = json.dumps(render_app_home([], config))
    assert "<https://wiki.example/rb|Runbook &lt;v2&gt;>" in text
