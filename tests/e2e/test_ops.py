"""Health, readiness and metrics of running services."""
import subprocess
import time

import pytest
import requests

from tests.e2e.flows import declare
from tests.support.stack import wait_until

pytestmark = pytest.mark.e2e


def metric(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_move_after_a_declaration(fake, sender, distributed):
    gateway = f"{distributed.ops_url('slack_gateway')}/metrics"
    incidents = f"{distributed.ops_url('incidents')}/metrics"
    before = requests.get(gateway).text
    declare(fake, sender, "Metrics check incident")
    # The handler finishes (stores what it made) a moment after Slack shows the room.
    after = wait_until(lambda: (lambda text: text if metric(
        text, "incidentbot_entrypoint_calls_total", entrypoint="handle_incident_declared",
        outcome="ok") >= 1 else None)(requests.get(gateway).text))
    assert metric(after, "incidentbot_slack_api_calls_total", method="conversations.create",
                  outcome="ok") > metric(before, "incidentbot_slack_api_calls_total",
                                         method="conversations.create", outcome="ok")
    served = requests.get(incidents).text
    assert metric(served, "incidentbot_entrypoint_calls_total", entrypoint="declare_incident",
                  outcome="ok") >= 1
    assert "incidentbot_outbox_backlog" in served


def test_readiness_follows_the_broker(distributed):
    urls = {name: f"{distributed.ops_url(name)}/readyz" for name in
            ("incidents", "slack_gateway", "scheduler")}
    assert all(requests.get(u).status_code == 200 for u in urls.values())
    assert requests.get(f"{distributed.ops_url('incidents')}/healthz").status_code == 200
    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=120)
    try:
        wait_until(lambda: all(requests.get(u, timeout=10).status_code == 503
                               for u in urls.values()), timeout=30)
        body = requests.get(urls["incidents"], timeout=10).json()
        assert any(v.startswith("failing") for k, v in body["checks"].items()
                   if k.startswith("bus"))
        assert all(v == "ok" for k, v in body["checks"].items() if k.startswith("database"))
        # Liveness is not readiness: the process stays alive for the broker to return.
        assert requests.get(f"{distributed.ops_url('incidents')}/healthz").status_code == 200
    finally:
        subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True,
                       timeout=120)
    wait_until(lambda: all(requests.get(u, timeout=10).status_code == 200
                           for u in urls.values()), timeout=60)
    time.sleep(0.1)
