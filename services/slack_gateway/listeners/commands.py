from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from services.slack_gateway.blocks.text import render_help
from services.slack_gateway.listeners.modals import open_declare_modal

COMMAND = "/incident"


def subcommand(command: dict) -> str:
    words = (command.get("text") or "").split()
    return words[0].lower() if words else ""


def register(app: App, deps) -> None:  # noqa: ANN001
    def answer(ack: Ack, command: dict) -> None:
        sub = subcommand(command)
        if sub == "":
            ack()
        elif sub == "help":
            ack(text=render_help(COMMAND), response_type="ephemeral")
        else:
            ack(text=f"I don't know `{COMMAND} {sub}`.\n\n" + render_help(COMMAND),
                response_type="ephemeral")

    def open_modal(command: dict, client: WebClient, respond: Respond) -> None:
        if subcommand(command) == "":
            open_declare_modal(client, command["trigger_id"], deps.config, respond)

    app.command(COMMAND)(ack=answer, lazy=[open_modal])
