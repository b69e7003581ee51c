"""Two scheduler processes against one RabbitMQ and PostgreSQL: each due reminder and
each stale report is sent once. The clock is moved (shared offset file), not waited for."""
import json
import time

import pytest

from services.incidents.migrate import upgrade
from tests.e2e.conftest import make_fake, slack_env
from tests.e2e.flows import declare, stored_incident
from tests.fakes.slack_signing import SlackSender
from tests.support import infra
from tests.support.stack import SIGNING_SECRET, Stack, wait_until

pytestmark = pytest.mark.e2e
CONFIG = """
reminders:
  check_interval_seconds: 1
stale:
  report_interval_hours: 24
"""


@pytest.fixture(scope="module")
def scheduled(amqp_uri, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scheduled")
    (folder / "config.yaml").write_text(CONFIG)
    clock = folder / "clock-offset"
    clock.write_text("0")
    fake = make_fake()
    database_url = infra.create_database()
    upgrade(database_url)
    stack = Stack({**slack_env(fake), "AMQP_URI": amqp_uri, "DATABASE_URL": database_url,
                   "INCIDENTBOT_CONFIG": str(folder / "config.yaml"),
                   "INCIDENTBOT_CLOCK_OFFSET_FILE": str(clock)}, folder)
    try:
        for name, service in [("incidents", "incidents"), ("slack_gateway", "slack_gateway"),
                              ("web", "web"), ("scheduler-a", "scheduler"),
                              ("scheduler-b", "scheduler")]:
            stack.start(name, "serve", service)
        stack.wait_ready()
        yield fake, stack, clock
    finally:
        stack.stop()
        print(stack.logs())
        fake.stop()
        infra.drop_database(database_url)


def move_clock(clock, minutes: float) -> None:
    clock.write_text(str(minutes * 60))


def reminders_in(fake, channel_id):
    return [m for m in fake.messages(channel_id)
            if "no status update" in (m.get("text") or "")]


def test_two_schedulers_send_each_reminder_once(scheduled, amqp_uri):
    fake, stack, clock = scheduled
    sender = SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET)
    channel = declare(fake, sender, "Checkout totally down", severity="sev1")
    quiet = declare(fake, sender, "Typo on the About page", severity="sev3")
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}) as rpc:
        stored_incident(rpc.incidents, channel["id"])
        move_clock(clock, 31)
        first = wait_until(lambda: reminders_in(fake, channel["id"]), timeout=20)
        time.sleep(3)  # both schedulers ticked several times since
        assert len(reminders_in(fake, channel["id"])) == 1
        assert "incident_snooze_reminders" in json.dumps(first[0]["blocks"])
        move_clock(clock, 57)
        wait_until(lambda: len(reminders_in(fake, channel["id"])) == 2, timeout=20)
        time.sleep(3)
        assert len(reminders_in(fake, channel["id"])) == 2
        assert reminders_in(fake, quiet["id"]) == []
        incident = rpc.incidents.get_incident_by_channel(channel["id"])
        kinds = [e["kind"] for e in rpc.incidents.list_timeline(incident["id"])["items"]]
        assert kinds.count("reminder") == 2


def test_stale_incidents_are_reported_once_in_the_digest(scheduled):
    fake, stack, clock = scheduled
    digest = fake.channel_by_name("incidents")["id"]

    def reports():
        return [m for m in fake.messages(digest) if "open for more than" in (m.get("text") or "")]

    move_clock(clock, 8 * 24 * 60)
    report = wait_until(reports, timeout=20)
    time.sleep(3)
    assert len(reports()) == 1
    listed = json.dumps(report[0]["blocks"])
    assert "Checkout totally down" in listed and "Typo on the About page" in listed
