"""The war room's Statuspage surfaces: the prompt posted when the room opens (only when
Statuspage is on), and the "Statuspage" message, posted once and then updated in place
whenever the incident's Statuspage link changes.

The message's ts is kept as an incidents *setting*, not on the incident: storing it
must not emit an incident event, or every render would trigger another one.
Rendering is a projection of the current link, re-read after each write, so
concurrent or reordered link events still end on the latest state.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import eventlet
from slack_sdk import WebClient

from services.slack_gateway.blocks.statuspage import render_statuspage_panel, statuspage_prompt

log = logging.getLogger(__name__)
ASK_SECONDS = 3.0  # a missing or stuck statuspage service must not hold up the war room
CLAIM_LEASE_SECONDS = 60
TS_WAIT_SECONDS = 5.0
MAX_RENDERS = 3


def panel_setting(incident_id: int) -> str:
    return f"statuspage.panel_ts:{incident_id}"


def statuspage_on(statuspage: Any) -> bool:
    """Ask the statuspage service; no answer in time counts as off."""
    try:
        with eventlet.Timeout(ASK_SECONDS):
            return bool(statuspage.get_status().get("enabled"))
    except (Exception, eventlet.Timeout) as exc:  # not deployed, not answering: no prompt
        log.info("statuspage did not answer get_status (%s); no Statuspage prompt",
                 type(exc).__name__)
        return False


def post_prompt(client: WebClient, incidents: Any, statuspage: Any, incident: dict,
                config: Any) -> None:
    """War-room step: offer to create a Statuspage incident, once per incident."""
    if (statuspage is None or not incident.get("channel_id")
            or not config.integrations.statuspage.enabled or not statuspage_on(statuspage)):
        return
    key = f"slack_gateway:statuspage_prompt:{incident['id']}"
    if not incidents.claim_delivery(key, CLAIM_LEASE_SECONDS):
        return
    try:
        client.chat_postMessage(channel=incident["channel_id"], **statuspage_prompt(incident))
    except Exception:
        incidents.release_delivery(key)  # the war room's retry may post it
        raise
    incidents.complete_delivery(key)


def _latest(incident: dict) -> dict | None:
    links = [link for link in incident.get("links") or [] if link["kind"] == "statuspage"]
    return links[-1] if links else None


def _panel_ts(incidents: Any, incident_id: int) -> str | None:
    """The message's ts: post it if nobody has (one poster, claimed), else wait for it."""
    key = panel_setting(incident_id)
    ts = incidents.get_setting(key, None)
    if ts:
        return ts
    deadline = time.monotonic() + TS_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.1)
        ts = incidents.get_setting(key, None)
        if ts:
            return ts
    return None


def refresh_panel(client: WebClient, incidents: Any, incident_id: int, config: Any) -> None:
    incident = incidents.get_incident(incident_id)
    channel = incident.get("channel_id")
    page_url = config.integrations.statuspage.url or None
    for _ in range(MAX_RENDERS):
        link = _latest(incident)
        if not channel or link is None:
            return
        message = render_statuspage_panel(link, page_url)
        ts = incidents.get_setting(panel_setting(incident_id), None)
        claim = f"slack_gateway:statuspage_panel:{incident_id}"
        if ts is None and incidents.claim_delivery(claim, CLAIM_LEASE_SECONDS):
            try:
                posted = client.chat_postMessage(channel=channel, **message)
                incidents.set_setting(panel_setting(incident_id), posted["ts"])
            except Exception:
                incidents.release_delivery(claim)  # the requeued event may post it
                raise
            incidents.complete_delivery(claim)
        else:
            ts = ts or _panel_ts(incidents, incident_id)
            if ts is None:
                log.warning("incident %s: no Statuspage message to update", incident_id)
                return
            client.chat_update(channel=channel, ts=ts, **message)
        # Another worker may have rendered an older state after ours: check, redo.
        incident = incidents.get_incident(incident_id)
        if _latest(incident) == link:
            return


def on_link_event(slack: Any, incidents: Any, payload: dict) -> None:
    """Called by the gateway for incident_link_added / incident_link_updated."""
    if (payload.get("link") or {}).get("kind") != "statuspage" or not slack.enabled:
        return
    refresh_panel(slack.client, incidents, payload["incident_id"], slack.config)
