"""Everything that is not one incident: who am I, configuration, dashboard, on-call and
auto-page teams (PagerDuty), users and API tokens (admins), health."""
from __future__ import annotations

from flask import Response, current_app, jsonify, request

from services.web import accounts, actions, audit, inputs, oncall, tokens
from services.web.api import api
from services.web.errors import WebError
from services.web.security import principal, requires


def _web():  # noqa: ANN202
    return current_app.extensions["web"]


def _created(body: dict) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


@api.get("/health")
def health():  # noqa: ANN201
    try:
        _web().backend.incidents("get_setting", "web.ready")
        incidents = "ok"
    except WebError:
        incidents = "unavailable"
    return jsonify(status="ok", incidents=incidents)


@api.get("/me")
@requires("viewer")
def me():  # noqa: ANN201
    return jsonify(principal().to_dict())


@api.get("/config")
@requires("viewer")
def configuration():  # noqa: ANN201
    config = _web().config
    return jsonify({
        "roles": [{"name": n, "description": d} for n, d in config.roles.items()],
        "severities": [{"name": n, "description": d} for n, d in config.severities.items()],
        "statuses": list(config.statuses), "final_status": config.final_status,
        "default_severity": config.default_severity})


@api.get("/dashboard")
@requires("viewer")
def dashboard():  # noqa: ANN201
    days = inputs.whole_number(request.args.get("window_days"), "window_days", 90, 1, 3660)
    return jsonify(_web().backend.incidents("get_dashboard", days))


@api.get("/oncall")
@requires("viewer")
def oncalls():  # noqa: ANN201
    return jsonify({"items": oncall.oncall_groups(_web().backend.pagerduty("list_oncalls"))})


@api.get("/pagerduty/services")
@requires("viewer")
def pagerduty_services():  # noqa: ANN201
    return jsonify({"items": oncall.services(_web().backend.pagerduty("list_services"))})


@api.get("/settings/auto-page-services")
@requires("viewer")
def get_auto_page_services():  # noqa: ANN201
    ids = oncall.service_ids(_web().backend.pagerduty("get_auto_page_services"))
    return jsonify({"service_ids": ids})


@api.put("/settings/auto-page-services")
@requires("admin", people_only=True)
def set_auto_page_services():  # noqa: ANN201
    body = inputs.json_body(("service_ids",), ("service_ids",))
    ids = actions.set_auto_page_services(principal(), body["service_ids"])
    return jsonify({"service_ids": oncall.service_ids(ids)})


@api.get("/users")
@requires("admin", people_only=True)
def list_users():  # noqa: ANN201
    with _web().db.transaction() as session:
        return jsonify({"items": [accounts.user_to_dict(u) for u in accounts.list_users(session)]})


@api.post("/users")
@requires("admin", people_only=True)
def create_user():  # noqa: ANN201
    body = inputs.json_body(("email", "name", "role", "password"), ("email", "role", "password"))
    with _web().db.transaction() as session:
        user = accounts.create_user(session, body["email"], body.get("name"), body["role"],
                                    body["password"])
        audit.record(session, principal().actor_id, "user.created", f"web:{user.id}",
                     request.remote_addr, role=user.role)
        return _created(accounts.user_to_dict(user))


@api.get("/users/<id:user_id>")
@requires("admin", people_only=True)
def get_user(user_id: int):  # noqa: ANN201
    with _web().db.transaction() as session:
        return jsonify(accounts.user_to_dict(accounts.get_user(session, user_id)))


@api.patch("/users/<id:user_id>")
@requires("admin", people_only=True)
def change_user(user_id: int):  # noqa: ANN201
    body = inputs.json_body(("name", "role", "active", "password"))
    with _web().db.transaction() as session:
        user = accounts.update_user(session, user_id, body)
        audit.record(session, principal().actor_id, "user.changed", f"web:{user.id}",
                     request.remote_addr, fields=sorted(body))
        return jsonify(accounts.user_to_dict(user))


@api.get("/tokens")
@requires("admin", people_only=True)
def list_tokens():  # noqa: ANN201
    with _web().db.transaction() as session:
        return jsonify({"items": [tokens.token_to_dict(t) for t in tokens.list_tokens(session)]})


@api.post("/tokens")
@requires("admin", people_only=True)
def create_token():  # noqa: ANN201
    body = inputs.json_body(("name", "scope"), ("name", "scope"))
    with _web().db.transaction() as session:
        token, secret = tokens.create_token(session, body["name"], body["scope"],
                                            principal().id)
        audit.record(session, principal().actor_id, "token.created", f"web:token-{token.id}",
                     request.remote_addr, scope=token.scope)
        # The only time the secret leaves the server.
        return _created({**tokens.token_to_dict(token), "token": secret})


@api.delete("/tokens/<id:token_id>")
@requires("admin", people_only=True)
def revoke_token(token_id: int):  # noqa: ANN201
    with _web().db.transaction() as session:
        tokens.revoke_token(session, token_id)
        audit.record(session, principal().actor_id, "token.revoked", f"web:token-{token_id}",
                     request.remote_addr)
    return Response(status=204)


@api.get("/audit")
@requires("admin", people_only=True)
def audit_log():  # noqa: ANN201
    limit = inputs.whole_number(request.args.get("limit"), "limit", 100, 1, 500)
    with _web().db.transaction() as session:
        return jsonify({"items": audit.recent(session, limit)})
