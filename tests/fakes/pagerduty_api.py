"""A PagerDuty REST API v2 fake over real HTTPS, for pointing the `pagerduty` library at.

    fake = PagerDutyFake(tls_dir=tmp_path).start()
    client = RestApiV2Client(fake.token, base_url=fake.url,
                             verify=ssl.create_default_context(cafile=fake.ca_file))

Speaks what incident-bot uses, in PagerDuty's shapes: GET /services, /escalation_policies,
/oncalls and /incidents (classic pagination: limit, offset, more, total), POST /incidents
(From header, incident body, open-incident dedup on incident_key), PUT /incidents/{id}.
Every request needs `Authorization: Token token=<token>` (401 otherwise).
"""

from __future__ import annotations

import itertools
import re
import secrets
from pathlib import Path
from typing import Any

from tests.fakes.json_api_fake import ApiError, JsonApiFake, Request, match, now_iso
from tests.fakes.tls_files import make_tls_files, server_tls_context

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEB = "https://fake-team.pagerduty.com"
DEDUP_ERROR = "Open incident with matching dedup key already exists on this service"
MAX_LIMIT = 100
OPEN = ("triggered", "acknowledged")


def _invalid(*errors: str) -> ApiError:
    return ApiError(400, {"error": {"message": "Invalid Input Provided", "code": 2001,
                                    "errors": list(errors)}})


def _pd_id(prefix: str = "P") -> str:
    return prefix + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6))


class PagerDutyFake(JsonApiFake):
    name = "pagerduty"

    def __init__(self, token: str = "pd-test-token-0123456789", tls_dir: Path | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.ca_file: str | None = None
        tls = None
        if tls_dir is not None:
            ca, cert, key = make_tls_files(Path(tls_dir))
            self.ca_file, tls = str(ca), server_tls_context(cert, key)
        super().__init__(host, port, tls)
        self.token = token
        self.services: dict[str, dict] = {}
        self.policies: dict[str, dict] = {}
        self.oncalls: list[dict] = []
        self.incidents: dict[str, dict] = {}
        self._numbers = itertools.count(1)

    # seeding -----------------------------------------------------------------------------
    def _ref(self, kind: str, item_id: str, summary: str) -> dict:
        plural = {"escalation_policy": "escalation_policies"}.get(kind, kind + "s")
        web = {"service": "service-directory", "escalation_policy": "escalation_policies"}.get(
            kind, plural)
        return {"id": item_id, "type": f"{kind}_reference", "summary": summary,
                "self": f"https://api.pagerduty.com/{plural}/{item_id}",
                "html_url": f"{WEB}/{web}/{item_id}"}

    def add_escalation_policy(self, name: str, policy_id: str | None = None) -> str:
        policy_id = policy_id or _pd_id()
        with self._lock:
            self.policies[policy_id] = {
                **self._ref("escalation_policy", policy_id, name), "type": "escalation_policy",
                "name": name, "description": "", "num_loops": 0, "on_call_handoff_notifications":
                "if_has_services", "escalation_rules": [], "services": [], "teams": []}
        return policy_id

    def add_service(self, name: str, policy_id: str, service_id: str | None = None) -> str:
        service_id = service_id or _pd_id()
        policy = self.policies[policy_id]
        with self._lock:
            self.services[service_id] = {
                **self._ref("service", service_id, name), "type": "service", "name": name,
                "description": f"{name} service", "status": "active", "created_at": now_iso(),
                "updated_at": now_iso(), "auto_resolve_timeout": None,
                "acknowledgement_timeout": None, "alert_creation": "create_alerts_and_incidents",
                "escalation_policy": self._ref("escalation_policy", policy_id, policy["name"]),
                "teams": [], "integrations": [], "incident_urgency_rule": {
                    "type": "constant", "urgency": "high"}}
            policy["services"].append(self._ref("service", service_id, name))
        return service_id

    def add_oncall(self, policy_id: str, user_name: str, email: str, level: int = 1,
                   user_id: str | None = None, schedule: str | None = None) -> str:
        user_id = user_id or _pd_id()
        policy = self.policies[policy_id]
        with self._lock:
            self.oncalls.append({
                "escalation_policy": self._ref("escalation_policy", policy_id, policy["name"]),
                "escalation_level": level,
                "schedule": self._ref("schedule", _pd_id(), schedule) if schedule else None,
                "user": {**self._ref("user", user_id, user_name), "type": "user", "name": user_name,
                         "email": email},
                "start": now_iso() if schedule else None, "end": None})
        return user_id

    def created(self, incident_key: str | None = None) -> list[dict]:
        """Incidents created so far (with that key), oldest first."""
        with self._lock:
            return [dict(i) for i in self.incidents.values()
                    if incident_key is None or i["incident_key"] == incident_key]

    # serving -----------------------------------------------------------------------------
    def error_body(self, status: int) -> Any:
        if status == 429:
            return {"error": {"message": "Rate Limit Exceeded", "code": 2020}}
        return {"error": {"message": "Internal Server Error", "code": 2000 + status}}

    def dispatch(self, request: Request) -> tuple[int, Any]:
        if request.header("Authorization") != f"Token token={self.token}":
            raise ApiError(401, {"error": {"message": "Unauthorized", "code": 2006}})
        method, path = request.method, request.path
        if method == "GET" and path == "/services":
            return 200, self._page(request, "services", list(self.services.values()))
        if method == "GET" and path == "/escalation_policies":
            return 200, self._page(request, "escalation_policies", list(self.policies.values()))
        if method == "GET" and path == "/oncalls":
            wanted = request.query.get("escalation_policy_ids[]")
            rows = [o for o in self.oncalls
                    if not wanted or o["escalation_policy"]["id"] in wanted]
            if "users" not in request.query.get("include[]", []):
                # Without include[]=users PagerDuty sends user references only.
                rows = [{**o, "user": {**{k: o["user"][k] for k in ("id", "summary", "self",
                                                                        "html_url")},
                                       "type": "user_reference"}} for o in rows]
            return 200, self._page(request, "oncalls", rows)
        if method == "GET" and path == "/incidents":
            key = request.arg("incident_key")
            rows = [i for i in self.incidents.values() if key is None or i["incident_key"] == key]
            return 200, self._page(request, "incidents", rows)
        if method == "POST" and path == "/incidents":
            return 201, {"incident": self._create(request)}
        params = match(path, "/incidents/{id}")
        if method == "PUT" and params:
            return 200, {"incident": self._update(request, params["id"])}
        if method == "GET" and match(path, "/services/{id}"):
            service = self.services.get(match(path, "/services/{id}")["id"])
            if service is None:
                raise ApiError(404, {"error": {"message": "Not Found", "code": 2100}})
            return 200, {"service": service}
        raise ApiError(404, {"error": {"message": "Not Found", "code": 2100}})

    def _page(self, request: Request, wrapper: str, rows: list[dict]) -> dict:
        try:
            limit = min(int(request.arg("limit", "25")), MAX_LIMIT)
            offset = int(request.arg("offset", "0"))
        except ValueError:
            raise _invalid("limit and offset must be integers") from None
        page = rows[offset:offset + limit]
        return {wrapper: page, "limit": limit, "offset": offset,
                "more": offset + len(page) < len(rows),
                "total": len(rows) if request.arg("total") == "true" else None}

    def _from(self, request: Request) -> None:
        sender = request.header("From") or ""
        if not EMAIL.match(sender):
            raise _invalid("You must specify a user's email address in the \"From\" header "
                           "to perform this action")

    def _create(self, request: Request) -> dict:
        self._from(request)
        body = request.body if isinstance(request.body, dict) else {}
        incident = body.get("incident")
        if not isinstance(incident, dict) or incident.get("type") != "incident":
            raise _invalid("Incident must be an object of type 'incident'")
        if not isinstance(incident.get("title"), str) or not incident["title"].strip():
            raise _invalid("Title cannot be empty.")
        service = incident.get("service") or {}
        if service.get("type") != "service_reference" or service.get("id") not in self.services:
            raise _invalid("Service not found")
        if incident.get("urgency", "high") not in ("high", "low"):
            raise _invalid("Urgency must be one of high, low")
        details = incident.get("body")
        if details is not None and (details.get("type") != "incident_body"
                                    or not isinstance(details.get("details"), str)):
            raise _invalid("Body must be an object of type 'incident_body' with details")
        key = incident.get("incident_key") or secrets.token_hex(16)
        if any(i["incident_key"] == key and i["service"]["id"] == service["id"]
               and i["status"] in OPEN for i in self.incidents.values()):
            raise _invalid(DEDUP_ERROR)
        number, incident_id = next(self._numbers), _pd_id("Q")
        record = self.services[service["id"]]
        created = {
            "id": incident_id, "type": "incident", "summary": f"[#{number}] {incident['title']}",
            "self": f"https://api.pagerduty.com/incidents/{incident_id}",
            "html_url": f"{WEB}/incidents/{incident_id}", "incident_number": number,
            "title": incident["title"], "description": incident["title"],
            "created_at": now_iso(), "updated_at": now_iso(), "status": "triggered",
            "incident_key": key, "urgency": incident.get("urgency", "high"),
            "service": self._ref("service", service["id"], record["name"]),
            "escalation_policy": record["escalation_policy"], "assignments": [],
            "last_status_change_at": now_iso(), "resolved_at": None,
            "body_details": (details or {}).get("details"), "created_by": request.header("From"),
        }
        self.incidents[incident_id] = created
        return created

    def _update(self, request: Request, incident_id: str) -> dict:
        self._from(request)
        incident = self.incidents.get(incident_id)
        if incident is None:
            raise ApiError(404, {"error": {"message": "Not Found", "code": 2100}})
        change = (request.body or {}).get("incident") if isinstance(request.body, dict) else None
        if not isinstance(change, dict) or change.get("type") not in ("incident",
                                                                      "incident_reference"):
            raise _invalid("Incident must be an object of type 'incident_reference'")
        status = change.get("status")
        if status is not None:
            if status not in ("acknowledged", "resolved"):
                raise _invalid("Status must be one of acknowledged, resolved")
            if incident["status"] != status:
                incident.update(status=status, last_status_change_at=now_iso(),
                                updated_at=now_iso())
                if status == "resolved":
                    incident["resolved_at"] = now_iso()
        return dict(incident)
