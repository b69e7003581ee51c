"""Shared pytest fixtures: config, databases, bus, nameko containers, Slack fake."""
from __future__ import annotations

import pytest

from services.common.config import Config
from services.common.db import Database
from services.incidents.migrate import upgrade
from tests.support import infra


@pytest.fixture
def app_config() -> Config:
    return Config.default()


@pytest.fixture(scope="session")
def pg_url():
    url = infra.create_database()
    upgrade(url)
    yield url
    infra.drop_database(url)


@pytest.fixture
def pg_db(pg_url):
    db = Database(pg_url)
    infra.truncate_all(db)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_db(tmp_path):
    url = f"sqlite:///{tmp_path}/incidents.db"
    upgrade(url)
    db = Database(url)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def amqp_uri():
    uri, vhost = infra.create_vhost()
    yield uri
    infra.delete_vhost(vhost)


@pytest.fixture
def nameko_config(amqp_uri, pg_url, pg_db, tmp_path):
    return {"AMQP_URI": amqp_uri, "DATABASE_URL": pg_url, "serializer": "json",
            "INCIDENTBOT_CONFIG_OBJECT": Config.default(), "max_workers": 16,
            "OPS_PORT": "0", "OPS_HOST": "127.0.0.1"}


@pytest.fixture
def container_factory():
    """Start real nameko containers; stop them (and fail on crashes) afterwards."""
    from nameko.containers import ServiceContainer

    started = []

    def make(cls, config):
        container = ServiceContainer(cls, config)
        container.start()
        started.append(container)
        return container

    yield make
    for container in started:
        container.stop()


@pytest.fixture
def rpc(nameko_config):
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(nameko_config, timeout=10) as proxy:
        yield proxy
