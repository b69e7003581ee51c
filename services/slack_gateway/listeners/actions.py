from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from services.slack_gateway.ids import ActionId
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.modals import open_declare_modal


def register(app: App, deps) -> None:  # noqa: ANN001
    def open_modal(body: dict, client: WebClient) -> None:
        open_declare_modal(client, body["trigger_id"], deps.config, body["user"]["id"],
                           (body.get("channel") or {}).get("id"))

    app.action(ActionId.HOME_DECLARE.value)(ack=ack_now, lazy=[open_modal])
    app.action(ActionId.DIGEST_DECLARE.value)(ack=ack_now, lazy=[open_modal])
    # URL buttons open their link in the client; Slack still sends the action.
    app.action(ActionId.JOIN_CHANNEL.value)(ack_now)
    app.action(ActionId.OPEN_MEETING.value)(ack_now)
