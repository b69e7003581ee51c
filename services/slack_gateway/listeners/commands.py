from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from services.slack_gateway.blocks.text import render_help
from services.slack_gateway.listeners.modals import open_declare_modal

COMMAND = "/incident"


def register(app: App, deps) -> None:  # noqa: ANN001
    @app.command(COMMAND)
    def incident_command(ack: Ack, command: dict, client: WebClient, respond: Respond) -> None:
        words = (command.get("text") or "").split()
        sub = words[0].lower() if words else ""
        if sub == "":
            ack()
            open_declare_modal(client, command["trigger_id"], deps.config, respond)
        elif sub == "help":
            ack(text=render_help(COMMAND), response_type="ephemeral")
        else:
            ack(text=f"I don't know `{COMMAND} {sub}`.\n\n" + render_help(COMMAND),
                response_type="ephemeral")
