"""Opening the war room for a declared incident.

Only channel creation must come first; everything else (topic, invites, the
control panel and its pin, the digest post, the reporter's notice) runs
concurrently. Each step looks at the current incident first, so a redelivered
`incident_declared` finishes what is missing instead of doing it twice; a message
posted by an attempt that died before storing it is found again by its metadata
(tagged_posts), so a retry adopts it instead of posting another.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import eventlet
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.slack_gateway.announcements import post_link
from services.slack_gateway.blocks.control_panel import render_control_panel
from services.slack_gateway.blocks.digest import render_digest
from services.slack_gateway.blocks.notices import reaction_declared_reply
from services.slack_gateway.blocks.text import render_reporter_notice, render_topic
from services.slack_gateway.channel_names import channel_name
from services.slack_gateway.digest_channel import find_channel
from services.slack_gateway.projection import refresh
from services.slack_gateway.statuspage_panel import post_prompt as post_statuspage_prompt
from services.slack_gateway.tagged_posts import post_once

log = logging.getLogger(__name__)
MAX_NAME_ATTEMPTS = 20


class WarRoomError(Exception):
    pass


def _rendered_fields(incident: dict) -> tuple:
    return (incident["status"], incident["severity"], incident["roles"],
            incident["description"], incident["meeting_url"])


def create_channel(client: WebClient, incident: dict, naming, incidents: Any) -> tuple[str, str]:  # noqa: ANN001,E501
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = channel_name(incident, naming, attempt)
        try:
            response = client.conversations_create(name=name, is_private=incident["is_private"])
            return response["channel"]["id"], response["channel"]["name"]
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken":
                raise WarRoomError(f"creating #{name} failed: {exc.response.get('error')}") from exc
        orphan = _our_orphan(client, name, incidents)
        if orphan:
            return orphan, name
    raise WarRoomError(f"no free channel name after {MAX_NAME_ATTEMPTS} attempts")


def _our_orphan(client: WebClient, name: str, incidents: Any) -> str | None:
    """A channel of this name the bot made that no incident owns: an earlier attempt for
    this incident created it and died before storing it. Adopt it rather than make two."""
    channel = find_channel(client, name)
    if not channel or channel.get("creator") != client.auth_test()["user_id"]:
        return None
    return channel["id"] if incidents.get_incident_by_channel(channel["id"]) is None else None


def invite(client: WebClient, channel_id: str, user_ids: list[str]) -> None:
    # Web actors ("web:12") declared from the web UI or the API: nobody to invite in Slack.
    users = [u for u in dict.fromkeys(user_ids) if u and not u.startswith("web:")]
    if not users:
        return
    try:
        client.conversations_invite(channel=channel_id, users=",".join(users))
    except SlackApiError as exc:
        if len(users) == 1:
            if exc.response.get("error") not in ("already_in_channel", "cant_invite_self"):
                raise
            return
        # One bad id fails the whole call: invite one by one so the rest still get in.
        for user in users:
            invite(client, channel_id, [user])


def usergroup_members(client: WebClient, groups: list[str]) -> list[str]:
    members: list[str] = []
    for group in groups:
        members += client.usergroups_users_list(usergroup=group)["users"]
    return members


class WarRoom:
    """Runs the war-room steps for one incident and reports what it stored."""

    def __init__(self, client: WebClient, incidents: Any, config, digest_channel_id: str | None,  # noqa: ANN001
                 statuspage: Any = None):
        self.client = client
        self.incidents = incidents
        self.statuspage = statuspage  # RPC proxy; None: no Statuspage prompt
        self.config = config
        self.digest_channel_id = digest_channel_id
        self.retry = False

    def open(self, incident_id: int, retry: bool = False, declared: dict | None = None) -> dict:
        """`retry`: an earlier attempt for this incident did not finish. `declared`: the
        incident as the declared event carried it, which a first attempt can start from
        (one RPC less before the channel is created: it is on the critical path)."""
        self.retry = retry
        if declared is None or retry or declared.get("channel_id"):
            incident = self.incidents.get_incident(incident_id)
        else:
            incident = declared
        recorded = None
        if not incident["channel_id"]:
            channel_id, name = create_channel(self.client, incident, self.config.channel_naming,
                                              self.incidents)
            # Recorded while the room fills up, not before: the digest post is one RPC
            # nearer. Should recording fail, the retry finds this channel by its name
            # and the posts by their metadata, and records it then.
            recorded = eventlet.spawn(self.incidents.attach_slack_resources, incident_id,
                                      channel_id=channel_id, channel_name=name)
            incident = {**incident, "channel_id": channel_id, "channel_name": name}
        steps: dict[str, Callable[[dict], None]] = {
            "record_channel": lambda _: recorded and recorded.wait(),
            "topic": self._set_topic,
            "invite": self._invite,
            "control_panel": self._post_control_panel,
            "digest": self._post_digest,
            "reporter_notice": self._notify_reporter,
            "source_reply": self._reply_to_source,
            # Links added before the channel existed (their own events found no room) are
            # in the incident as recorded with the channel, not in the declared snapshot.
            "links": lambda snapshot: self._post_links(recorded.wait() if recorded else snapshot),
            "statuspage_prompt": self._prompt_statuspage,
        }
        pool = eventlet.GreenPool(len(steps))
        running = {name: pool.spawn(step, incident) for name, step in steps.items()}
        failed: list[str] = []
        for name, thread in running.items():
            try:
                thread.wait()
            except Exception as exc:  # one step failing must not undo the others
                log.error("incident %s: war-room step %s failed: %s", incident_id, name, exc)
                failed.append(name)
        latest = self.incidents.get_incident(incident_id)
        if _rendered_fields(latest) != _rendered_fields(incident):
            # Changed while the room was opening (a status picked meanwhile): the events
            # for it found no control panel yet, so render the current state now.
            refresh(self.client, latest, self.config)
        if failed:
            raise WarRoomError(f"incident {incident_id}: steps failed: {', '.join(failed)}")
        return latest

    def _set_topic(self, incident: dict) -> None:
        topic = render_topic(incident, self.config)
        if self.retry:
            # Slack announces every set in the channel: the attempt that failed
            # elsewhere has most likely set this very topic already.
            info = self.client.conversations_info(channel=incident["channel_id"])["channel"]
            if (info.get("topic") or {}).get("value") == topic:
                return
        self.client.conversations_setTopic(channel=incident["channel_id"], topic=topic)

    def _invite(self, incident: dict) -> None:
        slack = self.config.slack
        users = [incident["reporter_id"], *slack.auto_invite_user_ids]
        users += usergroup_members(self.client, list(slack.auto_invite_usergroups))
        invite(self.client, incident["channel_id"], users)

    def _post_control_panel(self, incident: dict) -> None:
        ts = incident["control_panel_ts"]
        if not ts:
            ts = post_once(self.client, incident["channel_id"], incident, "control_panel",
                           self.retry, **render_control_panel(incident, self.config))
            # Stored at once, so a retry after a crash finds it instead of posting another.
            self.incidents.attach_slack_resources(incident["id"], control_panel_ts=ts)
        try:
            self.client.pins_add(channel=incident["channel_id"], timestamp=ts)
        except SlackApiError as exc:
            if exc.response.get("error") != "already_pinned":
                raise

    def _post_digest(self, incident: dict) -> None:
        if not self.digest_channel_id:
            return
        message = render_digest(incident, self.config)
        if incident["digest_ts"] and incident["digest_channel_id"]:
            self.client.chat_update(channel=incident["digest_channel_id"],
                                    ts=incident["digest_ts"], **message)
            return
        ts = post_once(self.client, self.digest_channel_id, incident, "digest", self.retry,
                       **message)
        self.incidents.attach_slack_resources(incident["id"],
                                              digest_channel_id=self.digest_channel_id,
                                              digest_ts=ts)

    def _prompt_statuspage(self, incident: dict) -> None:
        post_statuspage_prompt(self.client, self.incidents, self.statuspage, incident, self.config)

    def _post_links(self, incident: dict) -> None:
        # A meeting made before the channel existed (Zoom often answers first).
        for link in incident.get("links") or []:
            post_link(self.client, self.incidents, incident, link)

    def _reply_to_source(self, incident: dict) -> None:
        if incident["source_channel_id"] and incident["source_ts"]:
            # Declared by reacting to a message: answer in that message's thread.
            post_once(self.client, incident["source_channel_id"], incident, "source_reply",
                      self.retry, thread_ts=incident["source_ts"],
                      text=reaction_declared_reply(incident))

    def _notify_reporter(self, incident: dict) -> None:
        if incident["reporter_id"] and not incident["reporter_id"].startswith("web:"):
            # Posting to a user id lands in the bot's DM with that user.
            post_once(self.client, incident["reporter_id"], incident, "reporter_notice",
                      self.retry, text=render_reporter_notice(incident))
