"""Status updates: the shortcut, the picker, and the modal's submission."""
from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient

from services.incidents.exceptions import IncidentError
from services.slack_gateway.blocks.update_modal import read_update_submission, update_modal
from services.slack_gateway.ids import ActionId, BlockId, CallbackId
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.common import UNAVAILABLE, call, run_for_user

log = logging.getLogger(__name__)


def open_update_modal(deps, client: WebClient, trigger_id: str, incident: dict | None) -> None:  # noqa: ANN001
    """For one incident, or with a list to choose from when used outside a war room."""
    listed = [] if incident else call(deps, "list_incidents", open_only=True, limit=100)["items"]
    client.views_open(trigger_id=trigger_id,
                      view=update_modal(deps.config, incident=incident, open_incidents=listed))


def register(app: App, deps) -> None:  # noqa: ANN001
    def shortcut(body: dict, client: WebClient) -> None:
        run_for_user(client, body["user"]["id"], None,
                     lambda: open_update_modal(deps, client, body["trigger_id"], None))

    def submitted(ack: Ack, body: dict, view: dict) -> None:
        update = read_update_submission(view)
        if update["incident_id"] is None:
            ack(response_action="errors",
                errors={BlockId.UPDATE_INCIDENT.value: "Choose the incident"})
            return
        if not update["text"]:
            ack(response_action="errors",
                errors={BlockId.UPDATE_MESSAGE.value: "Write what changed"})
            return
        try:
            call(deps, "post_status_update", update["incident_id"], update["text"],
                 update["impacted"], body["user"]["id"])
        except IncidentError as exc:
            block = BlockId.UPDATE_IMPACTED if exc.field == "impacted" else BlockId.UPDATE_MESSAGE
            ack(response_action="errors", errors={block.value: exc.message[:2000]})
            return
        except Exception:  # the user must learn the update was not posted
            log.exception("post_status_update failed")
            ack(response_action="errors", errors={BlockId.UPDATE_MESSAGE.value: UNAVAILABLE})
            return
        ack()

    app.shortcut(CallbackId.UPDATE_SHORTCUT.value)(ack=ack_now, lazy=[shortcut])
    app.view(CallbackId.UPDATE_MODAL.value)(submitted)
    # Picking the incident in the modal needs no round trip; Slack still sends it.
    app.action(ActionId.UPDATE_INCIDENT.value)(ack_now)
