"""Starting services: one per process over RabbitMQ, or all in one process over
the in-memory bus. Settings come from the environment, read here, once."""
from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import signal
from typing import Mapping

import eventlet
from nameko.containers import ServiceContainer

from services.common.bus import (
    MEMORY_URI,
    enable_memory_transport,
    reconnect_quickly,
    survive_lost_acks,
    survive_lost_replies,
    transient_rpc_requests,
)
from services.common.config import load_config

log = logging.getLogger(__name__)

DEFAULT_AMQP_URI = "pyamqp://guest:guest@127.0.0.1:5672//"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/incidentbot"
EMBEDDED_DATABASE_URL = "sqlite:///var/incident-bot.db"
PASS_THROUGH = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL",
                "INCIDENTBOT_CONFIG", "INCIDENTBOT_CLOCK_OFFSET_FILE",
                "PAGERDUTY_API_TOKEN", "PAGERDUTY_API_URL", "PAGERDUTY_EVENTS_URL",
                "PAGERDUTY_FROM_EMAIL", "PAGERDUTY_CA_FILE",
                "STATUSPAGE_API_KEY", "STATUSPAGE_PAGE_ID", "STATUSPAGE_API_URL",
                "ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_API_URL",
                "ZOOM_OAUTH_URL", "CONFLUENCE_URL", "CONFLUENCE_USERNAME", "CONFLUENCE_API_TOKEN",
                "HTTP_TIMEOUT_SECONDS",
                "WEB_SECRET_KEY", "WEB_ADMIN_EMAIL", "WEB_ADMIN_PASSWORD", "WEB_BEHIND_TLS")
SERVICES = ("incidents", "slack_gateway", "scheduler", "web", "zoom", "pagerduty",
            "statuspage", "confluence")
INTEGRATIONS = {
    "zoom": "services.integrations.zoom.service:ZoomService",
    "pagerduty": "services.integrations.pagerduty.service:PagerDutyService",
    "statuspage": "services.integrations.statuspage.service:StatuspageService",
    "confluence": "services.integrations.confluence.service:ConfluenceService",
}
PORTS = {"slack_gateway": ("GATEWAY_PORT", 3000), "web": ("WEB_PORT", 8000)}


def service_class(name: str) -> type:
    if name == "incidents":
        from services.incidents.service import IncidentsService
        return IncidentsService
    if name == "slack_gateway":
        from services.slack_gateway.service import SlackGatewayService
        return SlackGatewayService
    if name == "scheduler":
        from services.scheduler.service import SchedulerService
        return SchedulerService
    if name == "web":
        from services.web.service import WebService
        return WebService
    if name in INTEGRATIONS:
        module, cls = INTEGRATIONS[name].split(":")
        return getattr(importlib.import_module(module), cls)
    raise SystemExit(f"unknown service {name!r}: choose one of {', '.join(SERVICES)}")


def available(name: str) -> bool:
    """Integration services join the all-in-one process once their code exists."""
    if name not in INTEGRATIONS:
        return True
    try:
        return importlib.util.find_spec(INTEGRATIONS[name].split(":")[0]) is not None
    except ModuleNotFoundError:
        return False


def nameko_config(env: Mapping[str, str], service: str, embedded: bool = False) -> dict:
    config = {
        "AMQP_URI": env.get("AMQP_URI") or (MEMORY_URI if embedded else DEFAULT_AMQP_URI),
        "DATABASE_URL": env.get("DATABASE_URL") or (EMBEDDED_DATABASE_URL if embedded
                                                    else DEFAULT_DATABASE_URL),
        "serializer": "json",
        # Event handlers wait on Slack; keep them from starving HTTP acknowledgements.
        "max_workers": int(env.get("MAX_WORKERS", "64")),
        "parent_calls_tracked": 10,
        "OPS_PORT": env.get("OPS_PORT", "9100"),
        "OPS_HOST": env.get("BIND_HOST", "0.0.0.0"),
    }
    config.update({key: env[key] for key in PASS_THROUGH if env.get(key)})
    if service in PORTS:
        var, default = PORTS[service]
        config["WEB_SERVER_ADDRESS"] = f"{env.get('BIND_HOST', '0.0.0.0')}:{env.get(var, default)}"
    return config


def run_containers(containers: list[ServiceContainer]) -> None:
    """Start the containers and block until SIGTERM/SIGINT, then stop them cleanly."""
    reconnect_quickly()
    survive_lost_replies()
    survive_lost_acks()
    transient_rpc_requests()
    stop = eventlet.Event()

    def on_signal(signum, frame):  # noqa: ANN001, ANN202
        if not stop.ready():
            stop.send(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for container in containers:
        container.start()
    watchers = [eventlet.spawn(c.wait) for c in containers]
    try:
        while not stop.ready():
            for container, watcher in zip(containers, watchers):
                if watcher.dead:
                    watcher.wait()  # re-raises the container's error
                    raise SystemExit(f"service {container.service_name} stopped unexpectedly")
            eventlet.sleep(0.2)
    finally:
        for container in containers:
            container.stop()


def serve(service: str, env: Mapping[str, str] = os.environ) -> None:
    """One service in this process, over RabbitMQ (as deployed)."""
    config = nameko_config(env, service)
    load_config(env.get("INCIDENTBOT_CONFIG"))  # fail fast, naming the key
    run_containers([ServiceContainer(service_class(service), config)])


def run_embedded(env: Mapping[str, str] = os.environ) -> None:
    """Every service in one process, over the in-memory bus and SQLite by default."""
    from services.incidents.migrate import upgrade

    app_config = load_config(env.get("INCIDENTBOT_CONFIG"))
    configs = {name: nameko_config(env, name, embedded=True) for name in SERVICES}
    if configs["incidents"]["AMQP_URI"].startswith("memory:"):
        enable_memory_transport()
    database_url = configs["incidents"]["DATABASE_URL"]
    if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:////"):
        os.makedirs(os.path.dirname(database_url[len("sqlite:///"):]) or ".", exist_ok=True)
    upgrade(database_url)
    from services.web.migrate import upgrade as upgrade_web

    upgrade_web(database_url)
    for config in configs.values():
        config["INCIDENTBOT_CONFIG_OBJECT"] = app_config
    print_banner(env, configs)
    run_containers([ServiceContainer(service_class(name), configs[name]) for name in SERVICES
                    if available(name)])


def print_banner(env: Mapping[str, str], configs: dict) -> None:
    def local(address: str) -> str:
        host, port = address.rsplit(":", 1)
        return f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"

    missing = [k for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not env.get(k)]
    lines = [
        "incident-bot is running (all services in one process)",
        f"  bus:      {configs['incidents']['AMQP_URI']}",
        f"  database: {configs['incidents']['DATABASE_URL']}",
        f"  web UI:   {local(configs['web']['WEB_SERVER_ADDRESS'])}/",
        f"  Slack:    {local(configs['slack_gateway']['WEB_SERVER_ADDRESS'])}/slack/events",
    ]
    if missing:
        lines.append(f"  Slack is OFF: set {' and '.join(missing)} (see README). "
                     "Everything else runs.")
    if not env.get("WEB_ADMIN_EMAIL"):
        lines.append("  First sign-in: `.venv/bin/incident-bot create-admin --email you@example.com`"
                     " (or set WEB_ADMIN_EMAIL and WEB_ADMIN_PASSWORD)")
    vendors = {"Zoom": ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"),
               "PagerDuty": ("PAGERDUTY_API_TOKEN",),
               "Statuspage": ("STATUSPAGE_API_KEY", "STATUSPAGE_PAGE_ID"),
               "Confluence": ("CONFLUENCE_URL", "CONFLUENCE_USERNAME", "CONFLUENCE_API_TOKEN")}
    off = [f"{name} (set {', '.join(keys)})" for name, keys in vendors.items()
           if not all(env.get(k) for k in keys)]
    if off:
        lines.append("  Off until configured: " + "; ".join(off))
    print("\n".join(lines), flush=True)
