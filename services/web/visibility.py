"""Private (security) incidents: viewers and read-only tokens see that one exists, not
what it is about; responders and admins see everything."""
from __future__ import annotations

from services.web.errors import Forbidden
from services.web.security import Principal

HIDDEN = "Private incident"


def can_see(incident: dict, who: Principal | None) -> bool:
    return not incident.get("is_private") or (who is not None and who.can("responder"))


def redact(incident: dict, who: Principal | None) -> dict:
    if can_see(incident, who):
        return incident
    return {**incident, "description": HIDDEN, "links": [], "roles": {}, "meeting_url": None,
            "channel_name": None, "redacted": True}


def redact_page(page: dict, who: Principal | None) -> dict:
    return {**page, "items": [redact(i, who) for i in page["items"]]}


def require_visible(incident: dict, who: Principal | None) -> dict:
    if not can_see(incident, who):
        raise Forbidden("this is a private incident: it needs the responder role")
    return incident
