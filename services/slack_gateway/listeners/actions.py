from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from services.slack_gateway.ids import ActionId
from services.slack_gateway.listeners.modals import open_declare_modal


def register(app: App, deps) -> None:  # noqa: ANN001
    @app.action(ActionId.HOME_DECLARE.value)
    def home_declare(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        open_declare_modal(client, body["trigger_id"], deps.config)

    @app.action(ActionId.JOIN_CHANNEL.value)
    @app.action(ActionId.OPEN_MEETING.value)
    def link_button(ack: Ack) -> None:
        # URL buttons open the link in the client; Slack still sends the action.
        ack()
