"""What a Zoom meeting for an incident is called. Pure: no nameko, no HTTP."""
from __future__ import annotations

TOPIC_LIMIT = 200  # Zoom refuses longer topics (error code 300)
ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """`text` on one line, cut to at most `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def meeting_topic(incident: dict) -> str:
    """'Incident #12: <description>'; a private incident shows its number only, since
    meeting topics are visible to everyone in the Zoom account."""
    label = f"Incident #{incident['id']}"
    if incident.get("is_private") or not incident.get("description"):
        return label
    return truncate(f"{label}: {incident['description']}", TOPIC_LIMIT)
