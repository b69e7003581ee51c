"""Small helpers the listeners share: RPC calls, telling a user what went wrong."""
from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.incidents.exceptions import IncidentError

log = logging.getLogger(__name__)
UNAVAILABLE = "The incident service did not answer; nothing was changed. Please try again."


def call(deps, method: str, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN001
    """`incidents.<method>(...)` over a pooled RPC proxy."""
    with deps.rpc.cluster() as rpc:
        return getattr(rpc.incidents, method)(*args, **kwargs)


def incident_in_channel(deps, channel_id: str | None) -> dict | None:  # noqa: ANN001
    return call(deps, "get_incident_by_channel", channel_id) if channel_id else None


def tell_user(client: WebClient, user_id: str, text: str, channel_id: str | None = None) -> None:
    """Show `text` to one user: ephemeral in the channel, else in a direct message."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
            return
        except SlackApiError as exc:
            log.info("ephemeral message failed (%s); sending a DM", exc.response.get("error"))
    client.chat_postMessage(channel=user_id, text=text)


def slack_refusal(error: str | None) -> str:
    """What to tell a user when Slack refused a call made for them."""
    if error == "expired_trigger_id":
        return ("Slack stopped waiting for the form to open (it allows 3 seconds): "
                "please try again.")
    return f"Slack refused that ({error}); nothing more was done."


def run_for_user(client: WebClient, user_id: str, channel_id: str | None, action) -> Any:  # noqa: ANN001
    """Run `action`; a domain error or an outage is told to the user, not only logged."""
    try:
        return action()
    except IncidentError as exc:
        tell_user(client, user_id, exc.message, channel_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("Slack refused a call for %s: %s", user_id, error)
        try:
            tell_user(client, user_id, slack_refusal(error), channel_id)
        except SlackApiError:
            log.error("could not tell %s that Slack refused (%s)", user_id, error)
    except Exception:  # the bus or the service is down: the user must hear it
        log.exception("incident RPC failed")
        tell_user(client, user_id, UNAVAILABLE, channel_id)
    return None


def user_timezone(client: WebClient, user_id: str) -> str:
    try:
        return client.users_info(user=user_id)["user"].get("tz") or "UTC"
    except SlackApiError:
        return "UTC"


def channel_of(body: dict) -> str | None:
    return ((body.get("channel") or {}).get("id")
            or (body.get("container") or {}).get("channel_id"))
