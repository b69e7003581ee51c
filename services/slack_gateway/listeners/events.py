from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from services.slack_gateway.blocks.app_home import render_app_home


def register(app: App, deps) -> None:  # noqa: ANN001
    @app.event("app_home_opened")
    def app_home_opened(event: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        count = deps.config.slack.app_home_incident_count
        with deps.rpc.cluster() as rpc:
            page = rpc.incidents.list_incidents(open_only=True, limit=count)
        client.views_publish(user_id=event["user"], view=render_app_home(page["items"], deps.config))
