"""PostmortemWriter with the real client against the Confluence fake."""
import logging

import pytest

from services.common.config import parse_config
from services.integrations.confluence.client import ConfluenceClient, ConfluenceSettings
from services.integrations.confluence.postmortem import ConfluenceState, PostmortemWriter
from services.integrations.confluence.render import DEFAULT_TEMPLATE, load_template
from tests.fakes.confluence_api import ConfluenceFake
from tests.integrations.confluence.factories import PNG, resolved_incident, resolved_payload
from tests.integrations.stubs import StubIncidents

TITLE = "2026-11-26 - Checkout API returns 500"


@pytest.fixture
def wiki():
    with ConfluenceFake() as fake:
        fake.add_space("ENG")
        fake.parent_id = fake.add_page("ENG", "Postmortems")
        yield fake


def writer(wiki, incidents, token=None, **confluence) -> PostmortemWriter:
    config = parse_config({"integrations": {"confluence": {
        "space": "ENG", "parent_page": "Postmortems", **confluence}}})
    client = ConfluenceClient(ConfluenceSettings(wiki.url, wiki.username, token or wiki.token),
                              pause=0.01)
    return PostmortemWriter(incidents, ConfluenceState(config, client,
                                                       load_template(DEFAULT_TEMPLATE)))


def timeline_texts(incidents, iid=12):
    return [e["text"] for e in incidents.timeline[iid]]


def test_resolution_writes_one_page_under_the_parent_with_its_image(wiki):
    incidents = StubIncidents()
    payload = resolved_payload(resolved_incident(incidents))
    link = writer(wiki, incidents).on_resolved(payload)
    [page] = wiki.children(wiki.parent_id)
    assert page.title == TITLE and "Rolled back deploy 4411" in page.body
    assert "Replica lag is 0 now" in page.body and "Failing over<br/>to standby" in page.body
    [attachment] = page.attachments
    assert attachment["title"] == "incident-12-pin-6-lag_graph.png"
    assert attachment["data"] == PNG and attachment["mediaType"] == "image/png"
    assert f'ri:filename="{attachment["title"]}"' in page.body
    assert link["url"] == f"{wiki.url}/pages/viewpage.action?pageId={page.id}"
    assert (link["kind"], link["external_id"], link["title"]) == ("postmortem", page.id,
                                                                   "Postmortem")
    assert link["data"]["resolved_at"] == payload["incident"]["resolved_at"]
    assert timeline_texts(incidents)[-1] == f"Postmortem written: {TITLE}"
    assert all(c.status == 200 for c in wiki.calls())


def test_the_same_resolution_is_never_written_twice(wiki):
    incidents = StubIncidents()
    payload = resolved_payload(resolved_incident(incidents))
    writer(wiki, incidents).on_resolved(payload)
    incidents.claims.clear()  # even with the claim gone, the stored link says it is done
    assert writer(wiki, incidents).on_resolved(payload) is None
    assert len(wiki.children(wiki.parent_id)) == 1


def test_a_claim_held_elsewhere_means_no_page_here(wiki):
    incidents = StubIncidents()
    payload = resolved_payload(resolved_incident(incidents))
    incidents.claim_delivery(f"confluence:postmortem:12:{payload['incident']['resolved_at']}")
    assert writer(wiki, incidents).on_resolved(payload) is None
    assert wiki.calls("create") == []


def test_a_new_resolution_gets_its_own_page_with_the_incident_number(wiki):
    incidents = StubIncidents()
    incident = resolved_incident(incidents)
    writer(wiki, incidents).on_resolved(resolved_payload(incident))
    writer(wiki, incidents).on_resolved(resolved_payload(incident, "2026-11-27T09:00:00+00:00"))
    titles = sorted(p.title for p in wiki.children(wiki.parent_id))
    assert titles == [TITLE, f"{TITLE} (#12)"]
    assert len(incidents.list_incident_links(12, kind="postmortem")) == 2


def test_a_title_taken_by_someone_else_gets_the_incident_number(wiki):
    wiki.add_page("ENG", TITLE)
    incidents = StubIncidents()
    writer(wiki, incidents).on_resolved(resolved_payload(resolved_incident(incidents)))
    assert [p.title for p in wiki.children(wiki.parent_id)] == [f"{TITLE} (#12)"]


def test_server_errors_are_retried_and_still_make_one_page(wiki):
    wiki.fail("create", 500, times=2)
    incidents = StubIncidents()
    link = writer(wiki, incidents).on_resolved(resolved_payload(resolved_incident(incidents)))
    assert link is not None and len(wiki.children(wiki.parent_id)) == 1
    assert [c.status for c in wiki.calls("create")] == [500, 500, 200]


def test_rate_limits_and_flaky_reads_are_retried(wiki):
    wiki.fail("search", 503, times=2)
    wiki.fail("create", 429, retry_after="0")
    wiki.fail("attach", 502)
    incidents = StubIncidents()
    writer(wiki, incidents).on_resolved(resolved_payload(resolved_incident(incidents)))
    [page] = wiki.children(wiki.parent_id)
    assert len(page.attachments) == 1
    assert timeline_texts(incidents)[-1] == f"Postmortem written: {TITLE}"


def test_a_missing_parent_is_said_on_the_timeline_and_logged_once(wiki, caplog):
    incidents = StubIncidents()
    first, second = resolved_incident(incidents, 12), resolved_incident(incidents, 13)
    missing_parent = writer(wiki, incidents, parent_page="Nope")  # one per service process
    with caplog.at_level(logging.ERROR):
        for incident in (first, second):
            missing_parent.on_resolved(resolved_payload(incident))
    for iid in (12, 13):
        assert timeline_texts(incidents, iid)[-1] == (
            "Postmortem could not be written: the parent page 'Nope' does not exist in "
            "Confluence space ENG")
    assert len([r for r in caplog.records if "Nope" in r.getMessage()]) == 1
    assert wiki.calls("create") == []


def test_final_failure_lands_on_the_timeline_without_secrets(wiki):
    wiki.fail("create", 500, times=3)
    incidents = StubIncidents()
    assert writer(wiki, incidents).on_resolved(
        resolved_payload(resolved_incident(incidents))) is None
    text = timeline_texts(incidents)[-1]
    assert text.startswith("Postmortem could not be written: could not create the page: "
                           "HTTP 500")
    assert wiki.token not in text and incidents.links == []


def test_wrong_credentials_are_reported_not_crashed_on(wiki):
    incidents = StubIncidents()
    writer(wiki, incidents, token="wrong").on_resolved(
        resolved_payload(resolved_incident(incidents)))
    assert "HTTP 401" in timeline_texts(incidents)[-1] and "wrong" not in \
        timeline_texts(incidents)[-1]


def test_an_image_that_cannot_be_attached_does_not_lose_the_page(wiki):
    wiki.fail("attach", 500, times=3)
    incidents = StubIncidents()
    link = writer(wiki, incidents).on_resolved(resolved_payload(resolved_incident(incidents)))
    assert link is not None
    assert timeline_texts(incidents)[-1].startswith(
        "Postmortem written without 1 pinned image(s): could not attach")


def test_private_incidents_are_not_published_unless_configured(wiki):
    incidents = StubIncidents()
    payload = resolved_payload(resolved_incident(incidents, is_private=True))
    writer(wiki, incidents).on_resolved(payload)
    assert wiki.calls("create") == []
    assert "the incident is private" in timeline_texts(incidents)[-1]
    other = StubIncidents()
    writer(wiki, other, private_incidents=True).on_resolved(
        resolved_payload(resolved_incident(other, is_private=True)))
    assert len(wiki.children(wiki.parent_id)) == 1


def test_an_image_an_interrupted_writer_uploaded_is_kept_not_refused(wiki):
    client = ConfluenceClient(ConfluenceSettings(wiki.url, wiki.username, wiki.token),
                              pause=0.01)
    page = client.create_page("ENG", wiki.parent_id, "Taken over", "<p/>")
    client.attach(page.id, "incident-12-pin-1.png", PNG, "image/png")
    client.attach(page.id, "incident-12-pin-1.png", PNG, "image/png")  # the retry's upload
    [stored] = [p for p in wiki.children(wiki.parent_id) if p.id == page.id]
    assert [a["title"] for a in stored.attachments] == ["incident-12-pin-1.png"]
    assert [c.status for c in wiki.calls("attach")] == [200]  # uploaded once, then kept
