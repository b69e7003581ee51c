"""`/incident`: inside an incident channel it acts on that incident; outside one it
offers to declare. Changes are made in the ack function, so errors come back at once."""
from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from services.incidents.exceptions import IncidentError
from services.slack_gateway.blocks.notices import incident_help, not_in_incident_channel
from services.slack_gateway.blocks.text import render_help
from services.slack_gateway.listeners.common import (
    UNAVAILABLE,
    call,
    incident_in_channel,
    run_for_user,
)
from services.slack_gateway.listeners.modals import open_declare_modal
from services.slack_gateway.listeners.pagerduty import open_page_modal
from services.slack_gateway.listeners.statuspage import open_statuspage_modal
from services.slack_gateway.listeners.timeline import open_timeline_modal
from services.slack_gateway.listeners.updates import open_update_modal

log = logging.getLogger(__name__)
COMMAND = "/incident"
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
OPENS_A_MODAL = ("", "update", "timeline", "page", "statuspage")


def parse(command: dict) -> tuple[str, list[str]]:
    words = (command.get("text") or "").split()
    return (words[0].lower(), words[1:]) if words else ("", [])


def change(deps, incident: dict, sub: str, args: list[str], user: str) -> str | None:  # noqa: ANN001
    """Apply a changing subcommand; return what to tell the user, None when done."""
    config = deps.config
    if sub == "status":
        if len(args) != 1:
            return f"Usage: `{COMMAND} status <{'|'.join(config.statuses)}>`"
        call(deps, "change_status", incident["id"], args[0].lower(), user)
    elif sub == "severity":
        if len(args) != 1:
            return f"Usage: `{COMMAND} severity <{'|'.join(config.severity_names())}>`"
        call(deps, "change_severity", incident["id"], args[0].lower(), user)
    elif sub == "role":
        if not 1 <= len(args) <= 2:
            return f"Usage: `{COMMAND} role <{'|'.join(config.roles)}> [@someone]`"
        target = user
        if len(args) == 2:
            mention = MENTION.fullmatch(args[1])
            if not mention:
                return f"Mention the person, e.g. `{COMMAND} role {args[0]} @alex`"
            target = mention.group(1)
        call(deps, "assign_role", incident["id"], args[0].lower(), target, user)
    elif sub == "resolve":
        call(deps, "change_status", incident["id"], config.final_status, user)
    else:
        return f"I don't know `{COMMAND} {sub}`.\n\n" + incident_help(COMMAND, config)
    return None


def register(app: App, deps) -> None:  # noqa: ANN001
    def answer(ack: Ack, command: dict) -> None:
        sub, args = parse(command)
        user = command["user_id"]
        try:
            incident = incident_in_channel(deps, command.get("channel_id"))
            if incident is None:
                if sub in OPENS_A_MODAL:
                    ack()
                elif sub == "help":
                    ack(text=render_help(COMMAND), response_type="ephemeral")
                else:
                    ack(text=not_in_incident_channel(f"{COMMAND} {sub}"),
                        response_type="ephemeral")
                return
            if sub in ("", "help"):
                ack(text=incident_help(COMMAND, deps.config), response_type="ephemeral")
            elif sub in OPENS_A_MODAL:
                ack()
            else:
                problem = change(deps, incident, sub, args, user)
                ack(text=problem, response_type="ephemeral") if problem else ack()
        except IncidentError as exc:
            ack(text=exc.message, response_type="ephemeral")
        except Exception:  # the user must learn nothing happened
            log.exception("/incident %s failed", sub)
            ack(text=UNAVAILABLE, response_type="ephemeral")

    def open_modal(command: dict, client: WebClient, respond: Respond) -> None:
        sub, _ = parse(command)
        if sub not in OPENS_A_MODAL:
            return
        incident = incident_in_channel(deps, command.get("channel_id"))
        trigger, user = command["trigger_id"], command["user_id"]
        if sub == "update":
            run_for_user(client, user, command.get("channel_id"),
                         lambda: open_update_modal(deps, client, trigger, incident))
        elif sub == "timeline":
            run_for_user(client, user, command.get("channel_id"),
                         lambda: open_timeline_modal(deps, client, trigger, user, incident))
        elif sub == "page":
            run_for_user(client, user, command.get("channel_id"),
                         lambda: open_page_modal(deps, client, trigger, incident))
        elif sub == "statuspage":
            run_for_user(client, user, command.get("channel_id"), lambda: open_statuspage_modal(
                deps, client, trigger, user, incident, command.get("channel_id")))
        elif incident is None:
            open_declare_modal(client, trigger, deps.config, user, respond=respond)

    app.command(COMMAND)(ack=answer, lazy=[open_modal])
