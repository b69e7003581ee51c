"""Each service killed (SIGKILL) in the middle of a flow and restarted: every flow
completes, nothing is done twice."""
import json
import time

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from tests.e2e.flows import REPORTER, declare_values, digest_posts, open_modal_by_shortcut
from tests.fakes.slack_signing import SlackSender
from tests.support.stack import SIGNING_SECRET, wait_http, wait_until

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(300)]


def posts_about(fake, description):
    return [p for p in digest_posts(fake) if description in json.dumps(p["blocks"])]


def test_crashes_in_the_middle_of_flows(stack_factory, amqp_uri):
    stack, fake, _ = stack_factory(("incidents", "slack_gateway", "scheduler", "web"))
    sender = SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET)
    rpc = ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20)
    incidents = rpc.start().incidents
    try:
        # 1. The gateway dies while opening a war room (its topic call hangs in Slack).
        fake.hang("conversations.setTopic", 30)
        view = open_modal_by_shortcut(fake, sender)
        assert sender.view_submission(view, declare_values("Gateway crash drill"),
                                      REPORTER).text == ""
        wait_until(lambda: [c for c in fake.calls("conversations.setTopic")
                            if c.status == 0], timeout=20)  # in flight, held by the fake
        stack.kill("slack_gateway")
        fake.clear_failures()
        stack.restart("slack_gateway")
        wait_http(f"{stack.gateway_url}/healthz")
        incident = wait_until(lambda: next((i for i in incidents.list_incidents()["items"]
                                            if i["description"] == "Gateway crash drill"
                                            and i["control_panel_ts"] and i["digest_ts"]),
                                           None), timeout=90)
        wait_until(lambda: "SEV2" in fake.channel(incident["channel_id"])["topic"]["value"]
                   .upper(), timeout=60)
        channels = [c for c in fake.channels if c.get("name", "").endswith(
            "gateway-crash-drill")]
        assert len(channels) == 1
        assert len(fake.pins(incident["channel_id"])) == 1
        panels = [m for m in fake.messages(incident["channel_id"])
                  if m.get("user") == "U0BOT" and m.get("blocks")]
        assert len(panels) == 1 and len(posts_about(fake, "Gateway crash drill")) == 1

        # 2. The incidents service dies: declarations meanwhile are refused clearly; after
        #    its restart everything works, and what it had accepted is all there.
        stack.kill("incidents")
        view = open_modal_by_shortcut(fake, sender)
        refused = sender.view_submission(view, declare_values("While incidents is down"),
                                         REPORTER)
        assert "did not answer" in json.dumps(refused.json()["errors"])
        stack.restart("incidents")
        wait_http(f"{stack.ops_url('incidents')}/readyz", timeout=60)
        resubmitted = sender.view_submission(view, declare_values("While incidents is down"),
                                             REPORTER)
        assert resubmitted.text == ""
        wait_until(lambda: posts_about(fake, "While incidents is down"), timeout=60)
        assert len([i for i in incidents.list_incidents(limit=200)["items"]
                    if i["description"] == "While incidents is down"]) == 1

        # 3. The scheduler dies and comes back: it keeps serving (no state of its own).
        stack.kill("scheduler")
        stack.restart("scheduler")
        wait_http(f"{stack.ops_url('scheduler')}/readyz", timeout=60)
        assert requests.get(f"{stack.ops_url('scheduler')}/healthz").status_code == 200
        time.sleep(1)
        assert len(posts_about(fake, "Gateway crash drill")) == 1
    finally:
        rpc.stop()
