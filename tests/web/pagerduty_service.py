"""A stand-in `pagerduty` nameko service for web tests: the RPC surface the web uses,
answering in the real service's shapes, switchable off like the real one."""
from __future__ import annotations

from nameko.rpc import rpc

from services.integrations.pagerduty.exceptions import InvalidPage, PagerDutyError, PagerDutyOff

SERVICES = [{"id": "PSVC001", "name": "Checkout", "description": "payments and checkout",
             "status": "active", "html_url": "https://example.pagerduty.com/services/PSVC001",
             "escalation_policy": {"id": "PPOL001", "name": "Checkout on-call"}},
            {"id": "PSVC002", "name": "Search", "description": "", "status": "active",
             "html_url": None, "escalation_policy": {"id": "PPOL002", "name": "Search"}}]
ONCALLS = [{"escalation_policy": {"id": "PPOL001", "name": "Checkout on-call",
                                  "html_url": "https://example.pagerduty.com/policies/PPOL001"},
            "oncalls": [{"level": 1, "user": {"id": "PUSER01", "name": "Olivia Oncall",
                                             "email": "olivia@example.com", "html_url": None},
                         "schedule": {"id": "PSCH001", "name": "Primary"},
                         "start": "2026-11-26T00:00:00Z", "end": "2026-11-27T00:00:00Z"}]}]
STATE = {"enabled": True, "auto": ["PSVC001"]}


class FakePagerDutyService:
    name = "pagerduty"

    @rpc
    def get_status(self) -> dict:
        return {"enabled": STATE["enabled"], "auto_page_on_declare": True}

    @rpc(expected_exceptions=PagerDutyError)
    def list_services(self) -> list[dict]:
        return SERVICES if STATE["enabled"] else []

    @rpc(expected_exceptions=PagerDutyError)
    def list_oncalls(self) -> list[dict]:
        return ONCALLS if STATE["enabled"] else []

    @rpc(expected_exceptions=PagerDutyError)
    def get_auto_page_services(self) -> list[str]:
        return list(STATE["auto"])

    @rpc(expected_exceptions=PagerDutyError)
    def set_auto_page_services(self, service_ids: list, actor_id: str | None = None) -> list:
        if not STATE["enabled"]:
            raise PagerDutyOff("PagerDuty is not set up for incident-bot")
        unknown = [i for i in service_ids if i not in {s["id"] for s in SERVICES}]
        if unknown:
            raise InvalidPage(f"unknown PagerDuty service {unknown[0]!r}", "service_ids")
        STATE["auto"] = list(dict.fromkeys(service_ids))
        return STATE["auto"]
