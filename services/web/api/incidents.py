"""Incidents: list with filters, read, declare, change, assign roles."""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for

from services.web import actions, inputs
from services.web.api import api
from services.web.security import principal, requires
from services.web.visibility import redact, redact_page

MAX_OFFSET = 2**31 - 1


def _web():  # noqa: ANN202
    return current_app.extensions["web"]


def list_filters(args) -> dict:  # noqa: ANN001
    """Filters from query arguments (shared with the incident list page)."""
    config = _web().config
    return {
        "status": inputs.choice(args.get("status"), "status", list(config.statuses)),
        "severity": inputs.choice(args.get("severity"), "severity", config.severity_names()),
        "query": inputs.text(args.get("q"), "q", 200),
        "declared_from": inputs.moment(args.get("declared_from"), "declared_from"),
        "declared_to": inputs.moment(args.get("declared_to"), "declared_to"),
        "open_only": bool(inputs.flag(args.get("open"), "open")),
    }


@api.get("/incidents")
@requires("viewer")
def list_incidents():  # noqa: ANN201
    args = request.args
    page = _web().backend.incidents(
        "list_incidents", **list_filters(args),
        limit=inputs.whole_number(args.get("limit"), "limit", 50, 1, 200),
        offset=inputs.whole_number(args.get("offset"), "offset", 0, 0, MAX_OFFSET))
    return jsonify(redact_page(page, principal()))


@api.post("/incidents")
@requires("responder")
def declare_incident():  # noqa: ANN201
    body = inputs.json_body(("description", "severity", "is_private", "idempotency_key"),
                            ("description",))
    incident = actions.declare(principal(), body)
    response = jsonify(incident)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_incident", incident_id=incident["id"])
    return response


@api.get("/incidents/<id:incident_id>")
@requires("viewer")
def get_incident(incident_id: int):  # noqa: ANN201
    return jsonify(redact(_web().backend.incidents("get_incident", incident_id), principal()))


@api.patch("/incidents/<id:incident_id>")
@requires("responder")
def change_incident(incident_id: int):  # noqa: ANN201
    body = inputs.json_body(actions.INCIDENT_FIELDS)
    return jsonify(actions.change_incident(principal(), incident_id, body))


@api.put("/incidents/<id:incident_id>/roles/<role>")
@requires("responder")
def assign_role(incident_id: int, role: str):  # noqa: ANN201
    body = inputs.json_body(("user_id",), ("user_id",))
    return jsonify(actions.assign_role(principal(), incident_id, role, body["user_id"]))
