"""Each service killed (SIGKILL) in the middle of a flow and restarted: every flow
completes, nothing is done twice."""
import contextlib
import json
import time

import psycopg2
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


SWEEP = 300  # reminders due at once: a sweep of a few seconds, long enough to kill inside


def test_scheduler_killed_mid_sweep_sends_each_reminder_once(stack_factory, amqp_uri,
                                                              tmp_path):
    """300 reminders fall due together; the scheduler is SIGKILLed while it claims them
    and restarted. Each incident gets exactly one reminder: the claims are compare-and-set
    in `incidents`, so what the dead sweep took is not taken again, and what it had not
    reached the restarted one takes."""
    clock = tmp_path / "clock-offset"
    clock.write_text("0")
    # Slack off: the outbox and the timeline are the record of the reminders here.
    stack, _, database_url = stack_factory(SLACK_BOT_TOKEN="",
                                           INCIDENTBOT_CLOCK_OFFSET_FILE=str(clock))
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        ids = [rpc.incidents.declare_incident({"description": f"Sweep drill {n}",
                                               "reporter_id": REPORTER, "severity": "sev1"})["id"]
               for n in range(SWEEP)]

    def sent() -> dict[int, int]:
        with contextlib.closing(psycopg2.connect(database_url)) as conn, conn.cursor() as cur:
            cur.execute("SELECT (payload->>'incident_id')::int, count(*) FROM outbox "
                        "WHERE event_type = 'update_reminder_due' GROUP BY 1")
            return dict(cur.fetchall())

    clock.write_text(str(31 * 60))  # past the first reminder (30 minutes) of all of them
    stack.start("scheduler", "serve", "scheduler")
    wait_until(lambda: sent(), timeout=60, interval=0.01)
    stack.kill("scheduler")
    at_kill = sum(sent().values())
    print(f"scheduler drill: killed after {at_kill} of {SWEEP} reminders")
    assert 0 < at_kill < SWEEP  # killed inside the sweep
    stack.restart("scheduler")
    wait_until(lambda: sum(sent().values()) == SWEEP, timeout=60)
    time.sleep(2)  # the restarted sweep is over; a second one would show here
    counts = sent()
    assert sorted(counts) == sorted(ids) and set(counts.values()) == {1}
