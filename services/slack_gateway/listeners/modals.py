"""Opening the declare modal: shared by the shortcut, the slash command and buttons."""
from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.slack_gateway.blocks.declare_modal import declare_modal

log = logging.getLogger(__name__)


def open_declare_modal(client: WebClient, trigger_id: str, config, respond=None) -> bool:  # noqa: ANN001
    """Open the modal; on an expired trigger tell the user instead of failing silently."""
    try:
        client.views_open(trigger_id=trigger_id, view=declare_modal(config))
        return True
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("views.open failed: %s", error)
        if respond is not None:
            respond(text=f"Could not open the incident form ({error}). Please try again.",
                    response_type="ephemeral")
        return False
