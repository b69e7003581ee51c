"""An incident's records: timeline, status updates, pinned messages and images."""
from __future__ import annotations

from flask import Response, current_app, jsonify, request

from services.web import actions, inputs
from services.web.api import api
from services.web.pinned import content_response
from services.web.security import principal, requires
from services.web.visibility import require_visible


def _web():  # noqa: ANN202
    return current_app.extensions["web"]


def _visible(incident_id: int, **calls: tuple) -> dict:
    """Read the incident with the other calls, concurrently; refuse what is private."""
    found = _web().backend.parallel(incident=("get_incident", incident_id), **calls)
    require_visible(found["incident"], principal())
    return found


def _created(body: dict) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


@api.get("/incidents/<id:incident_id>/timeline")
@requires("viewer")
def list_timeline(incident_id: int):  # noqa: ANN201
    limit = inputs.whole_number(request.args.get("limit"), "limit", 100, 1, 200)
    offset = inputs.whole_number(request.args.get("offset"), "offset", 0, 0, 2**31 - 1)
    return jsonify(_visible(incident_id, page=("list_timeline", incident_id, limit,
                                               offset))["page"])


@api.post("/incidents/<id:incident_id>/timeline")
@requires("responder")
def add_timeline_entry(incident_id: int):  # noqa: ANN201
    body = inputs.json_body(("text", "occurred_at"), ("text",))
    occurred_at = inputs.moment(body.get("occurred_at"), "occurred_at")
    return _created(actions.add_timeline_entry(principal(), incident_id, body["text"],
                                               occurred_at))


@api.patch("/incidents/<id:incident_id>/timeline/<id:entry_id>")
@requires("responder")
def edit_timeline_entry(incident_id: int, entry_id: int):  # noqa: ANN201
    body = inputs.json_body(("text", "occurred_at"))
    occurred_at = inputs.moment(body.get("occurred_at"), "occurred_at")
    return jsonify(actions.edit_timeline_entry(principal(), incident_id, entry_id,
                                               body.get("text"), occurred_at))


@api.delete("/incidents/<id:incident_id>/timeline/<id:entry_id>")
@requires("responder")
def delete_timeline_entry(incident_id: int, entry_id: int):  # noqa: ANN201
    actions.delete_timeline_entry(principal(), incident_id, entry_id)
    return Response(status=204)


@api.get("/incidents/<id:incident_id>/status-updates")
@requires("viewer")
def list_status_updates(incident_id: int):  # noqa: ANN201
    found = _visible(incident_id, updates=("list_status_updates", incident_id))
    return jsonify({"items": found["updates"]})


@api.post("/incidents/<id:incident_id>/status-updates")
@requires("responder")
def post_status_update(incident_id: int):  # noqa: ANN201
    body = inputs.json_body(("text", "impacted"), ("text",))
    return _created(actions.post_status_update(principal(), incident_id, body["text"],
                                               body.get("impacted")))


@api.get("/incidents/<id:incident_id>/pinned-items")
@requires("viewer")
def list_pinned_items(incident_id: int):  # noqa: ANN201
    found = _visible(incident_id, items=("list_pinned_items", incident_id))
    return jsonify({"items": found["items"]})


@api.get("/incidents/<id:incident_id>/pinned-items/<id:item_id>")
@requires("viewer")
def get_pinned_item(incident_id: int, item_id: int):  # noqa: ANN201
    found = _visible(incident_id, item=("get_pinned_item", incident_id, item_id, False))
    return jsonify(found["item"])


@api.get("/incidents/<id:incident_id>/pinned-items/<id:item_id>/content")
@requires("viewer")
def get_pinned_content(incident_id: int, item_id: int):  # noqa: ANN201
    found = _visible(incident_id, item=("get_pinned_item", incident_id, item_id, True))
    return content_response(found["item"])


@api.delete("/incidents/<id:incident_id>/pinned-items/<id:item_id>")
@requires("responder")
def delete_pinned_item(incident_id: int, item_id: int):  # noqa: ANN201
    actions.delete_pinned_item(principal(), incident_id, item_id)
    return Response(status=204)
