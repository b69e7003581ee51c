"""The Bolt app behind `POST /slack/events`: signature checks, event dedupe, listeners."""
from __future__ import annotations

import logging
from typing import Callable

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from services.slack_gateway.listeners import GatewayDeps, register_all
from services.slack_gateway.payloads import problem

log = logging.getLogger(__name__)


def build_app(signing_secret: str, client: WebClient, deps: GatewayDeps) -> App:
    app = App(
        signing_secret=signing_secret,
        client=client,
        # auth.test at construction would make start-up depend on Slack being reachable.
        token_verification_enabled=False,
        # Ack functions answer in the request; Slack calls run in lazy listeners.
        process_before_response=True,
        logger=logging.getLogger("slack_bolt.App"),
    )
    app.use(_reject_malformed)
    app.use(_dedupe_retried_events(deps))
    register_all(app, deps)

    @app.error
    def on_error(error: Exception, body: dict) -> None:
        log.error("Slack listener failed for %s: %r", body.get("type"), error, exc_info=error)

    return app


def _reject_malformed(body: dict, next: Callable[[], None]) -> BoltResponse | None:  # noqa: A002
    wrong = problem(body)
    if wrong:
        log.warning("rejected a malformed Slack request: %s", wrong)
        return BoltResponse(status=400, body=wrong)
    next()
    return None


def _dedupe_retried_events(deps: GatewayDeps) -> Callable:
    """Slack redelivers an event (same event_id, X-Slack-Retry-Num) when an ack was
    slow or lost; the first delivery, on whichever replica, is the only one acted on."""

    def dedupe(body: dict, next: Callable[[], None]) -> BoltResponse | None:  # noqa: A002
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            try:
                with deps.rpc.cluster() as rpc:
                    first = rpc.incidents.claim_delivery(f"slack-event:{event_id}")
            except Exception as exc:  # cannot tell a retry from a first delivery: Slack retries
                log.warning("event %s not taken now (%r); Slack will deliver it again",
                            event_id, exc)
                return BoltResponse(status=503, body="")
            if not first:
                log.info("event %s already handled; ignoring the redelivery", event_id)
                return BoltResponse(status=200, body="")
        next()
        return None

    return dedupe


def to_bolt_request(body: str, query: str, headers: dict[str, list[str]]) -> BoltRequest:
    return BoltRequest(body=body, query=query, headers=headers)
