"""The OpenAPI 3.1 document of /api/v1, written as data next to the routes (a test checks
that every route is in it and everything in it is a route)."""
from __future__ import annotations

from flask import jsonify

from services.web.api import api
from services.web.api.schemas import SCHEMAS, ref

ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
MESSAGES = {200: "OK", 201: "Created", 204: "Done, nothing to return",
            400: "Bad input (the message names the field)", 401: "No or bad credentials",
            403: "Not allowed for this role or token", 404: "Not found",
            409: "Conflicts with the current state", 503: "A service is not available"}
WRITE = (400, 401, 403, 404)
READ = (400, 401, 403, 404)


def path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def operation(op_id: str, summary: str, role: str | None, ok: int, body: str | None = None,
              result: str | None = None, errors: tuple = READ, params: list | None = None,
              content_type: str = "application/json") -> dict:
    responses = {}
    if ok == 204:
        responses["204"] = {"description": MESSAGES[204]}
    elif content_type != "application/json":
        responses[str(ok)] = {"description": MESSAGES[ok], "content": {
            content_type: {"schema": {"type": "string", "format": "binary"}}}}
    else:
        responses[str(ok)] = {"description": MESSAGES[ok],
                              "content": {"application/json": {"schema": ref(result)}}}
    for status in errors:
        responses[str(status)] = {"description": MESSAGES[status],
                                  "content": {"application/json": {"schema": ref("Error")}}}
    spec = {"operationId": op_id, "summary": summary, "responses": responses,
            "parameters": params or []}
    if role is None:
        spec["security"] = []
    else:
        spec["x-required-role"] = role
    if body:
        spec["requestBody"] = {"required": True,
                               "content": {"application/json": {"schema": ref(body)}}}
    return spec


INCIDENT = [path_param("incident_id")]
ENTRY = [*INCIDENT, path_param("entry_id")]
ITEM = [*INCIDENT, path_param("item_id")]
PAGE = [query("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
        query("offset", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1})]
FILTERS = [
    query("status", {"type": "string"}, "one of the configured statuses"),
    query("severity", {"type": "string"}, "one of the configured severities"),
    query("q", {"type": "string", "maxLength": 200}, "text in the description"),
    query("declared_from", {"type": "string", "format": "date-time"}, "inclusive"),
    query("declared_to", {"type": "string", "format": "date-time"}, "exclusive"),
    query("open", {"type": "boolean"}, "only incidents that are not resolved"),
    *PAGE]
PD = (401, 403, 503)

PATHS = {
    "/health": {"get": operation("health", "Is the web up, does incidents answer", None, 200,
                                 result="Health", errors=())},
    "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                              "security": [], "parameters": [], "responses": {
                                  "200": {"description": "OpenAPI 3.1",
                                          "content": {"application/json": {
                                              "schema": {"type": "object"}}}}}}},
    "/me": {"get": operation("me", "Who is calling", "viewer", 200, result="Principal",
                             errors=(401,))},
    "/config": {"get": operation("get_config", "Roles, severities and statuses", "viewer", 200,
                                 result="Config", errors=(401,))},
    "/dashboard": {"get": operation(
        "get_dashboard", "Open and aging incidents, time to resolve by severity", "viewer",
        200, result="Dashboard", errors=(400, 401),
        params=[query("window_days", {"type": "integer", "minimum": 1, "maximum": 3660})])},
    "/incidents": {
        "get": operation("list_incidents", "Incidents, newest first, filtered", "viewer", 200,
                         result="IncidentPage", errors=(400, 401), params=FILTERS),
        "post": operation("declare_incident", "Declare an incident (alerting tools: use an "
                          "idempotency_key)", "responder", 201, body="IncidentCreate",
                          result="Incident", errors=(400, 401, 403))},
    "/incidents/{incident_id}": {
        "get": operation("get_incident", "One incident", "viewer", 200, result="Incident",
                         params=INCIDENT),
        "patch": operation("change_incident", "Change description, status and/or severity",
                           "responder", 200, body="IncidentChange", result="Incident",
                           errors=WRITE, params=INCIDENT)},
    "/incidents/{incident_id}/roles/{role}": {"put": operation(
        "assign_role", "Give a role to a Slack user", "responder", 200, body="RoleAssignment",
        result="Incident", errors=WRITE, params=[*INCIDENT, {
            "name": "role", "in": "path", "required": True, "schema": {"type": "string"}}])},
    "/incidents/{incident_id}/timeline": {
        "get": operation("list_timeline", "Timeline, oldest first", "viewer", 200,
                         result="TimelinePage", params=[*INCIDENT, *PAGE]),
        "post": operation("add_timeline_entry", "Add a manual entry", "responder", 201,
                          body="TimelineEntryCreate", result="TimelineEntry", errors=WRITE,
                          params=INCIDENT)},
    "/incidents/{incident_id}/timeline/{entry_id}": {
        "patch": operation("edit_timeline_entry", "Change a manual entry", "responder", 200,
                           body="TimelineEntryChange", result="TimelineEntry", errors=WRITE,
                           params=ENTRY),
        "delete": operation("delete_timeline_entry", "Delete a manual entry", "responder", 204,
                            errors=WRITE, params=ENTRY)},
    "/incidents/{incident_id}/status-updates": {
        "get": operation("list_status_updates", "Status updates, oldest first", "viewer", 200,
                         result="StatusUpdateList", params=INCIDENT),
        "post": operation("post_status_update", "Post a status update (also to Slack)",
                          "responder", 201, body="StatusUpdateCreate", result="StatusUpdate",
                          errors=WRITE, params=INCIDENT)},
    "/incidents/{incident_id}/pinned-items": {"get": operation(
        "list_pinned_items", "Pinned messages and images", "viewer", 200,
        result="PinnedItemList", params=INCIDENT)},
    "/incidents/{incident_id}/pinned-items/{item_id}": {
        "get": operation("get_pinned_item", "One pinned item", "viewer", 200,
                         result="PinnedItem", params=ITEM),
        "delete": operation("delete_pinned_item", "Delete a pinned item", "responder", 204,
                            errors=WRITE, params=ITEM)},
    "/incidents/{incident_id}/pinned-items/{item_id}/content": {"get": operation(
        "get_pinned_content", "The image or file of a pinned item", "viewer", 200,
        params=ITEM, content_type="application/octet-stream")},
    "/oncall": {"get": operation("list_oncalls", "Who is on call (PagerDuty)", "viewer", 200,
                                 result="OnCallList", errors=PD)},
    "/pagerduty/services": {"get": operation(
        "list_pagerduty_services", "PagerDuty services", "viewer", 200,
        result="PagerDutyServiceList", errors=PD)},
    "/settings/auto-page-services": {
        "get": operation("get_auto_page_services", "Services paged on every declaration",
                         "viewer", 200, result="AutoPageServices", errors=PD),
        "put": operation("set_auto_page_services", "Change the auto-page services (admin)",
                         "admin", 200, body="AutoPageServices", result="AutoPageServices",
                         errors=(400, *PD))},
    "/users": {
        "get": operation("list_users", "Web accounts (admin)", "admin", 200, result="UserList",
                         errors=(401, 403)),
        "post": operation("create_user", "Create an account (admin)", "admin", 201,
                          body="UserCreate", result="User", errors=(400, 401, 403, 409))},
    "/users/{user_id}": {
        "get": operation("get_user", "One account (admin)", "admin", 200, result="User",
                         params=[path_param("user_id")]),
        "patch": operation("change_user", "Change role, name, password, or deactivate (admin)",
                           "admin", 200, body="UserChange", result="User",
                           errors=(*WRITE, 409), params=[path_param("user_id")])},
    "/tokens": {
        "get": operation("list_tokens", "API tokens (admin)", "admin", 200, result="TokenList",
                         errors=(401, 403)),
        "post": operation("create_token", "Create an API token; the secret is shown once "
                          "(admin)", "admin", 201, body="TokenCreate", result="TokenCreated",
                          errors=(400, 401, 403))},
    "/tokens/{token_id}": {"delete": operation(
        "revoke_token", "Revoke an API token (admin)", "admin", 204, errors=(401, 403, 404),
        params=[path_param("token_id")])},
    "/audit": {"get": operation("audit_log", "Recent web actions (admin)", "admin", 200,
                                result="AuditList", errors=(400, 401, 403),
                                params=[query("limit", {"type": "integer", "minimum": 1,
                                                        "maximum": 500})])},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "incident-bot API", "version": "1",
             "description": "Incidents, timelines, status updates, pinned items, on-call and "
                            "accounts. Send `Authorization: Bearer <token>` (tokens are made "
                            "by an admin: scope read or read-write), or use the web session "
                            "cookie with the X-CSRF-Token header for changes. Errors are "
                            "JSON: {\"error\": message, \"status\": code, \"field\": name}."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerToken": []}, {"sessionCookie": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "bearerToken": {"type": "http", "scheme": "bearer"},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "incidentbot_session"}},
        "schemas": SCHEMAS},
}


@api.get("/openapi.json")
def openapi():  # noqa: ANN201
    return jsonify(DOCUMENT)
