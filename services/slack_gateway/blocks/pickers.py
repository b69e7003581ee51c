"""A small modal to choose an incident, for shortcuts used outside an incident channel."""
from __future__ import annotations

from typing import Any

from services.slack_gateway.blocks import actions, option, plain_text, section, static_select
from services.slack_gateway.blocks.text import description_of, truncate

PICKER_CALLBACK = "incident_picker_modal"


def incident_picker_modal(open_incidents: list[dict[str, Any]], *, action_id: str,
                          block_id: str, title: str) -> dict[str, Any]:
    """Lists open incidents in a select; choosing one sends a block action."""
    view: dict[str, Any] = {"type": "modal", "callback_id": PICKER_CALLBACK,
                            "title": plain_text(title, 24), "close": plain_text("Cancel")}
    if not open_incidents:
        view["blocks"] = [section("There are no open incidents right now.")]
        return view
    options = [option(truncate(f"#{i['id']} {description_of(i, public=True)}", 75), str(i["id"]))
               for i in open_incidents]
    view["blocks"] = [
        section("Which incident?"),
        actions([static_select(action_id, options, placeholder="Choose an incident")],
                block_id=block_id),
    ]
    return view
