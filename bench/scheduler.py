"""Scheduler sweep benchmark in PostgreSQL: 10,000 and 100,000 open incidents.

Prints the time of the due-reminder query, the stale query, and a full sweep (query
plus claiming every due reminder), with the query plans, so the indexes can be seen.

    .venv/bin/python bench/scheduler.py --sizes 10000 100000 --due 50
"""
from __future__ import annotations

import argparse
import warnings
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

from sqlalchemy import text  # noqa: E402

from services.common.config import Config  # noqa: E402
from services.common.db import Database  # noqa: E402
from services.common.timeutil import utcnow  # noqa: E402
from services.incidents import reminders  # noqa: E402
from services.incidents.migrate import upgrade  # noqa: E402
from tests.support import infra  # noqa: E402


def fill(db: Database, count: int, due: int, now: dt.datetime) -> None:
    """`count` open incidents, `due` of them owing a reminder now; a spread of ages."""
    rng = random.Random(count)
    rows = []
    for n in range(count):
        severity = rng.choice(["sev1", "sev2", "sev3", "sev4"])
        declared = now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 30))
        if n < due:
            next_at = now - dt.timedelta(minutes=rng.randint(0, 20))
        elif severity in ("sev1", "sev2"):
            next_at = now + dt.timedelta(minutes=rng.randint(1, 30))
        else:
            next_at = None
        rows.append({"d": f"bench {n}", "s": severity, "st": rng.choice(
            ["investigating", "identified", "monitoring"]), "at": declared, "n": next_at})
    with db.transaction() as session:
        session.execute(text(
            "INSERT INTO incidents (description, severity, status, is_private, source, "
            "declared_at, updated_at, severity_changed_at, next_reminder_at, reminders_sent) "
            "VALUES (:d, :s, :st, false, 'api', :at, :at, :at, :n, 0)"), rows)
        session.execute(text("ANALYZE incidents"))


def timed(fn, repeat: int = 20) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def plan(db: Database, sql: str, **params) -> str:
    with db.transaction() as session:
        lines = session.execute(text("EXPLAIN " + sql), params).scalars().all()
    return " / ".join(line.strip() for line in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--due", type=int, default=50)
    args = parser.parse_args()
    config = Config.default()
    print(f"scheduler sweep benchmark (PostgreSQL, {args.due} reminders due per sweep)")
    for size in args.sizes:
        url = infra.create_database()
        try:
            upgrade(url)
            db = Database(url)
            now = utcnow()
            fill(db, size, args.due, now)

            def due_query():
                with db.transaction() as session:
                    return reminders.due(session, now)

            def stale_query():
                with db.transaction() as session:
                    return reminders.stale(session, config, now)

            def sweep():
                claimed = 0
                for item in due_query():
                    with db.transaction() as session:
                        claimed += reminders.claim(session, item["incident_id"],
                                                   dt.datetime.fromisoformat(item["due_at"]),
                                                   now, config)[0]
                return claimed

            due_ms, stale_ms = timed(due_query), timed(stale_query)
            start = time.perf_counter()
            claimed = sweep()
            sweep_ms = (time.perf_counter() - start) * 1000
            stale_count = stale_query()[1]
            print(f"  {size:>7,} open incidents: due query {due_ms:6.2f} ms, "
                  f"stale query {stale_ms:6.2f} ms ({stale_count:,} stale), "
                  f"full sweep {sweep_ms:7.1f} ms ({claimed} reminders claimed, "
                  f"{sweep_ms / max(claimed, 1):.2f} ms each)")
            print("           plan (due):   " + plan(
                db, "SELECT id FROM incidents WHERE next_reminder_at <= :now "
                    "ORDER BY next_reminder_at LIMIT 500", now=now))
            db.dispose()
        finally:
            infra.drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
