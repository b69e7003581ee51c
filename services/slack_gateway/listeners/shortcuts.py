from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from services.slack_gateway.ids import CallbackId
from services.slack_gateway.listeners.modals import open_declare_modal


def register(app: App, deps) -> None:  # noqa: ANN001
    @app.shortcut(CallbackId.DECLARE_SHORTCUT.value)
    def declare_shortcut(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        open_declare_modal(client, body["trigger_id"], deps.config)
