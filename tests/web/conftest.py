"""Web tests run the Flask app in-process with a real RpcPool against a real `incidents`
nameko container (real RabbitMQ and PostgreSQL) and a stand-in `pagerduty` service."""
from __future__ import annotations

import pytest
from nameko.containers import ServiceContainer
from sqlalchemy import text

from services.common.bus import RpcPool
from services.common.config import Config
from services.common.db import Database
from services.incidents.migrate import upgrade
from services.incidents.service import IncidentsService
from services.web.app import create_app
from services.web.migrate import upgrade as upgrade_web
from services.web.settings import WebSettings
from tests.support import infra
from tests.web import pagerduty_service
from tests.web.support import make_user, sign_in

SECRET = "test-session-key-0123456789-abcdefghijklmnop"
WEB_TABLES = ("web_login_attempts", "web_audit_log", "web_api_tokens", "web_users")


@pytest.fixture(scope="session")
def web_db_url():
    url = infra.create_database()
    upgrade(url)
    upgrade_web(url)
    yield url
    infra.drop_database(url)


@pytest.fixture(scope="session")
def web_amqp_uri():
    """A vhost of its own: these long-lived containers must not answer other tests' RPC."""
    uri, vhost = infra.create_vhost()
    yield uri
    infra.delete_vhost(vhost)


def clear_web_tables(db: Database) -> None:
    with db.transaction() as session:
        session.execute(text(f"TRUNCATE {', '.join(WEB_TABLES)} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def backend_config(web_amqp_uri, web_db_url):
    return {"AMQP_URI": web_amqp_uri, "DATABASE_URL": web_db_url, "serializer": "json",
            "INCIDENTBOT_CONFIG_OBJECT": Config.default(), "max_workers": 16,
            "OPS_PORT": "0", "OPS_HOST": "127.0.0.1"}


@pytest.fixture(scope="session")
def services(backend_config):
    """`incidents` and the stand-in `pagerduty`, as nameko containers, for the web tests."""
    containers = [ServiceContainer(cls, backend_config)
                  for cls in (IncidentsService, pagerduty_service.FakePagerDutyService)]
    for container in containers:
        container.start()
    yield containers
    for container in containers:
        container.stop()


@pytest.fixture(scope="session")
def app(services, backend_config, web_db_url):
    db = Database(web_db_url)
    clear_web_tables(db)
    pool = RpcPool(backend_config, timeout=10)
    pagerduty_pool = RpcPool(backend_config, size=4, timeout=2)
    settings = WebSettings(database_url=web_db_url, secret_key=SECRET)
    application = create_app(Config.default(), pool, settings, db=db,
                             pagerduty_rpc=pagerduty_pool)
    application.extensions["web"].backend.pagerduty_status_seconds = 0
    application.testing = False  # errors go through the app's handlers, as in production
    yield application
    pool.close()
    pagerduty_pool.close()
    db.dispose()


@pytest.fixture(scope="session")
def people(app):
    """One account per role, created once."""
    return {role: make_user(app, f"{role}@example.com", role)
            for role in ("viewer", "responder", "admin")}


@pytest.fixture(scope="session")
def admin(app, people):
    return sign_in(app, "admin@example.com")


@pytest.fixture(scope="session")
def responder(app, people):
    return sign_in(app, "responder@example.com")


@pytest.fixture(scope="session")
def viewer(app, people):
    return sign_in(app, "viewer@example.com")


@pytest.fixture
def pagerduty_state():
    saved = dict(pagerduty_service.STATE)
    yield pagerduty_service.STATE
    pagerduty_service.STATE.clear()
    pagerduty_service.STATE.update(saved)
