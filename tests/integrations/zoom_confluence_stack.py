"""The end-to-end stack for Zoom and Confluence: incidents, slack_gateway, zoom and
confluence as their own processes over real RabbitMQ and PostgreSQL, with the Slack,
Zoom and Confluence fakes.

Each test module opens its own (module-scoped fixture) and closes it before the next
module starts: two stacks on one vhost would compete for the same queues. On closing,
the zoom and confluence queues are deleted, so events published meanwhile by other
stacks do not pile up for a later one, and nobody waits on an `rpc-zoom` queue that
has no consumer."""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import importlib
from typing import Iterator

import psycopg2
from kombu import Connection
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from services.incidents.migrate import upgrade
from services.runner import INTEGRATIONS
from tests.e2e.conftest import make_fake, slack_env
from tests.fakes.confluence_api import ConfluenceFake
from tests.fakes.slack_api import SlackFake
from tests.fakes.slack_signing import SlackSender
from tests.fakes.zoom_api import ZoomFake
from tests.support import infra
from tests.support.stack import SIGNING_SECRET, Stack, wait_http, wait_until

CONFIG = """
integrations:
  confluence:
    space: ENG
    parent_page: Postmortems
"""
SERVICES = ("incidents", "slack_gateway", "zoom", "confluence")


@dataclass
class Vendors:
    slack: SlackFake
    zoom: ZoomFake
    wiki: ConfluenceFake
    parent_id: str
    stack: Stack
    rpc: object
    sender: SlackSender
    database_url: str
    amqp_uri: str
    folder: Path

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

    def redeliver(self, event_type: str, payload: dict) -> None:
        from nameko.standalone.events import event_dispatcher

        event_dispatcher({"AMQP_URI": self.amqp_uri, "serializer": "json"})(
            "incidents", event_type, payload)

    def wait_ready(self, service: str, **expected) -> dict:
        """Until `service` answers get_status (its event queues exist by then)."""
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
def open_stack(amqp_uri: str, folder: Path) -> Iterator[Vendors]:
    from nameko.standalone.rpc import ClusterRpcProxy

    (folder / "config.yaml").write_text(CONFIG)
    slack, zoom, wiki = make_fake(), ZoomFake().start(), ConfluenceFake().start()
    wiki.add_space("ENG", "Engineering")
    parent_id = wiki.add_page("ENG", "Postmortems")
    database_url = infra.create_database()
    upgrade(database_url)
    stack = Stack({**slack_env(slack), **zoom.env(), **wiki.env(), "AMQP_URI": amqp_uri,
                   "DATABASE_URL": database_url,
                   "INCIDENTBOT_CONFIG": str(folder / "config.yaml")}, folder)
    try:
        for name in SERVICES:
            stack.start(name, "serve", name)
        wait_http(f"{stack.gateway_url}/healthz", procs=list(stack.procs.values()))
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
            vendors = Vendors(slack, zoom, wiki, parent_id, stack, rpc,
                              SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET),
                              database_url, amqp_uri, folder)
            wait_until(lambda: _answers(rpc.incidents.list_incidents), timeout=30)
            vendors.wait_ready("zoom", enabled=True)
            vendors.wait_ready("confluence", enabled=True)
            yield vendors
    finally:
        stack.stop()
        print(stack.logs())
        for fake in (slack, zoom, wiki):
            fake.stop()
        infra.drop_database(database_url)
        delete_queues(amqp_uri, ("zoom", "confluence"))


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
        channel = connection.channel()
        for service in services:
            for queue in service_queues(service):
                channel.queue_delete(queue)


def _answers(call) -> bool:
    try:
        call()
        return True
    except Exception:  # not up yet
        return False
