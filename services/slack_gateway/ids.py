"""Callback, action and block ids shared by the Block Kit builders and the listeners.

Each id is defined once here: a view builder and the handler that reacts to it
must never spell the same id twice (a typo would silently drop the interaction).
"""

from __future__ import annotations

import enum

# Max length of an incident description, in characters; the declare modal's
# plain_text_input enforces it client-side (max_length) so the user sees it.
MAX_DESCRIPTION = 500

_ROLE_BLOCK_PREFIX = "role_"


class CallbackId(enum.StrEnum):
    DECLARE_SHORTCUT = "declare_incident"  # global shortcut (also in manifest.yaml)
    DECLARE_MODAL = "declare_incident_modal"


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
    JOIN_CHANNEL = "incident_join_channel"  # url button
    OPEN_MEETING = "incident_open_meeting"  # url button
    # Declare modal inputs.
    DESCRIPTION = "description"
    SEVERITY = "severity"
    PRIVATE = "private"


class BlockId(enum.StrEnum):
    DESCRIPTION = "declare_description"
    SEVERITY = "declare_severity"
    PRIVATE = "declare_private"
    STATUS = "panel_status"
    SEVERITY_PANEL = "panel_severity"
    # Folded control panel: the one actions block holding ROLE_PICK + claim + assign.
    ROLE_PICKER = "panel_role_picker"


def role_block_id(role: str) -> str:
    """Block id of the actions block that carries one role's claim/assign controls."""
    return f"{_ROLE_BLOCK_PREFIX}{role}"


def role_from_block_id(block_id: str | None) -> str | None:
    """The role encoded by role_block_id(), or None for any other block id."""
    if not block_id or not block_id.startswith(_ROLE_BLOCK_PREFIX):
        return None
    return block_id[len(_ROLE_BLOCK_PREFIX):] or None
