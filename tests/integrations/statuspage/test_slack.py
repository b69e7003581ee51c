"""Statuspage in Slack: the modal, its submission, the channel message, who may publish,
and the gateway's prompt and in-place message updates."""
import json
import time
from types import SimpleNamespace

from services.common.config import parse_config
from services.slack_gateway import statuspage_panel
from services.slack_gateway.blocks.statuspage import (
    StatuspageId,
    component_block_id,
    not_permitted,
    read_statuspage_submission,
    render_statuspage_panel,
    statuspage_errors,
    statuspage_modal,
)
from services.slack_gateway.listeners.statuspage import may_publish
from tests.fakes.slack_api_blockkit import validate_message_blocks, validate_view
from tests.fakes.slack_signing import state_value_for
from tests.integrations.stubs import make_incident
from tests.integrations.vendor_stubs import SettingsIncidents

COMPONENTS = [{"id": "api", "name": "API", "status": "operational"},
              {"id": "chk", "name": "Checkout", "status": "partial_outage"}]


def sp_link(status="identified", **data):
    return {"id": 1, "incident_id": 12, "kind": "statuspage", "external_id": "sp1",
            "url": "https://stspg.io/abc", "title": "Statuspage: Checkout failures",
            "data": {"name": "Checkout failures", "status": status,
                     "components": {"chk": "major_outage"}, "component_names": {"chk": "Checkout"},
                     "updates": [{"status": "investigating", "body": "First",
                                  "at": "2026-11-26T16:00:00Z"},
                                 {"status": status, "body": "Second <b>",
                                  "at": "2026-11-26T16:10:00Z"}], **data}}


def block_ids(view):
    return [b.get("block_id") for b in view["blocks"]]


def test_create_modal_prefills_the_name_and_lists_components():
    view = statuspage_modal(make_incident(id=12), COMPONENTS)
    assert validate_view(view) == []
    assert view["submit"]["text"] == "Publish"
    name = view["blocks"][1]["element"]
    assert name["initial_value"] == "Checkout API returns 500"
    status = next(b for b in view["blocks"] if b.get("block_id") == StatuspageId.STATUS_BLOCK)
    assert [o["value"] for o in status["element"]["options"]] == [
        "investigating", "identified", "monitoring"]
    checkout = next(b for b in view["blocks"] if b.get("block_id") == component_block_id("chk"))
    assert checkout["element"]["initial_option"]["value"] == "partial_outage"
    assert json.loads(view["private_metadata"]) == {"incident_id": 12, "mode": "create"}


def test_a_private_incident_is_not_named_on_the_public_page():
    view = statuspage_modal(make_incident(is_private=True), COMPONENTS)
    assert view["blocks"][1]["element"]["initial_value"] == "Private incident"


def test_many_components_fit_in_100_blocks():
    many = [{"id": f"c{n}", "name": f"Component {n}", "status": "operational"}
            for n in range(150)]
    view = statuspage_modal(make_incident(), many)
    assert len(view["blocks"]) <= 100 and validate_view(view) == []
    assert "56 more components are not shown" in json.dumps(view["blocks"])


def test_update_modal_starts_from_the_statuspage_incident():
    view = statuspage_modal(make_incident(), COMPONENTS, sp_link())
    assert validate_view(view) == [] and view["submit"]["text"] == "Update"
    assert StatuspageId.NAME_BLOCK not in block_ids(view)
    status = next(b for b in view["blocks"] if b.get("block_id") == StatuspageId.STATUS_BLOCK)
    assert status["element"]["initial_option"]["value"] == "identified"
    assert "resolved" in [o["value"] for o in status["element"]["options"]]
    checkout = next(b for b in view["blocks"] if b.get("block_id") == component_block_id("chk"))
    assert checkout["element"]["initial_option"]["value"] == "major_outage"


def test_submission_sends_affected_components_and_those_set_back():
    view = statuspage_modal(make_incident(id=12), COMPONENTS, sp_link())
    view["state"] = {"values": {
        StatuspageId.MESSAGE_BLOCK: {StatuspageId.MESSAGE: state_value_for(
            "plain_text_input", " Fixed ")},
        StatuspageId.STATUS_BLOCK: {StatuspageId.STATUS: state_value_for(
            "static_select", "monitoring")},
        component_block_id("api"): {StatuspageId.COMPONENT: state_value_for(
            "static_select", "operational")},
        component_block_id("chk"): {StatuspageId.COMPONENT: state_value_for(
            "static_select", "operational")}}}
    form = read_statuspage_submission(view, {"chk": "major_outage"})
    assert form == {"incident_id": 12, "mode": "update", "name": "", "message": "Fixed",
                    "status": "monitoring", "components": {"chk": "operational"}}
    assert read_statuspage_submission(view)["components"] == {}
    assert list(statuspage_errors("x", "name", "update")["errors"]) == [
        StatuspageId.MESSAGE_BLOCK]
    assert list(statuspage_errors("x", "name")["errors"]) == [StatuspageId.NAME_BLOCK]


def test_the_channel_message_shows_status_components_and_history():
    message = render_statuspage_panel(sp_link(), "https://status.example.com")
    assert validate_message_blocks(message["blocks"]) == []
    text = json.dumps(message["blocks"])
    assert "Statuspage: Checkout failures" in text and "Checkout: Major outage" in text
    assert text.index("First") < text.index("Second &lt;b&gt;")
    assert StatuspageId.OPEN in text
    resolved = render_statuspage_panel(sp_link("resolved"))
    assert StatuspageId.OPEN not in json.dumps(resolved["blocks"])
    updates = [{"status": "monitoring", "body": f"Update {n}", "at": "2026-11-26T16:00:00Z"}
               for n in range(15)]
    long = render_statuspage_panel(sp_link(updates=updates))
    assert "5 earlier updates" in json.dumps(long["blocks"])
    assert validate_message_blocks(long["blocks"]) == []


class GroupsClient:
    def __init__(self, groups):
        self.groups = groups  # id -> (handle, users)
        self.calls = []

    def usergroups_list(self):
        self.calls.append("usergroups.list")
        return {"usergroups": [{"id": gid, "handle": handle}
                               for gid, (handle, _) in self.groups.items()]}

    def usergroups_users_list(self, usergroup):
        self.calls.append(usergroup)
        return {"users": self.groups[usergroup][1]}


def test_who_may_publish():
    client = GroupsClient({"S0COMMS": ("comms", ["U0ANN"]), "S0OPS": ("ops", ["U0BOB"])})
    anyone = parse_config({})
    assert may_publish(client, anyone, "U0ZED") and client.calls == []
    by_handle = parse_config({"integrations": {"statuspage": {"permitted_usergroups": [
        "@comms"]}}})
    assert may_publish(client, by_handle, "U0ANN")
    assert not may_publish(client, by_handle, "U0BOB")
    by_id = parse_config({"integrations": {"statuspage": {"permitted_usergroups": ["S0OPS"]}}})
    client.calls.clear()
    assert may_publish(client, by_id, "U0BOB") and client.calls == ["S0OPS"]


class RecordingSlack:
    def __init__(self):
        self.posted, self.updated = [], []

    def chat_postMessage(self, channel, **message):  # noqa: N802
        self.posted.append((channel, message))
        return {"ts": f"17000000.{len(self.posted):06}"}

    def chat_update(self, channel, ts, **message):  # noqa: N802
        self.updated.append((channel, ts, message))
        return {"ts": ts}


class StatuspageRpc:
    def __init__(self, enabled=True, delay=0.0):
        self.enabled, self.delay = enabled, delay

    def get_status(self):
        time.sleep(self.delay)
        return {"enabled": self.enabled}


def test_the_prompt_is_posted_once_and_only_when_statuspage_is_on(monkeypatch):
    monkeypatch.setattr(statuspage_panel, "ASK_SECONDS", 0.2)
    config = parse_config({})
    incident = make_incident(id=12)
    slack, incidents = RecordingSlack(), SettingsIncidents(incident)
    for statuspage in (None, StatuspageRpc(enabled=False), StatuspageRpc(delay=1)):
        statuspage_panel.post_prompt(slack, incidents, statuspage, incident, config)
    assert slack.posted == []
    statuspage_panel.post_prompt(slack, incidents, StatuspageRpc(), incident, config)
    statuspage_panel.post_prompt(slack, incidents, StatuspageRpc(), incident, config)
    assert len(slack.posted) == 1 and slack.posted[0][0] == "C0WARROOM"
    assert StatuspageId.OPEN in json.dumps(slack.posted[0][1]["blocks"])


def test_the_statuspage_message_is_posted_once_then_updated_in_place():
    config = parse_config({})
    incidents = SettingsIncidents(make_incident(id=12))
    slack = RecordingSlack()
    gateway_slack = SimpleNamespace(enabled=True, client=slack, config=config)
    link = incidents.upsert_incident_link(12, "statuspage", "sp1", "https://stspg.io/abc",
                                          "Statuspage: Checkout failures", sp_link()["data"])
    payload = {"incident_id": 12, "link": link}
    statuspage_panel.on_link_event(gateway_slack, incidents, payload)
    incidents.upsert_incident_link(12, "statuspage", "sp1", "https://stspg.io/abc",
                                   "Statuspage: Checkout failures",
                                   sp_link("monitoring")["data"])
    statuspage_panel.refresh_panel(slack, incidents, 12, config)
    assert len(slack.posted) == 1
    ts = incidents.settings["statuspage.panel_ts:12"]
    assert [u[1] for u in slack.updated] == [ts]
    assert "Monitoring" in json.dumps(slack.updated[0][2]["blocks"])
    # Links of other kinds are none of its business.
    statuspage_panel.on_link_event(gateway_slack, incidents,
                                   {"incident_id": 12, "link": {"kind": "meeting"}})
    assert len(slack.posted) == 1 and len(slack.updated) == 1


def test_refusal_names_the_groups():
    assert "<!subteam^S0ABC>" in not_permitted(["S0ABC"])
    assert "@incident-comms" in not_permitted(["incident-comms"])
