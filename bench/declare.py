"""Declare benchmark against the distributed setup (each service its own process,
RabbitMQ, PostgreSQL) with the Slack fake adding a fixed delay to every call.

Prints the gateway's acknowledgement latency (shortcut and modal submission) and
declare-to-digest latency next to the critical path: the fewest Slack calls that
must happen one after another before the digest post (create the channel, then
post), times the delay.

    .venv/bin/python bench/declare.py --incidents 40 --delay-ms 50 --concurrency 4
"""
from __future__ import annotations

import argparse
import warnings
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

from services.incidents.migrate import upgrade  # noqa: E402
from tests.e2e.conftest import make_fake, slack_env  # noqa: E402
from tests.e2e.flows import REPORTER, declare_values  # noqa: E402
from tests.fakes.slack_signing import SlackSender  # noqa: E402
from tests.support import infra  # noqa: E402
from tests.support.stack import SIGNING_SECRET, Stack  # noqa: E402

from bench.machine import CpuMeter  # noqa: E402
from bench.slack_watch import Watch, digest_channel_id  # noqa: E402

CRITICAL_CALLS_TO_DIGEST = 2  # conversations.create -> chat.postMessage (digest)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def declare_one(fake, watch: Watch, sender: SlackSender, n: int) -> dict:
    description = f"Benchmark incident {n} {time.time_ns()}"
    trigger = fake.new_trigger_id()
    opened = watch.modal(trigger)
    t0 = time.monotonic()
    shortcut = sender.shortcut("declare_incident", REPORTER, trigger)
    ack_shortcut = time.monotonic() - t0
    assert shortcut.status_code == 200
    view = opened.result(timeout=30).response["view"]
    posted = watch.digest(description)
    t1 = time.monotonic()
    submitted = sender.view_submission(view, declare_values(description), REPORTER)
    ack_submit = time.monotonic() - t1
    assert submitted.status_code == 200 and submitted.text == "", submitted.text
    return {"ack_shortcut": ack_shortcut, "ack_submit": ack_submit,
            "to_digest": posted.result(timeout=60) - t1}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=40)
    parser.add_argument("--delay-ms", type=float, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    fake = make_fake()
    fake.set_delay(args.delay_ms / 1000)
    amqp_uri, vhost = infra.create_vhost()
    database_url = infra.create_database()
    upgrade(database_url)
    stack = Stack({**slack_env(fake), "AMQP_URI": amqp_uri, "DATABASE_URL": database_url,
                   "LOG_LEVEL": "WARNING"}, Path(tempfile.mkdtemp()))
    try:
        stack.start_deployed()
        sender = SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET)
        watch = Watch(fake, digest_channel_id(fake))
        declare_one(fake, watch, sender, -1)  # warm-up: connections, caches
        meter = CpuMeter({name: proc.pid for name, proc in stack.procs.items()})
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda n: declare_one(fake, watch, sender, n),
                                    range(args.incidents)))
        machine, cpu = meter.summary(), meter.per_process()
    finally:
        stack.stop()
        fake.stop()
        infra.drop_database(database_url)
        infra.delete_vhost(vhost)

    ms = lambda s: s * 1000  # noqa: E731
    acks = [r["ack_shortcut"] for r in results] + [r["ack_submit"] for r in results]
    to_digest = [r["to_digest"] for r in results]
    critical = CRITICAL_CALLS_TO_DIGEST * args.delay_ms
    print(f"declare benchmark: {args.incidents} incidents, Slack delay {args.delay_ms:.0f} ms "
          f"per call, {args.concurrency} in flight, distributed (RabbitMQ + PostgreSQL)")
    print(f"  ack latency (all requests)   p50 {ms(statistics.median(acks)):7.1f} ms   "
          f"p99 {ms(percentile(acks, 99)):7.1f} ms")
    print(f"  ack latency (shortcut)       p50 "
          f"{ms(statistics.median(r['ack_shortcut'] for r in results)):7.1f} ms   p99 "
          f"{ms(percentile([r['ack_shortcut'] for r in results], 99)):7.1f} ms")
    print(f"  ack latency (submission)     p50 "
          f"{ms(statistics.median(r['ack_submit'] for r in results)):7.1f} ms   p99 "
          f"{ms(percentile([r['ack_submit'] for r in results], 99)):7.1f} ms")
    print(f"  declare-to-digest            p50 {ms(statistics.median(to_digest)):7.1f} ms   "
          f"p95 {ms(percentile(to_digest, 95)):7.1f} ms")
    ratio = f"; p50 is {statistics.median(to_digest) * 1000 / critical:.2f}x" if critical else ""
    print(f"  critical path to digest      {critical:.0f} ms ({CRITICAL_CALLS_TO_DIGEST} sequential "
          f"Slack calls x {args.delay_ms:.0f} ms){ratio}")
    print("  CPU per declaration          " + ", ".join(
        f"{name} {1000 * seconds / args.incidents:.0f} ms" for name, seconds in cpu.items()))
    print(f"  {machine}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
