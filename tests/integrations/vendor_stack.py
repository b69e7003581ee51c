"""An end-to-end stack for the vendor integrations: `incidents`, `slack_gateway` and any
of the vendor services (pagerduty, statuspage, zoom, confluence) as real processes, on
the session's RabbitMQ vhost and a PostgreSQL database of their own, with the Slack
fake; the vendor fakes are the caller's (their addresses come in through `env`).

Each test module opens its own (module-scoped fixture) and closes it before the next
module starts: two stacks on one vhost would compete for the same queues. nameko's RPC
and event queues are durable: the vendors' queues are deleted when the stack stops, or a
`rpc-statuspage` queue without consumers would make later stacks' gateways wait for an
answer that never comes, and events published meanwhile would pile up for a later one."""
from __future__ import annotations

import contextlib
import importlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psycopg2
from kombu import Connection
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from services.incidents.migrate import upgrade
from services.runner import INTEGRATIONS
from tests.e2e.conftest import make_fake, slack_env
from tests.fakes.slack_api import SlackFake
from tests.fakes.slack_signing import SlackSender
from tests.support import infra
from tests.support.stack import SIGNING_SECRET, Stack, wait_http, wait_until


@dataclass
class VendorStack:
    slack: SlackFake
    stack: Stack
    amqp_uri: str
    sender: SlackSender
    rpc: ClusterRpcProxy
    database_url: str
    folder: Path

    def redeliver(self, event_type: str, payload: dict) -> None:
        """Publish an `incidents` event again, as a redelivery would."""
        event_dispatcher({"AMQP_URI": self.amqp_uri, "serializer": "json"})(
            "incidents", event_type, payload)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def outbox_payloads(self, event_type: str, incident_id: int) -> list[dict]:
        """What `incidents` published, as published: for redelivering it."""
        with contextlib.closing(psycopg2.connect(self.database_url)) as conn, \
                conn.cursor() as cur:
            cur.execute("SELECT payload FROM outbox WHERE event_type = %s ORDER BY created_at",
                        (event_type,))
            rows = [row[0] if isinstance(row[0], dict) else json.loads(row[0])
                    for row in cur.fetchall()]
        return [payload for payload in rows if payload["incident_id"] == incident_id]

    def wait_ready(self, service: str, **expected) -> dict:
        """Until `service` answers get_status (its event queues exist by then), with
        `expected` values in the answer."""
        def status():
            try:
                answer = getattr(self.rpc, service).get_status()
            except Exception:  # not consuming yet: UnknownService
                return None
            return answer if all(answer.get(k) == v for k, v in expected.items()) else None

        return wait_until(status, timeout=30, interval=0.2)

    @contextlib.contextmanager
    def service_with_config(self, service: str, config_text: str, env: dict | None = None):
        """Run `service` with another config.yaml (and env) for the duration."""
        self._stop(service)
        path = self.folder / f"{service}-alternative.yaml"
        path.write_text(config_text)
        original = self.stack.env
        self.stack.env = {**original, "INCIDENTBOT_CONFIG": str(path), **(env or {})}
        try:
            self.stack.start(f"{service}-alternative", "serve", service)
        finally:
            self.stack.env = original
        try:
            yield
        finally:
            self._stop(f"{service}-alternative")
            self.stack.start(service, "serve", service)
            self.wait_ready(service, enabled=True)

    def _stop(self, name: str) -> None:
        proc = self.stack.procs.pop(name)
        proc.terminate()
        proc.wait(timeout=15)


@contextlib.contextmanager
def vendor_stack(folder: Path, amqp_uri: str, vendors: tuple[str, ...], env: dict,
                 config_text: str = "", slack: SlackFake | None = None) -> Iterator[VendorStack]:
    """incidents, slack_gateway and `vendors` (names from services.runner.INTEGRATIONS),
    each its own process, once every one of them answers RPC."""
    unknown = [v for v in vendors if v not in INTEGRATIONS]
    assert not unknown, f"not a vendor service: {unknown}"
    slack = slack or make_fake()
    database_url = infra.create_database()
    upgrade(database_url)
    (folder / "config.yaml").write_text(config_text)
    stack = Stack({**slack_env(slack), **env, "AMQP_URI": amqp_uri, "DATABASE_URL": database_url,
                   "INCIDENTBOT_CONFIG": str(folder / "config.yaml")}, folder)
    try:
        for name in ("incidents", "slack_gateway", *vendors):
            stack.start(name, "serve", name)
        procs = list(stack.procs.values())
        wait_http(f"{stack.gateway_url}/healthz", procs=procs)
        with ClusterRpcProxy({"AMQP_URI": amqp_uri, "serializer": "json"}, timeout=20) as rpc:
            _wait_answers(lambda: rpc.incidents.get_setting("ready-check", None), procs)
            for name in vendors:
                _wait_answers(getattr(rpc, name).get_status, procs)
            yield VendorStack(slack, stack, amqp_uri,
                              SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET),
                              rpc, database_url, folder)
    finally:
        stack.stop()
        print(stack.logs())
        slack.stop()
        infra.drop_database(database_url)
        delete_queues(amqp_uri, vendors)


def _wait_answers(call, procs: list, timeout: float = 60.0) -> None:  # noqa: ANN001
    """Until `call()` answers (the service consumes its RPC queue), while no process died."""
    deadline = time.monotonic() + timeout
    while True:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            call()
            return
        except Exception:  # not consuming yet: UnknownService
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def service_queues(service: str) -> list[str]:
    """The durable queues nameko declares for an integration service."""
    module, name = INTEGRATIONS[service].split(":")
    cls = getattr(importlib.import_module(module), name)
    queues = [f"rpc-{service}"]
    for attr in vars(cls).values():
        for entrypoint in getattr(attr, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if hasattr(entrypoint, "event_type"):
                queues.append(f"evt-{entrypoint.source_service}-{entrypoint.event_type}--"
                              f"{service}.{attr.__name__}")
    return queues


def delete_queues(amqp_uri: str, services: tuple[str, ...]) -> None:
    with Connection(amqp_uri) as connection:
        # Through a broker restart (other drills restart RabbitMQ): durable queues outlive it.
        connection.ensure_connection(max_retries=30, interval_start=0.5, interval_step=0.5,
                                     interval_max=1.0)
        channel = connection.channel()
        for service in services:
            for queue in service_queues(service):
                channel.queue_delete(queue)
