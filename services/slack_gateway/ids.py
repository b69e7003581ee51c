"""Callback, action and block ids shared by the Block Kit builders and the listeners.

Each id is defined once here: a view builder and the handler that reacts to it
must never spell the same id twice (a typo would silently drop the interaction).
"""

from __future__ import annotations

import enum
import re

# Max lengths, in characters, that the modals' plain_text_inputs enforce client-side
# (max_length) so the user sees them; the services validate the same limits.
MAX_DESCRIPTION = 500
MAX_UPDATE = 3000
MAX_IMPACTED = 500
MAX_TIMELINE_TEXT = 3000

# Timeline entries per page of the timeline modal (a modal holds at most 100 blocks).
TIMELINE_PAGE_SIZE = 40

_ROLE_BLOCK_PREFIX = "role_"


class CallbackId(enum.StrEnum):
    DECLARE_SHORTCUT = "declare_incident"  # global shortcut (also in manifest.yaml)
    DECLARE_MODAL = "declare_incident_modal"
    UPDATE_SHORTCUT = "provide_incident_update"  # global shortcut (also in manifest.yaml)
    UPDATE_MODAL = "incident_update_modal"
    TIMELINE_SHORTCUT = "manage_incident_timeline"  # global shortcut (also in manifest.yaml)
    TIMELINE_MODAL = "incident_timeline_modal"


class ActionId(enum.StrEnum):
    HOME_DECLARE = "home_declare_incident"
    DIGEST_DECLARE = "digest_declare_incident"
    STATUS_SELECT = "incident_status_select"
    SEVERITY_SELECT = "incident_severity_select"
    ROLE_CLAIM = "incident_role_claim"  # button; value = role name
    ROLE_ASSIGN = "incident_role_assign"  # users_select; block_id = role_block_id(role)
    # Only in the folded control panel (too many roles for one block pair each):
    # a static_select choosing the role that ROLE_CLAIM / ROLE_ASSIGN then act on.
    ROLE_PICK = "incident_role_pick"
    PROVIDE_UPDATE = "incident_provide_update"
    SNOOZE_REMINDERS = "incident_snooze_reminders"  # static_select; value = minutes
    JOIN_CHANNEL = "incident_join_channel"  # url button
    OPEN_MEETING = "incident_open_meeting"  # url button
    # Declare modal inputs.
    DESCRIPTION = "description"
    SEVERITY = "severity"
    PRIVATE = "private"
    # Status update modal inputs.
    UPDATE_MESSAGE = "update_message"
    UPDATE_IMPACTED = "update_impacted"
    UPDATE_INCIDENT = "update_incident"
    # Timeline modal.
    TIMELINE_DATE = "timeline_date"
    TIMELINE_TIME = "timeline_time"
    TIMELINE_TEXT = "timeline_text"
    TIMELINE_DELETE = "timeline_delete"  # button; value = str(entry id)
    # Prefix of the Previous/Next buttons (see TIMELINE_PAGE_ACTIONS); value = str(page).
    TIMELINE_PAGE = "timeline_page"
    TIMELINE_INCIDENT = "timeline_incident"
    ARCHIVE_CHANNEL = "incident_archive_channel"  # button; value = str(incident id)


class BlockId(enum.StrEnum):
    DESCRIPTION = "declare_description"
    SEVERITY = "declare_severity"
    PRIVATE = "declare_private"
    STATUS = "panel_status"
    SEVERITY_PANEL = "panel_severity"
    # Folded control panel: the one actions block holding ROLE_PICK + claim + assign.
    ROLE_PICKER = "panel_role_picker"
    UPDATE_MESSAGE = "update_message"
    UPDATE_IMPACTED = "update_impacted"
    UPDATE_INCIDENT = "update_incident"
    TIMELINE_DATE = "timeline_date"
    TIMELINE_TIME = "timeline_time"
    TIMELINE_TEXT = "timeline_text"
    TIMELINE_NAV = "timeline_nav"
    TIMELINE_INCIDENT = "timeline_incident"


# Slack wants action ids unique within a block, so the timeline's Previous and Next
# buttons (both in BlockId.TIMELINE_NAV) get distinct ids sharing one prefix; a
# listener matches them both with TIMELINE_PAGE_PATTERN and reads the target page
# from the button's value.
TIMELINE_PAGE_PREV = f"{ActionId.TIMELINE_PAGE}:prev"
TIMELINE_PAGE_NEXT = f"{ActionId.TIMELINE_PAGE}:next"
TIMELINE_PAGE_ACTIONS = (TIMELINE_PAGE_PREV, TIMELINE_PAGE_NEXT)
TIMELINE_PAGE_PATTERN = re.compile(f"^{re.escape(ActionId.TIMELINE_PAGE)}")


def role_block_id(role: str) -> str:
    """Block id of the actions block that carries one role's claim/assign controls."""
    return f"{_ROLE_BLOCK_PREFIX}{role}"


def role_from_block_id(block_id: str | None) -> str | None:
    """The role encoded by role_block_id(), or None for any other block id."""
    if not block_id or not block_id.startswith(_ROLE_BLOCK_PREFIX):
        return None
    return block_id[len(_ROLE_BLOCK_PREFIX):] or None
