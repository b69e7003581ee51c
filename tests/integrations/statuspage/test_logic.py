"""Statuspage rules with no I/O."""
import pytest

from services.integrations.statuspage import logic
from services.integrations.statuspage.exceptions import InvalidStatuspageInput


def sp_incident(**overrides):
    incident = {
        "id": "sp1", "name": "Checkout failures", "status": "identified",
        "shortlink": "https://stspg.io/abc",
        "components": [{"id": "c1", "name": "Checkout"}],
        "incident_updates": [
            {"status": "identified", "body": "Second", "created_at": "2026-11-26T16:10:00Z"},
            {"status": "investigating", "body": "First", "created_at": "2026-11-26T16:00:00Z"},
        ]}
    incident.update(overrides)
    return incident


def test_statuses_and_components_are_checked():
    assert logic.check_status("monitoring") == "monitoring"
    with pytest.raises(InvalidStatuspageInput) as refused:
        logic.check_status("resolved", allow_resolved=False)
    assert refused.value.field == "status"
    assert logic.check_components({"c1": "major_outage"}) == {"c1": "major_outage"}
    assert logic.check_components(None) == {}
    for bad in ({"c1": "broken"}, ["c1"], {"": "operational"}):
        with pytest.raises(InvalidStatuspageInput):
            logic.check_components(bad)
    with pytest.raises(InvalidStatuspageInput):
        logic.check_text("   ", "message", 10)
    with pytest.raises(InvalidStatuspageInput):
        logic.check_text("x" * 11, "message", 10)


def test_history_is_oldest_first_and_capped():
    assert [u["body"] for u in logic.history(sp_incident())] == ["First", "Second"]
    many = [{"status": "monitoring", "body": str(n), "created_at": f"2026-11-26T16:{n:02}:00Z"}
            for n in range(30)]
    rows = logic.history(sp_incident(incident_updates=many))
    assert len(rows) == logic.HISTORY_MAX and rows[-1]["body"] == "29"


def test_link_fields_merge_components_and_keep_the_latest_message():
    fields = logic.link_fields(sp_incident(), {"c1": "major_outage"})
    assert fields["external_id"] == "sp1" and fields["url"] == "https://stspg.io/abc"
    assert fields["title"] == "Statuspage: Checkout failures"
    assert fields["data"]["message"] == "Second"
    assert fields["data"]["component_names"] == {"c1": "Checkout"}
    previous = {"url": "https://stspg.io/abc", "data": fields["data"]}
    later = logic.link_fields(sp_incident(shortlink=None, components=[]), {"c2": "partial_outage"},
                              previous)
    assert later["data"]["components"] == {"c1": "major_outage", "c2": "partial_outage"}
    assert later["url"] == "https://stspg.io/abc"
    assert later["data"]["component_names"] == {"c1": "Checkout"}


def test_open_link_is_the_newest_unresolved_statuspage_link():
    links = [{"kind": "statuspage", "data": {"status": "resolved"}},
             {"kind": "pagerduty", "data": {}},
             {"kind": "statuspage", "data": {"status": "monitoring"}}]
    assert logic.open_link(links) is links[2]
    assert logic.open_link(links[:2]) is None
    assert logic.latest_link(links[:2]) is links[0]


def test_component_groups_are_left_out():
    listed = [{"id": "g", "name": "Group", "group": True, "position": 1},
              {"id": "b", "name": "B", "position": 3, "status": "major_outage"},
              {"id": "a", "name": "A", "position": 2}]
    assert [(c["id"], c["status"]) for c in logic.components_of(listed)] == [
        ("a", "operational"), ("b", "major_outage")]
