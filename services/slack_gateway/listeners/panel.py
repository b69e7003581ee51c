"""The pinned control panel: status, severity, roles, provide update, archive."""
from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from services.slack_gateway.blocks.control_panel import role_from_action
from services.slack_gateway.blocks.update_modal import update_modal
from services.slack_gateway.ids import ActionId
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.common import (
    call,
    channel_of,
    incident_in_channel,
    run_for_user,
    tell_user,
)


def register(app: App, deps) -> None:  # noqa: ANN001
    def in_channel(body: dict, client: WebClient, work) -> None:  # noqa: ANN001
        """Run `work(incident)` for the incident of the panel's channel."""
        user, channel = body["user"]["id"], channel_of(body)

        def act():  # noqa: ANN202
            incident = incident_in_channel(deps, channel)
            if incident is None:
                tell_user(client, user, "This is not an incident channel any more.", channel)
                return None
            return work(incident, user)

        run_for_user(client, user, channel, act)

    def change_status(body: dict, action: dict, client: WebClient) -> None:
        value = action["selected_option"]["value"]
        in_channel(body, client, lambda i, u: call(deps, "change_status", i["id"], value, u))

    def change_severity(body: dict, action: dict, client: WebClient) -> None:
        value = action["selected_option"]["value"]
        in_channel(body, client, lambda i, u: call(deps, "change_severity", i["id"], value, u))

    def assign(body: dict, action: dict, client: WebClient) -> None:
        role = role_from_action(body, action)
        if role is None:
            tell_user(client, body["user"]["id"], "Pick a role first.", channel_of(body))
            return
        claim = action["action_id"] == ActionId.ROLE_CLAIM
        target = body["user"]["id"] if claim else action.get("selected_user")
        if not target:
            return
        in_channel(body, client,
                   lambda i, u: call(deps, "assign_role", i["id"], role, target, u))

    def open_update(body: dict, action: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        run_for_user(client, user, channel_of(body), lambda: client.views_open(
            trigger_id=body["trigger_id"], view=update_modal(
                deps.config, incident=call(deps, "get_incident", int(action["value"])))))

    def archive(body: dict, client: WebClient) -> None:
        def work(incident: dict, user: str) -> None:
            if not deps.config.is_final(incident["status"]):
                tell_user(client, user, "Resolve the incident before archiving its channel.",
                          incident["channel_id"])
                return
            client.conversations_archive(channel=incident["channel_id"])

        in_channel(body, client, work)

    def snooze(body: dict, action: dict, client: WebClient) -> None:
        minutes = int(action["selected_option"]["value"])

        def work(incident: dict, user: str) -> None:
            call(deps, "snooze_reminders", incident["id"], minutes, user)
            tell_user(client, user, f"Update reminders snoozed for {minutes} minutes.",
                      incident["channel_id"])

        in_channel(body, client, work)

    app.action(ActionId.SNOOZE_REMINDERS.value)(ack=ack_now, lazy=[snooze])
    app.action(ActionId.STATUS_SELECT.value)(ack=ack_now, lazy=[change_status])
    app.action(ActionId.SEVERITY_SELECT.value)(ack=ack_now, lazy=[change_severity])
    app.action(ActionId.ROLE_CLAIM.value)(ack=ack_now, lazy=[assign])
    app.action(ActionId.ROLE_ASSIGN.value)(ack=ack_now, lazy=[assign])
    app.action(ActionId.ROLE_PICK.value)(ack_now)  # only remembered in the message state
    app.action(ActionId.PROVIDE_UPDATE.value)(ack=ack_now, lazy=[open_update])
    app.action(ActionId.ARCHIVE_CHANNEL.value)(ack=ack_now, lazy=[archive])
