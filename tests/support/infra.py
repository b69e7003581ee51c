"""Real PostgreSQL databases and RabbitMQ vhosts for tests, one per test session."""
from __future__ import annotations

import os
import subprocess
import time
import uuid

import psycopg2
from sqlalchemy import text

from services.common.db import Database

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("TEST_AMQP_BASE", "pyamqp://guest:guest@127.0.0.1:5672")
TABLES = ("role_assignments", "timeline_events", "status_updates", "pinned_items", "outbox",
          "delivery_claims", "incidents")


def _admin(sql: str) -> None:
    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def create_database() -> str:
    name = f"incidentbot_test_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_all(db: Database) -> None:
    with db.transaction() as session:
        if db.dialect == "postgresql":
            session.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                session.execute(text(f"DELETE FROM {table}"))


def create_vhost() -> tuple[str, str | None]:
    """A private vhost so leftover queues of other runs never steal messages."""
    name = f"incidentbot-test-{uuid.uuid4().hex[:8]}"
    for attempt in range(10):
        try:
            subprocess.run(["rabbitmqctl", "add_vhost", name], check=True,
                           capture_output=True, timeout=60)
            subprocess.run(["rabbitmqctl", "set_permissions", "-p", name, "guest", ".*", ".*",
                            ".*"], check=True, capture_output=True, timeout=60)
            return f"{AMQP_BASE}/{name}", name
        except subprocess.CalledProcessError:
            time.sleep(2)  # the broker may be restarting (a failure drill)
    # Sharing "/" with other runs would let their consumers take this run's messages.
    raise RuntimeError("could not create a RabbitMQ vhost for the tests (is rabbitmqctl usable?)")


def delete_vhost(name: str | None) -> None:
    if name:
        subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True, timeout=60)
