"""Unit tests for the status update and timeline modals (no I/O)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest
from slack_sdk.models.views import View

from services.common.config import Config
from services.slack_gateway.blocks.text import SUBCOMMANDS, escape_chunks, render_help, slack_time
from services.slack_gateway.blocks.timeline_modal import (
    last_page,
    page_slice,
    read_timeline_submission,
    timeline_errors,
    timeline_modal,
    timeline_page_count,
)
from services.slack_gateway.blocks.update_modal import (
    read_update_submission,
    render_status_update,
    update_modal,
)
from services.slack_gateway.ids import (
    MAX_IMPACTED,
    MAX_TIMELINE_TEXT,
    MAX_UPDATE,
    TIMELINE_PAGE_ACTIONS,
    TIMELINE_PAGE_NEXT,
    TIMELINE_PAGE_PATTERN,
    TIMELINE_PAGE_PREV,
    TIMELINE_PAGE_SIZE,
    ActionId,
    BlockId,
    CallbackId,
)
from tests.slack_gateway.test_blocks import SECRET, block_kit_problems, make_incident

NOW = datetime(2026, 11, 26, 22, 30, tzinfo=timezone.utc)


@pytest.fixture
def config() -> Config:
    return Config.default()


def assert_valid_view(view: dict[str, Any]) -> None:
    View(**view).validate_json()  # slack_sdk's checks: title/submit lengths, metadata...
    assert block_kit_problems(view["blocks"], 100) == []
    json.dumps(view)


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def inputs_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def submitted(view: dict[str, Any], **states: dict[str, Any]) -> dict[str, Any]:
    """`view` as Slack sends it back on view_submission, with states per block id."""
    values = {block_id: {inputs_of(view)[block_id]["element"]["action_id"]: state}
              for block_id, state in states.items()}
    return {**view, "id": "V1", "state": {"values": values}}


def make_entry(number: int, **overrides: Any) -> dict[str, Any]:
    entry = {"id": number, "incident_id": 12, "kind": "manual", "actor_id": "U0ABC",
             "occurred_at": "2026-11-26T15:30:00+00:00", "text": f"entry {number}"}
    entry.update(overrides)
    return entry


# --- subcommands (text.py) ------------------------------------------------------------

def test_subcommands_cover_running_an_incident_and_help_lists_them() -> None:
    assert {"help", "update", "timeline", "status", "severity", "role", "resolve"} <= set(
        SUBCOMMANDS)
    text = render_help("/incident")
    assert all(f"`/incident {name}`" in text for name in SUBCOMMANDS)


def test_escape_chunks_keeps_everything_within_the_limit() -> None:
    text = "a & b <c> " * 700  # 7000 characters, more once escaped
    chunks = escape_chunks(text, 3000)
    assert all(len(chunk) <= 3000 for chunk in chunks) and len(chunks) > 1
    assert "".join(chunks) == text.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;")
    assert not any(re.search(r"&(?!amp;|lt;|gt;)", chunk) for chunk in chunks)


# --- update modal ---------------------------------------------------------------------

def test_update_modal_for_a_known_incident(config: Config) -> None:
    view = update_modal(config, incident=make_incident(description="a < b"))
    assert_valid_view(view)
    assert view["callback_id"] == CallbackId.UPDATE_MODAL
    assert (view["title"]["text"], view["submit"]["text"]) == ("Status update", "Post update")
    assert json.loads(view["private_metadata"]) == {"incident_id": 12}
    assert view["blocks"][0]["type"] == "context"
    assert view["blocks"][0]["elements"][0]["text"] == "*Incident #12* · SEV2 · a &lt; b"
    fields = inputs_of(view)
    assert set(fields) == {BlockId.UPDATE_MESSAGE, BlockId.UPDATE_IMPACTED}
    message = fields[BlockId.UPDATE_MESSAGE]
    assert message["element"]["action_id"] == ActionId.UPDATE_MESSAGE
    assert message["element"]["multiline"] and message["element"]["max_length"] == MAX_UPDATE
    assert not message.get("optional")
    impacted = fields[BlockId.UPDATE_IMPACTED]
    assert impacted["optional"] and impacted["element"]["max_length"] == MAX_IMPACTED
    assert impacted["element"]["action_id"] == ActionId.UPDATE_IMPACTED


def test_update_modal_lets_the_user_pick_an_open_incident(config: Config) -> None:
    incidents = [make_incident(id=n, description="d" * 200) for n in range(1, 150)]
    incidents[0] = make_incident(id=1, is_private=True, description=SECRET)
    view = update_modal(config, incident=None, open_incidents=incidents)
    assert_valid_view(view)
    assert view["private_metadata"] == "{}"
    picker = inputs_of(view)[BlockId.UPDATE_INCIDENT]
    assert not picker.get("optional")
    options = picker["element"]["options"]
    assert picker["element"]["action_id"] == ActionId.UPDATE_INCIDENT
    assert len(options) == 100 and options[1]["value"] == "2"
    assert options[1]["text"]["text"].startswith("#2 ddd") and len(
        options[1]["text"]["text"]) == 75
    assert SECRET not in json.dumps(view)  # anyone can open the global shortcut


def test_update_modal_without_open_incidents_has_no_form(config: Config) -> None:
    view = update_modal(config, incident=None, open_incidents=[])
    assert_valid_view(view)
    assert "submit" not in view and not inputs_of(view)
    assert "no open incidents" in json.dumps(view["blocks"])


def test_update_submission_round_trip(config: Config) -> None:
    view = update_modal(config, incident=make_incident(id=7))
    state = submitted(view, **{
        BlockId.UPDATE_MESSAGE: {"type": "plain_text_input", "value": "  Rolled back.\n "},
        BlockId.UPDATE_IMPACTED: {"type": "plain_text_input", "value": " checkout "}})
    assert read_update_submission(state) == {
        "incident_id": 7, "text": "Rolled back.", "impacted": "checkout"}
    # The optional field left empty: Slack sends value None, or no state at all.
    state["state"]["values"][BlockId.UPDATE_IMPACTED][ActionId.UPDATE_IMPACTED]["value"] = None
    assert read_update_submission(state)["impacted"] is None
    del state["state"]["values"][BlockId.UPDATE_IMPACTED]
    assert read_update_submission(state)["impacted"] is None


def test_update_submission_reads_the_picked_incident(config: Config) -> None:
    view = update_modal(config, incident=None, open_incidents=[make_incident(id=3)])
    option = inputs_of(view)[BlockId.UPDATE_INCIDENT]["element"]["options"][0]
    state = submitted(view, **{
        BlockId.UPDATE_INCIDENT: {"type": "static_select", "selected_option": option},
        BlockId.UPDATE_MESSAGE: {"type": "plain_text_input", "value": "Fixed"}})
    assert read_update_submission(state) == {"incident_id": 3, "text": "Fixed",
                                             "impacted": None}
    state["state"]["values"][BlockId.UPDATE_INCIDENT][ActionId.UPDATE_INCIDENT][
        "selected_option"] = None
    assert read_update_submission(state)["incident_id"] is None
    assert read_update_submission({"private_metadata": "not json"})["incident_id"] is None


def test_status_update_message(config: Config) -> None:
    incident = make_incident(status="monitoring")
    update = {"id": 1, "incident_id": 12, "text": "Fix <deployed> & watching",
              "impacted": "EU <customers>", "author_id": "U0BOB",
              "posted_at": "2026-11-26T16:00:00+00:00"}
    message = render_status_update(incident, update, config)
    assert message["text"].startswith("Update on incident #12 (SEV2, Monitoring)")
    assert block_kit_problems(message["blocks"], 50) == []
    texts = [block["text"]["text"] for block in message["blocks"] if "text" in block]
    assert texts[0] == ":mega: *Update on incident #12* (SEV2, Monitoring)"
    assert "Fix &lt;deployed&gt; &amp; watching" in texts
    assert "*Impacted:* EU &lt;customers&gt;" in texts
    footer = message["blocks"][-1]["elements"][0]["text"]
    assert footer == f"Posted by <@U0BOB> · {slack_time(update['posted_at'])}"
    bare = render_status_update(incident, {**update, "impacted": None}, config)
    assert "Impacted" not in json.dumps(bare)


def test_longest_status_update_is_posted_whole(config: Config) -> None:
    text = "&" * MAX_UPDATE  # 15,000 characters once escaped
    message = render_status_update(make_incident(), {"text": text, "author_id": "U1",
                                                     "posted_at": None}, config)
    assert block_kit_problems(message["blocks"], 50) == []
    body = "".join(block["text"]["text"] for block in message["blocks"][1:]
                   if block["type"] == "section")
    assert body == "&amp;" * MAX_UPDATE
    assert len(message["text"]) < 4000


# --- timeline paging ------------------------------------------------------------------

@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (40, 1), (41, 2), (80, 2),
                                              (81, 3), (1000, 25)])
def test_page_count(total: int, pages: int) -> None:
    assert timeline_page_count(total) == pages and last_page(total) == pages - 1


def test_page_slice_clamps_to_existing_pages() -> None:
    assert TIMELINE_PAGE_SIZE == 40
    assert page_slice(0, 1000) == (0, 40)
    assert page_slice(3, 1000) == (120, 40)
    assert page_slice(99, 100) == (80, 40)  # past the end: the last page
    assert page_slice(-1, 100) == (0, 40)
    assert page_slice(0, 0) == (0, 40)


def test_page_actions_share_a_prefix_the_listener_matches() -> None:
    assert TIMELINE_PAGE_ACTIONS == (TIMELINE_PAGE_PREV, TIMELINE_PAGE_NEXT)
    assert len(set(TIMELINE_PAGE_ACTIONS)) == 2
    assert all(TIMELINE_PAGE_PATTERN.match(action) for action in TIMELINE_PAGE_ACTIONS)
    assert not TIMELINE_PAGE_PATTERN.match(ActionId.TIMELINE_DELETE)


# --- timeline modal -------------------------------------------------------------------

def _page_view(total: int, page: int, config: Config, **kwargs: Any) -> dict[str, Any]:
    entries = [make_entry(n) for n in range(1, total + 1)]
    offset, limit = page_slice(page, total)
    return timeline_modal(make_incident(), entries[offset:offset + limit], page=page,
                          total=total, config=config, now=NOW, **kwargs)


def _nav(view: dict[str, Any]) -> dict[str, str]:
    block = next((b for b in view["blocks"] if b.get("block_id") == BlockId.TIMELINE_NAV), None)
    return {e["action_id"]: e["value"] for e in block["elements"]} if block else {}


def test_timeline_modal_structure(config: Config) -> None:
    view = _page_view(3, 0, config)
    assert_valid_view(view)
    assert view["callback_id"] == CallbackId.TIMELINE_MODAL
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Incident timeline", "Add entry", "Done")
    assert json.loads(view["private_metadata"]) == {"incident_id": 12, "page": 0}
    assert "Entries 1–3 of 3" in dump(view["blocks"][0])
    entries = view["blocks"][1:4]
    assert entries[0]["text"]["text"] == (
        f"*{slack_time('2026-11-26T15:30:00+00:00')}* entry 1 (by <@U0ABC>)")
    delete = entries[0]["accessory"]
    assert (delete["action_id"], delete["value"], delete["style"]) == (
        ActionId.TIMELINE_DELETE, "1", "danger")
    assert delete["confirm"]["confirm"]["text"] == "Delete"
    assert not _nav(view)  # one page: no navigation
    fields = inputs_of(view)
    assert fields[BlockId.TIMELINE_DATE]["element"] == {
        "type": "datepicker", "action_id": ActionId.TIMELINE_DATE, "initial_date": "2026-11-26"}
    assert fields[BlockId.TIMELINE_TIME]["element"] == {
        "type": "timepicker", "action_id": ActionId.TIMELINE_TIME, "initial_time": "22:30",
        "timezone": "UTC"}
    text = fields[BlockId.TIMELINE_TEXT]
    assert text["element"]["multiline"] and text["element"]["max_length"] == MAX_TIMELINE_TEXT
    assert not text.get("optional")


def test_timeline_pickers_start_at_now_in_the_users_zone(config: Config) -> None:
    view = _page_view(0, 0, config, tz_name="Asia/Tokyo")
    fields = inputs_of(view)
    assert fields[BlockId.TIMELINE_DATE]["element"]["initial_date"] == "2026-11-27"
    assert fields[BlockId.TIMELINE_TIME]["element"]["initial_time"] == "07:30"
    assert fields[BlockId.TIMELINE_TIME]["element"]["timezone"] == "Asia/Tokyo"
    assert "No entries yet" in dump(view["blocks"][0])
    assert_valid_view(view)
    fallback = inputs_of(_page_view(0, 0, config, tz_name="Mars/Olympus"))
    assert fallback[BlockId.TIMELINE_TIME]["element"]["timezone"] == "UTC"


def test_bot_entries_have_no_delete_button_and_long_text_fits(config: Config) -> None:
    entries = [make_entry(1, kind="status_changed", actor_id=None, text="Status: identified"),
               make_entry(2, text="<&>" * MAX_TIMELINE_TEXT)]
    view = timeline_modal(make_incident(), entries, page=0, total=2, config=config, now=NOW)
    assert_valid_view(view)
    bot, manual = view["blocks"][1:3]
    assert "accessory" not in bot and "(by" not in bot["text"]["text"]
    assert manual["text"]["text"].endswith("… (by <@U0ABC>)")
    assert len(manual["accessory"]["confirm"]["text"]["text"]) <= 300


@pytest.mark.parametrize("page", [0, 1, 12, 24])
def test_a_thousand_entries_page_within_slack_limits(config: Config, page: int) -> None:
    view = _page_view(1000, page, config)
    assert_valid_view(view)
    sections = [b for b in view["blocks"] if b["type"] == "section"]
    assert len(sections) == 40
    assert sections[0]["text"]["text"].count(f"entry {page * 40 + 1} ") == 1
    assert f"Entries {page * 40 + 1}–{page * 40 + 40} of 1000" in dump(view["blocks"][0])
    nav = _nav(view)
    assert nav.get(TIMELINE_PAGE_PREV) == (str(page - 1) if page > 0 else None)
    assert nav.get(TIMELINE_PAGE_NEXT) == (str(page + 1) if page < 24 else None)
    assert json.loads(view["private_metadata"])["page"] == page


def test_timeline_modal_clamps_a_page_past_the_end(config: Config) -> None:
    view = timeline_modal(make_incident(), [make_entry(41)], page=5, total=41, config=config,
                          now=NOW)
    assert json.loads(view["private_metadata"])["page"] == 1
    assert _nav(view) == {TIMELINE_PAGE_PREV: "0"}
    assert "Entries 41–41 of 41" in dump(view["blocks"][0])


# --- timeline submission --------------------------------------------------------------

def _timeline_state(view: dict[str, Any], day: str | None, clock: str | None,
                    text: str | None) -> dict[str, Any]:
    return submitted(view, **{
        BlockId.TIMELINE_DATE: {"type": "datepicker", "selected_date": day},
        BlockId.TIMELINE_TIME: {"type": "timepicker", "selected_time": clock,
                                "timezone": "Europe/Paris"},
        BlockId.TIMELINE_TEXT: {"type": "plain_text_input", "value": text}})


def test_timeline_submission_converts_local_time_to_utc(config: Config) -> None:
    view = _page_view(45, 1, config, tz_name="Europe/Paris")
    state = _timeline_state(view, "2026-11-26", "14:05", "  Rolled back\n")
    assert read_timeline_submission(state, "Europe/Paris") == {
        "incident_id": 12, "page": 1, "text": "Rolled back",
        "occurred_at": "2026-11-26T13:05:00+00:00"}
    summer = _timeline_state(view, "2026-07-01", "14:05", "x")
    assert read_timeline_submission(summer, "Europe/Paris")["occurred_at"] == (
        "2026-07-01T12:05:00+00:00")
    assert read_timeline_submission(state)["occurred_at"] == "2026-11-26T14:05:00+00:00"
    assert read_timeline_submission(state, "Not/AZone")["occurred_at"] == (
        "2026-11-26T14:05:00+00:00")


def test_timeline_submission_defaults_to_now(config: Config) -> None:
    view = _page_view(1, 0, config)
    empty = _timeline_state(view, None, None, "x")
    assert read_timeline_submission(empty, "Europe/Paris", now=NOW)["occurred_at"] == (
        "2026-11-26T22:30:00+00:00")
    time_only = _timeline_state(view, None, "09:15", "x")
    # "Today" is the user's: at 22:30 UTC it is already the 27th in Tokyo.
    assert read_timeline_submission(time_only, "Asia/Tokyo", now=NOW)["occurred_at"] == (
        "2026-11-27T00:15:00+00:00")
    date_only = _timeline_state(view, "2026-11-20", None, "x")
    assert read_timeline_submission(date_only, "UTC", now=NOW)["occurred_at"] == (
        "2026-11-20T22:30:00+00:00")
    nothing = read_timeline_submission({"private_metadata": "{}"}, now=NOW)
    assert nothing == {"incident_id": None, "page": 0, "text": "",
                       "occurred_at": "2026-11-26T22:30:00+00:00"}


def test_timeline_errors_point_at_the_text_input() -> None:
    assert timeline_errors("Too long") == {"response_action": "errors",
                                           "errors": {"timeline_text": "Too long"}}
