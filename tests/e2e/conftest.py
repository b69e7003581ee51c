import pytest

from tests.fakes.slack_api import SlackFake
from tests.fakes.slack_signing import SlackSender
from tests.support import infra
from tests.support.stack import BOT_TOKEN, SIGNING_SECRET, Stack, manifest_scopes
from services.incidents.migrate import upgrade

REPORTER = "U0REPORTER"


def make_fake() -> SlackFake:
    fake = SlackFake(bot_token=BOT_TOKEN, scopes=manifest_scopes())
    fake.start()
    fake.add_user(REPORTER, "reporter", real_name="Rita Reporter", email="rita@example.com")
    fake.add_user("U0OTHER", "other")
    fake.add_channel("general", members=[REPORTER, "U0OTHER"])
    # Made by a person; the bot is not in it until it joins at start-up.
    fake.add_channel("incidents", members=["U0OTHER"])
    return fake


def slack_env(fake: SlackFake) -> dict:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url, "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="module")
def fake():
    fake = make_fake()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def distributed(fake, amqp_uri, tmp_path_factory):
    database_url = infra.create_database()
    upgrade(database_url)
    stack = Stack({**slack_env(fake), "AMQP_URI": amqp_uri, "DATABASE_URL": database_url},
                  tmp_path_factory.mktemp("logs"))
    try:
        stack.start_distributed()
        yield stack
    finally:
        stack.stop()
        print(stack.logs())
        infra.drop_database(database_url)


@pytest.fixture(scope="module")
def sender(distributed):
    return SlackSender(f"{distributed.gateway_url}/slack/events", SIGNING_SECRET)


@pytest.fixture(scope="module")
def incidents(distributed, amqp_uri):
    """RPC into the running `incidents` process, to assert on what it stored."""
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        yield proxy.incidents
