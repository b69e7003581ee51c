from __future__ import annotations

import logging

from slack_bolt import Ack, App

from services.incidents.exceptions import IncidentError
from services.slack_gateway.blocks.declare_modal import declare_errors, read_declare_submission
from services.slack_gateway.ids import CallbackId

log = logging.getLogger(__name__)
UNAVAILABLE = ("The incident service did not answer, so nothing was declared. "
               "Please submit again in a moment.")


def register(app: App, deps) -> None:  # noqa: ANN001
    @app.view(CallbackId.DECLARE_MODAL.value)
    def declare_submitted(ack: Ack, body: dict, view: dict) -> None:
        fields = read_declare_submission(view["state"]["values"])
        if not fields["description"]:
            ack(**declare_errors("description", "Describe what is happening"))
            return
        declaration = {**fields, "reporter_id": body["user"]["id"], "source": "slack",
                       # One modal submission declares one incident, even if delivered twice.
                       "idempotency_key": f"slack-view:{view['id']}"}
        try:
            with deps.rpc.cluster() as rpc:
                incident = rpc.incidents.declare_incident(declaration)
        except IncidentError as exc:
            ack(**declare_errors(exc.field or "description", exc.message))
            return
        except Exception as exc:  # broker down, timeout: the user must hear it, not silence
            log.error("declare_incident failed: %r", exc)
            ack(**declare_errors("description", UNAVAILABLE))
            return
        log.info("incident %s declared by %s", incident["id"], body["user"]["id"])
        ack()
