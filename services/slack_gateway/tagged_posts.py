"""Messages the bot posts once per incident, and can find again.

Each war-room message (control panel, digest post, reporter notice, reply to the
declaring message) carries Slack message metadata naming the incident and the part.
An attempt that posted but died before its ts was stored (a crash, the broker
restarting) leaves a message nobody knows of. The retry looks for it first, in the
conversation's history since the incident was declared (`include_all_metadata`), and
adopts it instead of posting a second one. First attempts do not look: nothing of
theirs can be there yet, and the digest's critical path stays two Slack calls.
"""
from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from services.common.timeutil import from_iso

EVENT_TYPE = "incident_bot_message"
LOOKBACK_SECONDS = 60  # clock skew between this host and Slack
PAGE_SIZE = 200


def tag(incident_id: int, part: str) -> dict:
    return {"event_type": EVENT_TYPE,
            "event_payload": {"incident_id": incident_id, "part": part}}


def find(client: WebClient, channel: str, incident: dict, part: str,
         thread_ts: str | None = None, since: str | None = None) -> str | None:
    """The ts of the message tagged (incident, part) in `channel` (or in one thread),
    looking at messages from `since` (ISO time; default: when the incident was declared)."""
    wanted = tag(incident["id"], part)
    start = from_iso(since or incident["declared_at"]).timestamp()
    params: dict[str, Any] = {"channel": channel, "oldest": f"{start - LOOKBACK_SECONDS:.6f}",
                              "include_all_metadata": True, "limit": PAGE_SIZE}
    if thread_ts:
        params["ts"] = thread_ts
    read = client.conversations_replies if thread_ts else client.conversations_history
    cursor = None
    while True:
        page = read(**params, **({"cursor": cursor} if cursor else {}))
        for message in page.get("messages") or []:
            if message.get("metadata") == wanted:
                return message["ts"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def post_once(client: WebClient, channel: str, incident: dict, part: str, retry: bool,
              since: str | None = None, **message: Any) -> str:
    """Post `message` tagged (incident, part); on a retry, adopt an earlier one instead.
    `channel` may be a user id (the bot's DM with them), as chat.postMessage allows."""
    if retry:
        where = channel
        if channel[:1] in ("U", "W"):  # reading the DM back needs its own id
            where = client.conversations_open(users=channel)["channel"]["id"]
        found = find(client, where, incident, part, message.get("thread_ts"), since)
        if found:
            return found
    return client.chat_postMessage(channel=channel, metadata=tag(incident["id"], part),
                                   **message)["ts"]
