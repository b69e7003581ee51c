"""What the gateway says in Slack when `incidents` announces a change: notices in the
war room, direct messages to new role holders, status updates, the resolution summary.
Each runs once per event (the service claims the event first); a retry after a failure
half-way adopts the messages the failed attempt had posted (tagged_posts)."""
from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.slack_gateway.blocks.notices import (
    resolution_summary,
    role_dm,
    role_notice,
    severity_notice,
    status_notice,
)
from services.slack_gateway.blocks.reminders import update_reminder
from services.slack_gateway.blocks.update_modal import render_status_update
from services.slack_gateway.tagged_posts import post_once

log = logging.getLogger(__name__)
LINK_LEASE_SECONDS = 60  # two Slack calls; a dead poster's claim lapses after this


def _say(client: WebClient, channel: str, incident: dict, payload: dict, part: str,
         retry: bool, **message) -> None:  # noqa: ANN003
    """Post one of this event's messages, once (`part` tells them apart)."""
    post_once(client, channel, incident, f"{payload['event_id']}:{part}", retry,
              since=payload.get("recorded_at"), **message)


def announce_status(client: WebClient, incident: dict, payload: dict, config,  # noqa: ANN001
                    retry: bool = False) -> None:
    if incident["channel_id"]:
        _say(client, incident["channel_id"], incident, payload, "room", retry,
             text=status_notice(incident, payload["previous"], payload.get("actor_id"), config))


def announce_severity(client: WebClient, incident: dict, payload: dict, config,  # noqa: ANN001
                    retry: bool = False) -> None:
    if incident["channel_id"]:
        _say(client, incident["channel_id"], incident, payload, "room", retry,
             text=severity_notice(incident, payload["previous"], payload.get("actor_id"),
                                  config))


def announce_role(client: WebClient, incident: dict, payload: dict, config,  # noqa: ANN001
                    retry: bool = False) -> None:
    role, user_id = payload["role"], payload["user_id"]
    if incident["channel_id"]:
        _say(client, incident["channel_id"], incident, payload, "room", retry,
             text=role_notice(role, user_id, payload.get("previous_user_id"),
                              payload.get("actor_id"), config))
    # Posting to a user id lands in the bot's DM with that user.
    _say(client, user_id, incident, payload, "dm", retry, text=role_dm(incident, role, config))


def announce_status_update(client: WebClient, incident: dict, payload: dict, config,  # noqa: ANN001
                    retry: bool = False) -> None:
    message = render_status_update(incident, payload["update"], config)
    if incident["channel_id"]:
        _say(client, incident["channel_id"], incident, payload, "room", retry, **message)
    # A private incident's updates stay in its private channel.
    if incident["digest_ts"] and incident["digest_channel_id"] and not incident["is_private"]:
        _say(client, incident["digest_channel_id"], incident, payload, "digest", retry,
             thread_ts=incident["digest_ts"], **message)


def announce_resolution(client: WebClient, incident: dict, payload: dict, config,  # noqa: ANN001
                    retry: bool = False) -> None:
    if incident["channel_id"]:
        _say(client, incident["channel_id"], incident, payload, "room", retry,
             **resolution_summary(incident, config))


def announce_reminder(client: WebClient, incident: dict, payload: dict, config,  # noqa: ANN001
                    retry: bool = False) -> None:
    if incident["channel_id"]:
        _say(client, incident["channel_id"], incident, payload, "room", retry,
             **update_reminder(incident, payload, config))


LINK_EMOJI = {"meeting": ":video_camera:", "pagerduty": ":pager:", "statuspage": ":satellite:",
              "postmortem": ":memo:", "other": ":link:"}


def post_link(client: WebClient, incidents, incident: dict, link: dict) -> None:  # noqa: ANN001
    """Say in the war room that a meeting, page, status page incident or postmortem was
    made (a meeting link is also pinned). Once per link, whether the link came before the
    war room existed (posted when it opens) or after (posted when announced): the two
    paths share a claim. A failure (Slack down, the pin refused) gives the claim back and
    raises, so the event is retried; the retry adopts the post if it was made."""
    if not incident["channel_id"]:
        return
    key = f"slack_gateway:link-posted:{link['id']}"
    state = incidents.claim_work(key, lease_seconds=LINK_LEASE_SECONDS)
    if state not in ("claimed", "reclaimed"):
        if state == "exhausted":
            log.error("giving up on posting link %s after repeated failures", link["id"])
        return  # posted already, or being posted by the other path
    label = link.get("title") or link["kind"].capitalize()
    target = f"<{link['url']}|{label}>" if link.get("url") else label
    note = (link.get("data") or {}).get("message")
    text = f"{LINK_EMOJI.get(link['kind'], ':link:')} {target}" + (f": {note}" if note else "")
    try:
        ts = post_once(client, incident["channel_id"], incident, f"link:{link['id']}",
                       state == "reclaimed", text=text)
        if link["kind"] == "meeting":
            try:
                client.pins_add(channel=incident["channel_id"], timestamp=ts)
            except SlackApiError as exc:
                if exc.response.get("error") != "already_pinned":
                    raise
    except Exception:
        incidents.release_delivery(key)
        raise
    incidents.complete_delivery(key)
