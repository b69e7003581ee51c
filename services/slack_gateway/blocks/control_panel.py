"""The control panel pinned in the war room: status, severity and role controls.

Rendered from the current incident state every time (a projection), so a late or
repeated event just re-renders the same picture.
"""

from __future__ import annotations

from typing import Any

from services.slack_gateway.blocks import (
    MESSAGE_MAX_BLOCKS,
    SECTION_TEXT_MAX,
    Block,
    actions,
    button,
    context,
    header,
    option,
    section,
    static_select,
    url_fits,
    users_select,
)
from services.slack_gateway.blocks.pagerduty import page_button
from services.slack_gateway.blocks.text import (
    description_of,
    escape_truncate,
    is_resolved,
    role_title,
    severity_label,
    slack_time,
    status_label,
    user_mention,
)
from services.slack_gateway.ids import ActionId, BlockId, role_block_id, role_from_block_id

__all__ = ["render_control_panel", "role_from_action", "role_title"]

UNASSIGNED = "_unassigned_"


def _holder_text(holder: str | None) -> str:
    return user_mention(holder) if holder else UNASSIGNED


def _summary_blocks(incident: dict[str, Any], config: Any) -> list[Block]:
    severity, status = incident["severity"], incident["status"]
    facts = [f"*Severity:* {severity_label(severity)}", f"*Status:* {status_label(status)}"]
    if incident.get("declared_at"):
        facts.append(f"*Declared:* {slack_time(incident['declared_at'])}")
    blocks = [
        header(f"Incident #{incident['id']}: {description_of(incident)}"),
        context("  ·  ".join(facts)),
    ]
    if is_resolved(incident, config):
        when = (f" {slack_time(incident['resolved_at'])}"
                if incident.get("resolved_at") else "")
        blocks.append(section(f":white_check_mark: *This incident was resolved{when}.* "
                              "Change the status below to reopen it."))
    return blocks


def _status_block(incident: dict[str, Any], config: Any) -> Block:
    options = [option(status_label(status), status) for status in config.statuses]
    return section("*Status*", block_id=BlockId.STATUS,
                   accessory=static_select(ActionId.STATUS_SELECT, options,
                                           placeholder="Set status",
                                           initial_value=incident["status"]))


def _severity_block(incident: dict[str, Any], config: Any) -> Block:
    current = incident["severity"]
    options = [option(severity_label(name), name, description)
               for name, description in config.severities.items()]
    meaning = config.severities.get(current, "")
    text = f"*Severity*\n{escape_truncate(meaning, 500)}" if meaning else "*Severity*"
    return section(text, block_id=BlockId.SEVERITY_PANEL,
                   accessory=static_select(ActionId.SEVERITY_SELECT, options,
                                           placeholder="Set severity",
                                           initial_value=current))


def _role_blocks(role: str, holder: str | None) -> list[Block]:
    return [
        section(f"*{role_title(role)}*: {_holder_text(holder)}"),
        actions([
            button("Claim", ActionId.ROLE_CLAIM, value=role),
            users_select(ActionId.ROLE_ASSIGN, placeholder="Assign...",
                         initial_user=holder),
        ], block_id=role_block_id(role)),
    ]


def _folded_role_blocks(roles: list[str], holders: dict[str, str],
                        room: int) -> list[Block]:
    """All roles in at most `room` blocks: holders list plus one role picker.

    Used when one section + actions pair per role would exceed the message limit.
    """
    lines = [f"*{role_title(role)}*: {_holder_text(holders.get(role))}" for role in roles]
    chunks: list[str] = []
    for line in lines:  # split the list across sections of at most 3000 characters
        if chunks and len(chunks[-1]) + 1 + len(line) <= SECTION_TEXT_MAX:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    # static_select takes at most 100 options: roles past that are listed, not pickable.
    picker = actions([
        static_select(ActionId.ROLE_PICK, [option(role_title(role), role) for role in roles],
                      placeholder="Choose a role"),
        # No value: the role comes from the picker's state (see role_from_action).
        button("Claim", ActionId.ROLE_CLAIM),
        users_select(ActionId.ROLE_ASSIGN, placeholder="Assign..."),
    ], block_id=BlockId.ROLE_PICKER)
    return [section(chunk) for chunk in chunks[: room - 1]] + [picker]


def _footer_block(incident: dict[str, Any], config: Any = None) -> Block:
    elements = [button("Provide update", ActionId.PROVIDE_UPDATE,
                       value=str(incident["id"]), style="primary")]
    if url_fits(incident.get("meeting_url")):
        elements.append(button("Join meeting", ActionId.OPEN_MEETING,
                               url=incident["meeting_url"]))
    # Paging is offered while PagerDuty is switched on in the config (the gateway holds no
    # PagerDuty credentials; without them the modal says PagerDuty is not set up).
    if config is not None and config.integrations.pagerduty.enabled \
            and not is_resolved(incident, config):
        elements.append(page_button(incident))
    return actions(elements)


def render_control_panel(incident: dict[str, Any], config: Any) -> dict[str, Any]:
    """The control panel message: {"text": fallback, "blocks": [...]} (<= 50 blocks)."""
    holders: dict[str, str] = incident.get("roles") or {}
    # Configured roles first, in config order; then any held role config no longer lists,
    # so a holder never silently disappears from the panel.
    roles = list(config.roles) + [role for role in holders if role not in config.roles]
    top = _summary_blocks(incident, config) + [
        _status_block(incident, config),
        _severity_block(incident, config),
        section("*Roles*"),
    ]
    footer = _footer_block(incident, config)
    room = MESSAGE_MAX_BLOCKS - len(top) - 1
    if 2 * len(roles) <= room:
        role_blocks = [block for role in roles for block in _role_blocks(role, holders.get(role))]
    else:
        role_blocks = _folded_role_blocks(roles, holders, room)
    text = (f"Incident #{incident['id']} control panel: "
            f"{severity_label(incident['severity'])}, {status_label(incident['status'])}")
    return {"text": text, "blocks": top + role_blocks + [footer]}


def role_from_action(body: dict[str, Any], action: dict[str, Any]) -> str | None:
    """The role a ROLE_CLAIM / ROLE_ASSIGN action is about, whichever panel layout sent it.

    Per-role layout: the claim button's value, or the role in the block id. Folded
    layout: the option currently chosen in the ROLE_PICK select (from the message state).
    """
    if action.get("value"):
        return action["value"]
    role = role_from_block_id(action.get("block_id"))
    if role:
        return role
    values = (body.get("state") or {}).get("values") or {}
    picked = (values.get(BlockId.ROLE_PICKER) or {}).get(ActionId.ROLE_PICK) or {}
    return (picked.get("selected_option") or {}).get("value")
