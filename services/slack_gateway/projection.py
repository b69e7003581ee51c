"""Slack rendering as a projection: the control panel, the channel topic and the
digest message are rendered from the incident's *current* state (re-read, never
the event's snapshot), so late, repeated or reordered events end in the right picture."""
from __future__ import annotations

import logging

import eventlet
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.slack_gateway.blocks.control_panel import render_control_panel
from services.slack_gateway.blocks.digest import render_digest
from services.slack_gateway.blocks.text import render_topic

log = logging.getLogger(__name__)


def refresh(client: WebClient, incident: dict, config) -> None:  # noqa: ANN001
    """Bring every Slack surface of `incident` up to date, concurrently."""
    steps = []
    if incident["channel_id"] and incident["control_panel_ts"]:
        steps.append(lambda: client.chat_update(channel=incident["channel_id"],
                                                ts=incident["control_panel_ts"],
                                                **render_control_panel(incident, config)))
    if incident["channel_id"]:
        steps.append(lambda: _set_topic(client, incident, config))
    if incident["digest_channel_id"] and incident["digest_ts"]:
        steps.append(lambda: client.chat_update(channel=incident["digest_channel_id"],
                                                ts=incident["digest_ts"],
                                                **render_digest(incident, config)))
    threads = [eventlet.spawn(step) for step in steps]
    transient = []
    for thread in threads:
        try:
            thread.wait()
        except SlackApiError as exc:
            # slack_sdk already retried 429s and 5xx; what is left of those may pass later,
            # while an answer like message_not_found will not: log it and move on.
            if exc.response.status_code == 429 or exc.response.status_code >= 500:
                transient.append(exc.response.get("error"))
            else:
                log.warning("incident %s: Slack refused a refresh: %s", incident["id"],
                            exc.response.get("error"))
    if transient:
        raise RefreshFailed(f"incident {incident['id']}: refreshing Slack failed: {transient}")


class RefreshFailed(Exception):
    pass


def _set_topic(client: WebClient, incident: dict, config) -> None:  # noqa: ANN001
    topic = render_topic(incident, config)
    info = client.conversations_info(channel=incident["channel_id"])["channel"]
    # Setting the same topic again posts another "set the channel topic" message.
    if (info.get("topic") or {}).get("value") != topic:
        client.conversations_setTopic(channel=incident["channel_id"], topic=topic)
