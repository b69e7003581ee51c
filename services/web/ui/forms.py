"""The incident page's forms. Each posts, changes through `actions`, and redirects back
(post/redirect/get); a refused change comes back as a message on the page."""
from __future__ import annotations

import functools
from typing import Callable

from flask import flash, redirect, request, url_for

from services.web import actions, inputs
from services.web.errors import Conflict, InvalidRequest, NotFound, Unavailable, UpstreamFailed
from services.web.security import principal, requires
from services.web.ui import ui

REFUSALS = (InvalidRequest, NotFound, Conflict, Unavailable, UpstreamFailed)


def incident_form(view: Callable) -> Callable:
    """Responder-only; errors become a flash message; always back to the incident."""

    @functools.wraps(view)
    def wrapper(incident_id: int, **kwargs):  # noqa: ANN003, ANN202
        try:
            message = view(incident_id, **kwargs)
            if message:
                flash(message)
        except REFUSALS as exc:
            flash(exc.message, "error")
        anchor = request.form.get("anchor") or None
        return redirect(url_for("ui.incident", incident_id=incident_id, _anchor=anchor))

    return requires("responder")(wrapper)


def _field(name: str, limit: int, required: bool = False) -> str | None:
    return inputs.text(request.form.get(name), name, limit, required=required)


@ui.post("/incidents/<id:incident_id>/details")
@incident_form
def change_details(incident_id: int) -> str:
    changes = {"description": _field("description", 500, required=True),
               "severity": request.form.get("severity"), "status": request.form.get("status")}
    actions.change_incident(principal(), incident_id,
                            {k: v for k, v in changes.items() if v is not None})
    return "Incident updated."


@ui.post("/incidents/<id:incident_id>/roles")
@incident_form
def assign_role(incident_id: int) -> str:
    role = request.form.get("role", "")
    user_id = (_field("user_id", 40, required=True) or "").strip().lstrip("@")
    actions.assign_role(principal(), incident_id, role, user_id)
    return "Role assigned."


@ui.post("/incidents/<id:incident_id>/updates")
@incident_form
def post_update(incident_id: int) -> str:
    actions.post_status_update(principal(), incident_id, _field("text", 3000, required=True),
                               _field("impacted", 500))
    return "Status update posted."


@ui.post("/incidents/<id:incident_id>/timeline")
@incident_form
def add_timeline_entry(incident_id: int) -> str:
    actions.add_timeline_entry(principal(), incident_id, _field("text", 3000, required=True),
                               inputs.moment(request.form.get("occurred_at"), "occurred_at"))
    return "Timeline entry added."


@ui.post("/incidents/<id:incident_id>/timeline/<id:entry_id>/edit")
@incident_form
def edit_timeline_entry(incident_id: int, entry_id: int) -> str:
    actions.edit_timeline_entry(principal(), incident_id, entry_id,
                                _field("text", 3000, required=True),
                                inputs.moment(request.form.get("occurred_at"), "occurred_at"))
    return "Timeline entry changed."


@ui.post("/incidents/<id:incident_id>/timeline/<id:entry_id>/delete")
@incident_form
def delete_timeline_entry(incident_id: int, entry_id: int) -> str:
    actions.delete_timeline_entry(principal(), incident_id, entry_id)
    return "Timeline entry deleted."


@ui.post("/incidents/<id:incident_id>/pinned/<id:item_id>/delete")
@incident_form
def delete_pinned_item(incident_id: int, item_id: int) -> str:
    actions.delete_pinned_item(principal(), incident_id, item_id)
    return "Pinned item deleted."
