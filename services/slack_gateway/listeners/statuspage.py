"""Statuspage from Slack: the war room's "Create Statuspage incident" / "Update
Statuspage" buttons, `/incident statuspage`, and the modal's submission (-> statuspage
create_incident / update_incident). Only members of the configured user groups may
publish; the check runs before the modal opens and again on submission."""
from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.incidents.exceptions import IncidentError
from services.integrations.statuspage.exceptions import StatuspageError
from services.integrations.statuspage.logic import open_link
from services.slack_gateway.blocks.pagerduty import message_view
from services.slack_gateway.blocks.statuspage import (
    StatuspageId,
    not_permitted,
    read_statuspage_submission,
    statuspage_errors,
    statuspage_modal,
)
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.common import call, channel_of, run_for_user, tell_user
from services.slack_gateway.listeners.vendor_modals import open_for_incident, show_picked

log = logging.getLogger(__name__)
TITLE = "Statuspage"
USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
UNAVAILABLE = "The Statuspage service did not answer. Please try again."
# The gateway stops waiting before Slack's 3 s; the change may still be published.
NO_ANSWER = ("Statuspage did not answer in time. The change may still be published: check "
             "the war room's Statuspage message before trying again.")
NOT_SET_UP = ("Statuspage is not set up for incident-bot: ask an admin to set "
              "STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID.")


def statuspage_rpc(deps, method: str, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    """`statuspage.<method>(...)` over a pooled RPC proxy."""
    with deps.rpc.cluster() as rpc:
        return getattr(rpc.statuspage, method)(*args, **kwargs)


def usergroup_ids(client: WebClient, groups: list[str]) -> list[str]:
    """Config may name a group by id (S0123ABC) or by handle (incident-comms, @comms)."""
    ids = [g for g in groups if USERGROUP_ID.match(g)]
    handles = {g.lstrip("@") for g in groups if not USERGROUP_ID.match(g)}
    if handles:
        listed = client.usergroups_list()["usergroups"]
        ids += [group["id"] for group in listed if group.get("handle") in handles]
    return ids


def may_publish(client: WebClient, config, user_id: str) -> bool:  # noqa: ANN001
    groups = list(config.integrations.statuspage.permitted_usergroups)
    if not groups:
        return True
    for group_id in usergroup_ids(client, groups):
        try:
            if user_id in client.usergroups_users_list(usergroup=group_id)["users"]:
                return True
        except SlackApiError as exc:  # a deleted group: the others may still admit them
            log.warning("usergroups.users.list %s failed: %s", group_id,
                        exc.response.get("error"))
    return False


def statuspage_view(deps, incident: dict) -> dict:  # noqa: ANN001
    """The create or update modal for `incident`, or a view saying why there is none."""
    try:
        if not statuspage_rpc(deps, "get_status")["enabled"]:
            return message_view(TITLE, NOT_SET_UP)
        components = statuspage_rpc(deps, "list_components")
        return statuspage_modal(incident, components, open_link(incident.get("links") or []))
    except (StatuspageError, IncidentError) as exc:
        return message_view(TITLE, exc.message)
    except Exception:  # the bus or the service is down: say so in the modal
        log.exception("preparing the Statuspage modal failed")
        return message_view(TITLE, UNAVAILABLE)


def open_statuspage_modal(deps, client: WebClient, trigger_id: str, user_id: str,  # noqa: ANN001
                          incident: dict | None, channel_id: str | None = None) -> None:
    """Create or update, depending on whether the incident has an open Statuspage incident."""
    if not may_publish(client, deps.config, user_id):
        groups = list(deps.config.integrations.statuspage.permitted_usergroups)
        tell_user(client, user_id, not_permitted(groups),
                  channel_id or (incident or {}).get("channel_id"))
        return
    open_for_incident(deps, client, trigger_id, incident, TITLE,
                      (StatuspageId.PICK_INCIDENT, StatuspageId.PICK_BLOCK),
                      "Loading Statuspage components…", lambda i: statuspage_view(deps, i))


def register(app: App, deps) -> None:  # noqa: ANN001
    def from_button(body: dict, action: dict, client: WebClient) -> None:
        user, channel = body["user"]["id"], channel_of(body)

        def work() -> None:
            incident = call(deps, "get_incident", int(action["value"]))
            open_statuspage_modal(deps, client, body["trigger_id"], user, incident, channel)

        run_for_user(client, user, channel, work)

    def picked(body: dict, action: dict, client: WebClient) -> None:
        run_for_user(client, body["user"]["id"], None, lambda: show_picked(
            deps, client, body, action, lambda i: statuspage_view(deps, i)))

    def submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        try:
            incident = call(deps, "get_incident", read_statuspage_submission(view)["incident_id"])
            if not may_publish(client, deps.config, user):
                groups = list(deps.config.integrations.statuspage.permitted_usergroups)
                ack(**statuspage_errors(not_permitted(groups)))
                return
            before = (open_link(incident.get("links") or []) or {}).get("data") or {}
            form = read_statuspage_submission(view, before.get("components"))
            problem = _missing(form)
            if problem:
                ack(**statuspage_errors(problem[1], problem[0], form["mode"]))
                return
            if form["mode"] == "create":
                statuspage_rpc(deps, "create_incident", form["incident_id"], form["name"],
                               form["message"], form["status"], form["components"], user)
            else:
                statuspage_rpc(deps, "update_incident", form["incident_id"], form["status"],
                               form["message"], form["components"], user)
        except (StatuspageError, IncidentError) as exc:
            ack(**statuspage_errors(exc.message, exc.field,
                                    read_statuspage_submission(view)["mode"]))
            return
        except Exception:  # the user must learn nothing was published
            log.exception("publishing to Statuspage failed")
            ack(**statuspage_errors(NO_ANSWER))
            return
        ack()

    app.action(StatuspageId.OPEN.value)(ack=ack_now, lazy=[from_button])
    app.action(StatuspageId.PICK_INCIDENT.value)(ack=ack_now, lazy=[picked])
    app.view(StatuspageId.MODAL.value)(submitted)


def _missing(form: dict) -> tuple[str, str] | None:
    if form["mode"] == "create" and not form["name"]:
        return "name", "Give the Statuspage incident a name"
    if not form["message"]:
        return "message", "Write what customers will read"
    if not form["status"]:
        return "status", "Choose a status"
    return None
