"""Opening the declare modal: shared by the shortcut, the slash command and buttons."""
from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.slack_gateway.blocks.declare_modal import declare_modal
from services.slack_gateway.listeners.common import slack_refusal, tell_user

log = logging.getLogger(__name__)


def open_declare_modal(client: WebClient, trigger_id: str, config, user_id: str,  # noqa: ANN001
                       channel_id: str | None = None, respond=None) -> bool:  # noqa: ANN001
    """Open the modal; if Slack refuses (an expired trigger), tell the user instead of
    failing silently: through `respond` when there is one, else ephemeral or a DM."""
    try:
        client.views_open(trigger_id=trigger_id, view=declare_modal(config))
        return True
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("views.open failed: %s", error)
        if respond is not None:
            respond(text=slack_refusal(error), response_type="ephemeral")
        else:
            tell_user(client, user_id, slack_refusal(error), channel_id)
        return False
