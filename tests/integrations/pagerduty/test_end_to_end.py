"""PagerDuty end to end: incidents, slack_gateway and pagerduty as processes over
RabbitMQ and PostgreSQL; the Slack fake and the PagerDuty fake (HTTPS, its own CA);
the real `pagerduty` library. Asserted on what PagerDuty and Slack received."""
import json
import time

import pytest

from services.slack_gateway.blocks.pagerduty import PagerDutyId
from tests.e2e.flows import REPORTER, click, declare, stored_incident, texts
from tests.fakes.pagerduty_api import PagerDutyFake
from tests.fakes.slack_signing import state_value_for
from tests.integrations.vendor_stack import vendor_stack
from tests.support.stack import wait_until

pytestmark = pytest.mark.e2e
FROM = "incident-bot@example.com"


@pytest.fixture(scope="module")
def pd(tmp_path_factory):
    fake = PagerDutyFake(tls_dir=tmp_path_factory.mktemp("pd-tls"))
    platform = fake.add_escalation_policy("Platform", "PPLATFM")
    payments = fake.add_escalation_policy("Payments", "PPAYMNT")
    fake.add_service("Checkout API", platform, "PCHECKT")
    fake.add_service("Search", platform, "PSEARCH")
    fake.add_service("Payments", payments, "PPAYSVC")
    fake.add_oncall(platform, "Alice Ops", "alice@example.com", level=1, user_id="PALICE1",
                    schedule="Platform primary")
    fake.add_oncall(platform, "Bob Ops", "bob@example.com", level=2, user_id="PBOB001")
    fake.add_oncall(payments, "Carol Pay", "carol@example.com", level=1, user_id="PCAROL1")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def world(pd, amqp_uri, tmp_path_factory):
    env = {"PAGERDUTY_API_TOKEN": pd.token, "PAGERDUTY_API_URL": pd.url,
           "PAGERDUTY_FROM_EMAIL": FROM, "PAGERDUTY_CA_FILE": pd.ca_file}
    with vendor_stack(tmp_path_factory.mktemp("pd-stack"), amqp_uri, ("pagerduty",),
                      env) as world:
        yield world


@pytest.fixture
def no_auto_page(world):
    world.rpc.pagerduty.set_auto_page_services([], REPORTER)


def pages_of(pd, incident_id):
    return [c for c in pd.calls("POST", "/incidents")
            if str((c.body or {}).get("incident", {}).get("incident_key", "")).startswith(
                f"incident-bot-{incident_id}-")]


def test_list_oncalls_returns_who_is_on_call_per_policy(world):
    oncalls = world.rpc.pagerduty.list_oncalls()
    assert [g["escalation_policy"]["name"] for g in oncalls] == ["Payments", "Platform"]
    platform = oncalls[1]["oncalls"]
    assert [(p["level"], p["user"]["name"], p["user"]["email"]) for p in platform] == [
        (1, "Alice Ops", "alice@example.com"), (2, "Bob Ops", "bob@example.com")]
    assert platform[0]["schedule"]["name"] == "Platform primary"
    assert world.rpc.pagerduty.list_services()[0]["name"] == "Checkout API"


def test_auto_page_on_declaration_pages_each_service_once(world, pd):
    rpc, slack = world.rpc, world.slack
    assert rpc.pagerduty.set_auto_page_services(["PCHECKT", "PPAYSVC"], REPORTER) == [
        "PCHECKT", "PPAYSVC"]
    try:
        channel = declare(slack, world.sender, "Checkout is down for everyone", severity="sev1")
        incident = stored_incident(rpc.incidents, channel["id"])
        posts = wait_until(lambda: len(pages_of(pd, incident["id"])) == 2 and
                           pages_of(pd, incident["id"]))
        by_service = {p.body["incident"]["service"]["id"]: p for p in posts}
        assert set(by_service) == {"PCHECKT", "PPAYSVC"}
        sent = by_service["PCHECKT"]
        assert sent.header("From") == FROM
        assert sent.body["incident"]["incident_key"] == f"incident-bot-{incident['id']}-PCHECKT"
        assert sent.body["incident"]["urgency"] == "high"
        assert "Checkout is down for everyone" in sent.body["incident"]["title"]
        assert f"https://slack.com/app_redirect?channel={channel['id']}" in \
            sent.body["incident"]["body"]["details"]
        links = wait_until(lambda: len(rpc.incidents.list_incident_links(
            incident["id"], kind="pagerduty")) == 2 and rpc.incidents.list_incident_links(
            incident["id"], kind="pagerduty"))
        assert {link["title"] for link in links} == {"Paged Checkout API", "Paged Payments"}
        wait_until(lambda: texts(slack.messages(channel["id"])).count(":pager:") == 2)
        timeline = [e["text"] for e in rpc.incidents.list_timeline(incident["id"])["items"]]
        assert "Paged Checkout API (high)" in timeline and "Paged Payments (high)" in timeline
        # A redelivered incident_declared pages nobody again.
        world.redeliver("incident_declared", {"event_id": "redelivered-1",
                                             "incident_id": incident["id"],
                                             "incident": incident})
        time.sleep(2)
        assert len(pages_of(pd, incident["id"])) == 2
        assert len(pd.created(f"incident-bot-{incident['id']}-PCHECKT")) == 1
    finally:
        rpc.pagerduty.set_auto_page_services([], REPORTER)


def open_page_modal(world, channel_id):
    before = len(world.slack.calls("views.update"))
    click(world.sender, world.slack, channel_id,
          {"type": "button", "action_id": PagerDutyId.PAGE_BUTTON,
           "value": str(world.rpc.incidents.get_incident_by_channel(channel_id)["id"])},
          trigger=True)
    call = wait_until(lambda: [c for c in world.slack.calls("views.update")[before:]
                               if c.response and c.params["view"].get("callback_id")
                               == PagerDutyId.PAGE_MODAL])[0]
    assert call.ok, call.response
    return call.response["view"]


def page_values(service_id, urgency, note=None):
    values = {
        PagerDutyId.SERVICE_BLOCK: {PagerDutyId.SERVICE: state_value_for(
            "static_select", service_id)},
        PagerDutyId.URGENCY_BLOCK: {PagerDutyId.URGENCY: state_value_for(
            "radio_buttons", urgency)},
        PagerDutyId.NOTE_BLOCK: {PagerDutyId.NOTE: state_value_for("plain_text_input", note)},
    }
    return {str(k): {str(a): v for a, v in actions.items()} for k, actions in values.items()}


def test_page_a_team_from_the_control_panel(world, pd, no_auto_page):
    rpc, slack = world.rpc, world.slack
    channel = declare(slack, world.sender, "Search results are empty")
    incident = stored_incident(rpc.incidents, channel["id"])
    view = open_page_modal(world, channel["id"])
    options = view["blocks"][1]["element"]["options"]
    assert [o["text"]["text"] for o in options] == ["Checkout API", "Payments", "Search"]
    # Submitting without a service is refused in the modal.
    refused = world.sender.view_submission(view, page_values(None, "low"), REPORTER)
    assert refused.json()["errors"] == {PagerDutyId.SERVICE_BLOCK: "Choose the service to page"}
    answer = world.sender.view_submission(view, page_values("PSEARCH", "low", "Index is empty"),
                                          REPORTER)
    assert answer.status_code == 200 and answer.text == "", answer.text
    (sent,) = pages_of(pd, incident["id"])
    assert sent.body["incident"]["urgency"] == "low"
    assert sent.body["incident"]["service"]["id"] == "PSEARCH"
    assert "Index is empty" in sent.body["incident"]["body"]["details"]
    notice = wait_until(lambda: [m for m in slack.messages(channel["id"])
                                 if "Paged Search" in (m.get("text") or "")])
    assert "low urgency" in notice[0]["text"] and f"<@{REPORTER}>" in notice[0]["text"]
    assert "https://fake-team.pagerduty.com/incidents/" in notice[0]["text"]
    timeline = [e["text"] for e in rpc.incidents.list_timeline(incident["id"])["items"]]
    assert "Paged Search (low)" in timeline
    # Paging the same service again is no error and no second PagerDuty incident.
    again = world.sender.view_submission(view, page_values("PSEARCH", "high"), REPORTER)
    assert again.json()["response_action"] == "update"
    assert "already paged" in json.dumps(again.json()["view"])
    assert len(pd.created(f"incident-bot-{incident['id']}-PSEARCH")) == 1


def test_resolving_the_incident_resolves_its_pages(world, pd, no_auto_page):
    rpc = world.rpc
    channel = declare(world.slack, world.sender, "Payments time out")
    incident = stored_incident(rpc.incidents, channel["id"])
    first = rpc.pagerduty.page_team(incident["id"], "PPAYSVC", "high", REPORTER)
    second = rpc.pagerduty.page_team(incident["id"], "PCHECKT", "low", REPORTER)
    rpc.incidents.change_status(incident["id"], "resolved", REPORTER)
    for link in (first, second):
        put = wait_until(lambda: pd.calls("PUT", f"/incidents/{link['external_id']}"))[0]
        assert put.body == {"incident": {"type": "incident_reference", "status": "resolved"}}
        assert put.header("From") == FROM
    wait_until(lambda: all(link["data"]["status"] == "resolved" for link in
                           rpc.incidents.list_incident_links(incident["id"], kind="pagerduty")))
    assert {i["status"] for i in pd.created() if i["id"] in
            (first["external_id"], second["external_id"])} == {"resolved"}


def test_rate_limited_page_ends_with_exactly_one_pagerduty_incident(world, pd, no_auto_page):
    rpc = world.rpc
    channel = declare(world.slack, world.sender, "Checkout slow under load")
    incident = stored_incident(rpc.incidents, channel["id"])
    pd.fail("POST /incidents", 429, retry_after=1)
    link = rpc.pagerduty.page_team(incident["id"], "PCHECKT", "high", REPORTER)
    key = f"incident-bot-{incident['id']}-PCHECKT"
    assert [c.status for c in pages_of(pd, incident["id"])] == [429, 201]
    assert [i["id"] for i in pd.created(key)] == [link["external_id"]]


def wait_for_page_modal(world, before):
    return wait_until(lambda: [c for c in world.slack.calls("views.update")[before:]
                               if c.response and c.params["view"].get("callback_id")
                               == PagerDutyId.PAGE_MODAL])[0].response["view"]


def test_shortcut_picks_the_incident_and_slash_command_opens_the_modal(world, no_auto_page):
    slack, sender = world.slack, world.sender
    channel = declare(slack, sender, "Login page blank")
    incident = stored_incident(world.rpc.incidents, channel["id"])
    opened, updated = len(slack.calls("views.open")), len(slack.calls("views.update"))
    assert sender.shortcut(PagerDutyId.PAGE_SHORTCUT, REPORTER,
                           slack.new_trigger_id()).status_code == 200
    picker = wait_until(lambda: slack.calls("views.open")[opened:])[0].response["view"]
    assert f"#{incident['id']} Login page blank" in json.dumps(picker["blocks"])
    sender.block_actions([{"type": "static_select", "action_id": PagerDutyId.PICK_INCIDENT,
                           "block_id": PagerDutyId.PICK_BLOCK, "selected_option": {
                               "text": {"type": "plain_text", "text": "x"},
                               "value": str(incident["id"])}}], REPORTER, view=picker)
    modal = wait_for_page_modal(world, updated)
    assert json.loads(modal["private_metadata"]) == {"incident_id": incident["id"]}
    updated = len(slack.calls("views.update"))
    sender.slash_command("/incident", "page", REPORTER, slack.new_trigger_id(), channel["id"])
    modal = wait_for_page_modal(world, updated)
    assert json.loads(modal["private_metadata"]) == {"incident_id": incident["id"]}
