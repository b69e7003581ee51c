"""What the PagerDuty and Statuspage modals share: opened from a war room they are for
its incident; opened elsewhere they first ask which open incident; and since the vendor
may take longer than a trigger id lives (3 s), a loading view opens at once and the real
one replaces it."""
from __future__ import annotations

from typing import Callable

from slack_sdk import WebClient

from services.slack_gateway.blocks.pagerduty import message_view
from services.slack_gateway.blocks.pickers import incident_picker_modal
from services.slack_gateway.listeners.common import call

ViewFor = Callable[[dict], dict]


def open_for_incident(deps, client: WebClient, trigger_id: str, incident: dict | None,  # noqa: ANN001
                      title: str, picker: tuple[str, str], loading: str,
                      view_for: ViewFor) -> None:
    """`picker`: the (action_id, block_id) of the incident picker."""
    if incident is None:
        listed = call(deps, "list_incidents", open_only=True, limit=100)["items"]
        client.views_open(trigger_id=trigger_id, view=incident_picker_modal(
            listed, action_id=picker[0], block_id=picker[1], title=title))
        return
    opened = client.views_open(trigger_id=trigger_id, view=message_view(title, loading))["view"]
    client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view_for(incident))


def show_picked(deps, client: WebClient, body: dict, action: dict, view_for: ViewFor) -> None:  # noqa: ANN001
    """The picker's choice: replace the picker with the modal for that incident."""
    incident = call(deps, "get_incident", int(action["selected_option"]["value"]))
    client.views_update(view_id=body["view"]["id"], view=view_for(incident))
