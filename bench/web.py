"""Web benchmark: the incident list and incident pages through the real HTTP stack
(`incidents` and `web` as their own processes over RabbitMQ, PostgreSQL holding 10,000
incidents, one of them with 5,000 timeline entries). Prints p50/p95/p99 per page.

    .venv/bin/python bench/web.py --incidents 10000 --entries 5000 --requests 300
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import requests  # noqa: E402
from sqlalchemy import text  # noqa: E402

from services.common.db import Database  # noqa: E402
from services.incidents.migrate import upgrade  # noqa: E402
from services.web.migrate import upgrade as upgrade_web  # noqa: E402
from tests.support import infra  # noqa: E402
from tests.support.stack import Stack, wait_http  # noqa: E402

EMAIL, PASSWORD = "bench@example.com", "benchmark password 1"
TARGET_P95_MS = 100.0


def fill(db: Database, incidents: int, entries: int) -> None:
    """`incidents` incidents over 90 days (a third open), `entries` on incident 1."""
    rng = random.Random(incidents)
    now = dt.datetime.now(dt.timezone.utc)
    words = ["checkout", "search", "login", "payments", "database", "cache", "api", "queue"]
    rows = []
    for n in range(incidents):
        declared = now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 90))
        resolved = n % 3 != 0
        rows.append({"d": f"{rng.choice(words)} {rng.choice(words)} degraded #{n}",
                     "s": rng.choice(["sev1", "sev2", "sev3", "sev4"]),
                     "st": "resolved" if resolved else rng.choice(["investigating", "identified"]),
                     "at": declared,
                     "r": declared + dt.timedelta(minutes=rng.randint(5, 600)) if resolved
                     else None})
    with db.transaction() as session:
        session.execute(text(
            "INSERT INTO incidents (description, severity, status, is_private, source, "
            "declared_at, updated_at, severity_changed_at, resolved_at, reminders_sent) "
            "VALUES (:d, :s, :st, false, 'api', :at, :at, :at, :r, 0)"), rows)
        start = now - dt.timedelta(days=1)
        session.execute(text(
            "INSERT INTO timeline_events (incident_id, occurred_at, kind, text, actor_id, "
            "created_at) VALUES (1, :at, 'manual', :t, 'U0BENCH', :at)"),
            [{"at": start + dt.timedelta(seconds=10 * n), "t": f"step {n}: looked at graphs"}
             for n in range(entries)])
        session.execute(text("ANALYZE"))


def timed(session: requests.Session, url: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, timeout=30)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100)[int(share * 100) - 1]


def sign_in(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/login", data={"email": EMAIL, "password": PASSWORD,
                                                   "csrf_token": token}, timeout=10)
    assert response.url.rstrip("/") == base, "sign-in failed"
    return session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    url = infra.create_database()
    uri, vhost = infra.create_vhost()
    stack = Stack({"AMQP_URI": uri, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
                  Path(f"/tmp/bench-web-{time.time_ns()}"))
    stack.log_dir.mkdir(parents=True)
    try:
        upgrade(url)
        upgrade_web(url)
        db = Database(url)
        started = time.perf_counter()
        fill(db, args.incidents, args.entries)
        db.dispose()
        print(f"filled {args.incidents} incidents and {args.entries} timeline entries in "
              f"{time.perf_counter() - started:.1f} s")
        subprocess.run([sys.executable, "-m", "services", "create-admin", "--email", EMAIL,
                        "--password-stdin"], input=PASSWORD + "\n", text=True, check=True,
                       env={**stack.env, "DATABASE_URL": url}, capture_output=True)
        for name in ("incidents", "web"):
            stack.start(name, "serve", name)
        base = stack.web_url
        wait_http(f"{base}/readyz", procs=list(stack.procs.values()))
        session = sign_in(base)
        pages = {
            "incident list (50 newest)": "/incidents",
            "incident list, search 'checkout' + open": "/incidents?q=checkout&open=true",
            "incident page (5,000 entries)": "/incidents/1",
            "incident page (typical)": f"/incidents/{args.incidents // 2}",
            "API list (50)": "/api/v1/incidents?limit=50",
            "dashboard": "/",
        }
        for path in pages.values():  # warm the RPC proxies and the caches
            timed(session, base + path, 10)
        print(f"{'page':42} {'p50':>8} {'p95':>8} {'p99':>8}   ({args.requests} requests each, "
              "one at a time)")
        worst = 0.0
        for label, path in pages.items():
            samples = timed(session, base + path, args.requests)
            p95 = percentile(samples, 0.95)
            worst = max(worst, p95)
            print(f"{label:42} {statistics.median(samples):6.1f}ms {p95:6.1f}ms "
                  f"{percentile(samples, 0.99):6.1f}ms")
        verdict = "meets" if worst < TARGET_P95_MS else "MISSES"
        print(f"worst p95 {worst:.1f} ms: {verdict} the {TARGET_P95_MS:.0f} ms target")
        return 0 if worst < TARGET_P95_MS else 1
    finally:
        stack.stop()
        infra.drop_database(url)
        infra.delete_vhost(vhost)


if __name__ == "__main__":
    sys.exit(main())
