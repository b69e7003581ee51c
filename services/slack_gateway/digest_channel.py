"""Finding and joining the digest channel, which config names by *name*."""
from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def find_channel(client: WebClient, name: str) -> dict | None:
    """The channel called `name`, walking conversations.list page by page."""
    cursor = None
    while True:
        page = client.conversations_list(types="public_channel,private_channel",
                                         exclude_archived=True, limit=1000, cursor=cursor)
        for channel in page["channels"]:
            if channel.get("name") == name:
                return channel
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


class DigestChannel:
    """Resolves the digest channel id once; says clearly when it cannot."""

    def __init__(self, client: WebClient, name: str):
        self.client = client
        self.name = name
        self.channel_id: str | None = None
        self._reported = False

    def resolve(self) -> str | None:
        if self.channel_id:
            return self.channel_id
        try:
            channel = find_channel(self.client, self.name)
        except SlackApiError as exc:
            self._report(f"listing channels failed ({exc.response.get('error')})")
            return None
        if channel is None:
            self._report("no such channel: create it in Slack, or change digest_channel "
                         "in config.yaml")
            return None
        if not channel.get("is_member"):
            if channel.get("is_private"):
                self._report("it is private and the bot is not in it: invite the bot")
                return None
            self.client.conversations_join(channel=channel["id"])
        self.channel_id = channel["id"]
        log.info("digest channel #%s is %s", self.name, self.channel_id)
        return self.channel_id

    def _report(self, why: str) -> None:
        if not self._reported:
            log.error("cannot use digest channel #%s: %s. Incidents still get war rooms; "
                      "digest posts are skipped until this is fixed.", self.name, why)
            self._reported = True
