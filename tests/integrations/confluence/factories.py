"""Incidents with timelines, updates and pins, as the incidents RPC returns them."""
import base64

from tests.integrations.stubs import StubIncidents, make_incident

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
RESOLVED_AT = "2026-11-26T17:35:30+00:00"


def resolved_incident(incidents: StubIncidents, incident_id: int = 12, **overrides) -> dict:
    incident = incidents.add(make_incident(
        id=incident_id, status="resolved", resolved_at=RESOLVED_AT,
        roles={"incident_commander": "U0COMMANDER"}, **overrides))
    iid = incident["id"]
    incidents.add_timeline_event(iid, f"Incident declared by <@U0REPORTER> as sev2: "
                                      f"{incident['description']}", kind="declared",
                                 actor_id="U0REPORTER", occurred_at="2026-11-26T15:30:00+00:00")
    incidents.add_timeline_event(iid, "Rolled back deploy 4411", actor_id="U0SCRIBE",
                                 occurred_at="2026-11-26T16:10:00+00:00")
    incidents.updates[iid] = [{"id": 1, "incident_id": iid, "text": "Failing over\nto standby",
                               "impacted": "Checkout", "author_id": "U0COMMANDER",
                               "posted_at": "2026-11-26T16:00:00+00:00"}]
    incidents.pins[iid] = [
        {"id": 5, "incident_id": iid, "kind": "message", "message_ts": "1.1",
         "text": "Replica lag is 0 now", "author_id": "U0ENGINEER", "permalink":
         "https://slack.example/archives/C1/p1", "file_name": None, "mimetype": None,
         "pinned_by": "U0SCRIBE", "pinned_at": "2026-11-26T16:20:00+00:00"},
        {"id": 6, "incident_id": iid, "kind": "image", "message_ts": "1.2", "text": "lag graph",
         "author_id": "U0ENGINEER", "permalink": None, "file_name": "lag graph.png",
         "mimetype": "image/png", "pinned_by": "U0SCRIBE",
         "pinned_at": "2026-11-26T16:25:00+00:00",
         "content_base64": base64.b64encode(PNG).decode()},
    ]
    return incident


def resolved_payload(incident: dict, resolved_at: str = RESOLVED_AT) -> dict:
    return {"event_id": "e1", "incident_id": incident["id"],
            "incident": {**incident, "resolved_at": resolved_at}}
