"""The incidents service: the system of record. Entrypoints stay thin: validate,
run one store operation in a transaction, relay its events, return a dict."""
from __future__ import annotations

import datetime as dt

from nameko.events import EventDispatcher
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from services.common.clock import ClockProvider
from services.common.ops import Ops
from services.common.db import DatabaseProvider
from services.common.events import IncidentEvent
from services.common.timeutil import from_iso
from services.common.dependencies import ConfigProvider
from services.incidents import claims, edits, links, outbox, queries, reminders, store, updates
from services.incidents.exceptions import IncidentError, InvalidInput
from services.incidents.schemas import (
    incident_to_dict,
    link_to_dict,
    parse_declaration,
    parse_slack_resources,
    pinned_item_to_dict,
    require_int,
    status_update_to_dict,
    timeline_to_dict,
)

BACKLOG_AGE = dt.timedelta(seconds=5)


class IncidentsService:
    name = "incidents"

    db = DatabaseProvider()
    config = ConfigProvider()
    clock = ClockProvider()
    ops = Ops(database=True)
    dispatch = EventDispatcher()

    def _relay(self, events) -> None:  # noqa: ANN001
        outbox.relay(self.db, self.dispatch, events)

    def _write(self, operation, to_dict, *args):  # noqa: ANN001, ANN202
        """Run one store operation in a transaction, then relay the events it wrote."""
        with self.db.transaction() as session:
            subject, events = operation(session, *args)
            result = to_dict(subject)
        self._relay(events)
        return result

    def _change(self, operation, *args) -> dict:  # noqa: ANN001
        return self._write(operation, incident_to_dict, *args)

    @rpc(expected_exceptions=IncidentError)
    def declare_incident(self, data: dict) -> dict:
        fields = parse_declaration(data, self.config)
        try:
            return self._change(store.declare, fields, self.config, self.clock.now())
        except IntegrityError:
            # The same declaration committed concurrently (a redelivered call): that one
            # stands, and this call answers with it.
            if not fields.get("idempotency_key"):
                raise
            return self._change(store.declare, fields, self.config, self.clock.now())

    @rpc(expected_exceptions=IncidentError)
    def get_incident(self, incident_id: int) -> dict:
        with self.db.transaction() as session:
            return incident_to_dict(store.load(session, incident_id))

    @rpc(expected_exceptions=IncidentError)
    def get_incident_by_channel(self, channel_id: str) -> dict | None:
        with self.db.transaction() as session:
            incident = store.by_channel(session, channel_id)
            return incident_to_dict(incident) if incident else None

    @rpc(expected_exceptions=IncidentError)
    def list_incidents(self, status: str | None = None, severity: str | None = None,
                       open_only: bool = False, limit: int = 50, offset: int = 0,
                       query: str | None = None, declared_from: str | None = None,
                       declared_to: str | None = None) -> dict:
        """Newest first. `query` matches the description (case-insensitive substring);
        `declared_from` (inclusive) and `declared_to` (exclusive) are ISO 8601 times."""
        with self.db.transaction() as session:
            rows, total = queries.search_incidents(
                session, self.config, status=status, severity=severity, open_only=open_only,
                query=query, declared_from=declared_from, declared_to=declared_to,
                limit=limit, offset=offset)
            return {"items": [incident_to_dict(i) for i in rows], "total": total,
                    "limit": limit, "offset": offset}

    @rpc(expected_exceptions=IncidentError)
    def get_dashboard(self, window_days: int = 90, oldest: int = 10) -> dict:
        """Open counts and ages, the oldest open incidents, time to resolve by severity."""
        window_days = require_int(window_days, "window_days", 1, 3660)
        now = self.clock.now()
        with self.db.transaction() as session:
            return {**queries.open_counts(session, self.config),
                    "open_ages": queries.open_ages(session, self.config, now),
                    "oldest_open": [incident_to_dict(i) for i in queries.oldest_open(
                        session, self.config, require_int(oldest, "oldest", 0, 50))],
                    "time_to_resolve": queries.time_to_resolve(
                        session, self.config, now - dt.timedelta(days=window_days)),
                    "window_days": window_days, "generated_at": now.isoformat()}

    @rpc(expected_exceptions=IncidentError)
    def change_description(self, incident_id: int, description: str,
                           actor_id: str | None = None) -> dict:
        return self._change(edits.change_description, incident_id, description, actor_id)

    @rpc(expected_exceptions=IncidentError)
    def change_incident(self, incident_id: int, changes: dict,
                        actor_id: str | None = None) -> dict:
        """Description, severity and status in one transaction: all of them, or none when
        one is refused (each still gets its own timeline entry and event)."""
        now = self.clock.now()
        steps = {
            "description": lambda s, v: edits.change_description(s, incident_id, v, actor_id),
            "severity": lambda s, v: store.change_severity(s, incident_id, v, actor_id,
                                                           self.config, now),
            "status": lambda s, v: store.change_status(s, incident_id, v, actor_id,
                                                       self.config, now),
        }
        if not isinstance(changes, dict) or not changes or set(changes) - set(steps):
            raise InvalidInput(f"give one or more of {', '.join(steps)}", "changes")

        def apply_all(session):  # noqa: ANN001, ANN202
            subject, events = None, []
            for field, step in steps.items():
                if field in changes:
                    subject, more = step(session, changes[field])
                    events += more
            return subject, events

        return self._change(apply_all)

    @rpc(expected_exceptions=IncidentError)
    def change_status(self, incident_id: int, status: str, actor_id: str | None = None) -> dict:
        return self._change(store.change_status, incident_id, status, actor_id, self.config,
                            self.clock.now())

    @rpc(expected_exceptions=IncidentError)
    def change_severity(self, incident_id: int, severity: str,
                        actor_id: str | None = None) -> dict:
        return self._change(store.change_severity, incident_id, severity, actor_id, self.config,
                            self.clock.now())

    @rpc(expected_exceptions=IncidentError)
    def assign_role(self, incident_id: int, role: str, user_id: str,
                    actor_id: str | None = None) -> dict:
        return self._change(store.assign_role, incident_id, role, user_id, actor_id, self.config)

    @rpc(expected_exceptions=IncidentError)
    def attach_slack_resources(self, incident_id: int, **resources) -> dict:
        return self._change(store.attach_slack_resources, incident_id,
                            parse_slack_resources(resources))

    @rpc(expected_exceptions=IncidentError)
    def add_timeline_event(self, incident_id: int, text: str, kind: str = "manual",
                           actor_id: str | None = None, occurred_at: str | None = None) -> dict:
        return self._write(store.add_timeline_entry, timeline_to_dict, incident_id, text, kind,
                           actor_id, occurred_at)

    @rpc(expected_exceptions=IncidentError)
    def list_timeline(self, incident_id: int, limit: int = 100, offset: int = 0,
                      last_page: bool = False) -> dict:
        """Oldest first, a page at a time; `last_page=True`: the newest page (its offset
        is in the answer)."""
        with self.db.transaction() as session:
            rows, total = store.list_timeline(session, incident_id, limit, offset,
                                              bool(last_page))
            if last_page:
                offset = store.last_page_offset(total, limit)
            return {"items": [timeline_to_dict(e) for e in rows], "total": total,
                    "limit": limit, "offset": offset}

    @rpc(expected_exceptions=IncidentError)
    def delete_timeline_event(self, incident_id: int, entry_id: int,
                              actor_id: str | None = None) -> dict:
        return self._change(store.delete_timeline_entry, incident_id, entry_id, actor_id)

    @rpc(expected_exceptions=IncidentError)
    def edit_timeline_event(self, incident_id: int, entry_id: int, text: str | None = None,
                            occurred_at: str | None = None, actor_id: str | None = None) -> dict:
        """Change a manual entry's text and/or time; automatic entries are the record."""
        return self._write(edits.edit_timeline_entry, timeline_to_dict, incident_id, entry_id,
                           text, occurred_at, actor_id)

    @rpc(expected_exceptions=IncidentError)
    def post_status_update(self, incident_id: int, text: str, impacted: str | None = None,
                           author_id: str | None = None) -> dict:
        return self._write(updates.post_status_update, status_update_to_dict, incident_id,
                           text, impacted, author_id, self.config, self.clock.now())

    @rpc(expected_exceptions=IncidentError)
    def list_status_updates(self, incident_id: int) -> list[dict]:
        with self.db.transaction() as session:
            return [status_update_to_dict(u)
                    for u in updates.list_status_updates(session, incident_id)]

    @rpc(expected_exceptions=IncidentError)
    def add_pinned_item(self, incident_id: int, item: dict) -> dict:
        return self._write(updates.pin_item, pinned_item_to_dict, incident_id, item,
                           self.config.slack.max_pin_image_bytes)

    @rpc(expected_exceptions=IncidentError)
    def remove_pinned_item(self, incident_id: int, message_ts: str,
                           actor_id: str | None = None) -> bool:
        return self._write(updates.unpin_item, bool, incident_id, message_ts, actor_id)

    @rpc(expected_exceptions=IncidentError)
    def remove_pinned_item_by_id(self, incident_id: int, item_id: int,
                                 actor_id: str | None = None) -> dict:
        """Delete one pinned item; returns what was removed (without its content)."""
        return self._write(edits.unpin_item_by_id, pinned_item_to_dict, incident_id, item_id,
                           actor_id)

    @rpc(expected_exceptions=IncidentError)
    def get_pinned_item(self, incident_id: int, item_id: int, with_content: bool = True) -> dict:
        with self.db.transaction() as session:
            return pinned_item_to_dict(edits.get_pinned_item(session, incident_id, item_id),
                                       with_content)

    @rpc(expected_exceptions=IncidentError)
    def list_pinned_items(self, incident_id: int, with_content: bool = False) -> list[dict]:
        with self.db.transaction() as session:
            return [pinned_item_to_dict(i, with_content)
                    for i in updates.list_pinned_items(session, incident_id)]

    @rpc(expected_exceptions=IncidentError)
    def upsert_incident_link(self, incident_id: int, kind: str, external_id: str,
                             url: str | None = None, title: str | None = None,
                             data: dict | None = None, actor_id: str | None = None,
                             timeline_text: str | None = None) -> dict:
        """Record what an integration made (idempotent per incident, kind, external id)."""
        return self._write(links.upsert_link, link_to_dict, incident_id, kind, external_id,
                           url, title, data, actor_id, timeline_text)

    @rpc(expected_exceptions=IncidentError)
    def list_incident_links(self, incident_id: int, kind: str | None = None) -> list[dict]:
        with self.db.transaction() as session:
            return [link_to_dict(link) for link in links.list_links(session, incident_id, kind)]

    @rpc(expected_exceptions=IncidentError)
    def get_setting(self, key: str, default=None):  # noqa: ANN001, ANN201
        with self.db.transaction() as session:
            return links.get_setting(session, key, default)

    @rpc(expected_exceptions=IncidentError)
    def set_setting(self, key: str, value, actor_id: str | None = None):  # noqa: ANN001, ANN201
        with self.db.transaction() as session:
            links.set_setting(session, key, value, actor_id)
        return value

    @rpc(expected_exceptions=IncidentError)
    def claim_delivery(self, key: str, lease_seconds: int | None = None) -> bool:
        return claims.claim(self.db, key, lease_seconds)

    @rpc(expected_exceptions=IncidentError)
    def claim_work(self, key: str, lease_seconds: int = 60, max_attempts: int = 8) -> str:
        """claimed | reclaimed | in_progress | done | exhausted: for work that is retried
        on failure (see claims.claim_state)."""
        return claims.claim_state(self.db, key, lease_seconds, max_attempts)

    @rpc(expected_exceptions=IncidentError)
    def renew_delivery(self, key: str, lease_seconds: int = 60) -> bool:
        return claims.renew(self.db, key, lease_seconds)

    @rpc(expected_exceptions=IncidentError)
    def release_delivery(self, key: str) -> bool:
        return claims.release(self.db, key)

    @rpc(expected_exceptions=IncidentError)
    def complete_delivery(self, key: str) -> bool:
        return claims.complete(self.db, key)

    @rpc(expected_exceptions=IncidentError)
    def list_due_reminders(self, limit: int = 500) -> list[dict]:
        with self.db.transaction() as session:
            return reminders.due(session, self.clock.now(), limit)

    @rpc(expected_exceptions=IncidentError)
    def claim_reminder(self, incident_id: int, due_at: str) -> bool:
        """Compare-and-set: True for the one caller that gets this reminder."""
        return self._write(reminders.claim, bool, incident_id, from_iso(due_at),
                           self.clock.now(), self.config)

    @rpc(expected_exceptions=IncidentError)
    def snooze_reminders(self, incident_id: int, minutes: int,
                         actor_id: str | None = None) -> dict:
        return self._change(reminders.snooze, incident_id, minutes, actor_id,
                            self.clock.now(), self.config)

    @rpc(expected_exceptions=IncidentError)
    def list_stale_incidents(self, limit: int = 100) -> dict:
        with self.db.transaction() as session:
            rows, total = reminders.stale(session, self.config, self.clock.now(), limit)
            return {"items": [incident_to_dict(i) for i in rows], "total": total}

    @rpc(expected_exceptions=IncidentError)
    def report_stale_incidents(self, period: str) -> bool:
        """Announce the stale incidents once per `period` (claimed), if there are any."""
        if not claims.claim(self.db, f"stale-report:{period}", None):
            return False
        with self.db.transaction() as session:
            rows, total = reminders.stale(session, self.config, self.clock.now())
            if not rows:
                return False
            event = outbox.record_fact(session, IncidentEvent.STALE_INCIDENTS_REPORTED,
                                       incidents=[incident_to_dict(i) for i in rows],
                                       total=total, reported_at=self.clock.now().isoformat())
        self._relay([event])
        return True

    @timer(interval=2)
    def relay_outbox_backlog(self) -> None:
        outbox.relay_backlog(self.db, self.dispatch, BACKLOG_AGE)
        outbox.measure_backlog(self.db)
