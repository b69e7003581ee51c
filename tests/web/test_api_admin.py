"""Users, API tokens, on-call and auto-page teams, configuration, dashboard, audit."""
import time

import pytest

from services.common.bus import RpcPool
from services.common.config import Config
from services.web.app import create_app
from services.web.settings import WebSettings
from tests.support import infra
from tests.web.conftest import SECRET
from tests.web.support import Client, make_user, sign_in, web_of, with_token

pytestmark = pytest.mark.service


def test_me_config_and_health(viewer, people, app):
    assert viewer.get("/me").json == {**{k: people["viewer"][k] for k in ("id", "email")},
                                      "kind": "user", "name": "viewer", "role": "viewer",
                                      "scope": None, "actor_id": people["viewer"]["actor_id"]}
    config = viewer.get("/config").json
    assert config["statuses"] == ["investigating", "identified", "monitoring", "resolved"]
    assert [s["name"] for s in config["severities"]] == ["sev1", "sev2", "sev3", "sev4"]
    health = app.test_client().get("/api/v1/health")
    assert health.status_code == 200 and health.json == {"status": "ok", "incidents": "ok"}
    assert app.test_client().get("/readyz").json["status"] == "ready"


def test_dashboard_counts(responder, viewer):
    before = viewer.get("/dashboard").json
    made = responder.post("/incidents", {"description": "Dashboard check", "severity": "sev2"})
    after = viewer.get("/dashboard").json
    assert after["open_total"] == before["open_total"] + 1
    assert after["open_by_severity"]["sev2"] == before["open_by_severity"]["sev2"] + 1
    assert after["open_ages"]["under_1h"] == before["open_ages"]["under_1h"] + 1
    responder.patch(f"/incidents/{made.json['id']}", {"status": "resolved"})
    resolved = viewer.get("/dashboard?window_days=1").json
    sev2 = next(r for r in resolved["time_to_resolve"] if r["severity"] == "sev2")
    assert sev2["resolved"] >= 1 and sev2["mean_seconds"] is not None
    assert viewer.get("/dashboard?window_days=0").status_code == 400


def test_only_admins_manage_users(admin, responder, viewer, app):
    created = admin.post("/users", {"email": "New.Person@Example.com", "name": "New Person",
                                    "role": "viewer", "password": "a long enough password"})
    assert created.status_code == 201, created.json
    user = created.json
    assert user["email"] == "new.person@example.com" and "password" not in str(user)
    assert admin.post("/users", {"email": "new.person@example.com", "role": "viewer",
                                 "password": "a long enough password"}).status_code == 409
    assert admin.post("/users", {"email": "short@example.com", "role": "viewer",
                                 "password": "short"}).json["field"] == "password"
    assert admin.post("/users", {"email": "x@example.com", "role": "owner",
                                 "password": "a long enough password"}).json["field"] == "role"
    for client in (responder, viewer):
        assert client.get("/users").status_code == 403
        assert client.patch(f"/users/{user['id']}", {"role": "admin"}).status_code == 403
    promoted = admin.patch(f"/users/{user['id']}", {"role": "responder"})
    assert promoted.json["role"] == "responder"
    assert admin.get(f"/users/{user['id']}").json["role"] == "responder"
    assert user["email"] in [u["email"] for u in admin.get("/users").json["items"]]
    assert admin.get("/users/999999").status_code == 404


def test_deactivated_users_are_signed_out_and_cannot_sign_in(admin, app):
    make_user(app, "leaver@example.com", "responder")
    leaver = sign_in(app, "leaver@example.com")
    assert leaver.get("/me").status_code == 200
    user_id = leaver.get("/me").json["id"]
    assert admin.patch(f"/users/{user_id}", {"active": False}).json["active"] is False
    assert leaver.get("/me").status_code == 401
    with pytest.raises(AssertionError):
        sign_in(app, "leaver@example.com")


def test_the_last_admin_cannot_be_demoted(admin, people):
    admins = [u for u in admin.get("/users").json["items"] if u["role"] == "admin"
              and u["active"]]
    if len(admins) == 1:
        refused = admin.patch(f"/users/{people['admin']['id']}", {"role": "viewer"})
        assert refused.status_code == 409
    assert admin.get("/me").json["role"] == "admin"


def test_tokens_are_shown_once_stored_hashed_and_revocable(admin, app, responder):
    created = admin.post("/tokens", {"name": "Alertmanager", "scope": "read-write"})
    assert created.status_code == 201
    secret = created.json["token"]
    assert secret.startswith("ibt_") and len(secret) > 40
    listed = admin.get("/tokens").json["items"]
    assert secret not in str(listed)
    mine = next(t for t in listed if t["id"] == created.json["id"])
    assert mine["prefix"] == secret[:10] and mine["active"] is True
    from sqlalchemy import text

    with web_of(app).db.transaction() as session:
        stored = session.execute(text("SELECT token_hash FROM web_api_tokens WHERE id = :i"),
                                 {"i": mine["id"]}).scalar()
    assert secret not in stored and len(stored) == 64
    tool = with_token(app, secret)
    assert tool.post("/incidents", {"description": "From the alerting tool"}).status_code == 201
    assert responder.delete(f"/tokens/{mine['id']}").status_code == 403
    assert tool.get("/tokens").status_code == 403  # tokens never manage tokens
    assert admin.delete(f"/tokens/{mine['id']}").status_code == 204
    refused = tool.get("/incidents")
    assert refused.status_code == 401 and "revoked" in refused.json["error"]
    assert admin.delete("/tokens/999999").status_code == 404
    assert admin.post("/tokens", {"name": "x", "scope": "admin"}).json["field"] == "scope"


def test_read_token_reads_but_does_not_write(admin, app):
    secret = admin.post("/tokens", {"name": "dashboard", "scope": "read"}).json["token"]
    reader = with_token(app, secret)
    assert reader.get("/incidents").status_code == 200
    assert reader.get("/me").json["scope"] == "read"
    assert reader.post("/incidents", {"description": "nope"}).status_code == 403


def test_oncall_and_auto_page_teams(admin, viewer, responder, pagerduty_state):
    groups = viewer.get("/oncall").json["items"]
    assert groups[0]["escalation_policy"]["name"] == "Checkout on-call"
    assert groups[0]["oncalls"][0]["user"]["name"] == "Olivia Oncall"
    assert [s["id"] for s in viewer.get("/pagerduty/services").json["items"]] == [
        "PSVC001", "PSVC002"]
    assert viewer.get("/settings/auto-page-services").json == {"service_ids": ["PSVC001"]}
    assert responder.put("/settings/auto-page-services",
                         {"service_ids": ["PSVC002"]}).status_code == 403
    saved = admin.put("/settings/auto-page-services", {"service_ids": ["PSVC002", "PSVC001"]})
    assert saved.status_code == 200 and saved.json == {"service_ids": ["PSVC002", "PSVC001"]}
    assert pagerduty_state["auto"] == ["PSVC002", "PSVC001"]
    unknown = admin.put("/settings/auto-page-services", {"service_ids": ["PNOPE"]})
    assert unknown.status_code == 400 and "PNOPE" in unknown.json["error"]
    assert admin.put("/settings/auto-page-services", {"service_ids": "PSVC001"}).status_code == 400


def test_pagerduty_switched_off_answers_503_json(viewer, admin, pagerduty_state):
    pagerduty_state["enabled"] = False
    for path in ("/oncall", "/pagerduty/services", "/settings/auto-page-services"):
        response = viewer.get(path)
        assert response.status_code == 503, path
        assert response.json["error"].startswith("PagerDuty is not configured")
    saved = admin.put("/settings/auto-page-services", {"service_ids": []})
    assert saved.status_code == 503
    page = viewer.http.get("/oncall")
    assert page.status_code == 200 and "PagerDuty is not configured" in page.text


def test_pagerduty_absent_answers_503_quickly(backend_config, web_db_url):
    uri, vhost = infra.create_vhost()  # a bus with no pagerduty service on it
    try:
        lonely = {**backend_config, "AMQP_URI": uri}
        pool = RpcPool(backend_config, timeout=10)
        pagerduty_pool = RpcPool(lonely, size=2, timeout=2)
        app = create_app(Config.default(), pool, WebSettings(database_url=web_db_url,
                                                             secret_key=SECRET),
                         pagerduty_rpc=pagerduty_pool)
        make_user(app, "absent-pd@example.com", "viewer")
        client = sign_in(app, "absent-pd@example.com")
        started = time.monotonic()
        response = client.get("/oncall")
        assert response.status_code == 503 and "PagerDuty is not configured" in response.json[
            "error"]
        assert client.get("/settings/auto-page-services").status_code == 503
        assert "PagerDuty is not configured" in client.http.get("/oncall").text
        assert time.monotonic() - started < 5
        pool.close()
        pagerduty_pool.close()
    finally:
        infra.delete_vhost(vhost)


def test_incidents_unreachable_is_503_not_500(backend_config, web_db_url):
    uri, vhost = infra.create_vhost()  # a bus where no incidents service listens
    try:
        pool = RpcPool({**backend_config, "AMQP_URI": uri}, timeout=2, deadline=3)
        app = create_app(Config.default(), pool, WebSettings(database_url=web_db_url,
                                                             secret_key=SECRET))
        make_user(app, "no-incidents@example.com", "viewer")
        client = sign_in(app, "no-incidents@example.com")
        response = client.get("/incidents")
        assert response.status_code == 503 and "not answering" in response.json["error"]
        assert client.http.get("/").status_code == 503
        assert app.test_client().get("/readyz").status_code == 503
        assert app.test_client().get("/api/v1/health").json["incidents"] == "unavailable"
        pool.close()
    finally:
        infra.delete_vhost(vhost)


def test_audit_log_records_web_actions(admin, responder, people):
    responder.post("/incidents", {"description": "Audited incident"})
    admin.post("/tokens", {"name": "audited", "scope": "read"})
    entries = admin.get("/audit?limit=50").json["items"]
    actions = {(e["actor"], e["action"]) for e in entries}
    assert (people["responder"]["actor_id"], "incident.declared") in actions
    assert (people["admin"]["actor_id"], "token.created") in actions
    assert responder.get("/audit").status_code == 403
    assert Client(admin.http).get("/audit").status_code == 200  # a session needs no CSRF to read
