"""Pages that show incidents: dashboard, list, one incident, the declare form."""
from __future__ import annotations

import math

from flask import current_app, g, redirect, render_template, request, url_for

from services.web import actions, inputs
from services.web.api.incidents import list_filters
from services.web.errors import InvalidRequest
from services.web.pinned import content_response
from services.web.security import principal, requires
from services.web.ui import ui
from services.web.ui.charts import time_to_resolve_chart
from services.web.visibility import redact, redact_page, require_visible

PER_PAGE = 50
TIMELINE_PAGE = 100


def _web():  # noqa: ANN202
    return current_app.extensions["web"]


@ui.before_request
def note_live_counter() -> None:
    """The live-update counter as the request starts, before any data is read: a change
    heard while the page is being built is then newer than the page says it is, so the
    browser's live stream, on connecting, sees it missed something and refreshes."""
    g.live_since = _web().hub.last_id


def render(template: str, **context):  # noqa: ANN003, ANN201
    """Every page carries the live-update counter its data is at least as new as."""
    return render_template(template, live_since=g.get("live_since", 0), **context)


@ui.get("/")
@requires("viewer")
def dashboard():  # noqa: ANN201
    stats = _web().backend.incidents("get_dashboard", 90)
    stats["oldest_open"] = [redact(i, principal()) for i in stats["oldest_open"]]
    return render("dashboard.html", stats=stats,
                  chart=time_to_resolve_chart(stats["time_to_resolve"]))


@ui.get("/incidents")
@requires("viewer")
def incidents():  # noqa: ANN201
    args = request.args
    page_number = inputs.whole_number(args.get("page"), "page", 1, 1, 10**6)
    try:
        filters = list_filters(args)
        page = _web().backend.incidents("list_incidents", **filters, limit=PER_PAGE,
                                        offset=(page_number - 1) * PER_PAGE)
        error = None
    except InvalidRequest as exc:
        page, error = {"items": [], "total": 0}, exc.message
    pages = max(1, math.ceil(page["total"] / PER_PAGE))
    return render("incidents.html", page=redact_page(page, principal()), error=error,
                  page_number=page_number, pages=pages, args=args)


@ui.get("/incidents/<id:incident_id>")
@requires("viewer")
def incident(incident_id: int):  # noqa: ANN201
    """By default the timeline's last (newest) page; `timeline_page` picks another."""
    requested = inputs.whole_number(request.args.get("timeline_page"), "timeline_page", 0, 0,
                                    10**6)
    page_call = ("list_timeline", incident_id, TIMELINE_PAGE,
                 (max(requested, 1) - 1) * TIMELINE_PAGE, not requested)
    found = _web().backend.parallel(
        incident=("get_incident", incident_id), timeline=page_call,
        updates=("list_status_updates", incident_id),
        pinned=("list_pinned_items", incident_id))
    require_visible(found["incident"], principal())
    timeline = found["timeline"]
    pages = max(1, math.ceil(timeline["total"] / TIMELINE_PAGE))
    if requested > pages:  # past the end: show the last page
        timeline = _web().backend.incidents("list_timeline", incident_id, TIMELINE_PAGE, 0,
                                            True)
    return render("incident.html", incident=found["incident"], timeline=timeline,
                  timeline_page=timeline["offset"] // TIMELINE_PAGE + 1, timeline_pages=pages,
                  updates=found["updates"], pinned=found["pinned"])


@ui.get("/incidents/<id:incident_id>/pinned/<id:item_id>/content")
@requires("viewer")
def pinned_content(incident_id: int, item_id: int):  # noqa: ANN201
    found = _web().backend.parallel(incident=("get_incident", incident_id),
                                    item=("get_pinned_item", incident_id, item_id, True))
    require_visible(found["incident"], principal())
    return content_response(found["item"])


@ui.get("/incidents/new")
@requires("responder")
def declare_form():  # noqa: ANN201
    return render("declare.html", values={})


@ui.post("/incidents")
@requires("responder")
def declare():  # noqa: ANN201
    form = request.form
    try:
        fields = {"description": inputs.text(form.get("description"), "description", 500),
                  "severity": form.get("severity") or None,
                  "is_private": form.get("is_private") == "on"}
        created = actions.declare(principal(), fields)
    except InvalidRequest as exc:
        return render("declare.html", values=form, error=exc.message), 400
    return redirect(url_for("ui.incident", incident_id=created["id"]))
