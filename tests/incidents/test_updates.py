"""Status updates, pinned items, timeline deletion and reopening, on a real SQLite store."""
import base64

import pytest

from services.incidents import store, updates
from services.incidents.exceptions import InvalidInput
from services.incidents.schemas import incident_to_dict, parse_declaration
from tests.incidents.factories import declaration


@pytest.fixture
def incident_id(sqlite_db, app_config):
    with sqlite_db.transaction() as session:
        incident, _ = store.declare(session, parse_declaration(declaration(), app_config),
                                    app_config)
        return incident.id


def kinds(db, incident_id):
    with db.transaction() as session:
        return [e.kind for e in store.list_timeline(session, incident_id)[0]]


def test_status_update_sets_last_update_and_lands_on_timeline(sqlite_db, incident_id,
                                                              app_config):
    with sqlite_db.transaction() as session:
        update, events = updates.post_status_update(session, incident_id, " Rolled back ",
                                                    "EU checkout", "U0IC", app_config)
        assert update.text == "Rolled back"
        assert events[0].payload["update"]["impacted"] == "EU checkout"
        assert incident_to_dict(store.load(session, incident_id))["last_update_at"]
    with sqlite_db.transaction() as session:
        with pytest.raises(InvalidInput):
            updates.post_status_update(session, incident_id, "", None, None, app_config)
    assert kinds(sqlite_db, incident_id)[-1] == "status_update"


def test_pins_are_idempotent_per_message_and_keep_image_bytes(sqlite_db, incident_id):
    png = b"\x89PNG\r\n" + b"x" * 100
    item = {"message_ts": "1700000000.000100", "kind": "image", "text": "graph",
            "author_id": "U0AAA", "file_name": "graph.png", "mimetype": "image/png",
            "content_base64": base64.b64encode(png).decode(), "pinned_by": "U0BBB"}
    with sqlite_db.transaction() as session:
        first, events = updates.pin_item(session, incident_id, item, max_bytes=1000)
        assert len(events) == 1
    with sqlite_db.transaction() as session:
        again, events = updates.pin_item(session, incident_id, item, max_bytes=1000)
        assert again.id == first.id and events == []
        assert updates.list_pinned_items(session, incident_id)[0].content == png
        with pytest.raises(InvalidInput) as err:
            updates.pin_item(session, incident_id, {**item, "message_ts": "2.1"}, max_bytes=10)
        assert "too large" in err.value.message
    with sqlite_db.transaction() as session:
        assert updates.unpin_item(session, incident_id, "1700000000.000100", "U0BBB")[0]
        assert updates.unpin_item(session, incident_id, "1700000000.000100", "U0BBB") == (False, [])
    assert kinds(sqlite_db, incident_id)[-2:] == ["pinned", "unpinned"]


def test_only_manual_entries_can_be_deleted(sqlite_db, incident_id):
    with sqlite_db.transaction() as session:
        entry, _ = store.add_timeline_entry(session, incident_id, "note", "manual", None, None)
        entry_id = entry.id
    with sqlite_db.transaction() as session:
        declared = store.list_timeline(session, incident_id)[0][0]
        with pytest.raises(InvalidInput):
            store.delete_timeline_entry(session, incident_id, declared.id, None)
        store.delete_timeline_entry(session, incident_id, entry_id, "U0AAA")
    assert kinds(sqlite_db, incident_id) == ["declared"]


def test_reopening_is_recorded(sqlite_db, incident_id, app_config):
    with sqlite_db.transaction() as session:
        store.change_status(session, incident_id, "resolved", None, app_config)
    with sqlite_db.transaction() as session:
        incident, events = store.change_status(session, incident_id, "investigating", "U0IC",
                                               app_config)
        assert incident.resolved_at is None
        assert [e.event_type for e in events] == ["incident_status_changed", "incident_reopened"]
    assert kinds(sqlite_db, incident_id)[-1] == "reopened"


def test_links_are_upserted_once_and_meetings_set_the_meeting_url(sqlite_db, incident_id):
    from services.incidents import links

    with sqlite_db.transaction() as session:
        link, events = links.upsert_link(session, incident_id, "meeting", "zoom-1",
                                         "https://zoom.example/j/1", "Zoom", None, None,
                                         "Meeting created")
        assert [e.event_type for e in events] == ["incident_link_added"]
    with sqlite_db.transaction() as session:
        _, events = links.upsert_link(session, incident_id, "meeting", "zoom-1",
                                      "https://zoom.example/j/1", "Zoom", None, None, None)
        assert events == []
        incident = store.load(session, incident_id)
        assert incident.meeting_url == "https://zoom.example/j/1"
        assert incident_to_dict(incident)["links"][0]["external_id"] == "zoom-1"
        with pytest.raises(InvalidInput):
            links.upsert_link(session, incident_id, "fax", "1", None, None, None, None, None)
        with pytest.raises(InvalidInput):
            links.upsert_link(session, incident_id, "other", "1", "javascript:x", None, None,
                              None, None)
        links.set_setting(session, "pagerduty.auto_page", ["P1"], "U0ADMIN")
    with sqlite_db.transaction() as session:
        assert links.get_setting(session, "pagerduty.auto_page") == ["P1"]
        assert links.get_setting(session, "missing", 5) == 5
    assert kinds(sqlite_db, incident_id)[-1] == "meeting"
