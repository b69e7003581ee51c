"""Finding the digest channel by name, with the real WebClient against the Slack fake."""
import logging

import pytest

from services.slack_gateway.digest_channel import DigestChannel
from services.slack_gateway.slack_client import SlackSettings, make_web_client
from tests.fakes.slack_api import SlackFake


@pytest.fixture
def fake():
    with SlackFake(bot_token="xoxb-unit") as fake:
        yield fake


def client(fake):
    return make_web_client(SlackSettings("xoxb-unit", "secret", fake.url))


def test_finds_the_channel_past_the_first_page_and_joins_it(fake):
    for n in range(1100):
        fake.add_channel(f"team-{n:04d}")
    wanted = fake.add_channel("incidents")
    digest = DigestChannel(client(fake), "incidents")
    assert digest.resolve() == wanted
    assert "U0BOT" in fake.channel(wanted)["members"]
    assert len(fake.calls("conversations.list")) == 2  # paginated, limit 1000
    assert digest.resolve() == wanted and len(fake.calls("conversations.list")) == 2


def test_missing_channel_is_reported_once_and_clearly(fake, caplog):
    digest = DigestChannel(client(fake), "incidents")
    with caplog.at_level(logging.ERROR):
        assert digest.resolve() is None
        assert digest.resolve() is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "#incidents" in errors[0] and "no such channel" in errors[0]


def test_private_channel_without_the_bot_cannot_be_joined(fake, caplog):
    fake.add_channel("incidents", is_private=True, members=["U0SOMEONE"])
    with caplog.at_level(logging.ERROR):
        assert DigestChannel(client(fake), "incidents").resolve() is None
    assert fake.calls("conversations.join") == []
