"""/api/v1/incidents/{id}/timeline, status-updates and pinned-items, by role."""
import base64

import pytest

from tests.web.support import web_of

pytestmark = pytest.mark.service
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGA"
                       "hKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture
def incident(responder):
    return responder.post("/incidents", {"description": "Search returns nothing"}).json


def pin(app, incident_id, ts, **item):
    """As the gateway does when someone reacts with :pushpin: in Slack."""
    return web_of(app).backend.incidents("add_pinned_item", incident_id, {
        "message_ts": ts, "author_id": "U0AUTHOR", "pinned_by": "U0PINNER", **item})


def test_timeline_add_edit_delete(responder, viewer, people, incident):
    path = f"/incidents/{incident['id']}/timeline"
    added = responder.post(path, {"text": "Restarted search nodes",
                                  "occurred_at": "2026-11-26T15:00:00Z"})
    assert added.status_code == 201, added.json
    entry = added.json
    assert (entry["kind"], entry["actor_id"]) == ("manual", people["responder"]["actor_id"])
    assert entry["occurred_at"] == "2026-11-26T15:00:00+00:00"
    edited = responder.patch(f"{path}/{entry['id']}", {"text": "Restarted all search nodes"})
    assert edited.status_code == 200 and edited.json["text"] == "Restarted all search nodes"
    assert viewer.patch(f"{path}/{entry['id']}", {"text": "x"}).status_code == 403
    assert viewer.delete(f"{path}/{entry['id']}").status_code == 403
    assert responder.delete(f"{path}/{entry['id']}").status_code == 204
    texts = [e["text"] for e in viewer.get(path).json["items"]]
    assert "Restarted all search nodes" not in texts
    assert responder.delete(f"{path}/{entry['id']}").status_code == 404


def test_automatic_entries_cannot_be_edited_or_deleted(responder, viewer, incident):
    path = f"/incidents/{incident['id']}/timeline"
    declared = viewer.get(path).json["items"][0]
    assert declared["kind"] == "declared"
    assert responder.patch(f"{path}/{declared['id']}", {"text": "rewritten"}).status_code == 400
    assert responder.delete(f"{path}/{declared['id']}").status_code == 400
    assert responder.patch(f"{path}/{declared['id']}", {}).status_code == 400


def test_timeline_pages(responder, viewer, incident):
    path = f"/incidents/{incident['id']}/timeline"
    for n in range(4):
        responder.post(path, {"text": f"step {n}"})
    page = viewer.get(f"{path}?limit=2&offset=1").json
    assert page["total"] == 5 and [e["text"] for e in page["items"]] == ["step 0", "step 1"]
    assert viewer.get(f"{path}?limit=500").status_code == 400


def test_status_updates(responder, viewer, people, incident):
    path = f"/incidents/{incident['id']}/status-updates"
    posted = responder.post(path, {"text": "Fix is rolling out", "impacted": "EU customers"})
    assert posted.status_code == 201 and posted.json["author_id"] == people["responder"][
        "actor_id"]
    listed = viewer.get(path).json["items"]
    assert [(u["text"], u["impacted"]) for u in listed] == [("Fix is rolling out",
                                                             "EU customers")]
    assert viewer.post(path, {"text": "nope"}).status_code == 403
    assert responder.post(path, {"text": " "}).status_code == 400
    assert viewer.get(f"/incidents/{incident['id']}").json["last_update_at"]


def test_pinned_items_list_fetch_and_delete(app, responder, viewer, incident):
    image = pin(app, incident["id"], "1700000000.000100", kind="image", file_name="graph.png",
                mimetype="image/png", content_base64=base64.b64encode(PNG).decode(),
                text="error graph")
    message = pin(app, incident["id"], "1700000000.000200", text="DB failover started")
    path = f"/incidents/{incident['id']}/pinned-items"
    listed = viewer.get(path).json["items"]
    assert [i["id"] for i in listed] == [image["id"], message["id"]]
    assert "content_base64" not in listed[0]
    assert viewer.get(f"{path}/{image['id']}").json["file_name"] == "graph.png"
    content = viewer.get(f"{path}/{image['id']}/content")
    assert content.status_code == 200 and content.data == PNG
    assert content.mimetype == "image/png" and "private" in content.headers["Cache-Control"]
    assert viewer.get(f"{path}/{message['id']}/content").status_code == 404
    assert viewer.delete(f"{path}/{image['id']}").status_code == 403
    assert responder.delete(f"{path}/{image['id']}").status_code == 204
    assert [i["id"] for i in viewer.get(path).json["items"]] == [message["id"]]
    assert viewer.get(f"{path}/{image['id']}/content").status_code == 404
    timeline = viewer.get(f"/incidents/{incident['id']}/timeline").json["items"]
    assert timeline[-1]["kind"] == "unpinned"


def test_risky_files_are_downloaded_not_shown(app, viewer, incident):
    svg = pin(app, incident["id"], "1700000000.000300", kind="image", file_name="x<>.svg",
              mimetype="image/svg+xml",
              content_base64=base64.b64encode(b"<svg onload='alert(1)'/>").decode())
    response = viewer.get(f"/incidents/{incident['id']}/pinned-items/{svg['id']}/content")
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"] == 'attachment; filename="x__.svg"'


def test_images_need_a_signed_in_reader(app, incident):
    item = pin(app, incident["id"], "1700000000.000400", kind="image", mimetype="image/png",
               content_base64=base64.b64encode(PNG).decode())
    anonymous = app.test_client()
    api = anonymous.get(f"/api/v1/incidents/{incident['id']}/pinned-items/{item['id']}/content")
    page = anonymous.get(f"/incidents/{incident['id']}/pinned/{item['id']}/content")
    assert api.status_code == 401
    assert page.status_code == 302 and "/login" in page.headers["Location"]
