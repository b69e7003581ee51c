"""An end-to-end stack for a vendor integration: `incidents`, `slack_gateway` and the
vendor services as real processes, on the session's RabbitMQ vhost and a PostgreSQL
database of their own, with the Slack fake and the vendor fakes.

nameko's RPC and event queues are durable: the vendors' queues are deleted when the
stack stops, or a `rpc-statuspage` queue without consumers would make later stacks'
gateways wait for an answer that never comes."""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from kombu import Connection
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from services.incidents.migrate import upgrade
from tests.e2e.conftest import make_fake, slack_env
from tests.fakes.slack_api import SlackFake
from tests.fakes.slack_signing import SlackSender
from tests.support import infra
from tests.support.stack import SIGNING_SECRET, Stack, wait_http

VENDOR_CLASSES = {"pagerduty": "services.integrations.pagerduty.service:PagerDutyService",
                  "statuspage": "services.integrations.statuspage.service:StatuspageService"}


@dataclass
class VendorStack:
    slack: SlackFake
    stack: Stack
    amqp_uri: str
    sender: SlackSender
    rpc: ClusterRpcProxy

    def dispatch(self, event_type: str, payload: dict) -> None:
        """Publish an `incidents` event again, as a redelivery would."""
        event_dispatcher({"AMQP_URI": self.amqp_uri, "serializer": "json"})(
            "incidents", event_type, payload)


def _wait_rpc(rpc: ClusterRpcProxy, service: str, procs: list, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            getattr(rpc, service).get_status()
            return
        except Exception:  # not consuming yet: UnknownService
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def vendor_stack(folder: Path, amqp_uri: str, vendors: tuple[str, ...], env: dict,
                 config_text: str = "", slack: SlackFake | None = None) -> Iterator[VendorStack]:
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
            for name in ("incidents", *vendors):
                if name == "incidents":
                    _wait_incidents(rpc, procs)
                else:
                    _wait_rpc(rpc, name, procs)
            yield VendorStack(slack, stack, amqp_uri,
                              SlackSender(f"{stack.gateway_url}/slack/events", SIGNING_SECRET),
                              rpc)
    finally:
        stack.stop()
        print(stack.logs())
        slack.stop()
        infra.drop_database(database_url)
        delete_queues(amqp_uri, vendors)


def _wait_incidents(rpc: ClusterRpcProxy, procs: list, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            rpc.incidents.get_setting("ready-check", None)
            return
        except Exception:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise
            time.sleep(0.1)


def vendor_queues(vendor: str) -> list[str]:
    """The durable queues nameko declares for a vendor service."""
    import importlib

    module, name = VENDOR_CLASSES[vendor].split(":")
    cls = getattr(importlib.import_module(module), name)
    queues = [f"rpc-{vendor}"]
    for attr in vars(cls).values():
        for entrypoint in getattr(attr, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if hasattr(entrypoint, "event_type"):
                queues.append(f"evt-{entrypoint.source_service}-{entrypoint.event_type}--"
                              f"{vendor}.{attr.__name__}")
    return queues


def delete_queues(amqp_uri: str, vendors: tuple[str, ...]) -> None:
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        for vendor in vendors:
            for queue in vendor_queues(vendor):
                channel.queue_delete(queue)
