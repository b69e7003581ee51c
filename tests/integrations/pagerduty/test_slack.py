"""Paging in Slack: the page modal, its submission, the control panel's button."""
import contextlib
import json
from types import SimpleNamespace

from services.common.config import Config, parse_config
from services.integrations.pagerduty.exceptions import PagerDutyError
from services.slack_gateway.blocks.control_panel import render_control_panel
from services.slack_gateway.blocks.pagerduty import (
    PagerDutyId,
    page_errors,
    page_modal,
    read_page_submission,
)
from services.slack_gateway.listeners.pagerduty import page_view
from tests.fakes.slack_api_blockkit import validate_message_blocks, validate_view
from tests.fakes.slack_signing import state_value_for
from tests.integrations.stubs import make_incident


def services(count):
    return [{"id": f"P{n:06}", "name": f"Service {n:05}"} for n in range(count)]


def select_of(view):
    return next(b for b in view["blocks"] if b.get("block_id") == PagerDutyId.SERVICE_BLOCK)[
        "element"]


def test_page_modal_lists_services_with_urgency_and_note():
    view = page_modal(make_incident(id=5), [{"id": "PB", "name": "search"},
                                            {"id": "PA", "name": "Checkout"}])
    assert validate_view(view) == []
    assert view["callback_id"] == PagerDutyId.PAGE_MODAL and view["submit"]["text"] == "Page"
    assert [o["value"] for o in select_of(view)["options"]] == ["PA", "PB"]
    urgency = view["blocks"][2]["element"]
    assert urgency["type"] == "radio_buttons" and urgency["initial_option"]["value"] == "high"
    assert json.loads(view["private_metadata"]) == {"incident_id": 5}


def test_more_than_100_services_go_in_option_groups():
    view = page_modal(make_incident(), services(250))
    assert validate_view(view) == []
    groups = select_of(view)["option_groups"]
    assert [len(g["options"]) for g in groups] == [100, 100, 50]
    assert len({o["value"] for g in groups for o in g["options"]}) == 250
    huge = page_modal(make_incident(), services(10_050))
    assert validate_view(huge) == []
    assert len(select_of(huge)["option_groups"]) == 100
    assert "50 more services are not listed" in json.dumps(huge["blocks"])


def test_without_services_the_modal_says_so_and_cannot_submit():
    view = page_modal(make_incident(), [])
    assert validate_view(view) == [] and "submit" not in view
    assert "no services" in json.dumps(view["blocks"])


def test_submission_round_trip_and_errors():
    view = page_modal(make_incident(id=9), services(3))
    view["state"] = {"values": {
        PagerDutyId.SERVICE_BLOCK: {PagerDutyId.SERVICE: state_value_for("static_select",
                                                                         "P000002")},
        PagerDutyId.URGENCY_BLOCK: {PagerDutyId.URGENCY: state_value_for("radio_buttons",
                                                                         "low")},
        PagerDutyId.NOTE_BLOCK: {PagerDutyId.NOTE: state_value_for("plain_text_input", "  ")}}}
    assert read_page_submission(view) == {"incident_id": 9, "service_id": "P000002",
                                          "urgency": "low", "note": None}
    assert page_errors("Bad urgency", "urgency") == {
        "response_action": "errors", "errors": {"pagerduty_urgency_block": "Bad urgency"}}
    assert list(page_errors("Nope")["errors"]) == ["pagerduty_service_block"]


def footer(panel):
    return [e.get("action_id") for e in panel["blocks"][-1]["elements"]]


def test_control_panel_offers_paging_while_pagerduty_is_on():
    config = Config.default()
    panel = render_control_panel(make_incident(id=4), config)
    assert footer(panel)[-1] == PagerDutyId.PAGE_BUTTON
    assert panel["blocks"][-1]["elements"][-1]["value"] == "4"
    off = parse_config({"integrations": {"pagerduty": {"enabled": False}}})
    assert PagerDutyId.PAGE_BUTTON not in footer(render_control_panel(make_incident(), off))
    resolved = render_control_panel(make_incident(status="resolved"), config)
    assert PagerDutyId.PAGE_BUTTON not in footer(resolved)


def test_control_panel_with_the_button_stays_within_slack_limits():
    roles = {f"role_{n}": f"Role {n}" for n in range(40)}
    config = Config(roles=roles, commander_role="role_0", communications_roles=["role_0"])
    panel = render_control_panel(make_incident(meeting_url="https://zoom.example/j/1"), config)
    assert len(panel["blocks"]) <= 50 and validate_message_blocks(panel["blocks"]) == []
    assert footer(panel)[-1] == PagerDutyId.PAGE_BUTTON


class FakeRpc:
    """deps.rpc for listener helpers: `with deps.rpc.cluster() as rpc: rpc.pagerduty...`."""

    def __init__(self, **methods):
        self.pagerduty = SimpleNamespace(**methods)

    def cluster(self):
        return contextlib.nullcontext(self)


def test_page_view_explains_when_pagerduty_is_off_or_down():
    incident = make_incident()
    off = SimpleNamespace(rpc=FakeRpc(get_status=lambda: {"enabled": False}))
    assert "not set up" in json.dumps(page_view(off, incident))

    def down():
        raise TimeoutError("no answer")

    broken = SimpleNamespace(rpc=FakeRpc(get_status=down))
    assert "did not answer" in json.dumps(page_view(broken, incident))

    def refused():
        raise PagerDutyError("PagerDuty could not list services (HTTP 403: Forbidden).")

    forbidden = SimpleNamespace(rpc=FakeRpc(get_status=lambda: {"enabled": True},
                                            list_services=refused))
    assert "HTTP 403" in json.dumps(page_view(forbidden, incident))
    on = SimpleNamespace(rpc=FakeRpc(get_status=lambda: {"enabled": True},
                                     list_services=lambda: [{"id": "PA", "name": "API"}]))
    assert page_view(on, incident)["callback_id"] == PagerDutyId.PAGE_MODAL
