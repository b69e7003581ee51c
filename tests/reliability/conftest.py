import pytest

from services.incidents.migrate import upgrade
from tests.e2e.conftest import make_fake, slack_env
from tests.support import infra
from tests.support.stack import Stack


@pytest.fixture
def stack_factory(amqp_uri, tmp_path):
    """Start a stack of service processes of one's choosing; cleaned up after the test."""
    made = []

    def make(services=("incidents", "slack_gateway", "web"), **env):
        fake = make_fake()
        database_url = infra.create_database()
        upgrade(database_url)
        stack = Stack({**slack_env(fake), "AMQP_URI": amqp_uri, "DATABASE_URL": database_url,
                       **env}, tmp_path)
        made.append((stack, fake, database_url))
        for name in services:
            stack.start(name, "serve", name)
        stack.wait_ready()
        return stack, fake, database_url

    yield make
    for stack, fake, database_url in made:
        stack.stop()
        print(stack.logs())
        fake.stop()
        infra.drop_database(database_url)
