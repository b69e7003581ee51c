"""Slack listeners, grouped by kind. Each module has `register(app, deps)`.

A listener acks, maps the payload, calls `incidents` over RPC and answers:
no database, no business decisions here. The app runs with
`process_before_response=True`: the ack function runs in the request and its
answer goes back at once; work that talks to Slack goes in `lazy` functions,
which run after the response on Bolt's thread pool.
"""
from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from services.common.bus import RpcPool
from services.common.config import Config
from services.slack_gateway.digest_channel import DigestChannel


@dataclass
class GatewayDeps:
    config: Config
    rpc: RpcPool
    digest: DigestChannel


def ack_now(ack) -> None:  # noqa: ANN001
    ack()


def register_all(app: App, deps: GatewayDeps) -> None:
    from services.slack_gateway.listeners import (
        actions,
        commands,
        events,
        pagerduty,
        panel,
        reactions,
        shortcuts,
        statuspage,
        timeline,
        updates,
        views,
    )

    for module in (shortcuts, commands, views, actions, events, panel, updates, timeline,
                   reactions, pagerduty, statuspage):
        module.register(app, deps)
