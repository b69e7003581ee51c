"""Domain operations on a real (SQLite) database: state, timeline and outbox together."""
import pytest
from sqlalchemy import func, select

from services.common.events import IncidentEvent
from services.incidents import claims, store
from services.incidents.exceptions import IncidentNotFound, InvalidInput
from services.incidents.models import Incident, OutboxEvent, TimelineEvent
from services.incidents.schemas import incident_to_dict, parse_declaration
from tests.incidents.factories import declaration


def declare(db, config, **overrides):
    with db.transaction() as session:
        incident, events = store.declare(session, parse_declaration(declaration(**overrides),
                                                                    config), config)
        return incident_to_dict(incident), [e.event_type for e in events]


def outbox_types(db):
    with db.transaction() as session:
        return [r.event_type for r in session.scalars(select(OutboxEvent)
                                                      .order_by(OutboxEvent.created_at))]


def test_declare_stores_incident_timeline_and_event(sqlite_db, app_config):
    incident, events = declare(sqlite_db, app_config)
    assert incident["status"] == "investigating"
    assert incident["severity"] == "sev2"
    assert incident["declared_at"].endswith("+00:00")
    assert events == [IncidentEvent.DECLARED]
    assert outbox_types(sqlite_db) == ["incident_declared"]
    with sqlite_db.transaction() as session:
        entries = session.scalars(select(TimelineEvent)).all()
        assert [(e.kind, e.actor_id) for e in entries] == [("declared", "U0REPORTER")]
        assert "Checkout API returns 500" in entries[0].text


def test_same_idempotency_key_declares_once(sqlite_db, app_config):
    first, _ = declare(sqlite_db, app_config, idempotency_key="slack-view:V1")
    second, events = declare(sqlite_db, app_config, idempotency_key="slack-view:V1")
    assert second["id"] == first["id"]
    assert events == []
    assert outbox_types(sqlite_db) == ["incident_declared"]


@pytest.mark.parametrize("overrides, field", [
    ({"description": "   "}, "description"),
    ({"description": "x" * 501}, "description"),
    ({"description": 42}, "description"),
    ({"severity": "sev9"}, "severity"),
    ({"reporter_id": "not a user"}, "reporter_id"),
    ({"source": "fax"}, "source"),
    ({"is_private": "yes"}, "is_private"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_declarations_name_the_field(app_config, overrides, field):
    with pytest.raises(InvalidInput) as err:
        parse_declaration(declaration(**overrides), app_config)
    assert err.value.field == field
    assert err.value.message


def test_failed_transaction_leaves_no_incident_and_no_event(sqlite_db, app_config):
    with pytest.raises(RuntimeError):
        with sqlite_db.transaction() as session:
            store.declare(session, parse_declaration(declaration(), app_config), app_config)
            raise RuntimeError("crash after the write, before the commit")
    with sqlite_db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


def test_status_change_to_final_resolves_and_announces_both(sqlite_db, app_config):
    incident, _ = declare(sqlite_db, app_config)
    with sqlite_db.transaction() as session:
        changed, events = store.change_status(session, incident["id"], "resolved", "U0IC",
                                              app_config)
        assert changed.resolved_at is not None
        assert [e.event_type for e in events] == ["incident_status_changed",
                                                  "incident_resolved"]
    with sqlite_db.transaction() as session:
        same, events = store.change_status(session, incident["id"], "resolved", None, app_config)
        assert events == []
    rows, total = _timeline(sqlite_db, incident["id"])
    assert [r.kind for r in rows] == ["declared", "status_changed"]


def test_unknown_status_and_missing_incident_are_domain_errors(sqlite_db, app_config):
    incident, _ = declare(sqlite_db, app_config)
    with sqlite_db.transaction() as session:
        with pytest.raises(InvalidInput) as err:
            store.change_status(session, incident["id"], "closed", None, app_config)
        assert err.value.field == "status"
        with pytest.raises(IncidentNotFound):
            store.change_severity(session, 999, "sev1", None, app_config)


def test_role_assignment_and_reassignment(sqlite_db, app_config):
    incident, _ = declare(sqlite_db, app_config)
    with sqlite_db.transaction() as session:
        store.assign_role(session, incident["id"], "incident_commander", "U0AAA", None, app_config)
    with sqlite_db.transaction() as session:
        changed, events = store.assign_role(session, incident["id"], "incident_commander",
                                            "U0BBB", "U0AAA", app_config)
        assert incident_to_dict(changed)["roles"] == {"incident_commander": "U0BBB"}
        assert events[0].payload["previous_user_id"] == "U0AAA"
    rows, _ = _timeline(sqlite_db, incident["id"])
    assert rows[-1].text == "<@U0BBB> is now incident_commander (replacing <@U0AAA>)"
    with sqlite_db.transaction() as session:
        with pytest.raises(InvalidInput):
            store.assign_role(session, incident["id"], "janitor", "U0BBB", None, app_config)


def test_list_filters_and_paginates_newest_first(sqlite_db, app_config):
    ids = [declare(sqlite_db, app_config, severity=s)[0]["id"]
           for s in ("sev1", "sev2", "sev1", "sev3", "sev1")]
    with sqlite_db.transaction() as session:
        rows, total = store.list_incidents(session, app_config, severity="sev1", limit=2)
        assert total == 3
        assert [r.id for r in rows] == [ids[4], ids[2]]
        rows, _ = store.list_incidents(session, app_config, severity="sev1", limit=2, offset=2)
        assert [r.id for r in rows] == [ids[0]]
        store.change_status(session, ids[1], "resolved", None, app_config)
    with sqlite_db.transaction() as session:
        rows, total = store.list_incidents(session, app_config, open_only=True)
        assert total == 4 and ids[1] not in [r.id for r in rows]
        with pytest.raises(InvalidInput):
            store.list_incidents(session, app_config, limit=0)


def test_attach_slack_resources_records_the_war_room_once(sqlite_db, app_config):
    incident, _ = declare(sqlite_db, app_config)
    with sqlite_db.transaction() as session:
        _, events = store.attach_slack_resources(
            session, incident["id"], {"channel_id": "C0WAR", "channel_name": "inc-x"})
        assert [e.payload["changed"] for e in events] == [["channel_id", "channel_name"]]
    with sqlite_db.transaction() as session:
        _, events = store.attach_slack_resources(session, incident["id"], {"channel_id": "C0WAR"})
        assert events == []
        # Message timestamps are stored, but no other service shows them: no event.
        stored, events = store.attach_slack_resources(
            session, incident["id"], {"control_panel_ts": "1.0001", "digest_ts": "2.0002"})
        assert events == [] and stored.control_panel_ts == "1.0001"
        assert store.by_channel(session, "C0WAR").id == incident["id"]
    rows, _ = _timeline(sqlite_db, incident["id"])
    assert [r.kind for r in rows] == ["declared", "channel_created"]


def test_manual_timeline_entries_sort_by_time(sqlite_db, app_config):
    incident, _ = declare(sqlite_db, app_config)
    with sqlite_db.transaction() as session:
        store.add_timeline_entry(session, incident["id"], "Rolled back", "manual", "U0AAA",
                                 "2020-01-01T10:00:00+00:00")
        with pytest.raises(InvalidInput):
            store.add_timeline_entry(session, incident["id"], "x", "manual", None, "yesterday")
        with pytest.raises(InvalidInput):
            store.add_timeline_entry(session, incident["id"], "y" * 3001, "manual", None, None)
    rows, total = _timeline(sqlite_db, incident["id"])
    assert total == 2 and rows[0].text == "Rolled back"


def test_claims_are_single_fire_and_leases_expire(sqlite_db):
    assert claims.claim(sqlite_db, "k1", None) is True
    assert claims.claim(sqlite_db, "k1", None) is False
    assert claims.claim(sqlite_db, "k2", lease_seconds=-1) is True  # already expired lease
    assert claims.claim(sqlite_db, "k2", lease_seconds=60) is True  # holder presumed dead
    assert claims.claim(sqlite_db, "k2", lease_seconds=60) is False
    assert claims.complete(sqlite_db, "k2") is True
    assert claims.complete(sqlite_db, "k2") is False


def _timeline(db, incident_id):
    with db.transaction() as session:
        return store.list_timeline(session, incident_id)


def test_retried_work_claims_report_their_state(sqlite_db):
    assert claims.claim_state(sqlite_db, "w", 60, 3) == "claimed"
    assert claims.claim_state(sqlite_db, "w", 60, 3) == "in_progress"
    assert claims.release(sqlite_db, "w")
    assert claims.claim_state(sqlite_db, "w", 60, 3) == "reclaimed"  # attempt 2
    claims.release(sqlite_db, "w")
    assert claims.claim_state(sqlite_db, "w", 60, 3) == "reclaimed"  # attempt 3
    claims.release(sqlite_db, "w")
    assert claims.claim_state(sqlite_db, "w", 60, 3) == "exhausted"
    assert claims.claim_state(sqlite_db, "v", 60, 3) == "claimed"
    claims.complete(sqlite_db, "v")
    assert claims.claim_state(sqlite_db, "v", 60, 3) == "done"
