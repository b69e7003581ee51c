"""Reactions: the pin emoji keeps a message or image on the incident; the declare emoji
turns any message into an incident. Both are idempotent per message."""
from __future__ import annotations

import base64
import logging

import requests
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.slack_gateway.blocks.notices import (
    PIN_CONFIRM_REACTION,
    image_too_large_notice,
    reaction_description,
)
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.common import (
    call,
    incident_in_channel,
    run_for_user,
    tell_user,
)

log = logging.getLogger(__name__)
DOWNLOAD_TIMEOUT = 30


def fetch_message(client: WebClient, channel: str, ts: str) -> dict | None:
    """The message at `ts`, top-level or a thread reply."""
    page = client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    for message in page["messages"]:
        if message.get("ts") == ts:
            return message
    replies = client.conversations_replies(channel=channel, ts=ts, limit=1)
    return next((m for m in replies["messages"] if m.get("ts") == ts), None)


def permalink(client: WebClient, channel: str, ts: str) -> str | None:
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError:
        return None


def download(client: WebClient, file: dict, limit: int) -> bytes | None:
    """The file's bytes with the bot token (files stay private), or None if too large."""
    if (file.get("size") or 0) > limit:
        return None
    url = file.get("url_private_download") or file.get("url_private")
    response = requests.get(url, headers={"Authorization": f"Bearer {client.token}"},
                            timeout=DOWNLOAD_TIMEOUT, stream=True, allow_redirects=False)
    response.raise_for_status()
    if response.status_code != 200 or "text/html" in response.headers.get("Content-Type", ""):
        raise IOError(f"Slack refused the download of {file.get('id')}")
    content = response.raw.read(limit + 1, decode_content=True)
    return None if len(content) > limit else content


def register(app: App, deps) -> None:  # noqa: ANN001
    slack = deps.config.slack

    def pin(client: WebClient, user: str, channel: str, ts: str) -> None:
        incident = incident_in_channel(deps, channel)
        if incident is None:
            return
        message = fetch_message(client, channel, ts)
        if message is None:
            return
        item = {"message_ts": ts, "kind": "message", "text": message.get("text") or "",
                "author_id": message.get("user"), "permalink": permalink(client, channel, ts),
                "pinned_by": user}
        image = next((f for f in message.get("files") or []
                      if (f.get("mimetype") or "").startswith("image/")), None)
        if image is not None:
            content = download(client, image, slack.max_pin_image_bytes)
            if content is None:
                tell_user(client, user, image_too_large_notice(image.get("size") or 0,
                                                               slack.max_pin_image_bytes), channel)
            else:
                item.update(kind="image", file_name=image.get("name") or image["id"],
                            mimetype=image["mimetype"],
                            content_base64=base64.b64encode(content).decode())
        call(deps, "add_pinned_item", incident["id"], item)
        try:
            client.reactions_add(channel=channel, timestamp=ts, name=PIN_CONFIRM_REACTION)
        except SlackApiError as exc:
            if exc.response.get("error") != "already_reacted":
                raise

    def unpin(client: WebClient, user: str, channel: str, ts: str) -> None:
        incident = incident_in_channel(deps, channel)
        if incident and call(deps, "remove_pinned_item", incident["id"], ts, user):
            try:
                client.reactions_remove(channel=channel, timestamp=ts, name=PIN_CONFIRM_REACTION)
            except SlackApiError as exc:
                if exc.response.get("error") != "no_reaction":
                    raise

    def declare(client: WebClient, user: str, channel: str, ts: str) -> None:
        message = fetch_message(client, channel, ts) or {}
        description = reaction_description(message.get("text") or "",
                                           permalink(client, channel, ts), message.get("user"))
        # The same message declares one incident, however often it is reacted to;
        # the war room answers in the message's thread once it exists.
        call(deps, "declare_incident", {
            "description": description, "reporter_id": user, "source": "reaction",
            "idempotency_key": f"reaction:{channel}:{ts}",
            "source_channel_id": channel, "source_ts": ts})

    def added(event: dict, client: WebClient) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        user, channel, ts = event["user"], item["channel"], item["ts"]
        if event["reaction"] == slack.pin_reaction:
            run_for_user(client, user, channel, lambda: pin(client, user, channel, ts))
        elif event["reaction"] == slack.declare_reaction:
            run_for_user(client, user, channel, lambda: declare(client, user, channel, ts))

    def removed(event: dict, client: WebClient) -> None:
        item = event.get("item") or {}
        if item.get("type") == "message" and event["reaction"] == slack.pin_reaction:
            run_for_user(client, event["user"], item["channel"],
                         lambda: unpin(client, event["user"], item["channel"], item["ts"]))

    app.event("reaction_added")(ack=ack_now, lazy=[added])
    app.event("reaction_removed")(ack=ack_now, lazy=[removed])
