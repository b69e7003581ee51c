"""Corrections people make after the fact (mostly from the web UI): the description, a
manual timeline entry, a pinned item. Each writes its timeline entry and event."""
from __future__ import annotations

from sqlalchemy import select

from services.common.events import IncidentEvent
from services.common.timeutil import to_iso, utcnow
from services.incidents.exceptions import IncidentNotFound, InvalidInput
from services.incidents.models import Incident, PinnedItem, TimelineEvent
from services.incidents.outbox import record_event
from services.incidents.schemas import (
    ACTOR_ID,
    MAX_DESCRIPTION,
    MAX_TEXT,
    optional_pattern,
    parse_occurred_at,
    require_int,
    require_text,
)
from services.incidents.store import add_timeline, load


def change_description(session, incident_id, description, actor_id) -> tuple[Incident, list]:  # noqa: ANN001,E501
    incident = load(session, incident_id)
    description = require_text(description, "description", MAX_DESCRIPTION)
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    if incident.description == description:
        return incident, []
    previous, now = incident.description, utcnow()
    incident.description, incident.updated_at = description, now
    add_timeline(session, incident, "description_changed",
                 f"Description changed to: {description}", actor_id, now)
    return incident, [record_event(session, IncidentEvent.DESCRIPTION_CHANGED, incident,
                                   previous=previous, actor_id=actor_id)]


def _manual_entry(session, incident: Incident, entry_id) -> TimelineEvent:  # noqa: ANN001
    require_int(entry_id, "entry_id", minimum=1)
    entry = session.get(TimelineEvent, entry_id)
    if entry is None or entry.incident_id != incident.id:
        raise IncidentNotFound(f"timeline entry {entry_id} does not exist", "entry_id")
    if entry.kind != "manual":
        raise InvalidInput("only manual timeline entries can be changed", "entry_id")
    return entry


def edit_timeline_entry(session, incident_id, entry_id, text, occurred_at, actor_id) -> tuple[TimelineEvent, list]:  # noqa: ANN001,E501
    """Change the text and/or time of a manual entry (None leaves a field as it is)."""
    incident = load(session, incident_id)
    entry = _manual_entry(session, incident, entry_id)
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    if text is None and occurred_at is None:
        raise InvalidInput("give a new text or time", "text")
    new_text = require_text(text, "text", MAX_TEXT) if text is not None else entry.text
    new_time = parse_occurred_at(occurred_at) if occurred_at is not None else entry.occurred_at
    if (new_text, new_time) == (entry.text, entry.occurred_at):
        return entry, []
    entry.text, entry.occurred_at = new_text, new_time
    incident.updated_at = utcnow()
    return entry, [record_event(session, IncidentEvent.TIMELINE_EVENT_EDITED, incident,
                                timeline_event_id=entry.id, actor_id=actor_id,
                                occurred_at=to_iso(entry.occurred_at))]


def _pinned(session, incident: Incident, item_id) -> PinnedItem:  # noqa: ANN001
    require_int(item_id, "item_id", minimum=1)
    item = session.scalar(select(PinnedItem).where(PinnedItem.id == item_id,
                                                   PinnedItem.incident_id == incident.id))
    if item is None:
        raise IncidentNotFound(f"pinned item {item_id} does not exist", "item_id")
    return item


def get_pinned_item(session, incident_id, item_id) -> PinnedItem:  # noqa: ANN001
    return _pinned(session, load(session, incident_id), item_id)


def unpin_item_by_id(session, incident_id, item_id, actor_id) -> tuple[PinnedItem, list]:  # noqa: ANN001,E501
    incident = load(session, incident_id)
    item = _pinned(session, incident, item_id)
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    session.delete(item)
    add_timeline(session, incident, "unpinned", "Removed a pinned item", actor_id)
    incident.updated_at = utcnow()
    return item, [record_event(session, IncidentEvent.ITEM_UNPINNED, incident,
                               message_ts=item.message_ts, item_id=item.id, actor_id=actor_id)]
