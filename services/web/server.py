"""The web service's dependency: builds the Flask app at container set-up and serves it
with eventlet.wsgi on WEB_SERVER_ADDRESS for the container's lifetime."""
from __future__ import annotations

import dataclasses
import logging
import secrets
import socket

import eventlet
import eventlet.wsgi
from nameko.extensions import DependencyProvider
from nameko.web.server import parse_address
from sqlalchemy.exc import OperationalError, ProgrammingError

from services.common.bus import RpcPool
from services.common.db import Database
from services.common.dependencies import config_of
from services.web import bootstrap
from services.web.app import create_app
from services.web.live import LiveHub
from services.web.settings import WebSettings

log = logging.getLogger(__name__)
MAX_CONNECTIONS = 1000  # browsers with a live stream open each hold one
WARM_PROXIES = 4


class WebApp:
    """What the service's entrypoints get: the live hub to publish changes to."""

    def __init__(self, hub: LiveHub):
        self.hub = hub

    def publish(self, event_type: str, payload: dict) -> None:
        self.hub.publish(event_type, payload)


class WebServer(DependencyProvider):
    def setup(self) -> None:
        config = self.container.config
        settings = WebSettings.from_nameko_config(config)
        self.db = Database(settings.database_url)
        # Deadlines bound a call, connecting included: a page waits at most that long
        # while the broker is away, then says so (503).
        self.rpc = RpcPool(config, timeout=settings.rpc_timeout,
                           deadline=settings.rpc_timeout + 2)
        self.pagerduty_rpc = RpcPool(config, size=4, timeout=settings.pagerduty_timeout,
                                     deadline=settings.pagerduty_timeout + 1)
        self.hub = LiveHub()
        settings = self._prepare(settings)
        self.app = create_app(config_of(config), self.rpc, settings, db=self.db, hub=self.hub,
                              pagerduty_rpc=self.pagerduty_rpc)
        self.address = parse_address(config.get("WEB_SERVER_ADDRESS", "0.0.0.0:8000"))
        self._server = None

    def _prepare(self, settings: WebSettings) -> WebSettings:
        """The session key and the first admin, from the web tables (if migrated)."""
        try:
            key = bootstrap.session_key(self.db, settings.secret_key)
            bootstrap.first_admin(self.db, settings.admin_email, settings.admin_password)
        except (OperationalError, ProgrammingError):
            log.error("the web tables are missing: run `incident-bot migrate`. Nobody can "
                      "sign in until then.")
            key = settings.secret_key or secrets.token_urlsafe(48)
        return dataclasses.replace(settings, secret_key=key)

    def start(self) -> None:
        sock = eventlet.listen((self.address.address, self.address.port))
        # Without it a response written in several segments waits on Nagle's algorithm
        # and the client's delayed ACK (~40 ms per large page). Accepted sockets inherit it.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._pool = eventlet.GreenPool(MAX_CONNECTIONS)
        self._server = self.container.spawn_managed_thread(self._serve)
        eventlet.spawn_n(self.rpc.warm, WARM_PROXIES)
        log.info("web UI and API on %s:%s", self.address.address or "0.0.0.0", self.port)

    def _serve(self) -> None:
        eventlet.wsgi.server(self._sock, self.app, log=log, log_output=False,
                             custom_pool=self._pool, socket_timeout=60)

    def stop(self) -> None:
        if self._server is not None:
            self._server.kill()
            self._sock.close()
            for thread in list(self._pool.coroutines_running):
                thread.kill()  # live streams never end on their own
        self.rpc.close()
        self.pagerduty_rpc.close()
        self.db.dispose()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx) -> WebApp:  # noqa: ANN001
        return WebApp(self.hub)
