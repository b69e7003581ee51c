"""The timeline modal: open it, page through it, add and delete manual entries."""
from __future__ import annotations

import json
import logging
import re

from slack_bolt import Ack, App
from slack_sdk import WebClient

from services.incidents.exceptions import IncidentError
from services.slack_gateway.blocks.pickers import incident_picker_modal
from services.slack_gateway.blocks.timeline_modal import (
    last_page,
    page_slice,
    read_timeline_submission,
    timeline_errors,
    timeline_modal,
)
from services.slack_gateway.ids import (
    TIMELINE_PAGE_PATTERN,
    ActionId,
    BlockId,
    CallbackId,
)
from services.slack_gateway.listeners import ack_now
from services.slack_gateway.listeners.common import UNAVAILABLE, call, run_for_user, user_timezone

log = logging.getLogger(__name__)


def render_timeline(deps, incident_id: int, page: int | None, tz_name: str) -> dict:  # noqa: ANN001
    """The modal for one page (the last one when `page` is None), from current data."""
    incident = call(deps, "get_incident", incident_id)
    total = call(deps, "list_timeline", incident_id, limit=1)["total"]
    page = last_page(total) if page is None else page
    offset, limit = page_slice(page, total)
    entries = call(deps, "list_timeline", incident_id, limit=max(limit, 1), offset=offset)
    view = timeline_modal(incident, entries["items"], page=page, total=entries["total"],
                          config=deps.config, tz_name=tz_name)
    # Remember the user's zone so the submission reads the pickers in it.
    metadata = json.loads(view["private_metadata"])
    view["private_metadata"] = json.dumps({**metadata, "tz": tz_name})
    return view


def _metadata(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def open_timeline_modal(deps, client: WebClient, trigger_id: str, user_id: str,  # noqa: ANN001
                        incident: dict | None) -> None:
    if incident is None:
        listed = call(deps, "list_incidents", open_only=True, limit=100)["items"]
        view = incident_picker_modal(listed, action_id=ActionId.TIMELINE_INCIDENT,
                                     block_id=BlockId.TIMELINE_INCIDENT, title="Incident timeline")
    else:
        view = render_timeline(deps, incident["id"], None, user_timezone(client, user_id))
    client.views_open(trigger_id=trigger_id, view=view)


def register(app: App, deps) -> None:  # noqa: ANN001
    def shortcut(body: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        run_for_user(client, user, None,
                     lambda: open_timeline_modal(deps, client, body["trigger_id"], user, None))

    def update_view(body: dict, client: WebClient, incident_id: int, page: int | None) -> None:
        user = body["user"]["id"]
        view = run_for_user(client, user, None, lambda: render_timeline(
            deps, incident_id, page, _metadata(body["view"]).get("tz")
            or user_timezone(client, user)))
        if view:
            client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"),
                                view=view)

    def picked(body: dict, action: dict, client: WebClient) -> None:
        update_view(body, client, int(action["selected_option"]["value"]), None)

    def turn_page(body: dict, action: dict, client: WebClient) -> None:
        update_view(body, client, _metadata(body["view"])["incident_id"], int(action["value"]))

    def delete(body: dict, action: dict, client: WebClient) -> None:
        meta, user = _metadata(body["view"]), body["user"]["id"]
        done = run_for_user(client, user, None, lambda: call(
            deps, "delete_timeline_event", meta["incident_id"], int(action["value"]), user))
        if done:
            update_view(body, client, meta["incident_id"], meta.get("page"))

    def submitted(ack: Ack, body: dict, view: dict) -> None:
        entry = read_timeline_submission(view, _metadata(view).get("tz") or "UTC")
        if not entry["text"]:
            ack(**timeline_errors("Write what happened"))
            return
        try:
            call(deps, "add_timeline_event", entry["incident_id"], entry["text"], kind="manual",
                 actor_id=body["user"]["id"], occurred_at=entry["occurred_at"])
            refreshed = render_timeline(deps, entry["incident_id"], None,
                                        _metadata(view).get("tz") or "UTC")
        except IncidentError as exc:
            ack(**timeline_errors(exc.message))
            return
        except Exception:  # the user must learn the entry was not added
            log.exception("add_timeline_event failed")
            ack(**timeline_errors(UNAVAILABLE))
            return
        # Stay in the modal, showing the new entry on the last page.
        ack(response_action="update", view=refreshed)

    app.shortcut(CallbackId.TIMELINE_SHORTCUT.value)(ack=ack_now, lazy=[shortcut])
    app.action(ActionId.TIMELINE_INCIDENT.value)(ack=ack_now, lazy=[picked])
    app.action(re.compile(TIMELINE_PAGE_PATTERN))(ack=ack_now, lazy=[turn_page])
    app.action(ActionId.TIMELINE_DELETE.value)(ack=ack_now, lazy=[delete])
    app.view(CallbackId.TIMELINE_MODAL.value)(submitted)
