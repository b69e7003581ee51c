"""The Confluence service: the postmortem page of every resolution, stored as the
incident's postmortem link (the gateway announces it in the war room)."""
from __future__ import annotations

import logging

from nameko.events import event_handler
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy, rpc

from services.common.dependencies import config_of
from services.common.events import SOURCE, IncidentEvent
from services.common.ops import Ops
from services.integrations.confluence.client import ConfluenceClient, ConfluenceSettings
from services.integrations.confluence.postmortem import ConfluenceState, PostmortemWriter
from services.integrations.confluence.render import (
    TemplateProblem,
    load_template,
    template_path,
)
from services.common.leases import REDELIVERY_PATIENCE, Claims

log = logging.getLogger(__name__)


def why_off(config, missing: list[str]) -> str | None:  # noqa: ANN001
    settings = config.integrations.confluence
    if not settings.enabled:
        return "integrations.confluence.enabled is false in config.yaml"
    if missing:
        return f"{' and '.join(missing)} not set"
    unset = [f"integrations.confluence.{key}" for key in ("space", "parent_page")
             if not getattr(settings, key).strip()]
    if unset:
        return f"{' and '.join(unset)} not set in config.yaml"
    return None


class ConfluenceProvider(DependencyProvider):
    """Builds the client and compiles the template once; says once why it is off."""

    def setup(self) -> None:
        container = self.container.config
        config = config_of(container)
        missing = ConfluenceSettings.missing(container)
        problem = why_off(config, missing)
        client = template = None
        if problem is None:
            try:
                template = load_template(template_path(config.integrations.confluence.template,
                                                       container.get("INCIDENTBOT_CONFIG")))
            except TemplateProblem as exc:
                problem = str(exc)
            else:
                client = ConfluenceClient(ConfluenceSettings.from_nameko_config(container))
        self.state = ConfluenceState(config, client, template, missing, problem)
        if problem:
            log.warning("Confluence postmortems are off: %s.", problem)

    def get_dependency(self, worker_ctx) -> ConfluenceState:  # noqa: ANN001
        return self.state


class ConfluenceService:
    name = "confluence"

    incidents = RpcProxy("incidents")
    confluence = ConfluenceProvider()
    ops = Ops()

    @event_handler(SOURCE, IncidentEvent.RESOLVED)
    def handle_incident_resolved(self, payload: dict) -> None:
        claims = Claims(self.incidents, patience=REDELIVERY_PATIENCE)
        PostmortemWriter(self.incidents, self.confluence, claims).on_resolved(payload)

    @rpc
    def get_status(self) -> dict:
        """{"enabled": bool, "missing": [env var names], "problem": why off, ...}."""
        return self.confluence.status()
