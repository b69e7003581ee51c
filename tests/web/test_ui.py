"""Server-rendered pages and their forms, through the Flask test client."""
import re

import pytest

from tests.web.support import csrf_from, web_of

pytestmark = pytest.mark.service


def form_post(client, page_url, action, data):
    page = client.http.get(page_url)
    assert page.status_code == 200, page.text[:500]
    return client.http.post(action, data={**data, "csrf_token": csrf_from(page.text)})


@pytest.fixture
def incident(responder):
    return responder.post("/incidents", {"description": "Login page <b>broken</b>",
                                         "severity": "sev2"}).json


def test_anonymous_visitors_are_sent_to_sign_in(app):
    for path in ("/", "/incidents", "/incidents/1", "/oncall", "/settings/users", "/live"):
        response = app.test_client().get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    login = app.test_client().get("/login")
    assert login.status_code == 200 and 'name="password"' in login.text
    assert "default-src 'self'" in login.headers["Content-Security-Policy"]


def test_dashboard_shows_counts_and_a_chart(viewer, responder, incident):
    responder.patch(f"/incidents/{incident['id']}", {"status": "resolved"})
    page = viewer.http.get("/")
    assert page.status_code == 200
    assert "Time to resolve by severity" in page.text and "<svg" in page.text
    assert re.search(r'<rect class="chart-bar chart-sev2"', page.text)
    assert 'id="open-total"' in page.text


def test_incident_list_filters_and_search(viewer, responder):
    responder.post("/incidents", {"description": "Kangaroo cache eviction", "severity": "sev3"})
    found = viewer.http.get("/incidents?q=kangaroo&severity=sev3")
    assert "Kangaroo cache eviction" in found.text and "1 incident<" in found.text
    none = viewer.http.get("/incidents?q=kangaroo&severity=sev1")
    assert "Kangaroo cache eviction" not in none.text
    bad = viewer.http.get("/incidents?status=exploded")
    assert bad.status_code == 200 and "status must be one of" in bad.text


def test_incident_page_escapes_text_and_links_out(app, viewer, responder, incident):
    backend = web_of(app).backend
    backend.incidents("attach_slack_resources", incident["id"], channel_id="C0WARROOM",
                      channel_name="inc-login")
    for kind, url in (("meeting", "https://zoom.example.com/j/1"),
                      ("pagerduty", "https://example.pagerduty.com/incidents/P1"),
                      ("statuspage", "https://status.example.com/incidents/1"),
                      ("postmortem", "https://wiki.example.com/pm/1")):
        backend.incidents("upsert_incident_link", incident["id"], kind, f"{kind}-1", url=url)
    page = viewer.http.get(f"/incidents/{incident['id']}")
    assert "Login page &lt;b&gt;broken&lt;/b&gt;" in page.text and "<b>broken" not in page.text
    assert "https://slack.com/app_redirect?channel=C0WARROOM" in page.text
    for url in ("https://zoom.example.com/j/1", "https://example.pagerduty.com/incidents/P1",
                "https://status.example.com/incidents/1", "https://wiki.example.com/pm/1"):
        assert f'href="{url}"' in page.text
    assert 'id="details-form"' not in page.text  # a viewer gets no edit forms


def test_viewers_cannot_post_incident_forms(viewer, incident):
    page = viewer.http.get(f"/incidents/{incident['id']}")
    response = viewer.http.post(f"/incidents/{incident['id']}/details", data={
        "description": "x", "status": "resolved", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 403
    assert viewer.get(f"/incidents/{incident['id']}").json["status"] == "investigating"


def test_responder_runs_an_incident_with_forms(responder, incident):
    url = f"/incidents/{incident['id']}"
    changed = form_post(responder, url, f"{url}/details", {
        "description": "Login page broken", "status": "identified", "severity": "sev1"})
    assert changed.status_code == 302 and changed.headers["Location"].startswith(url)
    state = responder.get(url).json
    assert (state["status"], state["severity"], state["description"]) == (
        "identified", "sev1", "Login page broken")
    form_post(responder, url, f"{url}/roles", {"role": "incident_commander",
                                               "user_id": "@U0BOSS"})
    form_post(responder, url, f"{url}/updates", {"text": "Rolling back", "impacted": ""})
    form_post(responder, url, f"{url}/timeline", {"text": "Found the bad deploy",
                                                  "occurred_at": "2026-11-26T14:05"})
    entry = [e for e in responder.get(f"{url}/timeline").json["items"] if e["kind"] == "manual"][0]
    assert entry["occurred_at"] == "2026-11-26T14:05:00+00:00"
    form_post(responder, url, f"{url}/timeline/{entry['id']}/edit",
              {"text": "Found the bad deploy (v42)", "occurred_at": ""})
    page = responder.http.get(url)
    assert "Found the bad deploy (v42)" in page.text and "@U0BOSS" in page.text
    assert "Rolling back" in page.text
    form_post(responder, url, f"{url}/timeline/{entry['id']}/delete", {})
    assert "Found the bad deploy (v42)" not in responder.http.get(url).text
    refused = form_post(responder, url, f"{url}/roles", {"role": "incident_commander",
                                                         "user_id": "nobody"})
    assert refused.status_code == 302
    assert "is not a valid Slack id" in responder.http.get(url).text  # shown as a message


def test_declare_form(responder, viewer):
    page = responder.http.get("/incidents/new")
    created = responder.http.post("/incidents", data={
        "description": "Payments timing out", "severity": "sev1",
        "csrf_token": csrf_from(page.text)})
    assert created.status_code == 302
    incident_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert responder.get(f"/incidents/{incident_id}").json["severity"] == "sev1"
    empty = responder.http.post("/incidents", data={"description": "  ",
                                                    "csrf_token": csrf_from(page.text)})
    assert empty.status_code == 400 and "description" in empty.text
    assert viewer.http.get("/incidents/new").status_code == 403


def test_settings_are_for_admins(admin, responder, viewer):
    for client in (responder, viewer):
        for path in ("/settings/users", "/settings/tokens", "/settings/pagerduty",
                     "/settings/audit"):
            assert client.http.get(path).status_code == 403, path
    for path in ("/settings/users", "/settings/tokens", "/settings/pagerduty", "/settings/audit"):
        assert admin.http.get(path).status_code == 200, path


def test_admin_creates_a_user_and_a_token_shown_once(admin, app):
    made = form_post(admin, "/settings/users", "/settings/users", {
        "email": "ui-made@example.com", "name": "UI Made", "role": "responder",
        "password": "long enough password"})
    assert made.status_code == 302
    assert "ui-made@example.com" in admin.http.get("/settings/users").text
    shown = form_post(admin, "/settings/tokens", "/settings/tokens",
                      {"name": "Grafana", "scope": "read"})
    secret = re.search(r'<p class="secret">(ibt_[^<]+)</p>', shown.text).group(1)
    again = admin.http.get("/settings/tokens")
    assert "Grafana" in again.text and secret not in again.text
    token_id = re.search(r'id="token-(\d+)"', again.text).group(1)
    form_post(admin, "/settings/tokens", f"/settings/tokens/{token_id}/revoke", {})
    assert app.test_client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {secret}"}).status_code == 401


def test_auto_page_teams_page(admin, pagerduty_state):
    page = admin.http.get("/settings/pagerduty")
    assert "Checkout" in page.text and "Search" in page.text
    form_post(admin, "/settings/pagerduty", "/settings/pagerduty",
              {"service_ids": ["PSVC002"]})
    assert pagerduty_state["auto"] == ["PSVC002"]
    pagerduty_state["enabled"] = False
    off = admin.http.get("/settings/pagerduty")
    assert off.status_code == 200 and "PagerDuty is not configured" in off.text


def test_oncall_page(viewer):
    page = viewer.http.get("/oncall")
    assert "Olivia Oncall" in page.text and "Checkout on-call" in page.text


def test_pages_are_readable_on_a_phone(viewer):
    page = viewer.http.get("/")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    css = viewer.http.get("/static/app.css")
    assert css.status_code == 200 and "@media (max-width" in css.text
    script = viewer.http.get("/static/app.js")
    assert script.status_code == 200 and "EventSource" in script.text


def test_a_change_heard_while_a_page_is_built_makes_the_page_out_of_date(app, viewer,
                                                                         incident, monkeypatch):
    """The page's live counter is read before its data: a change that arrives meanwhile
    is newer than the page, so the browser, on connecting, sees it missed it."""
    web = web_of(app)
    fetch = type(web.backend).incidents

    def fetch_then_hear_a_change(self, method, *args, **kwargs):
        answer = fetch(self, method, *args, **kwargs)
        web.hub.publish("incident_slack_resources_attached", {"incident_id": incident["id"]})
        return answer
    monkeypatch.setattr(type(web.backend), "incidents", fetch_then_hear_a_change)
    page = viewer.http.get(f"/incidents/{incident['id']}")
    assert page.status_code == 200
    since = int(re.search(r'data-live-since="(\d+)"', page.text).group(1))
    assert since < web.hub.last_id
