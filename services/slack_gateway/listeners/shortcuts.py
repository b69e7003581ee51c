from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from services.slack_gateway.ids import CallbackId
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.modals import open_declare_modal


def register(app: App, deps) -> None:  # noqa: ANN001
    def open_modal(body: dict, client: WebClient) -> None:
        open_declare_modal(client, body["trigger_id"], deps.config, body["user"]["id"])

    app.shortcut(CallbackId.DECLARE_SHORTCUT.value)(ack=ack_now, lazy=[open_modal])
