"""/api/v1/incidents: list, read, declare, change, roles — for every role and token."""
import pytest

from tests.web.support import Client, with_token

pytestmark = pytest.mark.service


@pytest.fixture(scope="module")
def tokens(admin):
    made = {}
    for scope in ("read", "read-write"):
        response = admin.post("/tokens", {"name": f"{scope} tool", "scope": scope})
        assert response.status_code == 201, response.json
        made[scope] = response.json["token"]
    return made


@pytest.fixture(scope="module")
def writer(app, tokens) -> Client:
    return with_token(app, tokens["read-write"])


@pytest.fixture(scope="module")
def reader(app, tokens) -> Client:
    return with_token(app, tokens["read"])


def declare(client, description="Checkout API returns 500", **fields):
    response = client.post("/incidents", {"description": description, **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_responder_declares_and_is_recorded_as_web_actor(responder, people, viewer):
    incident = declare(responder, severity="sev2")
    assert incident["reporter_id"] == people["responder"]["actor_id"]
    assert incident["source"] == "web" and incident["status"] == "investigating"
    timeline = viewer.get(f"/incidents/{incident['id']}/timeline").json
    assert timeline["items"][0]["kind"] == "declared"
    assert timeline["items"][0]["actor_id"] == people["responder"]["actor_id"]


def test_alerting_tool_declares_with_a_read_write_token_once_per_key(writer, reader):
    first = writer.post("/incidents", {"description": "High error rate on payments",
                                       "severity": "sev1", "idempotency_key": "alert-42"})
    again = writer.post("/incidents", {"description": "High error rate on payments",
                                       "severity": "sev1", "idempotency_key": "alert-42"})
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"] and first.json["source"] == "api"
    assert first.json["reporter_id"].startswith("web:token-")
    assert first.headers["Location"] == f"/api/v1/incidents/{first.json['id']}"
    assert reader.get(f"/incidents/{first.json['id']}").json["severity"] == "sev1"


@pytest.mark.parametrize("who", ["viewer", "reader"])
def test_read_only_principals_cannot_change_anything(who, request, responder):
    client = request.getfixturevalue(who)
    incident = declare(responder)
    path = f"/incidents/{incident['id']}"
    attempts = [
        client.post("/incidents", {"description": "nope"}),
        client.patch(path, {"status": "resolved"}),
        client.put(f"{path}/roles/incident_commander", {"user_id": "U0ABC"}),
        client.post(f"{path}/timeline", {"text": "nope"}),
        client.post(f"{path}/status-updates", {"text": "nope"}),
        client.put("/settings/auto-page-services", {"service_ids": []}),
        client.post("/tokens", {"name": "x", "scope": "read"}),
        client.post("/users", {"email": "x@example.com", "role": "admin",
                               "password": "long enough password"}),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert all("error" in a.json for a in attempts)
    assert responder.get(path).json["status"] == "investigating"


def test_anonymous_requests_get_401_json(app):
    anonymous = Client(app.test_client())
    response = anonymous.get("/incidents")
    assert response.status_code == 401 and response.json["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert anonymous.post("/incidents", {"description": "x"}).status_code == 401


def test_bad_tokens_are_refused(app):
    for header in ("Bearer ibt_not-a-real-token", "Bearer ", "Basic abc", "Bearer x" * 300):
        response = app.test_client().get("/api/v1/incidents", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["error"]


def test_change_description_status_and_severity(responder, viewer, people):
    incident = declare(responder, severity="sev3")
    path = f"/incidents/{incident['id']}"
    changed = responder.patch(path, {"description": "Checkout slow", "severity": "sev1",
                                     "status": "identified"})
    assert changed.status_code == 200, changed.json
    assert (changed.json["description"], changed.json["severity"], changed.json["status"]) == (
        "Checkout slow", "sev1", "identified")
    kinds = [(e["kind"], e["actor_id"]) for e in viewer.get(f"{path}/timeline").json["items"]]
    actor = people["responder"]["actor_id"]
    assert ("description_changed", actor) in kinds and ("severity_changed", actor) in kinds
    assert ("status_changed", actor) in kinds
    resolved = responder.patch(path, {"status": "resolved"}).json
    assert resolved["resolved_at"]


def test_a_change_with_one_bad_field_changes_nothing(responder, viewer):
    incident = declare(responder, severity="sev3")
    path = f"/incidents/{incident['id']}"
    before = viewer.get(f"{path}/timeline").json["total"]
    refused = responder.patch(path, {"description": "Renamed", "severity": "sev9",
                                     "status": "identified"})
    assert refused.status_code == 400 and refused.json["field"] == "severity"
    after = viewer.get(path).json
    assert (after["description"], after["severity"], after["status"]) == (
        incident["description"], "sev3", incident["status"])
    assert viewer.get(f"{path}/timeline").json["total"] == before


def test_assign_role(responder, viewer):
    incident = declare(responder)
    path = f"/incidents/{incident['id']}/roles/incident_commander"
    assert responder.put(path, {"user_id": "U0COMMANDER"}).json["roles"] == {
        "incident_commander": "U0COMMANDER"}
    bad = responder.put(path, {"user_id": "not a slack user"})
    assert bad.status_code == 400 and bad.json["field"] == "user_id"
    unknown = responder.put(f"/incidents/{incident['id']}/roles/chef", {"user_id": "U0ABC"})
    assert unknown.status_code == 400 and unknown.json["field"] == "role"


def test_list_filters_search_dates_and_pages(responder, viewer):
    marker = "Zebra-printer outage"
    made = [declare(responder, f"{marker} {n}", severity="sev4")["id"] for n in range(3)]
    responder.patch(f"/incidents/{made[0]}", {"status": "resolved"})
    found = viewer.get("/incidents?q=zebra-PRINTER&limit=2").json
    assert found["total"] == 3 and [i["id"] for i in found["items"]] == [made[2], made[1]]
    assert viewer.get("/incidents?q=zebra&offset=2&limit=2").json["items"][0]["id"] == made[0]
    assert viewer.get("/incidents?q=zebra&open=true").json["total"] == 2
    assert viewer.get("/incidents?q=zebra&status=resolved").json["total"] == 1
    assert viewer.get("/incidents?q=zebra&severity=sev1").json["total"] == 0
    assert viewer.get("/incidents?q=zebra&declared_from=2000-01-01&declared_to=2000-01-02"
                      ).json["total"] == 0
    assert viewer.get("/incidents?q=zebra&declared_from=2000-01-01").json["total"] == 3


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"), ("offset=-1", "offset"),
    ("status=exploded", "status"), ("severity=sev9", "severity"), ("open=maybe", "open"),
    ("declared_from=yesterday", "declared_from"), ("q=" + "x" * 201, "q"), ("q=a%00b", "q"),
    ("declared_to=9999-12-31T23:59:59-14:00", "declared_to"),
])
def test_bad_list_arguments_are_400_naming_the_field(viewer, query, field):
    response = viewer.get(f"/incidents?{query}")
    assert response.status_code == 400, response.json
    assert response.json["field"] == field


@pytest.mark.parametrize("body, field", [
    ({}, "description"), ({"description": ""}, "description"),
    ({"description": "x" * 501}, "description"), ({"description": 42}, "description"),
    ({"description": "ok", "severity": "sev9"}, "severity"),
    ({"description": "ok", "is_private": "yes"}, "is_private"),
    ({"description": "ok", "colour": "red"}, "colour"),
    ({"description": "bad\x00byte"}, "description"),
    ({"description": "\ud800 lone surrogate"}, "description"),
])
def test_bad_declarations_are_400_naming_the_field(responder, body, field):
    response = responder.post("/incidents", body)
    assert response.status_code == 400, response.json
    assert response.json["field"] == field


def test_malformed_bodies_are_400_not_500(responder):
    for data in (b"{not json", b"[1, 2]", b'"text"', b""):
        response = responder.http.post("/api/v1/incidents", data=data, headers={
            **responder.headers, "Content-Type": "application/json"})
        assert response.status_code == 400, (data, response.text)
        assert response.json["error"]
    too_big = responder.http.post("/api/v1/incidents", data=b"x" * (1024 * 1024 + 1),
                                  headers={**responder.headers,
                                           "Content-Type": "application/json"})
    assert too_big.status_code == 413 and too_big.json["status"] == 413


def test_unknown_incidents_and_routes_are_json_404(viewer, responder):
    assert viewer.get("/incidents/999999").status_code == 404
    assert viewer.get("/incidents/999999").json["error"]
    assert viewer.get("/incidents/99999999999").status_code == 404  # past the id range
    assert viewer.get("/nothing-here").json["status"] == 404
    assert responder.patch("/incidents/999999", {"status": "resolved"}).status_code == 404
    wrong_method = viewer.call("DELETE", "/incidents")
    assert wrong_method.status_code == 405 and wrong_method.json["status"] == 405


def test_private_incidents_are_hidden_from_viewers(responder, viewer, reader):
    incident = declare(responder, "Credential leak in logs", is_private=True)
    path = f"/incidents/{incident['id']}"
    assert responder.get(path).json["description"] == "Credential leak in logs"
    for client in (viewer, reader):
        seen = client.get(path).json
        assert seen["description"] == "Private incident" and seen["redacted"] is True
        assert client.get(f"{path}/timeline").status_code == 403
    listed = viewer.get("/incidents?limit=200").json["items"]
    assert "Credential leak in logs" not in str(listed)
