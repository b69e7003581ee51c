"""Statuspage in Slack: the prompt posted in a new war room, the create/update modal
(name, message, status, one status select per component), reading its submission, and
the "Statuspage" message that shows the Statuspage incident and its update history."""

from __future__ import annotations

import enum
import json
from typing import Any

from services.slack_gateway.blocks import (
    LABEL_MAX,
    VIEW_MAX_BLOCKS,
    VIEW_TITLE_MAX,
    Block,
    actions,
    button,
    context,
    header,
    option,
    plain_text,
    section,
    static_select,
)
from services.slack_gateway.blocks.text import (
    description_of,
    escape_truncate,
    severity_label,
    slack_time,
    truncate,
)

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
COMPONENT_STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage",
                      "under_maintenance")
COMPONENT_BLOCK_PREFIX = "statuspage_component:"
NAME_MAX, MESSAGE_MAX = 255, 3000  # Slack caps plain_text_input at 3000
PANEL_HISTORY = 10
_FIXED_BLOCKS = 6  # context, name, message, status, components heading, overflow note


class StatuspageId(enum.StrEnum):
    OPEN = "statuspage_open"  # prompt / panel button; value = str(incident id)
    MODAL = "statuspage_modal"
    PICK_INCIDENT = "statuspage_pick_incident"  # incident picker select (outside a war room)
    PICK_BLOCK = "statuspage_pick_block"
    NAME = "statuspage_name"
    NAME_BLOCK = "statuspage_name_block"
    MESSAGE = "statuspage_message"
    MESSAGE_BLOCK = "statuspage_message_block"
    STATUS = "statuspage_status"
    STATUS_BLOCK = "statuspage_status_block"
    COMPONENT = "statuspage_component_status"  # in each component's block


def label(status: str | None) -> str:
    return (status or "unknown").replace("_", " ").capitalize()


def component_block_id(component_id: str) -> str:
    return f"{COMPONENT_BLOCK_PREFIX}{component_id}"


def statuspage_prompt(incident: dict[str, Any]) -> dict[str, Any]:
    """Posted in the war room when Statuspage is on."""
    text = (":satellite: *Are customers affected?* Tell them on the status page: "
            "create a Statuspage incident for this incident.")
    return {"text": "Create a Statuspage incident if customers are affected.",
            "blocks": [section(text), actions([button(
                "Create Statuspage incident", StatuspageId.OPEN, value=str(incident["id"]),
                style="primary")])]}


def _status_input(statuses: tuple[str, ...], current: str) -> Block:
    options = [option(label(s), s) for s in statuses]
    return {"type": "input", "block_id": StatuspageId.STATUS_BLOCK,
            "label": plain_text("Status", LABEL_MAX),
            "element": static_select(StatuspageId.STATUS, options, placeholder="Status",
                                     initial_value=current)}


def _component_input(component: dict[str, Any], current: str) -> Block:
    options = [option(label(s), s) for s in COMPONENT_STATUSES]
    return {"type": "input", "block_id": component_block_id(component["id"]), "optional": True,
            "label": plain_text(truncate(component["name"], 150), LABEL_MAX),
            "element": static_select(StatuspageId.COMPONENT, options, placeholder="Status",
                                     initial_value=current)}


def statuspage_modal(incident: dict[str, Any], components: list[dict[str, Any]],
                     link: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create (no `link`) or update (the open Statuspage `link`) for `incident`."""
    data = (link or {}).get("data") or {}
    about = (f"*Incident #{incident['id']}* · {severity_label(incident['severity'])} · "
             f"{escape_truncate(description_of(incident, public=True), 300)}")
    if link:
        target = f"<{link['url']}|{escape_truncate(data.get('name') or 'Statuspage', 200)}>" \
            if link.get("url") else escape_truncate(data.get("name") or "", 200)
        about += f"\nUpdating {target} (now *{label(data.get('status'))}*)"
    blocks: list[Block] = [context(about)]
    if not link:
        blocks.append({"type": "input", "block_id": StatuspageId.NAME_BLOCK,
                       "label": plain_text("Name (public)", LABEL_MAX),
                       "element": {"type": "plain_text_input", "action_id": StatuspageId.NAME,
                                   "max_length": NAME_MAX, "initial_value": truncate(
                                       description_of(incident, public=True), NAME_MAX)}})
    blocks.append({"type": "input", "block_id": StatuspageId.MESSAGE_BLOCK,
                   "label": plain_text("Message to customers", LABEL_MAX),
                   "element": {"type": "plain_text_input", "action_id": StatuspageId.MESSAGE,
                               "multiline": True, "max_length": MESSAGE_MAX,
                               "placeholder": plain_text("What customers see, what we are "
                                                         "doing, when we will update")}})
    statuses = INCIDENT_STATUSES if link else INCIDENT_STATUSES[:-1]
    blocks.append(_status_input(statuses, data.get("status") or "investigating"))
    set_before = data.get("components") or {}
    room = VIEW_MAX_BLOCKS - _FIXED_BLOCKS
    if components:
        blocks.append(section("*Affected components*: set the status customers should see."))
        for component in components[:room]:
            current = set_before.get(component["id"]) or component.get("status") or "operational"
            blocks.append(_component_input(component, current))
        if len(components) > room:
            blocks.append(context(f"{len(components) - room} more components are not shown "
                                  "(a Slack form holds 100 blocks); set them on Statuspage."))
    return {"type": "modal", "callback_id": StatuspageId.MODAL,
            "title": plain_text("Statuspage", VIEW_TITLE_MAX),
            "submit": plain_text("Update" if link else "Publish"), "close": plain_text("Cancel"),
            "private_metadata": json.dumps({"incident_id": incident["id"],
                                            "mode": "update" if link else "create"}),
            "blocks": blocks}


def read_statuspage_submission(view: dict[str, Any],
                               affected_before: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields as RPC arguments. `components` holds every component set to something
    other than operational, plus those this Statuspage incident affected before (so
    setting one back to operational is sent too)."""
    values = (view.get("state") or {}).get("values") or {}
    metadata = json.loads(view.get("private_metadata") or "{}")

    def entry(block: str, action: str) -> dict:
        return (values.get(block) or {}).get(action) or {}

    components = {}
    for block_id, actions_state in values.items():
        if block_id.startswith(COMPONENT_BLOCK_PREFIX):
            chosen = ((actions_state.get(StatuspageId.COMPONENT) or {}).get("selected_option")
                      or {}).get("value")
            component_id = block_id[len(COMPONENT_BLOCK_PREFIX):]
            if chosen and (chosen != "operational" or component_id in (affected_before or {})):
                components[component_id] = chosen
    status = (entry(StatuspageId.STATUS_BLOCK, StatuspageId.STATUS).get("selected_option")
              or {}).get("value")
    return {"incident_id": metadata.get("incident_id"), "mode": metadata.get("mode", "create"),
            "name": (entry(StatuspageId.NAME_BLOCK, StatuspageId.NAME).get("value") or "").strip(),
            "message": (entry(StatuspageId.MESSAGE_BLOCK, StatuspageId.MESSAGE).get("value")
                        or "").strip(),
            "status": status, "components": components}


def statuspage_errors(message: str, field: str | None = None,
                      mode: str = "create") -> dict[str, Any]:
    """ack() arguments showing `message` under the input it is about."""
    block = {"name": StatuspageId.NAME_BLOCK, "status": StatuspageId.STATUS_BLOCK}.get(
        field or "", StatuspageId.MESSAGE_BLOCK)
    if block == StatuspageId.NAME_BLOCK and mode != "create":
        block = StatuspageId.MESSAGE_BLOCK
    return {"response_action": "errors", "errors": {block.value: truncate(message, 2000)}}


def _when(at: str | None) -> str:
    try:
        return slack_time(at) if at else ""
    except ValueError:  # not ISO 8601: show it as Statuspage wrote it
        return escape_truncate(at, 40)


def render_statuspage_panel(link: dict[str, Any], page_url: str | None = None) -> dict[str, Any]:
    """The war room's "Statuspage" message: status, components, update history."""
    data = link.get("data") or {}
    name, status = data.get("name") or "Statuspage incident", data.get("status")
    facts = [f"*Status:* {label(status)}"]
    if link.get("url"):
        facts.append(f"<{link['url']}|View on the status page>")
    elif page_url:
        facts.append(f"<{page_url}|Status page>")
    blocks: list[Block] = [header(f"Statuspage: {name}"), context("  ·  ".join(facts))]
    names = data.get("component_names") or {}
    affected = data.get("components") or {}
    if affected:
        lines = [f"• {escape_truncate(names.get(cid) or cid, 150)}: {label(value)}"
                 for cid, value in affected.items()]
        blocks.append(section("*Components*\n" + "\n".join(lines[:40])))
    updates = (data.get("updates") or [])[-PANEL_HISTORY:]
    for update in updates:
        when = _when(update.get("at"))
        blocks.append(section(f"*{label(update.get('status'))}* {when}\n"
                              f"{escape_truncate(update.get('body') or '', 1500)}"))
    hidden = len(data.get("updates") or []) - len(updates)
    if hidden > 0:
        blocks.append(context(f"{hidden} earlier updates are on the status page."))
    if status != "resolved":
        blocks.append(actions([button("Update Statuspage", StatuspageId.OPEN,
                                      value=str(link["incident_id"]))]))
    return {"text": f"Statuspage: {name} ({label(status)})", "blocks": blocks}


def not_permitted(groups: list[str]) -> str:
    names = ", ".join(f"<!subteam^{g}>" if g[:1] == "S" and g.isupper() else f"@{g.lstrip('@')}"
                      for g in groups)
    return (f"Only members of {names} can publish to the status page. Ask one of them to "
            "create or update the Statuspage incident.")
