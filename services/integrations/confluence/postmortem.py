"""Writing the postmortem of a resolution to Confluence, once per resolution.

Talks to `incidents` through the RPC proxy it is given and to Confluence through
`ConfluenceClient`; no nameko here.
"""
from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

import jinja2

from services.common.config import Config
from services.integrations.confluence.client import (
    ConfluenceClient,
    ConfluenceError,
    Page,
    TitleTaken,
)
from services.integrations.confluence.content import (
    attachment_name,
    postmortem_context,
    title_candidates,
)
from services.integrations.confluence.render import TemplateProblem, render_postmortem
from services.common.leases import Claims

log = logging.getLogger(__name__)
TIMELINE_PAGE = 200


def title_reservation(incident_id: int, resolved_at: str, title: str) -> str:
    """The claim key saying a resolution's page is (being) made under `title`."""
    digest = hashlib.sha256(title.encode()).hexdigest()[:16]
    return f"confluence:page-title:{incident_id}:{resolved_at}:{digest}"


class PostmortemFailed(Exception):
    """Why no postmortem was written; lands on the incident's timeline."""


@dataclass
class ConfluenceState:
    """What the service's entrypoints get. `problem` says why postmortems are off."""

    config: Config
    client: ConfluenceClient | None
    template: jinja2.Template | None
    missing: list[str] = field(default_factory=list)
    problem: str | None = None
    logged: set[str] = field(default_factory=set)  # problems already logged

    @property
    def enabled(self) -> bool:
        return self.client is not None and self.template is not None and not self.problem

    def status(self) -> dict:
        settings = self.config.integrations.confluence
        return {"enabled": self.enabled, "missing": list(self.missing), "problem": self.problem,
                "space": settings.space, "parent_page": settings.parent_page}


class PostmortemWriter:
    def __init__(self, incidents: Any, state: ConfluenceState, claims: Claims | None = None):
        self.incidents = incidents
        self.state = state
        self.settings = state.config.integrations.confluence
        # An event handler passes claims with patience, to take over a killed writer's.
        self.claims = claims or Claims(incidents)

    def on_resolved(self, payload: dict) -> dict | None:
        """Write the postmortem of the resolution `payload` announces, unless written."""
        if not self.state.enabled:
            return None
        incident_id = payload["incident_id"]
        resolved_at = payload["incident"].get("resolved_at")
        if not resolved_at:
            return None
        written = self.incidents.list_incident_links(incident_id, kind="postmortem")
        if any(link["data"].get("resolved_at") == resolved_at for link in written):
            log.info("incident %s: postmortem of %s already written", incident_id, resolved_at)
            return None
        key = f"confluence:postmortem:{incident_id}:{resolved_at}"
        if not self.claims.take(key):
            log.info("incident %s: postmortem of %s is being written elsewhere", incident_id,
                     resolved_at)
            return None
        if payload["incident"].get("is_private") and not self.settings.private_incidents:
            self.incidents.add_timeline_event(
                incident_id, "No postmortem was written to Confluence: the incident is private "
                             "(integrations.confluence.private_incidents is off)",
                kind="postmortem")
            self.claims.complete(key)
            return None
        try:
            with self.claims.kept(key):
                link = self.write(incident_id, resolved_at)
        except (PostmortemFailed, ConfluenceError, TemplateProblem) as exc:
            # The claim is no longer renewed: a redelivery after its lease may try again.
            self._log_once(f"incident {incident_id}: postmortem could not be written: {exc}",
                           key=str(exc) if isinstance(exc, PostmortemFailed) else None)
            self.incidents.add_timeline_event(
                incident_id, f"Postmortem could not be written: {exc}", kind="postmortem")
            return None
        self.claims.complete(key)
        return link

    def write(self, incident_id: int, resolved_at: str) -> dict:
        client, space = self.state.client, self.settings.space
        incident = self.incidents.get_incident(incident_id)
        timeline = self._timeline(incident_id)
        updates = self.incidents.list_status_updates(incident_id)
        pins = self.incidents.list_pinned_items(incident_id, with_content=True)
        parent = client.find_page(space, self.settings.parent_page)
        if parent is None:
            raise PostmortemFailed(f"the parent page {self.settings.parent_page!r} does not "
                                   f"exist in Confluence space {space}")
        page = self._create(incident, resolved_at, parent, timeline, updates, pins)
        missing = self._attach_images(incident_id, page, pins)
        link = self.incidents.upsert_incident_link(
            incident_id, "postmortem", page.id, url=page.url, title="Postmortem",
            data={"resolved_at": resolved_at, "page_title": page.title, "message": page.title},
            timeline_text=f"Postmortem written: {page.title}")
        if missing:
            self.incidents.add_timeline_event(
                incident_id, f"Postmortem written without {len(missing)} pinned image(s): "
                             f"{missing[0]}", kind="postmortem")
        log.info("incident %s: postmortem written: %s", incident_id, page.url)
        return link

    def _create(self, incident: dict, resolved_at: str, parent: Page, timeline: list[dict],
                updates: list[dict], pins: list[dict]) -> Page:
        client, space = self.state.client, self.settings.space
        for title in title_candidates(incident):
            reservation = title_reservation(incident["id"], resolved_at, title)
            found = client.find_page(space, title)
            if found is not None:
                # Completing the reservation succeeds only if this resolution reserved the
                # title: its writer made the page and died before storing the link.
                if self.incidents.complete_delivery(reservation):
                    log.info("incident %s: taking over postmortem page %s made by a writer "
                             "that was interrupted", incident["id"], found.id)
                    return found
                continue  # taken, by a person or by an earlier resolution
            # Reserved before the page is made (and kept for good), so that a writer taking
            # over after a crash knows a page under this title as this resolution's.
            self.incidents.claim_delivery(reservation)
            context = postmortem_context(incident, resolved_at, title, timeline, updates, pins,
                                         self.state.config)
            body = render_postmortem(self.state.template, context)
            try:
                return client.create_page(space, parent.id, title, body)
            except TitleTaken:  # taken between the look-up and the write: not ours
                self.incidents.complete_delivery(reservation)
                continue
        raise PostmortemFailed(f"every title tried for the page is taken in space {space}")

    def _attach_images(self, incident_id: int, page: Page, pins: list[dict]) -> list[str]:
        problems = []
        for item in pins:
            if item.get("kind") != "image" or not item.get("content_base64"):
                continue
            try:
                self.state.client.attach(page.id, attachment_name(incident_id, item),
                                         base64.b64decode(item["content_base64"]),
                                         item.get("mimetype") or "application/octet-stream")
            except ConfluenceError as exc:
                log.error("incident %s: %s", incident_id, exc)
                problems.append(str(exc))
        return problems

    def _timeline(self, incident_id: int) -> list[dict]:
        entries: list[dict] = []
        while True:
            page = self.incidents.list_timeline(incident_id, limit=TIMELINE_PAGE,
                                                offset=len(entries))
            entries += page["items"]
            if not page["items"] or len(entries) >= page["total"]:
                return entries

    def _log_once(self, message: str, key: str | None) -> None:
        """Configuration problems (a missing parent page) are logged once, not per incident."""
        if key is None or key not in self.state.logged:
            log.error(message)
        if key is not None:
            self.state.logged.add(key)
