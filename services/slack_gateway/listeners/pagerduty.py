"""Paging from Slack: the "Page a team" shortcut (with an incident picker), the control
panel's button, `/incident page`, and the page modal's submission (-> pagerduty.page_team)."""
from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient

from services.incidents.exceptions import IncidentError
from services.integrations.pagerduty.exceptions import PagerDutyError
from services.slack_gateway.blocks.pagerduty import (
    PagerDutyId,
    message_view,
    page_errors,
    page_modal,
    paged_view,
    read_page_submission,
)
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.common import call, channel_of, run_for_user
from services.slack_gateway.listeners.vendor_modals import open_for_incident, show_picked

log = logging.getLogger(__name__)
TITLE = "Page a team"
UNAVAILABLE = "The PagerDuty service did not answer. Please try again."
# Slack wants the answer to a submission within 3 s, so the gateway stops waiting first;
# the page may still go through (paging again is harmless: PagerDuty keeps one page).
NO_ANSWER = ("PagerDuty did not answer in time. The page may still go through: check the "
             "war room before paging again.")
NOT_SET_UP = ("PagerDuty is not set up for incident-bot: ask an admin to set "
              "PAGERDUTY_API_TOKEN and PAGERDUTY_FROM_EMAIL.")


def pagerduty_rpc(deps, method: str, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    """`pagerduty.<method>(...)` over a pooled RPC proxy."""
    with deps.rpc.cluster() as rpc:
        return getattr(rpc.pagerduty, method)(*args, **kwargs)


def page_view(deps, incident: dict) -> dict:  # noqa: ANN001
    """The page modal for `incident`, or a view saying why there is none."""
    try:
        if not pagerduty_rpc(deps, "get_status")["enabled"]:
            return message_view(TITLE, NOT_SET_UP)
        return page_modal(incident, pagerduty_rpc(deps, "list_services"))
    except (PagerDutyError, IncidentError) as exc:
        return message_view(TITLE, exc.message)
    except Exception:  # the bus or the service is down: say so in the modal
        log.exception("listing PagerDuty services failed")
        return message_view(TITLE, UNAVAILABLE)


def open_page_modal(deps, client: WebClient, trigger_id: str, incident: dict | None) -> None:  # noqa: ANN001
    """For one incident, or with a list to choose from when used outside a war room."""
    open_for_incident(deps, client, trigger_id, incident, TITLE,
                      (PagerDutyId.PICK_INCIDENT, PagerDutyId.PICK_BLOCK),
                      "Loading PagerDuty services…", lambda i: page_view(deps, i))


def register(app: App, deps) -> None:  # noqa: ANN001
    def from_shortcut(body: dict, client: WebClient) -> None:
        run_for_user(client, body["user"]["id"], None,
                     lambda: open_page_modal(deps, client, body["trigger_id"], None))

    def from_panel(body: dict, action: dict, client: WebClient) -> None:
        def work() -> None:
            incident = call(deps, "get_incident", int(action["value"]))
            open_page_modal(deps, client, body["trigger_id"], incident)

        run_for_user(client, body["user"]["id"], channel_of(body), work)

    def picked(body: dict, action: dict, client: WebClient) -> None:
        run_for_user(client, body["user"]["id"], None, lambda: show_picked(
            deps, client, body, action, lambda i: page_view(deps, i)))

    def submitted(ack: Ack, body: dict, view: dict) -> None:
        page = read_page_submission(view)
        if not page["service_id"]:
            ack(**page_errors("Choose the service to page"))
            return
        try:
            link = pagerduty_rpc(deps, "page_team", page["incident_id"], page["service_id"],
                                 page["urgency"], body["user"]["id"], page["note"])
        except (PagerDutyError, IncidentError) as exc:
            ack(**page_errors(exc.message, exc.field))
            return
        except Exception:  # the user must learn nobody was paged
            log.exception("page_team failed")
            ack(**page_errors(NO_ANSWER))
            return
        if link.get("already_paged"):
            ack(response_action="update", view=paged_view(link))
            return
        ack()

    app.shortcut(PagerDutyId.PAGE_SHORTCUT.value)(ack=ack_now, lazy=[from_shortcut])
    app.action(PagerDutyId.PAGE_BUTTON.value)(ack=ack_now, lazy=[from_panel])
    app.action(PagerDutyId.PICK_INCIDENT.value)(ack=ack_now, lazy=[picked])
    app.view(PagerDutyId.PAGE_MODAL.value)(submitted)
