"""Socket Mode: with SLACK_APP_TOKEN set, the gateway takes Slack traffic over a WebSocket
(a local server speaking Slack's Socket Mode envelopes), through the same listeners."""
import subprocess
import sys

import pytest
import requests

from services.incidents.migrate import upgrade
from tests.e2e.conftest import REPORTER, make_fake, slack_env
from tests.e2e.flows import declare_values, wait_for_war_room
from tests.support import infra
from tests.support.stack import ROOT, Stack, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def socket_stack(amqp_uri, tmp_path_factory):
    server = subprocess.Popen([sys.executable, "-m", "tests.fakes.socket_mode_server"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    urls = dict(server.stdout.readline().strip().split("=", 1) for _ in range(2))
    fake = make_fake()
    fake.socket_mode_url = urls["SOCKET_MODE_URL"]
    database_url = infra.create_database()
    upgrade(database_url)
    stack = Stack({**slack_env(fake), "SLACK_APP_TOKEN": fake.app_token, "AMQP_URI": amqp_uri,
                   "DATABASE_URL": database_url}, tmp_path_factory.mktemp("socket"))
    try:
        for name in ("incidents", "slack_gateway", "web"):
            stack.start(name, "serve", name)
        stack.wait_ready()
        yield fake, urls["CONTROL_URL"]
    finally:
        stack.stop()
        print(stack.logs())
        server.terminate()
        fake.stop()
        infra.drop_database(database_url)


def send(control: str, envelope: dict) -> dict:
    response = requests.post(f"{control}/send", json=envelope, timeout=30)
    assert response.status_code == 200, "the gateway did not acknowledge within 3 s"
    return response.json()["ack"]


def test_declare_over_socket_mode(socket_stack):
    fake, control = socket_stack
    assert wait_until(lambda: [c for c in fake.calls("apps.connections.open") if c.ok])
    trigger = fake.new_trigger_id()
    send(control, {"type": "interactive", "payload": {
        "type": "shortcut", "callback_id": "declare_incident", "trigger_id": trigger,
        "user": {"id": REPORTER}, "team": {"id": "T0TEST"}, "api_app_id": "A0TEST",
        "token": "x", "action_ts": "1.2"}})
    view = wait_until(lambda: [c for c in fake.calls("views.open")
                               if c.params.get("trigger_id") == trigger and c.response])[0]
    view = view.response["view"]
    ack = send(control, {"type": "interactive", "payload": {
        "type": "view_submission", "user": {"id": REPORTER}, "team": {"id": "T0TEST"},
        "api_app_id": "A0TEST", "token": "x", "trigger_id": "1.2.3",
        "view": {**view, "state": {"values": declare_values("Socket mode incident")}}}})
    assert "payload" not in ack or not ack["payload"]  # closed the modal: no errors
    channel = wait_for_war_room(fake, "Socket mode incident")
    assert fake.pins(channel["id"])


def test_slash_command_help_is_answered_in_the_ack(socket_stack):
    fake, control = socket_stack
    ack = send(control, {"type": "slash_commands", "payload": {
        "command": "/incident", "text": "help", "user_id": REPORTER, "channel_id": "C0GENERAL",
        "trigger_id": fake.new_trigger_id(), "team_id": "T0TEST", "api_app_id": "A0TEST",
        "token": "x", "response_url": "https://hooks.slack.com/commands/x"}})
    assert "/incident help" in ack["payload"]["text"]
