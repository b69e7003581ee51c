"""PagerDuty answers, in the shapes the web shows. The pagerduty service groups on-calls
by escalation policy; raw PagerDuty `oncalls` entries are grouped here the same way."""
from __future__ import annotations

from typing import Any


def _items(result: Any) -> list:
    if isinstance(result, dict):
        result = result.get("items") or result.get("oncalls") or result.get("services") or []
    return [item for item in result or [] if isinstance(item, dict)]


def _person(entry: dict) -> dict:
    user, schedule = entry.get("user") or {}, entry.get("schedule") or None
    return {"level": entry.get("escalation_level", entry.get("level")),
            "user": {"id": user.get("id"), "name": user.get("name") or user.get("summary"),
                     "email": user.get("email"), "html_url": user.get("html_url")},
            "schedule": ({"id": schedule.get("id"),
                          "name": schedule.get("name") or schedule.get("summary")}
                         if schedule else None),
            "start": entry.get("start"), "end": entry.get("end")}


def oncall_groups(result: Any) -> list[dict]:
    """[{escalation_policy: {id, name, html_url}, oncalls: [{level, user, schedule...}]}]"""
    groups: dict[Any, dict] = {}
    for entry in _items(result):
        policy = entry.get("escalation_policy") or {}
        group = groups.setdefault(policy.get("id"), {
            "escalation_policy": {"id": policy.get("id"),
                                  "name": policy.get("name") or policy.get("summary"),
                                  "html_url": policy.get("html_url")}, "oncalls": []})
        people = entry["oncalls"] if isinstance(entry.get("oncalls"), list) else [entry]
        group["oncalls"].extend(_person(p) if "user" in p and "escalation_level" in p
                                else p for p in people if isinstance(p, dict))
    return list(groups.values())


def services(result: Any) -> list[dict]:
    return [{"id": str(s.get("id")), "name": s.get("name") or s.get("summary") or s.get("id"),
             "description": s.get("description") or "", "html_url": s.get("html_url")}
            for s in _items(result) if s.get("id")]


def service_ids(result: Any) -> list[str]:
    if isinstance(result, dict):
        result = result.get("service_ids", result.get("items", []))
    return [str(i.get("id") if isinstance(i, dict) else i) for i in result or []]
