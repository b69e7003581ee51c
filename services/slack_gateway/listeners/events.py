from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from services.slack_gateway.blocks.app_home import render_app_home
from services.slack_gateway.listeners import ack_now


def register(app: App, deps) -> None:  # noqa: ANN001
    def publish_home(event: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        count = deps.config.slack.app_home_incident_count
        with deps.rpc.cluster() as rpc:
            page = rpc.incidents.list_incidents(open_only=True, limit=count)
        client.views_publish(user_id=event["user"],
                             view=render_app_home(page["items"], deps.config))

    app.event("app_home_opened")(ack=ack_now, lazy=[publish_home])
