"""What the web needs from `incidents`: description changes, timeline edits, pinned items
by id, search and dates in the list, the dashboard query, and web actors."""
import base64
import datetime as dt

import pytest
from sqlalchemy import select, update

from services.common.timeutil import utcnow
from services.incidents import edits, queries, store, updates
from services.incidents.exceptions import IncidentNotFound, InvalidInput
from services.incidents.models import Incident, OutboxEvent, TimelineEvent
from services.incidents.schemas import incident_to_dict, parse_declaration
from tests.incidents.factories import declaration

WEB_ACTOR = "web:7"


def declare(db, config, **overrides):
    with db.transaction() as session:
        incident, _ = store.declare(session, parse_declaration(declaration(**overrides), config),
                                    config)
        return incident_to_dict(incident)


def events(db):
    with db.transaction() as session:
        return [(r.event_type, r.payload) for r in session.scalars(
            select(OutboxEvent).order_by(OutboxEvent.created_at))]


def timeline(db, incident_id):
    with db.transaction() as session:
        return [(e.kind, e.text, e.actor_id) for e in session.scalars(
            select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
            .order_by(TimelineEvent.id))]


def test_change_description_records_timeline_and_event(sqlite_db, app_config):
    incident = declare(sqlite_db, app_config)
    with sqlite_db.transaction() as session:
        changed, written = edits.change_description(session, incident["id"], " Checkout slow ",
                                                    WEB_ACTOR)
        assert changed.description == "Checkout slow"
    assert [e.event_type for e in written] == ["incident_description_changed"]
    assert timeline(sqlite_db, incident["id"])[-1] == (
        "description_changed", "Description changed to: Checkout slow", WEB_ACTOR)
    kind, payload = events(sqlite_db)[-1]
    assert payload["previous"] == "Checkout API returns 500" and payload["actor_id"] == WEB_ACTOR
    with sqlite_db.transaction() as session:  # the same text again changes nothing
        _, again = edits.change_description(session, incident["id"], "Checkout slow", None)
    assert again == []
    with pytest.raises(InvalidInput) as err, sqlite_db.transaction() as session:
        edits.change_description(session, incident["id"], "x" * 501, None)
    assert err.value.field == "description"


def add_entry(db, incident_id, kind="manual", text="Rolled back"):
    with db.transaction() as session:
        entry, _ = store.add_timeline_entry(session, incident_id, text, kind, "U0IC", None)
        return entry.id


def test_edit_timeline_entry_changes_manual_entries_only(sqlite_db, app_config):
    incident = declare(sqlite_db, app_config)
    entry_id = add_entry(sqlite_db, incident["id"])
    when = "2026-11-26T10:00:00+00:00"
    with sqlite_db.transaction() as session:
        entry, written = edits.edit_timeline_entry(session, incident["id"], entry_id,
                                                   "Rolled back v42", when, WEB_ACTOR)
        assert (entry.text, entry.occurred_at.isoformat()) == ("Rolled back v42", when)
    assert [e.event_type for e in written] == ["timeline_event_edited"]
    with sqlite_db.transaction() as session:  # nothing new: no event
        assert edits.edit_timeline_entry(session, incident["id"], entry_id, "Rolled back v42",
                                         None, None)[1] == []
    declared_entry = timeline(sqlite_db, incident["id"])[0]
    assert declared_entry[0] == "declared"
    with sqlite_db.transaction() as session:
        first_id = session.scalar(select(TimelineEvent.id).order_by(TimelineEvent.id))
    with pytest.raises(InvalidInput), sqlite_db.transaction() as session:
        edits.edit_timeline_entry(session, incident["id"], first_id, "rewrite history", None,
                                  None)
    with pytest.raises(IncidentNotFound), sqlite_db.transaction() as session:
        edits.edit_timeline_entry(session, incident["id"], 9999, "x", None, None)
    with pytest.raises(InvalidInput) as err, sqlite_db.transaction() as session:
        edits.edit_timeline_entry(session, incident["id"], entry_id, None, "yesterday", None)
    assert err.value.field == "occurred_at"


def pin(db, incident_id, ts, image=False):
    item = {"message_ts": ts, "text": "look", "author_id": "U0AUTHOR", "pinned_by": "U0IC"}
    if image:
        item.update(kind="image", file_name="graph.png", mimetype="image/png",
                    content_base64=base64.b64encode(b"\x89PNG fake").decode())
    with db.transaction() as session:
        return updates.pin_item(session, incident_id, item, 1000)[0].id


def test_pinned_items_by_id_are_read_and_removed(sqlite_db, app_config):
    incident = declare(sqlite_db, app_config)
    other = declare(sqlite_db, app_config, description="Another one")
    image_id = pin(sqlite_db, incident["id"], "1.000100", image=True)
    with sqlite_db.transaction() as session:
        item = edits.get_pinned_item(session, incident["id"], image_id)
        assert item.content == b"\x89PNG fake"
        with pytest.raises(IncidentNotFound):  # an item of another incident is not found
            edits.get_pinned_item(session, other["id"], image_id)
    with sqlite_db.transaction() as session:
        removed, written = edits.unpin_item_by_id(session, incident["id"], image_id, WEB_ACTOR)
    assert removed.message_ts == "1.000100"
    kind, payload = events(sqlite_db)[-1]
    assert kind == "item_unpinned" and payload["item_id"] == image_id
    assert timeline(sqlite_db, incident["id"])[-1] == ("unpinned", "Removed a pinned item",
                                                       WEB_ACTOR)
    with pytest.raises(IncidentNotFound), sqlite_db.transaction() as session:
        edits.unpin_item_by_id(session, incident["id"], image_id, None)


def test_search_by_text_is_case_insensitive_and_literal(sqlite_db, app_config):
    declare(sqlite_db, app_config, description="Checkout API returns 500")
    declare(sqlite_db, app_config, description="Search is slow (100% CPU)")
    declare(sqlite_db, app_config, description="checkout_v2 flag stuck")
    with sqlite_db.transaction() as session:
        rows, total = queries.search_incidents(session, app_config, query="CHECKOUT")
        assert total == 2 and {r.description for r in rows} == {
            "Checkout API returns 500", "checkout_v2 flag stuck"}
        rows, total = queries.search_incidents(session, app_config, query="100%")
        assert total == 1 and rows[0].description.startswith("Search")
        # '_' and '%' are literal, not wildcards
        assert queries.search_incidents(session, app_config, query="checkout_")[1] == 1
        assert queries.search_incidents(session, app_config, query="%")[1] == 1
        with pytest.raises(InvalidInput):
            queries.search_incidents(session, app_config, query="x" * 201)


def test_search_by_declared_dates_and_totals(sqlite_db, app_config):
    ids = [declare(sqlite_db, app_config, description=f"incident {n}")["id"] for n in range(3)]
    base = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    with sqlite_db.transaction() as session:
        for offset, incident_id in enumerate(ids):
            session.execute(update(Incident).where(Incident.id == incident_id)
                            .values(declared_at=base + dt.timedelta(days=offset)))
    with sqlite_db.transaction() as session:
        rows, total = queries.search_incidents(
            session, app_config, declared_from="2026-11-02", declared_to="2026-11-03T00:00:00Z")
        assert total == 1 and rows[0].id == ids[1]
        rows, total = queries.search_incidents(session, app_config,
                                               declared_from="2026-11-02", limit=1)
        assert total == 2 and [r.id for r in rows] == [ids[2]]
        with pytest.raises(InvalidInput) as err:
            queries.search_incidents(session, app_config, declared_to="soon")
        assert err.value.field == "declared_to"


def age(db, incident_id, declared_hours_ago, resolved_after_minutes=None):
    now = utcnow()
    declared = now - dt.timedelta(hours=declared_hours_ago)
    values = {"declared_at": declared}
    if resolved_after_minutes is not None:
        values.update(status="resolved",
                      resolved_at=declared + dt.timedelta(minutes=resolved_after_minutes))
    with db.transaction() as session:
        session.execute(update(Incident).where(Incident.id == incident_id).values(**values))


def check_dashboard(db, config):
    made = [declare(db, config, severity=s)["id"] for s in ("sev1", "sev1", "sev2", "sev3", "sev3")]
    age(db, made[0], 0.5)
    age(db, made[1], 30)
    age(db, made[2], 24 * 10)
    age(db, made[3], 5, resolved_after_minutes=60)
    age(db, made[4], 5, resolved_after_minutes=180)
    now = utcnow()
    with db.transaction() as session:
        counts = queries.open_counts(session, config)
        ages = queries.open_ages(session, config, now)
        ttr = queries.time_to_resolve(session, config, now - dt.timedelta(days=90))
        oldest = queries.oldest_open(session, config, 2)
        assert [i.id for i in oldest] == [made[2], made[1]]
    assert counts["open_total"] == 3
    assert counts["open_by_severity"] == {"sev1": 2, "sev2": 1, "sev3": 0, "sev4": 0}
    assert ages == {"under_1h": 1, "1h_to_24h": 0, "1d_to_7d": 1, "over_7d": 1}
    by_severity = {row["severity"]: row for row in ttr}
    assert by_severity["sev3"]["resolved"] == 2
    assert by_severity["sev3"]["mean_seconds"] == pytest.approx(120 * 60, abs=2)
    assert by_severity["sev3"]["max_seconds"] == pytest.approx(180 * 60, abs=2)
    assert by_severity["sev1"] == {"severity": "sev1", "resolved": 0, "mean_seconds": None,
                                   "max_seconds": None}


def test_dashboard_figures_on_sqlite(sqlite_db, app_config):
    check_dashboard(sqlite_db, app_config)


@pytest.mark.service
def test_dashboard_figures_on_postgresql(pg_db, app_config):
    check_dashboard(pg_db, app_config)


def test_web_actors_are_accepted_and_kept_out_of_slack_mentions(sqlite_db, app_config):
    incident = declare(sqlite_db, app_config, reporter_id="web:12", source="web")
    assert incident["reporter_id"] == "web:12"
    assert timeline(sqlite_db, incident["id"])[0][1].startswith("Incident declared as sev2")
    with sqlite_db.transaction() as session:
        store.change_status(session, incident["id"], "identified", "web:token-3", app_config)
        updates.post_status_update(session, incident["id"], "Fix deployed", None, "web:12",
                                   app_config)
    assert timeline(sqlite_db, incident["id"])[1][2] == "web:token-3"
    for bad in ("web:", "web:abc", "web:token-", "slack:U123", "web:12; DROP"):
        with pytest.raises(InvalidInput), sqlite_db.transaction() as session:
            store.change_status(session, incident["id"], "monitoring", bad, app_config)
    with pytest.raises(InvalidInput), sqlite_db.transaction() as session:
        # Role holders stay Slack users: the gateway invites and messages them.
        store.assign_role(session, incident["id"], "incident_commander", "web:12", None,
                          app_config)


def test_timeline_last_page_is_the_newest(sqlite_db, app_config):
    incident = declare(sqlite_db, app_config)
    for n in range(4):
        add_entry(sqlite_db, incident["id"], text=f"step {n}")
    with sqlite_db.transaction() as session:
        rows, total = store.list_timeline(session, incident["id"], 2, 0, last_page=True)
        assert total == 5 and [r.text for r in rows] == ["step 3"]
        assert store.last_page_offset(total, 2) == 4 and store.last_page_offset(0, 2) == 0
        rows, _ = store.list_timeline(session, incident["id"], 5, 0, last_page=True)
        assert len(rows) == 5


def test_text_with_nul_is_refused_before_the_database(sqlite_db, app_config):
    with pytest.raises(InvalidInput) as err:
        parse_declaration(declaration(description="bad\x00byte"), app_config)
    assert err.value.field == "description"
    with pytest.raises(InvalidInput), sqlite_db.transaction() as session:
        queries.search_incidents(session, app_config, query="a\x00b")
