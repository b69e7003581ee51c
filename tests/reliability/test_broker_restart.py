"""RabbitMQ stopped and started while 50 incidents are being declared: every accepted
declaration ends with exactly one incident, one channel, one pinned control panel and one
digest post; every refused one told its user; the services reconnect on their own."""
import json
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.e2e.flows import REPORTER, declare_values, digest_posts, open_modal_by_shortcut
from tests.fakes.slack_signing import SlackSender
from tests.support.stack import SIGNING_SECRET, wait_until

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(300)]
COUNT = 50


def rabbit(action: str) -> None:
    subprocess.run(["rabbitmqctl", action], check=True, capture_output=True, timeout=120)


def test_broker_restart_during_declarations(stack_factory, amqp_uri):
    stack, fake, _ = stack_factory()
    sender = SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET)
    results: dict[str, str] = {}
    started = threading.Event()

    def declare_one(n: int) -> None:
        description = f"Broker drill incident {n:02d}"
        view = open_modal_by_shortcut(fake, sender)
        if n == 10:
            started.set()
        response = sender.view_submission(view, declare_values(description), REPORTER)
        assert response.status_code == 200, response.text
        if response.text == "":
            results[description] = "accepted"
        else:
            errors = response.json()["errors"]
            assert "did not answer" in json.dumps(errors)  # a clear message, not silence
            results[description] = "refused"

    def outage() -> None:
        started.wait(60)
        rabbit("stop_app")
        time.sleep(3)
        rabbit("start_app")

    breaker = threading.Thread(target=outage)
    breaker.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(declare_one, range(COUNT)))
    finally:
        breaker.join()
        rabbit("start_app")  # whatever happened above, leave the broker running

    accepted = [d for d, r in results.items() if r == "accepted"]
    refused = [d for d, r in results.items() if r == "refused"]
    print(f"broker drill: {len(accepted)} accepted, {len(refused)} refused with a message")
    assert len(results) == COUNT and len(accepted) >= 10 and refused, results

    def digest_for(description):
        return [p for p in digest_posts(fake) if description in json.dumps(p["blocks"])]

    try:
        wait_until(lambda: all(digest_for(d) for d in accepted), timeout=90)
    except AssertionError:
        raise AssertionError(f"no war room for {[d for d in accepted if not digest_for(d)]}")
    time.sleep(2)  # let any duplicate show itself
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        stored = rpc.incidents.list_incidents(limit=200)["items"]
    for description in accepted:
        mine = [i for i in stored if i["description"] == description]
        assert len(mine) == 1, description
        channels = [c for c in fake.channels if c.get("name", "").endswith(
            "-" + description.lower().replace(" ", "-"))]
        assert len(channels) == 1 and channels[0]["id"] == mine[0]["channel_id"]
        assert len(fake.pins(channels[0]["id"])) == 1
        assert len(digest_for(description)) == 1
    for description in results:  # refused ones may exist (reply lost), never twice
        assert len([i for i in stored if i["description"] == description]) <= 1

    # Reconnected on their own: a new declaration works end to end.
    view = open_modal_by_shortcut(fake, sender)
    assert sender.view_submission(view, declare_values("After the drill"), REPORTER).text == ""
    wait_until(lambda: digest_for("After the drill"), timeout=60)
