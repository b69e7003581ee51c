"""What integrations made for an incident (meetings, pages, status pages, postmortems),
and the small settings store the web UI edits."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from services.common.events import IncidentEvent
from services.common.timeutil import utcnow
from services.incidents.exceptions import InvalidInput
from services.incidents.models import IncidentLink, Setting
from services.incidents.outbox import record_event
from services.incidents.schemas import ACTOR_ID, link_to_dict, optional_pattern, require_text
from services.incidents.store import add_timeline, load

KINDS = ("meeting", "pagerduty", "statuspage", "postmortem", "other")
SETTING_KEY = re.compile(r"^[a-z][a-z0-9_.:-]{0,127}$")
MAX_DATA = 20_000


def _url(value) -> str | None:  # noqa: ANN001
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"^https?://", value) or len(value) > 2048:
        raise InvalidInput(f"url {str(value)[:80]!r} is not an http(s) link", "url")
    return value


def _data(value) -> dict:  # noqa: ANN001
    value = value or {}
    if not isinstance(value, dict) or len(json.dumps(value)) > MAX_DATA:
        raise InvalidInput(f"data must be an object of at most {MAX_DATA} characters", "data")
    return value


def upsert_link(session, incident_id, kind, external_id, url, title, data, actor_id,  # noqa: ANN001
                timeline_text) -> tuple[IncidentLink, list]:
    """Add or update a link; an addition lands on the timeline (with `timeline_text`)."""
    incident = load(session, incident_id)
    if kind not in KINDS:
        raise InvalidInput(f"unknown link kind {kind!r}: choose one of {', '.join(KINDS)}", "kind")
    external_id = require_text(external_id, "external_id", 255)
    fields = {"url": _url(url), "title": require_text(title, "title", 255) if title else None,
              "data": _data(data)}
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    now = utcnow()
    link = session.scalar(select(IncidentLink).where(
        IncidentLink.incident_id == incident.id, IncidentLink.kind == kind,
        IncidentLink.external_id == external_id))
    created = link is None
    if created:
        link = IncidentLink(incident_id=incident.id, kind=kind, external_id=external_id,
                            created_at=now, **fields)
        incident.links.append(link)
    else:
        changed = {k: v for k, v in fields.items() if getattr(link, k) != v}
        if not changed:
            return link, []
        for key, value in changed.items():
            setattr(link, key, value)
    link.updated_at = incident.updated_at = now
    if kind == "meeting" and link.url:
        incident.meeting_url = link.url
    if timeline_text:
        add_timeline(session, incident, kind, require_text(timeline_text, "timeline_text", 3000),
                     actor_id, now)
    session.flush()
    event = IncidentEvent.LINK_ADDED if created else IncidentEvent.LINK_UPDATED
    return link, [record_event(session, event, incident, link=link_to_dict(link))]


def list_links(session, incident_id, kind=None) -> list[IncidentLink]:  # noqa: ANN001
    load(session, incident_id)
    query = select(IncidentLink).where(IncidentLink.incident_id == incident_id)
    if kind is not None:
        query = query.where(IncidentLink.kind == kind)
    return list(session.scalars(query.order_by(IncidentLink.id)))


def get_setting(session, key: str, default=None):  # noqa: ANN001, ANN201
    row = session.get(Setting, _key(key))
    return default if row is None else row.value


def set_setting(session, key: str, value, actor_id) -> None:  # noqa: ANN001
    if len(json.dumps(value)) > MAX_DATA:
        raise InvalidInput(f"a setting holds at most {MAX_DATA} characters", "value")
    row = session.get(Setting, _key(key))
    if row is None:
        session.add(Setting(key=key, value=value, updated_at=utcnow(), updated_by=actor_id))
    else:
        row.value, row.updated_at, row.updated_by = value, utcnow(), actor_id


def _key(key) -> str:  # noqa: ANN001
    if not isinstance(key, str) or not SETTING_KEY.match(key):
        raise InvalidInput(f"setting key {str(key)[:80]!r} is not valid", "key")
    return key
