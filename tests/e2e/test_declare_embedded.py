"""The all-in-one process (in-memory bus, SQLite) runs the same declare flow."""
import json

import pytest
import requests

from tests.e2e.conftest import make_fake, slack_env
from tests.e2e.flows import REPORTER, declare, digest_posts
from tests.fakes.slack_signing import SlackSender
from tests.support.stack import SIGNING_SECRET, Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    fake = make_fake()
    folder = tmp_path_factory.mktemp("embedded")
    stack = Stack({**slack_env(fake), "DATABASE_URL": f"sqlite:///{folder}/bot.db",
                   "AMQP_URI": ""}, folder)
    try:
        stack.start_embedded()
        yield fake, stack
    finally:
        stack.stop()
        print(stack.logs())
        fake.stop()


def test_declare_in_the_embedded_process(embedded):
    fake, stack = embedded
    sender = SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET)
    channel = declare(fake, sender, "Search returns nothing")
    assert REPORTER in channel["members"]
    assert fake.pins(channel["id"])
    assert any(channel["id"] in json.dumps(p["blocks"]) for p in digest_posts(fake))
    assert requests.get(f"{stack.web_url}/healthz").status_code == 200


def test_embedded_banner_says_what_is_not_configured(tmp_path):
    stack = Stack({"DATABASE_URL": f"sqlite:///{tmp_path}/bot.db", "AMQP_URI": "",
                   "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": ""}, tmp_path)
    try:
        stack.start_embedded()
        response = requests.post(f"{stack.gateway_url}/slack/events", data=b"{}")
        assert response.status_code == 503
        assert "not configured" in response.json()["error"]
    finally:
        stack.stop()
    output = stack.logs()
    assert "Slack is OFF: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in output
    assert "web UI:" in output
