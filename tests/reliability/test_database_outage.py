"""PostgreSQL restarted while incidents are declared: requests during the outage get a
clear error (in the modal, an ephemeral answer to a slash command, HTTP 503 from the web
API, readiness 503); nothing accepted is lost."""
import json
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from tests.e2e.flows import (
    REPORTER,
    declare,
    declare_values,
    digest_posts,
    open_modal_by_shortcut,
)
from tests.fakes.slack_signing import SlackSender
from tests.support.stack import SIGNING_SECRET, wait_until
from tests.web.support import api_token

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(300)]
COUNT = 24


def postgres(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
                   check=True, capture_output=True, timeout=120)


def test_database_restart_under_load(stack_factory, amqp_uri):
    stack, fake, database_url = stack_factory()
    token = api_token(database_url)
    sender = SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET)
    room = declare(fake, sender, "Room before the outage")["id"]
    results: dict[str, str] = {}
    halfway = threading.Event()
    readiness_during: list[int] = []
    answers_during: dict[str, object] = {}

    def declare_one(n: int) -> None:
        description = f"Database drill incident {n:02d}"
        view = open_modal_by_shortcut(fake, sender)
        if n == 6:
            halfway.set()
        response = sender.view_submission(view, declare_values(description), REPORTER)
        if response.text == "":
            results[description] = "accepted"
        else:
            assert "did not answer" in json.dumps(response.json()["errors"])
            results[description] = "refused"
        time.sleep(0.2)

    def outage() -> None:
        halfway.wait(60)
        postgres("stop")
        readiness_during.append(requests.get(
            f"{stack.ops_url('incidents')}/readyz", timeout=10).status_code)
        answers_during["api"] = requests.get(f"{stack.web_url}/api/v1/incidents", timeout=30,
                                             headers={"Authorization": f"Bearer {token}"})
        answers_during["command"] = sender.slash_command(
            "/incident", "status identified", REPORTER, fake.new_trigger_id(), room)
        time.sleep(1)
        postgres("start")

    breaker = threading.Thread(target=outage)
    breaker.start()
    try:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(declare_one, range(COUNT)))
    finally:
        breaker.join()
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode != 0:
            postgres("start")  # whatever happened above, leave the database running
    assert readiness_during == [503]
    api, command = answers_during["api"], answers_during["command"]
    assert api.status_code == 503 and "database is not answering" in api.json()["error"], \
        api.text
    assert command.status_code == 200 and command.json()["response_type"] == "ephemeral"
    assert "nothing was changed" in command.json()["text"], command.text
    accepted = [d for d, r in results.items() if r == "accepted"]
    assert len(results) == COUNT and accepted, results
    wait_until(lambda: all(any(d in json.dumps(p["blocks"]) for p in digest_posts(fake))
                           for d in accepted), timeout=90)
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        stored = [i["description"] for i in rpc.incidents.list_incidents(limit=200)["items"]]
    for description in accepted:
        assert stored.count(description) == 1
    wait_until(lambda: requests.get(f"{stack.ops_url('incidents')}/readyz").status_code == 200,
               timeout=60)
    # The refused status change did not happen; the API answers again.
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        assert rpc.incidents.get_incident_by_channel(room)["status"] == "investigating"
    assert requests.get(f"{stack.web_url}/api/v1/incidents", timeout=30, headers={
        "Authorization": f"Bearer {token}"}).status_code == 200
