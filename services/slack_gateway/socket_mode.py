"""Socket Mode: Slack traffic over a WebSocket the gateway opens (for installs behind a
firewall), through the same Bolt app and listeners as `POST /slack/events`.

Uses slack_sdk's websocket-client transport: measured on this stack (STACK-NOTES), the
built-in transport stalls on reconnects and spins after a dropped TCP connection.
"""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk import WebClient

log = logging.getLogger(__name__)


class SocketMode:
    def __init__(self, app: App, app_token: str, api_url: str):
        # apps.connections.open is called with the app-level token, against SLACK_API_URL.
        self.handler = SocketModeHandler(app, app_token=app_token,
                                         web_client=WebClient(base_url=api_url),
                                         logger=logging.getLogger("slack_sdk.socket_mode"))

    def start(self) -> None:
        self.handler.connect()
        log.info("Slack Socket Mode connected")

    def stop(self) -> None:
        self.handler.close()
