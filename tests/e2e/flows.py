"""Driving Slack the way a person does, and reading back what Slack received."""
from __future__ import annotations

from tests.fakes.slack_api import SlackFake
from tests.fakes.slack_signing import SlackSender, state_value_for
from tests.support.stack import wait_until

REPORTER = "U0REPORTER"


def declare_values(description: str, severity: str = "sev2", private: bool = False) -> dict:
    values = {
        "declare_description": {"description": state_value_for("plain_text_input", description)},
        "declare_severity": {"severity": state_value_for("static_select", severity)},
        "declare_private": {"private": state_value_for("checkboxes", ["private"] if private
                                                       else [])},
    }
    return values


def open_modal_by_shortcut(fake: SlackFake, sender: SlackSender, user: str = REPORTER) -> dict:
    trigger = fake.new_trigger_id()
    response = sender.shortcut("declare_incident", user, trigger)
    assert response.status_code == 200, response.text
    # Matched by trigger id: other declarations may be opening modals at the same time.
    call = wait_until(lambda: [c for c in fake.calls("views.open")
                               if c.params.get("trigger_id") == trigger and c.response])[0]
    assert call.ok, call.response
    return call.response["view"]


def declare(fake: SlackFake, sender: SlackSender, description: str, **kwargs) -> dict:
    """Shortcut -> modal -> submission; returns the war-room channel once it is complete."""
    view = open_modal_by_shortcut(fake, sender)
    response = sender.view_submission(view, declare_values(description, **kwargs), REPORTER)
    assert response.status_code == 200 and response.text == "", response.text
    return wait_for_war_room(fake, description)


def digest_posts(fake: SlackFake) -> list[dict]:
    digest = fake.channel_by_name("incidents")
    return [m for m in fake.messages(digest["id"]) if m.get("user") == "U0BOT"]


def wait_for_war_room(fake: SlackFake, description: str) -> dict:
    def ready():
        for post in digest_posts(fake):
            if description in str(post.get("blocks")) or description in post.get("text", ""):
                channel_id = _linked_channel(post)
                if channel_id and fake.pins(channel_id):
                    return fake.channel(channel_id)
        return None

    return wait_until(ready, timeout=20)


def _linked_channel(post: dict) -> str | None:
    text = str(post.get("blocks"))
    start = text.find("<#C")
    return text[start + 2:text.index(">", start)].split("|")[0] if start >= 0 else None


def bot_messages(fake: SlackFake, channel_id: str) -> list[dict]:
    return [m for m in fake.messages(channel_id) if m.get("user") == "U0BOT"]


def panel_message(fake: SlackFake, channel_id: str) -> dict:
    ts = fake.pins(channel_id)[0]
    return next(m for m in fake.messages(channel_id) if m["ts"] == ts)


def click(sender: SlackSender, fake: SlackFake, channel_id: str, action: dict,
          user: str = REPORTER, trigger: bool = False):
    """A click or selection on the war room's pinned control panel."""
    message = panel_message(fake, channel_id)
    response = sender.block_actions([action], user, channel_id=channel_id, message=message,
                                    trigger_id=fake.new_trigger_id() if trigger else None)
    assert response.status_code == 200, response.text
    return response


def select(action_id: str, value: str, block_id: str = "b") -> dict:
    return {"type": "static_select", "action_id": action_id, "block_id": block_id,
            "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}


def texts(messages: list[dict]) -> str:
    import json

    return json.dumps([(m.get("text"), m.get("blocks")) for m in messages])


def stored_incident(incidents, channel_id: str) -> dict:
    """The incident of a war room once `incidents` holds all its Slack resources
    (stored after the Slack steps finish, so a moment after Slack shows them)."""
    def complete():
        incident = incidents.get_incident_by_channel(channel_id)
        return incident if incident and incident["digest_ts"] and \
            incident["control_panel_ts"] else None

    return wait_until(complete)
