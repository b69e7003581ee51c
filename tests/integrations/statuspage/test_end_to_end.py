"""Statuspage end to end: incidents, slack_gateway and statuspage as processes over
RabbitMQ and PostgreSQL, with the Slack fake and the Statuspage fake. Asserted on what
Statuspage and Slack received and what `incidents` stored."""
import json

import pytest

from services.slack_gateway.blocks.statuspage import StatuspageId, component_block_id
from tests.e2e.conftest import make_fake
from tests.e2e.flows import REPORTER, bot_messages, declare, stored_incident
from tests.fakes.slack_signing import state_value_for
from tests.fakes.statuspage_api import StatuspageFake
from tests.integrations.vendor_stack import vendor_stack
from tests.support.stack import wait_until

pytestmark = pytest.mark.e2e
OUTSIDER = "U0OTHER"
CONFIG = """
slack:
  auto_invite_user_ids: [U0OTHER]
integrations:
  statuspage:
    permitted_usergroups: ["incident-comms"]
    url: https://status.example.com
"""


@pytest.fixture(scope="module")
def sp():
    fake = StatuspageFake()
    fake.add_component("Status page group", group=True, component_id="grp000000001")
    fake.add_component("API", component_id="api000000001")
    fake.add_component("Checkout", component_id="chk000000001")
    fake.add_component("Dashboard", component_id="dsh000000001")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def world(sp, amqp_uri, tmp_path_factory):
    slack = make_fake()
    slack.add_usergroup("incident-comms", "Incident comms", users=[REPORTER])
    env = {"STATUSPAGE_API_KEY": sp.api_key, "STATUSPAGE_PAGE_ID": sp.page_id,
           "STATUSPAGE_API_URL": sp.url}
    with vendor_stack(tmp_path_factory.mktemp("sp-stack"), amqp_uri, ("statuspage",), env,
                      CONFIG, slack) as world:
        yield world


@pytest.fixture
def room(world):
    channel = declare(world.slack, world.sender, f"Checkout errors {len(world.slack.channels)}")
    return channel["id"], stored_incident(world.rpc.incidents, channel["id"])


def prompt_of(world, channel_id):
    return next(m for m in bot_messages(world.slack, channel_id)
                if StatuspageId.OPEN in json.dumps(m.get("blocks")))


def press(world, channel_id, message, user=REPORTER):
    """Click the Statuspage button of `message`; returns the modal once it is filled in."""
    before = len(world.slack.calls("views.update"))
    incident_id = world.rpc.incidents.get_incident_by_channel(channel_id)["id"]
    response = world.sender.block_actions(
        [{"type": "button", "action_id": StatuspageId.OPEN, "value": str(incident_id)}], user,
        channel_id=channel_id, message=message, trigger_id=world.slack.new_trigger_id())
    assert response.status_code == 200
    call = wait_until(lambda: [c for c in world.slack.calls("views.update")[before:]
                               if c.response and c.params["view"].get("callback_id")
                               == StatuspageId.MODAL])[0]
    assert call.ok, call.response
    return call.response["view"]


def values(message, status, components, name=None):
    out = {StatuspageId.MESSAGE_BLOCK: {StatuspageId.MESSAGE: state_value_for(
               "plain_text_input", message)},
           StatuspageId.STATUS_BLOCK: {StatuspageId.STATUS: state_value_for(
               "static_select", status)}}
    if name is not None:
        out[StatuspageId.NAME_BLOCK] = {StatuspageId.NAME: state_value_for("plain_text_input",
                                                                           name)}
    for component_id, value in components.items():
        out[component_block_id(component_id)] = {StatuspageId.COMPONENT: state_value_for(
            "static_select", value)}
    return json.loads(json.dumps(out))


def panel(world, incident_id, channel_id):
    ts = world.rpc.incidents.get_setting(f"statuspage.panel_ts:{incident_id}", None)
    return next((m for m in world.slack.messages(channel_id) if m["ts"] == ts), None) \
        if ts else None


def test_prompt_appears_in_the_war_room_on_declaration(world, room):
    channel_id, incident = room
    prompt = wait_until(lambda: prompt_of(world, channel_id))
    assert "Create Statuspage incident" in json.dumps(prompt["blocks"])
    # `/incident statuspage` opens the same form.
    before = len(world.slack.calls("views.update"))
    world.sender.slash_command("/incident", "statuspage", REPORTER, world.slack.new_trigger_id(),
                               channel_id)
    view = wait_until(lambda: [c for c in world.slack.calls("views.update")[before:]
                               if c.params["view"].get("callback_id") == StatuspageId.MODAL])
    assert json.loads(view[0].params["view"]["private_metadata"]) == {
        "incident_id": incident["id"], "mode": "create"}


def test_create_update_and_resolve_through_slack(world, sp, room):
    channel_id, incident = room
    rpc = world.rpc
    view = press(world, channel_id, wait_until(lambda: prompt_of(world, channel_id)))
    blocks = json.dumps(view["blocks"])
    assert "Status page group" not in blocks  # groups are not settable
    assert view["submit"]["text"] == "Publish"
    answer = world.sender.view_submission(view, values(
        "Some payments fail; we are on it.", "identified",
        {"api000000001": "operational", "chk000000001": "major_outage"},
        name="Checkout failures"), REPORTER)
    assert answer.status_code == 200 and answer.text == "", answer.text
    (posted,) = [c for c in sp.calls("POST", f"/pages/{sp.page_id}/incidents")
                 if c.body["incident"]["name"] == "Checkout failures"]
    assert posted.header("Authorization") == f"OAuth {sp.api_key}"
    assert posted.body["incident"] == {
        "name": "Checkout failures", "status": "identified",
        "body": "Some payments fail; we are on it.", "component_ids": ["chk000000001"],
        "components": {"chk000000001": "major_outage"}, "deliver_notifications": True,
        "metadata": {"incident_bot": {"incident_id": str(incident["id"])}}}
    message = wait_until(lambda: panel(world, incident["id"], channel_id))
    assert "Statuspage: Checkout failures" in json.dumps(message["blocks"])
    assert "Major outage" in json.dumps(message["blocks"])
    timeline = [e["text"] for e in rpc.incidents.list_timeline(incident["id"])["items"]]
    assert "Statuspage incident published: Checkout failures (identified)" in timeline

    # The panel's button opens the update form for the same Statuspage incident.
    view = press(world, channel_id, message)
    assert view["submit"]["text"] == "Update"
    answer = world.sender.view_submission(view, values(
        "A fix is rolling out.", "monitoring",
        {"api000000001": "operational", "chk000000001": "degraded_performance"}), REPORTER)
    assert answer.status_code == 200 and answer.text == "", answer.text
    statuspage_id = posted.response["id"]
    (patched,) = sp.calls("PATCH", f"/pages/{sp.page_id}/incidents/{statuspage_id}")
    assert patched.body["incident"]["status"] == "monitoring"
    assert patched.body["incident"]["components"] == {"chk000000001": "degraded_performance"}
    updated = wait_until(lambda: (m := panel(world, incident["id"], channel_id)) and
                         "A fix is rolling out" in json.dumps(m["blocks"]) and m)
    assert updated["ts"] == message["ts"]  # chat.update, not a new message
    history = json.dumps(updated["blocks"])
    assert history.index("Some payments fail") < history.index("A fix is rolling out")
    assert len([m for m in world.slack.messages(channel_id)
                if "Statuspage: Checkout failures" in json.dumps(m.get("blocks"))]) == 1

    # Resolving the incident resolves the Statuspage incident and its components.
    rpc.incidents.change_status(incident["id"], "resolved", REPORTER)
    wait_until(lambda: sp.calls("PATCH", f"/pages/{sp.page_id}/components/chk000000001"))
    resolved = sp.calls("PATCH", f"/pages/{sp.page_id}/incidents/{statuspage_id}")[-1]
    assert resolved.body["incident"]["status"] == "resolved"
    assert sp.component_status("chk000000001") == "operational"
    assert sp.calls("PATCH", f"/pages/{sp.page_id}/components/chk000000001")[0].body == {
        "component": {"status": "operational"}}
    assert next(i for i in sp.created() if i["id"] == statuspage_id)["status"] == "resolved"
    final = wait_until(lambda: (m := panel(world, incident["id"], channel_id)) and
                       "Resolved" in json.dumps(m["blocks"]) and m)
    assert StatuspageId.OPEN not in json.dumps(final["blocks"])  # nothing left to update
    link = rpc.incidents.list_incident_links(incident["id"], kind="statuspage")[0]
    assert [u["status"] for u in link["data"]["updates"]] == [
        "identified", "monitoring", "resolved"]


def test_user_outside_the_permitted_group_is_refused(world, room):
    channel_id, _ = room
    opened = len(world.slack.calls("views.open"))
    prompt = wait_until(lambda: prompt_of(world, channel_id))
    incident_id = world.rpc.incidents.get_incident_by_channel(channel_id)["id"]
    world.sender.block_actions(
        [{"type": "button", "action_id": StatuspageId.OPEN, "value": str(incident_id)}],
        OUTSIDER, channel_id=channel_id, message=prompt, trigger_id=world.slack.new_trigger_id())
    refusal = wait_until(lambda: [m for m in world.slack.ephemeral_messages(channel_id)
                                  if m["user"] == OUTSIDER])
    assert "@incident-comms" in refusal[0]["text"]
    assert len(world.slack.calls("views.open")) == opened


def test_rate_limited_create_ends_with_exactly_one_statuspage_incident(world, sp, room):
    _, incident = room
    before = len(sp.created())
    sp.fail("POST /pages/*/incidents", 429, retry_after=1)
    link = world.rpc.statuspage.create_incident(incident["id"], "Slow checkout", "Looking",
                                                "investigating", {}, REPORTER)
    created = sp.created()[before:]
    assert [i["id"] for i in created] == [link["external_id"]]
    assert [c.status for c in sp.calls("POST")][-2:] == [429, 201]
