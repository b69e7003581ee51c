"""Status updates and pinned items: stored with their timeline entry and event."""
from __future__ import annotations

import base64
import binascii

from sqlalchemy import delete, select

from services.common.events import IncidentEvent
from services.common.timeutil import utcnow
from services.incidents import reminders
from services.incidents.exceptions import InvalidInput
from services.incidents.models import Incident, PinnedItem, StatusUpdate
from services.incidents.outbox import record_event
from services.incidents.schemas import (
    ACTOR_ID,
    MAX_TEXT,
    SLACK_TS,
    USER_ID,
    optional_pattern,
    pinned_item_to_dict,
    require_choice,
    require_text,
    status_update_to_dict,
)
from services.incidents.store import add_timeline, load

MAX_IMPACTED = 500
MAX_PERMALINK = 1024
PIN_KINDS = ["message", "image"]


def post_status_update(session, incident_id, text, impacted, author_id, config, now=None) -> tuple[StatusUpdate, list]:  # noqa: ANN001,E501
    incident = load(session, incident_id)
    text = require_text(text, "text", MAX_TEXT)
    impacted = require_text(impacted, "impacted", MAX_IMPACTED) if impacted else None
    author_id = optional_pattern(author_id, "author_id", ACTOR_ID)
    now = now or utcnow()
    update = StatusUpdate(incident_id=incident.id, text=text, impacted=impacted,
                          author_id=author_id, posted_at=now)
    session.add(update)
    incident.last_update_at = incident.updated_at = now
    reminders.schedule(incident, config, now, restart=True)  # an update resets the clock
    add_timeline(session, incident, "status_update", f"Status update: {text}", author_id, now)
    session.flush()
    return update, [record_event(session, IncidentEvent.STATUS_UPDATE_POSTED, incident,
                                 update=status_update_to_dict(update))]


def list_status_updates(session, incident_id) -> list[StatusUpdate]:  # noqa: ANN001
    load(session, incident_id)
    return list(session.scalars(select(StatusUpdate).where(StatusUpdate.incident_id == incident_id)
                                .order_by(StatusUpdate.posted_at, StatusUpdate.id)))


def _decode(content: str | None, limit: int) -> bytes | None:
    if content is None:
        return None
    try:
        raw = base64.b64decode(content, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise InvalidInput("content_base64 is not valid base64", "content_base64")
    if len(raw) > limit:
        raise InvalidInput(f"the file is too large ({len(raw)} bytes, at most {limit})",
                           "content_base64")
    return raw


def pin_item(session, incident_id, data: dict, max_bytes: int) -> tuple[PinnedItem, list]:  # noqa: ANN001
    """Store a pinned message or image once per message."""
    incident: Incident = load(session, incident_id)
    if not isinstance(data, dict):
        raise InvalidInput("a pinned item must be an object", None)
    message_ts = optional_pattern(data.get("message_ts"), "message_ts", SLACK_TS)
    if message_ts is None:
        raise InvalidInput("message_ts is required", "message_ts")
    existing = session.scalar(select(PinnedItem).where(PinnedItem.incident_id == incident.id,
                                                       PinnedItem.message_ts == message_ts))
    if existing is not None:
        return existing, []
    kind = require_choice(data.get("kind", "message"), "kind", PIN_KINDS)
    text = data.get("text") or ""
    if not isinstance(text, str) or len(text) > 40000:
        raise InvalidInput("text must be at most 40000 characters", "text")
    permalink = data.get("permalink")
    if permalink is not None and (not isinstance(permalink, str) or len(permalink) > MAX_PERMALINK):
        raise InvalidInput("permalink is not a valid link", "permalink")
    item = PinnedItem(
        incident_id=incident.id, kind=kind, message_ts=message_ts, text=text,
        author_id=optional_pattern(data.get("author_id"), "author_id", USER_ID),
        permalink=permalink, file_name=(data.get("file_name") or None),
        mimetype=(data.get("mimetype") or None),
        content=_decode(data.get("content_base64"), max_bytes),
        pinned_by=optional_pattern(data.get("pinned_by"), "pinned_by", ACTOR_ID),
        pinned_at=utcnow(),
    )
    if kind == "image" and item.content is None:
        raise InvalidInput("an image needs its content", "content_base64")
    session.add(item)
    what = f"an image ({item.file_name})" if kind == "image" else "a message"
    author = f" from <@{item.author_id}>" if item.author_id else ""
    quote = f": {text[:200]}" if text else ""
    add_timeline(session, incident, "pinned", f"Pinned {what}{author}{quote}", item.pinned_by)
    session.flush()
    return item, [record_event(session, IncidentEvent.ITEM_PINNED, incident,
                               item=pinned_item_to_dict(item))]


def unpin_item(session, incident_id, message_ts, actor_id) -> tuple[bool, list]:  # noqa: ANN001
    incident = load(session, incident_id)
    actor_id = optional_pattern(actor_id, "actor_id", ACTOR_ID)
    removed = session.execute(delete(PinnedItem).where(PinnedItem.incident_id == incident.id,
                                                       PinnedItem.message_ts == message_ts))
    if removed.rowcount == 0:
        return False, []
    add_timeline(session, incident, "unpinned", "Removed a pinned item", actor_id)
    return True, [record_event(session, IncidentEvent.ITEM_UNPINNED, incident,
                               message_ts=message_ts, actor_id=actor_id)]


def list_pinned_items(session, incident_id) -> list[PinnedItem]:  # noqa: ANN001
    load(session, incident_id)
    return list(session.scalars(select(PinnedItem).where(PinnedItem.incident_id == incident_id)
                                .order_by(PinnedItem.pinned_at, PinnedItem.id)))

