"""Tagged posts: a retry finds the message an interrupted attempt posted, by its
metadata, with the real WebClient against the Slack fake."""
import datetime as dt

import pytest
from slack_sdk.errors import SlackApiError

from services.slack_gateway.slack_client import SlackSettings, make_web_client
from services.slack_gateway.tagged_posts import find, post_once
from tests.fakes.slack_api import SlackFake
from tests.support.stack import manifest_scopes

INCIDENT = {"id": 7, "declared_at": dt.datetime.now(dt.timezone.utc).isoformat()}


@pytest.fixture
def fake():
    with SlackFake(bot_token="xoxb-unit", scopes=manifest_scopes()) as fake:
        fake.add_user("U0REP", "reporter")
        yield fake


@pytest.fixture
def client(fake):
    return make_web_client(SlackSettings("xoxb-unit", "secret", fake.url))


def bot_posts(fake, channel):
    return [m for m in fake.messages(channel) if m["user"] == "U0BOT"]


def test_a_retry_adopts_the_earlier_post_past_the_first_page(fake, client):
    channel = fake.add_channel("incidents", members=["U0BOT"])
    first = post_once(client, channel, INCIDENT, "digest", False, text="Incident #7")
    for n in range(250):  # later traffic pushes it off the newest page
        fake.add_message(channel, f"chatter {n}", user="U0REP")
    assert post_once(client, channel, INCIDENT, "digest", True, text="Incident #7") == first
    assert len(bot_posts(fake, channel)) == 1
    reads = fake.calls("conversations.history")
    assert len(reads) == 2 and all(c.params["include_all_metadata"] in (True, "true", "1")
                                   for c in reads)


def test_first_attempts_never_read_and_retries_post_what_is_missing(fake, client):
    channel = fake.add_channel("incidents", members=["U0BOT"])
    post_once(client, channel, INCIDENT, "digest", False, text="Incident #7")
    assert fake.calls("conversations.history") == []
    # Another incident's post and another part are not mistaken for this one.
    other = {**INCIDENT, "id": 8}
    assert post_once(client, channel, other, "digest", True, text="Incident #8")
    assert post_once(client, channel, INCIDENT, "control_panel", True, text="Panel")
    assert len(bot_posts(fake, channel)) == 3


def test_messages_from_before_the_incident_are_not_read(fake, client):
    channel = fake.add_channel("incidents", members=["U0BOT"])
    post_once(client, channel, INCIDENT, "digest", False, text="Incident #7")
    later = {**INCIDENT, "declared_at": (dt.datetime.now(dt.timezone.utc)
                                         + dt.timedelta(minutes=5)).isoformat()}
    assert find(client, channel, later, "digest") is None
    assert float(fake.calls("conversations.history")[-1].params["oldest"]) > \
        dt.datetime.now(dt.timezone.utc).timestamp()


def test_a_thread_reply_and_a_direct_message_are_found_again(fake, client):
    channel = fake.add_channel("general", members=["U0BOT", "U0REP"])
    source = fake.add_message(channel, "checkout is down", user="U0REP")
    reply = post_once(client, channel, INCIDENT, "source_reply", False, thread_ts=source,
                      text="Declared")
    assert post_once(client, channel, INCIDENT, "source_reply", True, thread_ts=source,
                     text="Declared") == reply
    post_once(client, "U0REP", INCIDENT, "reporter_notice", False, text="You declared #7")
    dm = client.conversations_open(users="U0REP")["channel"]["id"]
    assert find(client, dm, INCIDENT, "reporter_notice")
    assert len(bot_posts(fake, dm)) == 1


def test_metadata_is_shown_only_when_asked_for_and_checked_like_slack(fake, client):
    channel = fake.add_channel("incidents", members=["U0BOT"])
    post_once(client, channel, INCIDENT, "digest", False, text="Incident #7")
    plain = client.conversations_history(channel=channel)["messages"][0]
    assert "metadata" not in plain
    tagged = client.conversations_history(channel=channel, include_all_metadata=True)
    assert tagged["messages"][0]["metadata"] == {
        "event_type": "incident_bot_message",
        "event_payload": {"incident_id": 7, "part": "digest"}}
    for metadata, error in (('{"event_payload": {}}', "invalid_metadata_schema"),
                            ("{not json", "invalid_metadata_format")):
        with pytest.raises(SlackApiError) as refused:
            client.api_call("chat.postMessage", params={"channel": channel, "text": "x",
                                                        "metadata": metadata})
        assert refused.value.response["error"] == error
