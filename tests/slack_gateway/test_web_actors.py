"""Changes made on the web carry a web actor ("web:12", "web:token-3"): Slack shows who
in words and never mentions, invites or messages such an id."""
from services.common.config import Config
from services.slack_gateway.blocks.notices import status_notice
from services.slack_gateway.blocks.text import user_mention
from services.slack_gateway.war_room import invite


class RecordingClient:
    def __init__(self):
        self.invited = []

    def conversations_invite(self, channel, users):  # noqa: ANN001, ANN201
        self.invited.append(users)


def test_web_actors_are_named_in_words_not_mentioned():
    assert user_mention("U0ABC") == "<@U0ABC>"
    assert user_mention("web:12") == "someone on the web UI"
    assert user_mention("web:token-3") == "an API client"
    incident = {"status": "identified"}
    text = status_notice(incident, "investigating", "web:12", Config.default())
    assert "someone on the web UI changed the status" in text and "<@web" not in text


def test_web_reporters_are_not_invited_to_the_war_room():
    client = RecordingClient()
    invite(client, "C0WAR", ["web:12", "U0OTHER"])
    invite(client, "C0WAR", ["web:token-3"])
    assert client.invited == ["U0OTHER"]
