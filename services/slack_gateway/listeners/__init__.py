"""Slack listeners, grouped by kind. Each module has `register(app, deps)`.

A listener acks, maps the payload, calls `incidents` over RPC and answers:
no database, no business decisions here.
"""
from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from services.common.bus import RpcPool
from services.common.config import Config


@dataclass
class GatewayDeps:
    config: Config
    rpc: RpcPool


def register_all(app: App, deps: GatewayDeps) -> None:
    from services.slack_gateway.listeners import actions, commands, events, shortcuts, views

    for module in (shortcuts, commands, views, actions, events):
        module.register(app, deps)
