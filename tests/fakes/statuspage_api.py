"""A Statuspage REST API v1 fake over real HTTP, for pointing the Statuspage adapter at
(`STATUSPAGE_API_URL=fake.url`).

Speaks what incident-bot uses, in Statuspage's shapes: GET /pages/{page}/components,
POST /pages/{page}/incidents, PATCH /pages/{page}/incidents/{id},
PATCH /pages/{page}/components/{id} (and GET of one incident). Every request needs
`Authorization: OAuth <key>` (401 otherwise); invalid statuses get 422.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from tests.fakes.json_api_fake import ApiError, JsonApiFake, Request, match, now_iso

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
COMPONENT_STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage",
                      "under_maintenance")
IMPACT = {"operational": 0, "under_maintenance": 0, "degraded_performance": 1,
          "partial_outage": 2, "major_outage": 3}
IMPACT_NAMES = ("none", "minor", "major", "critical")


def _sp_id() -> str:
    return "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))


def _unprocessable(message: str) -> ApiError:
    return ApiError(422, {"error": [message]})


class StatuspageFake(JsonApiFake):
    name = "statuspage"
    base_path = "/v1"

    def __init__(self, api_key: str = "sp-test-key-0123456789", page_id: str = "pg0test00001",
                 host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.api_key, self.page_id = api_key, page_id
        self.components: dict[str, dict] = {}
        self.incidents: dict[str, dict] = {}
        self._positions = itertools.count(1)

    # seeding and reading -----------------------------------------------------------------
    def add_component(self, name: str, status: str = "operational", group: bool = False,
                      component_id: str | None = None) -> str:
        component_id = component_id or _sp_id()
        with self._lock:
            self.components[component_id] = {
                "id": component_id, "page_id": self.page_id, "group_id": None,
                "created_at": now_iso(), "updated_at": now_iso(), "group": group, "name": name,
                "description": None, "position": next(self._positions), "status": status,
                "showcase": True, "only_show_if_degraded": False, "automation_email":
                f"component+{component_id}@notifications.statuspage.io", "start_date": None}
        return component_id

    def component_status(self, component_id: str) -> str:
        with self._lock:
            return self.components[component_id]["status"]

    def created(self) -> list[dict]:
        with self._lock:
            return [dict(i) for i in self.incidents.values()]

    # serving -----------------------------------------------------------------------------
    def error_body(self, status: int) -> Any:
        return {"error": "Rate limit exceeded" if status == 429 else "Internal server error"}

    def dispatch(self, request: Request) -> tuple[int, Any]:
        if request.header("Authorization") != f"OAuth {self.api_key}":
            raise ApiError(401, {"error": "Could not authenticate"})
        method, path = request.method, request.path
        if not path.startswith(f"/pages/{self.page_id}/"):
            raise ApiError(404, {"error": "Not found"})
        path = path[len(f"/pages/{self.page_id}"):]
        if method == "GET" and path == "/components":
            return 200, sorted(self.components.values(), key=lambda c: c["position"])
        if method == "POST" and path == "/incidents":
            return 201, self._create(self._entity(request, "incident"))
        if method == "GET" and path == "/incidents/unresolved":
            return 200, self._unresolved(request)
        params = match(path, "/incidents/{id}")
        if params and method in ("PATCH", "PUT"):
            return 200, self._update(params["id"], self._entity(request, "incident"))
        if params and method == "GET":
            return 200, self._incident(params["id"])
        params = match(path, "/components/{id}")
        if params and method in ("PATCH", "PUT"):
            return 200, self._set_component(params["id"], self._entity(request, "component"))
        raise ApiError(404, {"error": "Not found"})

    def _entity(self, request: Request, wrapper: str) -> dict:
        body = request.body if isinstance(request.body, dict) else {}
        entity = body.get(wrapper)
        if not isinstance(entity, dict):
            raise ApiError(400, {"error": f"param is missing or the value is empty: {wrapper}"})
        return entity

    def _unresolved(self, request: Request) -> list[dict]:
        """Newest first, paginated with page (from 1) and per_page (at most 100)."""
        try:
            page = int(request.arg("page", "1"))
            per_page = min(int(request.arg("per_page", "100")), 100)
        except ValueError:
            raise ApiError(400, {"error": "page and per_page must be numbers"}) from None
        if page < 1 or per_page < 1:
            raise ApiError(400, {"error": "page and per_page must be positive"})
        open_ones = [i for i in reversed(list(self.incidents.values()))
                     if i["status"] not in ("resolved", "postmortem", "completed")]
        return open_ones[(page - 1) * per_page:page * per_page]

    def _incident(self, incident_id: str) -> dict:
        incident = self.incidents.get(incident_id)
        if incident is None:
            raise ApiError(404, {"error": "Not found"})
        return incident

    def _check(self, entity: dict) -> dict[str, str]:
        status = entity.get("status")
        if status is not None and status not in INCIDENT_STATUSES:
            raise _unprocessable("Status is not included in the list")
        components = entity.get("components") or {}
        for component_id, value in components.items():
            if component_id not in self.components:
                raise _unprocessable(f"Component {component_id} not found")
            if value not in COMPONENT_STATUSES:
                raise _unprocessable(f"Component status {value} is not included in the list")
        for component_id in entity.get("component_ids") or []:
            if component_id not in self.components:
                raise _unprocessable(f"Component {component_id} not found")
        return components

    def _apply(self, incident: dict, entity: dict, components: dict[str, str]) -> None:
        """Sets component statuses and adds the incident update, as Statuspage does."""
        affected = []
        for component_id, value in components.items():
            component = self.components[component_id]
            affected.append({"code": component_id, "name": component["name"],
                             "old_status": component["status"], "new_status": value})
            component.update(status=value, updated_at=now_iso())
        ids = list(dict.fromkeys([*(c["id"] for c in incident["components"]),
                                  *(entity.get("component_ids") or []), *components]))
        incident["components"] = [dict(self.components[c]) for c in ids]
        status = entity.get("status") or incident["status"]
        now = now_iso()
        incident.update(status=status, updated_at=now)
        if status == "monitoring" and not incident["monitoring_at"]:
            incident["monitoring_at"] = now
        if status == "resolved":
            incident["resolved_at"] = incident["resolved_at"] or now
        worst = max([IMPACT[c["status"]] for c in incident["components"]] or [0])
        incident["impact"] = entity.get("impact_override") or IMPACT_NAMES[worst]
        incident["incident_updates"].insert(0, {
            "id": _sp_id(), "incident_id": incident["id"], "status": status,
            "body": entity.get("body") or "", "created_at": now, "updated_at": now,
            "display_at": now, "affected_components": affected or None,
            "deliver_notifications": bool(entity.get("deliver_notifications", True)),
            "custom_tweet": None, "tweet_id": None, "twitter_updated_at": None,
            "wants_twitter_update": False})

    def _create(self, entity: dict) -> dict:
        if not isinstance(entity.get("name"), str) or not entity["name"].strip():
            raise _unprocessable("Name can't be blank")
        components = self._check(entity)
        incident_id, now = _sp_id(), now_iso()
        incident = {
            "id": incident_id, "page_id": self.page_id, "name": entity["name"],
            "status": entity.get("status") or "investigating", "impact": "none",
            "impact_override": entity.get("impact_override"), "created_at": now,
            "updated_at": now, "started_at": now, "monitoring_at": None, "resolved_at": None,
            "shortlink": f"https://stspg.io/{secrets.token_hex(4)}", "postmortem_body": None,
            "postmortem_published_at": None, "scheduled_for": None, "scheduled_until": None,
            "metadata": entity.get("metadata") or {}, "reminder_intervals": None,
            "components": [], "incident_updates": []}
        self._apply(incident, entity, components)
        self.incidents[incident_id] = incident
        return incident

    def _update(self, incident_id: str, entity: dict) -> dict:
        incident = self._incident(incident_id)
        components = self._check(entity)
        if "name" in entity:
            incident["name"] = entity["name"]
        self._apply(incident, entity, components)
        return incident

    def _set_component(self, component_id: str, entity: dict) -> dict:
        component = self.components.get(component_id)
        if component is None:
            raise ApiError(404, {"error": "Not found"})
        status = entity.get("status")
        if status is not None:
            if status not in COMPONENT_STATUSES:
                raise _unprocessable("Status is not included in the list")
            component.update(status=status, updated_at=now_iso())
        return dict(component)
