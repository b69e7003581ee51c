"""Load benchmark against the distributed setup (each service its own process, RabbitMQ,
PostgreSQL, the Slack fake adding a fixed delay per call).

At rising request rates it declares incidents (shortcut, then modal submission) and posts
status updates and timeline entries, then prints: acknowledgement latency p50/p99,
declare-to-digest p50/p95 next to the critical path, the update rate sustained, the
outbox backlog left, and each service's memory (RSS).

    .venv/bin/python bench/load.py --rates 5 10 20 --seconds 15 --delay-ms 50
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import requests  # noqa: E402

from services.incidents.migrate import upgrade  # noqa: E402
from tests.e2e.conftest import make_fake, slack_env  # noqa: E402
from tests.e2e.flows import REPORTER, declare_values  # noqa: E402
from tests.fakes.slack_signing import SlackSender, state_value_for  # noqa: E402
from tests.support import infra  # noqa: E402
from tests.support.stack import SIGNING_SECRET, Stack  # noqa: E402

from bench.machine import CpuMeter  # noqa: E402
from bench.slack_watch import Watch, digest_channel_id  # noqa: E402

CRITICAL_CALLS_TO_DIGEST = 2


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Load:
    def __init__(self, fake, sender: SlackSender, watch: Watch):
        self.fake, self.sender, self.watch = fake, sender, watch
        self.acks: list[float] = []
        self.to_digest: list[float] = []
        self.errors = 0
        self.reasons: dict[str, int] = {}
        self.updates_done = 0
        self.rooms: list[str] = []
        self.lock = threading.Lock()

    def timed(self, send):  # noqa: ANN001, ANN201
        start = time.monotonic()
        response = send()
        elapsed = time.monotonic() - start
        with self.lock:
            self.acks.append(elapsed)
            if response.status_code != 200:
                self.failed(f"HTTP {response.status_code}")
        return response

    def failed(self, reason: str) -> None:
        """Count an error (call with self.lock held) and say which kind it was."""
        self.errors += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def open_modal(self, send) -> dict | None:  # noqa: ANN001
        """Send a request that opens a modal; the modal Slack opened, or None."""
        trigger = self.fake.new_trigger_id()
        opened = self.watch.modal(trigger)
        self.timed(lambda: send(trigger))
        call = opened.result(timeout=30)
        if not call.response.get("ok"):
            with self.lock:
                self.failed(f"views.open {call.response.get('error')}")
            return None
        return call.response["view"]

    def declare(self, n: int) -> None:
        description = f"Load incident {n} {time.time_ns()}"
        view = self.open_modal(lambda trigger: self.sender.shortcut("declare_incident",
                                                                    REPORTER, trigger))
        if view is None:
            return
        posted = self.watch.digest(description)
        start = time.monotonic()
        response = self.timed(lambda: self.sender.view_submission(
            view, declare_values(description), REPORTER))
        if response.text:
            with self.lock:
                self.failed(f"declaration refused: {response.text[:120]}")
            return
        digest_posted = posted.result(timeout=60)
        with self.lock:
            self.to_digest.append(digest_posted - start)

    def update(self, n: int) -> None:
        """A status update from the war room: /incident update -> modal -> submission."""
        if not self.rooms:
            return
        room = self.rooms[n % len(self.rooms)]
        view = self.open_modal(lambda trigger: self.sender.slash_command(
            "/incident", "update", REPORTER, trigger, room))
        if view is None:
            return
        values = {"update_message": {"update_message": state_value_for(
            "plain_text_input", f"Load update {n}")}}
        response = self.timed(lambda: self.sender.view_submission(view, values, REPORTER))
        with self.lock:
            if response.text:
                self.failed(f"update refused: {response.text[:120]}")
            else:
                self.updates_done += 1


def run_rate(load: Load, rate: float, seconds: float) -> dict:
    load.acks, load.to_digest, load.errors, load.updates_done = [], [], 0, 0
    load.reasons = {}
    total = int(rate * seconds)
    started = time.monotonic()
    with ThreadPoolExecutor(max(8, int(rate * 2))) as pool:
        futures = []
        for n in range(total):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            # One in four requests declares; the others post updates to open war rooms.
            futures.append(pool.submit(load.declare if n % 4 == 0 else load.update, n))
        for future in futures:
            future.result()
    elapsed = time.monotonic() - started
    return {"rate": rate, "elapsed": elapsed, "acks": list(load.acks),
            "to_digest": list(load.to_digest), "errors": load.errors, "reasons": dict(load.reasons),
            "updates_per_s": load.updates_done / elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[5, 10, 20])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--delay-ms", type=float, default=50)
    args = parser.parse_args()
    fake = make_fake()
    fake.set_delay(args.delay_ms / 1000)
    amqp_uri, vhost = infra.create_vhost()
    database_url = infra.create_database()
    upgrade(database_url)
    stack = Stack({**slack_env(fake), "AMQP_URI": amqp_uri, "DATABASE_URL": database_url,
                   "LOG_LEVEL": "WARNING"}, Path(tempfile.mkdtemp()))
    rows = []
    try:
        stack.start_deployed()
        sender = SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET)
        load = Load(fake, sender, Watch(fake, digest_channel_id(fake)))
        for n in range(4):  # war rooms for the updates to go to
            load.declare(-n - 1)
        load.rooms = [c["id"] for c in fake.channels if c.get("name", "").startswith("inc-")]
        meter = CpuMeter({name: proc.pid for name, proc in stack.procs.items()})
        for rate in args.rates:
            rows.append(run_rate(load, rate, args.seconds))
            time.sleep(2)  # a backlog still there after 2 s is growth, not events in flight
            backlog = requests.get(f"{stack.ops_url('incidents')}/metrics").text
            rows[-1]["backlog"] = next((float(line.split()[-1]) for line in backlog.splitlines()
                                        if line.startswith("incidentbot_outbox_backlog ")), 0)
        machine, cpu = meter.summary(), meter.per_process()
        memory = {name: rss_mb(proc.pid) for name, proc in stack.procs.items()}
    finally:
        stack.stop()
        fake.stop()
        infra.drop_database(database_url)
        infra.delete_vhost(vhost)
    critical = CRITICAL_CALLS_TO_DIGEST * args.delay_ms
    print(f"load benchmark: Slack delay {args.delay_ms:.0f} ms per call, {args.seconds:.0f} s "
          f"per rate, 1 declaration in 4 requests, the rest status updates")
    print(f"{'req/s':>6} {'ack p50':>8} {'ack p99':>8} {'digest p50':>10} {'digest p95':>10} "
          f"{'x crit':>6} {'upd/s':>6} {'errors':>6} {'backlog':>7}")
    for row in rows:
        d50 = statistics.median(row["to_digest"]) * 1000 if row["to_digest"] else float("nan")
        d95 = pct(row["to_digest"], 95) * 1000 if row["to_digest"] else float("nan")
        print(f"{row['rate']:6.0f} {statistics.median(row['acks']) * 1000:7.1f}ms "
              f"{pct(row['acks'], 99) * 1000:7.1f}ms {d50:9.1f}ms {d95:9.1f}ms "
              f"{d50 / critical:6.2f} {row['updates_per_s']:6.1f} {row['errors']:6d} "
              f"{row['backlog']:7.0f}")
    print(f"critical path to digest: {critical:.0f} ms ({CRITICAL_CALLS_TO_DIGEST} sequential "
          f"Slack calls); memory (RSS) after the run: " +
          ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items()))
    requests_sent = sum(len(row["acks"]) for row in rows)
    print("CPU per request (all rates): " + ", ".join(
        f"{name} {1000 * seconds / max(1, requests_sent):.1f} ms" for name, seconds in cpu.items()))
    print(machine)
    for row in rows:
        for reason, count in sorted(row["reasons"].items()):
            print(f"errors at {row['rate']:.0f} req/s: {count} x {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
