"""PagerDuty rules with no I/O."""
import pytest

from services.integrations.pagerduty import logic
from services.integrations.pagerduty.exceptions import InvalidPage
from tests.integrations.stubs import make_incident


def test_incident_key_is_stable_per_incident_and_service():
    assert logic.incident_key(12, "PCHECKT") == "incident-bot-12-PCHECKT"
    assert logic.incident_key(12, "PCHECKT") != logic.incident_key(12, "PSEARCH")


def test_page_request_names_the_incident_and_links_the_war_room():
    request = logic.page_request(make_incident(id=7, severity="sev1"), "PCHECKT", "low",
                                 note="Look at the DB first")
    assert request["type"] == "incident" and request["urgency"] == "low"
    assert request["title"] == "Incident #7 (SEV1): Checkout API returns 500"
    assert request["service"] == {"id": "PCHECKT", "type": "service_reference"}
    assert request["incident_key"] == "incident-bot-7-PCHECKT"
    details = request["body"]["details"]
    assert request["body"]["type"] == "incident_body"
    assert "https://slack.com/app_redirect?channel=C0WARROOM" in details
    assert "Look at the DB first" in details and "Checkout API returns 500" in details


def test_page_request_keeps_a_private_incident_unnamed_and_fits_limits():
    request = logic.page_request(make_incident(is_private=True, channel_id=None,
                                               description="x" * 5000), "PCHECKT", "high")
    assert request["title"].endswith("Private incident")
    assert "x" not in request["body"]["details"] and "War room" not in request["body"]["details"]
    long = logic.page_request(make_incident(description="y" * 5000), "PCHECKT", "high")
    assert len(long["title"]) <= logic.TITLE_MAX


def test_page_link_records_the_page_for_timeline_and_channel():
    created = {"id": "Q1", "html_url": "https://pd.example/incidents/Q1", "status": "triggered",
               "incident_number": 4, "service": {"id": "PCHECKT", "summary": "Checkout API"}}
    link = logic.page_link(created, "PCHECKT", "high", "U0ALEX")
    assert link["external_id"] == "Q1" and link["url"] == created["html_url"]
    assert link["title"] == "Paged Checkout API"
    assert link["timeline_text"] == "Paged Checkout API (high)"
    assert link["data"]["service_id"] == "PCHECKT" and link["data"]["urgency"] == "high"
    assert link["data"]["message"] == "high urgency, paged by <@U0ALEX>"
    assert logic.page_link(created, "PCHECKT", "low", None)["data"]["message"] == \
        "low urgency, paged automatically"


def test_open_pages_and_link_for_service_skip_resolved_pages():
    links = [{"kind": "pagerduty", "data": {"service_id": "PA", "status": "resolved"}},
             {"kind": "pagerduty", "data": {"service_id": "PA", "status": "triggered"}},
             {"kind": "meeting", "data": {}}]
    assert logic.open_pages(links) == [links[1]]
    assert logic.link_for_service(links, "PA") is links[1]
    assert logic.link_for_service(links, "PB") is None


def test_invalid_urgency_and_service_ids_are_refused():
    with pytest.raises(InvalidPage) as refused:
        logic.check_urgency("urgent")
    assert refused.value.field == "urgency"
    with pytest.raises(InvalidPage):
        logic.check_service_id("../incidents")
    assert logic.check_service_ids(["PA", "PB", "PA"]) == ["PA", "PB"]
    with pytest.raises(InvalidPage):
        logic.check_service_ids("PA")


def test_oncalls_are_grouped_per_policy_lowest_level_first():
    def entry(policy, level, user, schedule=None):
        return {"escalation_policy": {"id": policy, "summary": policy.title()},
                "escalation_level": level, "user": {"id": user, "name": user.title(),
                                                    "email": f"{user}@x.io"},
                "schedule": {"id": "S1", "summary": schedule} if schedule else None}

    grouped = logic.group_oncalls([entry("web", 2, "bob"), entry("api", 1, "cy"),
                                   entry("web", 1, "al", "Primary"), entry("web", 1, "al",
                                                                            "Primary")])
    assert [g["escalation_policy"]["name"] for g in grouped] == ["Api", "Web"]
    assert [(p["level"], p["user"]["name"]) for p in grouped[1]["oncalls"]] == [
        (1, "Al"), (2, "Bob")]
    assert grouped[1]["oncalls"][0]["schedule"] == {"id": "S1", "name": "Primary"}
