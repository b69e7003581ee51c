"""A whole incident as a new user runs it: every step shows in the channel, the digest
and the timeline, in order."""
import base64
import json
import time

import pytest

from tests.e2e.flows import (
    REPORTER,
    bot_messages,
    click,
    declare,
    select,
    stored_incident,
    texts,
)
from tests.fakes.slack_signing import state_value_for
from tests.support.stack import wait_until

pytestmark = pytest.mark.e2e


def test_declare_claim_raise_update_pin_note_resolve(fake, sender, incidents):
    channel = declare(fake, sender, "Checkout down in the whole story")
    cid = channel["id"]
    incident = stored_incident(incidents, cid)
    iid = incident["id"]
    digest_id = fake.channel_by_name("incidents")["id"]

    def digest():
        return json.dumps(next(m for m in fake.messages(digest_id)
                               if m["ts"] == incident["digest_ts"])["blocks"])

    click(sender, fake, cid, {"type": "button", "action_id": "incident_role_claim",
                              "block_id": "role_incident_commander",
                              "value": "incident_commander"})
    wait_until(lambda: f"<@{REPORTER}>" in digest())
    click(sender, fake, cid, select("incident_severity_select", "sev1"))
    wait_until(lambda: "SEV1" in digest().upper())

    sender.slash_command("/incident", "update", REPORTER, fake.new_trigger_id(), cid)
    view = wait_until(lambda: [c for c in fake.calls("views.open")
                               if c.response and c.params["view"]["callback_id"] ==
                               "incident_update_modal"])[-1].response["view"]
    sender.view_submission(view, {"update_message": {"update_message": state_value_for(
        "plain_text_input", "Failing over to the standby database")}}, REPORTER)
    wait_until(lambda: [m for m in fake.messages(digest_id)
                        if m.get("thread_ts") == incident["digest_ts"] and
                        "Failing over" in texts([m])])

    note_ts = fake.add_message(cid, "Replica lag is 0 now", user=REPORTER)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 512
    file_id = fake.add_file("lag.png", png, mimetype="image/png", user=REPORTER, channels=[cid])
    image_ts = fake.add_message(cid, "lag graph", user=REPORTER, files=[file_id])
    for ts in (note_ts, image_ts):
        sender.event({"type": "reaction_added", "user": REPORTER, "reaction": "pushpin",
                      "item": {"type": "message", "channel": cid, "ts": ts},
                      "event_ts": f"{time.time():.6f}"})
    pins = wait_until(lambda: len(incidents.list_pinned_items(iid)) == 2
                      and incidents.list_pinned_items(iid, True))
    assert base64.b64decode([p for p in pins if p["kind"] == "image"][0]["content_base64"]) == png

    incidents.add_timeline_event(iid, "Standby promoted", actor_id=REPORTER)
    sender.slash_command("/incident", "resolve", REPORTER, fake.new_trigger_id(), cid)
    wait_until(lambda: "Resolved" in digest())

    kinds = [e["kind"] for e in incidents.list_timeline(iid)["items"]]
    assert kinds == ["declared", "channel_created", "role_assigned", "severity_changed",
                     "status_update", "pinned", "pinned", "manual", "status_changed"]
    panel_ts = fake.pins(cid)[0]
    said = [texts([m]) for m in bot_messages(fake, cid) if m["ts"] != panel_ts]
    order = [next(i for i, text in enumerate(said) if part in text)
             for part in ("Incident Commander", "SEV1", "Failing over", "resolved")]
    assert order == sorted(order), said
