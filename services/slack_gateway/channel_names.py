"""War-room channel names: `<prefix>-<time>-<slug of description>`, within Slack's rules."""
from __future__ import annotations

import re
import unicodedata

from services.common.timeutil import from_iso

MAX_NAME = 80  # Slack's limit for channel names


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens; what Slack accepts in a name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def channel_name(incident: dict, naming, attempt: int = 1) -> str:  # noqa: ANN001
    """The name for `incident`; `attempt` > 1 adds a suffix after a `name_taken`."""
    stamp = from_iso(incident["declared_at"]).strftime(naming.time_format)
    head = f"{naming.prefix}-{slugify(stamp) or incident['id']}"
    suffix = f"-{attempt}" if attempt > 1 else ""
    slug = "private" if incident.get("is_private") else slugify(incident["description"])
    room = MAX_NAME - len(head) - len(suffix) - 1
    slug = slug[:room].rstrip("-") if room > 0 else ""
    name = f"{head}-{slug}" if slug else head
    return (name[: MAX_NAME - len(suffix)] + suffix).strip("-")
