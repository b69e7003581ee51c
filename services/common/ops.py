"""Liveness, readiness and metrics for every service, on one small HTTP server per
process (`OPS_PORT`, default 9100; `off` disables it).

/healthz  the process is up (liveness)
/readyz   the bus answers and, for services with one, the database answers
/metrics  Prometheus text format
The dependency also times every entrypoint and puts the incident id, when the call
is about one, into the logging context.
"""
from __future__ import annotations

import json
import logging
import threading
import time

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from services.common.db import make_engine
from services.common.logs import incident_context
from services.common.metrics import ENTRYPOINT_CALLS, ENTRYPOINT_SECONDS

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 3


def check_bus(uri: str) -> None:
    if uri.startswith("memory:"):
        return
    with Connection(uri, connect_timeout=CHECK_TIMEOUT) as connection:
        connection.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT)


class OpsServer:
    """One per process; services register their readiness checks with it."""

    _instance: "OpsServer | None" = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.checks: dict[str, callable] = {}
        self.port: int | None = None
        self._engines: dict[str, object] = {}

    @classmethod
    def get(cls) -> "OpsServer":
        with cls._lock:
            if cls._instance is None:
                cls._instance = OpsServer()
            return cls._instance

    def add_database(self, url: str) -> None:
        if url not in self._engines:
            self._engines[url] = make_engine(url)

            def check() -> None:
                with self._engines[url].connect() as connection:
                    connection.execute(text("SELECT 1"))

            self.checks[f"database:{url.split('@')[-1]}"] = check

    def add_bus(self, uri: str) -> None:
        self.checks.setdefault(f"bus:{uri.split('@')[-1]}", lambda: check_bus(uri))

    def start(self, host: str, port: int) -> None:
        with self._lock:
            if self.port is not None:
                return
            sock = eventlet.listen((host, port))
            self.port = sock.getsockname()[1]
        eventlet.spawn_n(eventlet.wsgi.server, sock, self.app, log_output=False)
        log.info("health and metrics on port %s", self.port)

    def readiness(self) -> tuple[bool, dict]:
        results = {}
        for name, check in list(self.checks.items()):
            try:
                with eventlet.Timeout(CHECK_TIMEOUT + 1):
                    check()
                results[name] = "ok"
            except (Exception, eventlet.Timeout) as exc:  # a probe reports, it does not raise
                results[name] = f"failing: {type(exc).__name__}"
        return all(v == "ok" for v in results.values()), results

    def app(self, environ, start_response):  # noqa: ANN001, ANN201
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest()]
        if path == "/healthz":
            status, body = "200 OK", {"status": "alive"}
        elif path == "/readyz":
            ready, checks = self.readiness()
            status = "200 OK" if ready else "503 Service Unavailable"
            body = {"status": "ready" if ready else "not ready", "checks": checks}
        else:
            status, body = "404 Not Found", {"error": "not found"}
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


def incident_id_of(worker_ctx) -> int | None:  # noqa: ANN001
    for value in (worker_ctx.kwargs.get("incident_id"), *worker_ctx.args[:1]):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, dict) and isinstance(value.get("incident_id"), int):
            return value["incident_id"]
    return None


class Ops(DependencyProvider):
    """Declare on every service: `ops = Ops()` (or `Ops(database=True)`)."""

    def __init__(self, database: bool = False, **kwargs):
        self.database = database
        self._started: dict = {}
        super().__init__(**kwargs)

    def setup(self) -> None:
        config = self.container.config
        self.server = OpsServer.get()
        self.server.add_bus(config["AMQP_URI"])
        if self.database:
            self.server.add_database(config["DATABASE_URL"])

    def start(self) -> None:
        port = str(self.container.config.get("OPS_PORT", "9100"))
        if port.lower() != "off":
            self.server.start(self.container.config.get("OPS_HOST", "0.0.0.0"), int(port))

    def worker_setup(self, worker_ctx) -> None:  # noqa: ANN001
        self._started[worker_ctx] = time.perf_counter()
        incident_context.set(incident_id_of(worker_ctx))

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:  # noqa: ANN001
        started = self._started.pop(worker_ctx, None)
        service, name = self.container.service_name, worker_ctx.entrypoint.method_name
        ENTRYPOINT_CALLS.labels(service, name, "error" if exc_info else "ok").inc()
        if started is not None:
            ENTRYPOINT_SECONDS.labels(service, name).observe(time.perf_counter() - started)
        incident_context.set(None)
