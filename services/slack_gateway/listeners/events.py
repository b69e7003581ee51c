from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from services.slack_gateway.blocks.app_home import render_app_home
from services.slack_gateway.blocks.digest import render_digest_suggestion
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.common import call


def register(app: App, deps) -> None:  # noqa: ANN001
    def publish_home(event: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        count = deps.config.slack.app_home_incident_count
        page = call(deps, "list_incidents", open_only=True, limit=count)
        client.views_publish(user_id=event["user"],
                             view=render_app_home(page["items"], deps.config))

    def suggest_declaring(event: dict, client: WebClient) -> None:
        """A person's top-level message in the digest channel may be an undeclared
        incident: answer once in its thread with a Declare button."""
        if not deps.config.slack.digest_suggestions:
            return
        if (event.get("subtype") or event.get("bot_id") or event.get("thread_ts")
                or not event.get("user")):
            return
        if event.get("channel") != deps.digest.resolve():
            return
        if call(deps, "claim_delivery", f"digest-suggestion:{event['channel']}:{event['ts']}"):
            client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"],
                                    **render_digest_suggestion())

    app.event("app_home_opened")(ack=ack_now, lazy=[publish_home])
    app.event("message")(ack=ack_now, lazy=[suggest_declaring])
