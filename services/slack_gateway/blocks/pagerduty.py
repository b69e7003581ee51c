"""Paging from Slack: the "Page a team" button, the page modal (service, urgency, note),
reading its submission, and the small views shown while loading or after paging.

Services are a static_select. Slack allows 100 options in one; past that they go in
option groups of up to 100 (alphabetical slices, labelled "A–F"), which Slack allows
100 of: 10,000 services in all, the rest listed as not shown.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from services.slack_gateway.blocks import (
    LABEL_MAX,
    OPTION_TEXT_MAX,
    SELECT_OPTIONS_MAX,
    VIEW_TITLE_MAX,
    Block,
    button,
    context,
    option,
    plain_text,
    section,
)
from services.slack_gateway.blocks.text import (
    description_of,
    escape_truncate,
    severity_label,
    truncate,
)

NOTE_MAX = 2000
MAX_GROUPS = 100
URGENCIES = (("high", "High: notify the on-call person now"),
             ("low", "Low: notify in working hours"))


class PagerDutyId(enum.StrEnum):
    PAGE_SHORTCUT = "page_a_team"  # global shortcut (also in manifest.yaml)
    PAGE_MODAL = "pagerduty_page_modal"
    PAGE_BUTTON = "pagerduty_page_team"  # control panel button; value = str(incident id)
    PICK_INCIDENT = "pagerduty_pick_incident"  # incident picker select (outside a war room)
    PICK_BLOCK = "pagerduty_pick_block"
    SERVICE = "pagerduty_service"
    SERVICE_BLOCK = "pagerduty_service_block"
    URGENCY = "pagerduty_urgency"
    URGENCY_BLOCK = "pagerduty_urgency_block"
    NOTE = "pagerduty_note"
    NOTE_BLOCK = "pagerduty_note_block"


def page_button(incident: dict[str, Any]) -> Block:
    return button("Page a team", PagerDutyId.PAGE_BUTTON, value=str(incident["id"]))


def message_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something: loading, a refusal, a result."""
    return {"type": "modal", "title": plain_text(title, VIEW_TITLE_MAX),
            "close": plain_text("Close"), "blocks": [section(escape_truncate(text, 2900))]}


def _service_option(service: dict[str, Any]) -> Block:
    return option(truncate(service["name"] or service["id"], OPTION_TEXT_MAX), service["id"])


def _initial(name: str) -> str:
    return (name[:1] or "?").upper()


def service_select(services: list[dict[str, Any]]) -> tuple[Block, int]:
    """The static_select of services, and how many services did not fit."""
    services = sorted(services, key=lambda s: (s["name"] or s["id"]).lower())
    element: Block = {"type": "static_select", "action_id": PagerDutyId.SERVICE,
                      "placeholder": plain_text("Choose a service")}
    if len(services) <= SELECT_OPTIONS_MAX:
        element["options"] = [_service_option(s) for s in services]
        return element, 0
    shown = services[: SELECT_OPTIONS_MAX * MAX_GROUPS]
    groups = []
    for start in range(0, len(shown), SELECT_OPTIONS_MAX):
        chunk = shown[start:start + SELECT_OPTIONS_MAX]
        first, last = _initial(chunk[0]["name"] or ""), _initial(chunk[-1]["name"] or "")
        label = first if first == last else f"{first}–{last}"
        groups.append({"label": plain_text(f"{label} ({start + 1}–{start + len(chunk)})", 75),
                       "options": [_service_option(s) for s in chunk]})
    element["option_groups"] = groups
    return element, len(services) - len(shown)


def page_modal(incident: dict[str, Any], services: list[dict[str, Any]],
               urgency: str = "high") -> dict[str, Any]:
    """The modal choosing what to page for `incident`."""
    about = (f"*Incident #{incident['id']}* · {severity_label(incident['severity'])} · "
             f"{escape_truncate(description_of(incident, public=True), 300)}")
    view: dict[str, Any] = {
        "type": "modal", "callback_id": PagerDutyId.PAGE_MODAL,
        "title": plain_text("Page a team", VIEW_TITLE_MAX), "close": plain_text("Cancel"),
        "private_metadata": json.dumps({"incident_id": incident["id"]}),
    }
    if not services:
        view["blocks"] = [context(about), section("PagerDuty lists no services to page.")]
        return view
    select, hidden = service_select(services)
    urgency_options = [option(label, value) for value, label in URGENCIES]
    blocks: list[Block] = [
        context(about),
        {"type": "input", "block_id": PagerDutyId.SERVICE_BLOCK,
         "label": plain_text("Service to page", LABEL_MAX), "element": select},
        {"type": "input", "block_id": PagerDutyId.URGENCY_BLOCK,
         "label": plain_text("Urgency", LABEL_MAX),
         "element": {"type": "radio_buttons", "action_id": PagerDutyId.URGENCY,
                     "options": urgency_options,
                     "initial_option": next(o for o in urgency_options
                                            if o["value"] == urgency)}},
        {"type": "input", "block_id": PagerDutyId.NOTE_BLOCK, "optional": True,
         "label": plain_text("Note for the responders", LABEL_MAX),
         "element": {"type": "plain_text_input", "action_id": PagerDutyId.NOTE,
                     "multiline": True, "max_length": NOTE_MAX,
                     "placeholder": plain_text("What should they look at first?")}},
    ]
    if hidden:
        blocks.append(context(f"{hidden} more services are not listed (Slack shows at most "
                              f"{SELECT_OPTIONS_MAX * MAX_GROUPS}); page them in PagerDuty."))
    view.update(submit=plain_text("Page"), blocks=blocks)
    return view


def read_page_submission(view: dict[str, Any]) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}

    def chosen(block: str, action: str) -> str | None:
        entry = (values.get(block) or {}).get(action) or {}
        return (entry.get("selected_option") or {}).get("value")

    note = ((values.get(PagerDutyId.NOTE_BLOCK) or {}).get(PagerDutyId.NOTE) or {}).get("value")
    metadata = json.loads(view.get("private_metadata") or "{}")
    return {"incident_id": metadata.get("incident_id"),
            "service_id": chosen(PagerDutyId.SERVICE_BLOCK, PagerDutyId.SERVICE),
            "urgency": chosen(PagerDutyId.URGENCY_BLOCK, PagerDutyId.URGENCY) or "high",
            "note": (note or "").strip() or None}


def page_errors(message: str, field: str | None = None) -> dict[str, Any]:
    """ack() arguments showing `message` under the input it is about."""
    block = {"urgency": PagerDutyId.URGENCY_BLOCK, "note": PagerDutyId.NOTE_BLOCK}.get(
        field or "", PagerDutyId.SERVICE_BLOCK)
    return {"response_action": "errors", "errors": {block.value: truncate(message, 2000)}}


def paged_view(link: dict[str, Any]) -> dict[str, Any]:
    """What the modal turns into after a page that had already been made."""
    name = (link.get("data") or {}).get("service_name") or "That service"
    return message_view("Page a team", f"{name} was already paged for this incident, and "
                                       "that page is still open in PagerDuty.")
