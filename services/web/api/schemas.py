"""OpenAPI component schemas: the shapes the API takes and returns (data, no code)."""
from __future__ import annotations

TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_TEXT = {"type": ["string", "null"]}
SLACK_USER = {"type": "string", "pattern": "^[UWB][A-Z0-9]{2,30}$"}
ACTOR = {"type": ["string", "null"],
         "description": "A Slack user id, or a web actor: web:<user id> or web:token-<token id>"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(name: str) -> dict:
    return {"type": "object", "required": ["items", "total", "limit", "offset"],
            "properties": {"items": {"type": "array", "items": ref(name)},
                           "total": {"type": "integer"}, "limit": {"type": "integer"},
                           "offset": {"type": "integer"}}}


def list_of(name: str) -> dict:
    return {"type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "items": ref(name)}}}


SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "status"], "properties": {
        "error": {"type": "string"}, "status": {"type": "integer"},
        "field": {"type": "string"}}},
    "Link": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"},
        "external_id": {"type": "string"}, "url": NULLABLE_TEXT, "title": NULLABLE_TEXT,
        "data": {"type": "object"}}},
    "Incident": {"type": "object", "required": ["id", "description", "severity", "status"],
                 "properties": {
        "id": {"type": "integer"}, "description": {"type": "string"},
        "severity": {"type": "string"}, "status": {"type": "string"},
        "is_private": {"type": "boolean"}, "reporter_id": ACTOR,
        "source": {"type": "string"}, "channel_id": NULLABLE_TEXT,
        "channel_name": NULLABLE_TEXT, "meeting_url": NULLABLE_TEXT,
        "roles": {"type": "object", "additionalProperties": {"type": "string"}},
        "links": {"type": "array", "items": ref("Link")},
        "declared_at": TIME, "updated_at": TIME, "resolved_at": NULLABLE_TIME,
        "last_update_at": NULLABLE_TIME,
        "redacted": {"type": "boolean", "description": "private incident, details hidden"}}},
    "IncidentPage": page_of("Incident"),
    "IncidentCreate": {"type": "object", "required": ["description"],
                       "additionalProperties": False, "properties": {
        "description": {"type": "string", "minLength": 1, "maxLength": 500},
        "severity": {"type": "string", "description": "one of the configured severities"},
        "is_private": {"type": "boolean"},
        "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 255,
                            "description": "alerting tools: the same key declares once"}}},
    "IncidentChange": {"type": "object", "additionalProperties": False, "minProperties": 1,
                       "properties": {
        "description": {"type": "string", "minLength": 1, "maxLength": 500},
        "status": {"type": "string"}, "severity": {"type": "string"}}},
    "RoleAssignment": {"type": "object", "required": ["user_id"], "additionalProperties": False,
                       "properties": {"user_id": SLACK_USER}},
    "TimelineEntry": {"type": "object", "required": ["id", "kind", "text", "occurred_at"],
                      "properties": {
        "id": {"type": "integer"}, "incident_id": {"type": "integer"},
        "occurred_at": TIME, "kind": {"type": "string"}, "text": {"type": "string"},
        "actor_id": ACTOR}},
    "TimelinePage": page_of("TimelineEntry"),
    "TimelineEntryCreate": {"type": "object", "required": ["text"],
                            "additionalProperties": False, "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 3000},
        "occurred_at": {"type": "string", "format": "date-time"}}},
    "TimelineEntryChange": {"type": "object", "additionalProperties": False, "minProperties": 1,
                            "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 3000},
        "occurred_at": {"type": "string", "format": "date-time"}}},
    "StatusUpdate": {"type": "object", "required": ["id", "text", "posted_at"], "properties": {
        "id": {"type": "integer"}, "incident_id": {"type": "integer"},
        "text": {"type": "string"}, "impacted": NULLABLE_TEXT, "author_id": ACTOR,
        "posted_at": TIME}},
    "StatusUpdateList": list_of("StatusUpdate"),
    "StatusUpdateCreate": {"type": "object", "required": ["text"], "additionalProperties": False,
                           "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 3000},
        "impacted": {"type": "string", "maxLength": 500}}},
    "PinnedItem": {"type": "object", "required": ["id", "kind"], "properties": {
        "id": {"type": "integer"}, "incident_id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["message", "image"]},
        "message_ts": {"type": "string"}, "text": NULLABLE_TEXT, "author_id": ACTOR,
        "permalink": NULLABLE_TEXT, "file_name": NULLABLE_TEXT, "mimetype": NULLABLE_TEXT,
        "size": {"type": "integer"}, "pinned_by": ACTOR, "pinned_at": TIME}},
    "PinnedItemList": list_of("PinnedItem"),
    "Config": {"type": "object", "properties": {
        "roles": {"type": "array", "items": {"type": "object"}},
        "severities": {"type": "array", "items": {"type": "object"}},
        "statuses": {"type": "array", "items": {"type": "string"}},
        "final_status": {"type": "string"}, "default_severity": {"type": "string"}}},
    "Dashboard": {"type": "object", "properties": {
        "open_total": {"type": "integer"}, "open_by_severity": {"type": "object"},
        "open_by_status": {"type": "object"}, "open_ages": {"type": "object"},
        "oldest_open": {"type": "array", "items": ref("Incident")},
        "time_to_resolve": {"type": "array", "items": {"type": "object"}},
        "window_days": {"type": "integer"}}},
    "OnCallGroup": {"type": "object", "properties": {
        "escalation_policy": {"type": "object"},
        "oncalls": {"type": "array", "items": {"type": "object"}}}},
    "OnCallList": list_of("OnCallGroup"),
    "PagerDutyService": {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"},
        "description": {"type": "string"}, "html_url": NULLABLE_TEXT}},
    "PagerDutyServiceList": list_of("PagerDutyService"),
    "AutoPageServices": {"type": "object", "required": ["service_ids"],
                         "additionalProperties": False, "properties": {
        "service_ids": {"type": "array", "maxItems": 100,
                        "items": {"type": "string", "minLength": 1, "maxLength": 64}}}},
    "User": {"type": "object", "required": ["id", "email", "role", "active"], "properties": {
        "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
        "role": {"type": "string", "enum": ["viewer", "responder", "admin"]},
        "active": {"type": "boolean"}, "actor_id": {"type": "string"},
        "created_at": TIME, "last_login_at": NULLABLE_TIME}},
    "UserList": list_of("User"),
    "UserCreate": {"type": "object", "required": ["email", "role", "password"],
                   "additionalProperties": False, "properties": {
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "role": {"type": "string", "enum": ["viewer", "responder", "admin"]},
        "password": {"type": "string", "minLength": 12, "maxLength": 256}}},
    "UserChange": {"type": "object", "additionalProperties": False, "minProperties": 1,
                   "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "role": {"type": "string", "enum": ["viewer", "responder", "admin"]},
        "active": {"type": "boolean"},
        "password": {"type": "string", "minLength": 12, "maxLength": 256}}},
    "Token": {"type": "object", "required": ["id", "name", "scope"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "scope": {"type": "string", "enum": ["read", "read-write"]},
        "prefix": {"type": "string"}, "actor_id": {"type": "string"},
        "created_by": {"type": ["integer", "null"]}, "created_at": TIME,
        "last_used_at": NULLABLE_TIME, "revoked_at": NULLABLE_TIME,
        "active": {"type": "boolean"}}},
    "TokenList": list_of("Token"),
    "TokenCreate": {"type": "object", "required": ["name", "scope"], "additionalProperties": False,
                    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "scope": {"type": "string", "enum": ["read", "read-write"]}}},
    "TokenCreated": {"allOf": [ref("Token"), {"type": "object", "required": ["token"],
                                              "properties": {"token": {
                                                  "type": "string",
                                                  "description": "shown once, keep it"}}}]},
    "Principal": {"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["user", "token"]}, "id": {"type": "integer"},
        "name": {"type": "string"}, "role": {"type": "string"},
        "email": NULLABLE_TEXT, "scope": NULLABLE_TEXT, "actor_id": {"type": "string"}}},
    "Health": {"type": "object", "properties": {
        "status": {"type": "string"}, "incidents": {"type": "string"}}},
    "AuditList": list_of("AuditEntry"),
    "AuditEntry": {"type": "object", "properties": {
        "id": {"type": "integer"}, "at": TIME, "actor": NULLABLE_TEXT,
        "action": {"type": "string"}, "target": NULLABLE_TEXT, "detail": {"type": "object"},
        "ip": NULLABLE_TEXT}},
}
