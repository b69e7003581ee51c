"""An in-memory stand-in for the `incidents` RPC proxy, for testing integration logic
without a bus. Behaves like the real service where the integrations depend on it:
links are idempotent per (incident, kind, external_id), claims are compare-and-set."""
from __future__ import annotations

import copy


def make_incident(**overrides) -> dict:
    incident = {
        "id": 12, "description": "Checkout API returns 500", "severity": "sev2",
        "status": "investigating", "is_private": False, "reporter_id": "U0REPORTER",
        "source": "slack", "channel_id": "C0WARROOM", "channel_name": "inc-checkout",
        "digest_channel_id": None, "digest_ts": None, "control_panel_ts": None,
        "meeting_url": None, "roles": {}, "links": [],
        "declared_at": "2026-11-26T15:30:00+00:00", "updated_at": "2026-11-26T15:30:00+00:00",
        "resolved_at": None, "last_update_at": None,
    }
    incident.update(overrides)
    return incident


class StubIncidents:
    def __init__(self, incident: dict | None = None):
        self.incidents = {}
        self.timeline: dict[int, list[dict]] = {}
        self.updates: dict[int, list[dict]] = {}
        self.pins: dict[int, list[dict]] = {}
        self.links: list[dict] = []
        self.claims: dict[str, bool] = {}  # key -> completed
        if incident:
            self.add(incident)

    def add(self, incident: dict) -> dict:
        self.incidents[incident["id"]] = incident
        self.timeline.setdefault(incident["id"], [])
        return incident

    def get_incident(self, incident_id: int) -> dict:
        incident = copy.deepcopy(self.incidents[incident_id])
        incident["links"] = [l for l in self.links if l["incident_id"] == incident_id]
        return incident

    def list_incident_links(self, incident_id: int, kind: str | None = None) -> list[dict]:
        return [copy.deepcopy(l) for l in self.links
                if l["incident_id"] == incident_id and kind in (None, l["kind"])]

    def upsert_incident_link(self, incident_id, kind, external_id, url=None, title=None,
                             data=None, actor_id=None, timeline_text=None) -> dict:
        for link in self.links:
            if (link["incident_id"], link["kind"], link["external_id"]) == \
                    (incident_id, kind, external_id):
                link.update(url=url, title=title, data=data or {})
                return copy.deepcopy(link)
        link = {"id": len(self.links) + 1, "incident_id": incident_id, "kind": kind,
                "external_id": external_id, "url": url, "title": title, "data": data or {}}
        self.links.append(link)
        if kind == "meeting":
            self.incidents[incident_id]["meeting_url"] = url
        if timeline_text:
            self.add_timeline_event(incident_id, timeline_text, kind=kind, actor_id=actor_id)
        return copy.deepcopy(link)

    def add_timeline_event(self, incident_id, text, kind="manual", actor_id=None,
                           occurred_at="2026-11-26T16:00:00+00:00") -> dict:
        entries = self.timeline.setdefault(incident_id, [])
        entry = {"id": len(entries) + 1, "incident_id": incident_id, "kind": kind,
                 "text": text, "actor_id": actor_id, "occurred_at": occurred_at}
        entries.append(entry)
        return entry

    def list_timeline(self, incident_id, limit=100, offset=0) -> dict:
        entries = self.timeline.get(incident_id, [])
        return {"items": entries[offset:offset + limit], "total": len(entries),
                "limit": limit, "offset": offset}

    def list_status_updates(self, incident_id) -> list[dict]:
        return list(self.updates.get(incident_id, []))

    def list_pinned_items(self, incident_id, with_content=False) -> list[dict]:
        items = copy.deepcopy(self.pins.get(incident_id, []))
        if not with_content:
            for item in items:
                item.pop("content_base64", None)
        return items

    def claim_delivery(self, key: str, lease_seconds=None) -> bool:
        if key in self.claims:
            return False
        self.claims[key] = False
        return True

    def complete_delivery(self, key: str) -> bool:
        done = self.claims.get(key) is False
        self.claims[key] = True
        return done
