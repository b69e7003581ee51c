"""Running an incident from Slack, end to end: every service its own process, the Slack
fake, signed requests; asserted on what Slack received and what `incidents` stored."""
import json
import time

import pytest

from tests.e2e.flows import (
    stored_incident,
    REPORTER,
    bot_messages,
    click,
    declare,
    declare_values,
    open_modal_by_shortcut,
    digest_posts,
    panel_message,
    select,
    texts,
)
from tests.fakes.slack_signing import state_value_for
from tests.support.stack import wait_until

pytestmark = pytest.mark.e2e
OTHER = "U0OTHER"


@pytest.fixture
def room(fake, sender, incidents):
    """A fresh war room and its incident."""
    description = f"Orders stuck {time.time_ns()}"
    channel = declare(fake, sender, description)
    return channel["id"], stored_incident(incidents, channel["id"])


def post_channel(fake):
    return fake.channel_by_name("incidents")["id"]


def digest_of(fake, incident):
    digest = fake.channel_by_name("incidents")
    return next(m for m in fake.messages(digest["id"]) if m["ts"] == incident["digest_ts"])


def test_status_select_updates_everything_in_place(fake, sender, incidents, room):
    cid, incident = room
    digests_before = len(digest_posts(fake))
    click(sender, fake, cid, select("incident_status_select", "identified"))
    wait_until(lambda: incidents.get_incident(incident["id"])["status"] == "identified")
    wait_until(lambda: "Identified" in json.dumps(panel_message(fake, cid)["blocks"]))
    wait_until(lambda: "Identified" in json.dumps(digest_of(fake, incident)["blocks"]))
    wait_until(lambda: "Identified" in fake.channel(cid)["topic"]["value"])
    assert len(digest_posts(fake)) == digests_before  # chat.update, not a new post
    wait_until(lambda: "Identified" in texts(bot_messages(fake, cid)[1:]))
    kinds = [e["kind"] for e in incidents.list_timeline(incident["id"])["items"]]
    assert kinds[-1] == "status_changed"


def test_severity_raise_and_role_claim_and_reassign(fake, sender, incidents, room):
    cid, incident = room
    click(sender, fake, cid, select("incident_severity_select", "sev1"))
    wait_until(lambda: "SEV1" in fake.channel(cid)["topic"]["value"].upper())
    click(sender, fake, cid, {"type": "button", "action_id": "incident_role_claim",
                              "block_id": "role_incident_commander",
                              "value": "incident_commander"})
    wait_until(lambda: incidents.get_incident(incident["id"])["roles"] ==
               {"incident_commander": REPORTER})
    # The new holder gets a DM with the role's description and the channel link.
    dm = wait_until(lambda: [c for c in fake.calls("chat.postMessage")
                             if c.params.get("channel") == REPORTER
                             and "Incident Commander" in c.params.get("text", "")])
    assert f"<#{cid}>" in dm[-1].params["text"]
    wait_until(lambda: f"<@{REPORTER}>" in fake.channel(cid)["topic"]["value"])
    click(sender, fake, cid, {"type": "users_select", "action_id": "incident_role_assign",
                              "block_id": "role_incident_commander", "selected_user": OTHER})
    wait_until(lambda: incidents.get_incident(incident["id"])["roles"] ==
               {"incident_commander": OTHER})
    notice = wait_until(lambda: [m for m in bot_messages(fake, cid)
                                 if "replacing" in (m.get("text") or "")])
    assert f"<@{OTHER}>" in notice[0]["text"] and f"<@{REPORTER}>" in notice[0]["text"]
    wait_until(lambda: f"<@{OTHER}>" in json.dumps(panel_message(fake, cid)["blocks"]))


def test_provide_update_posts_to_digest_thread_and_war_room(fake, sender, incidents, room):
    cid, incident = room
    before = len(fake.calls("views.open"))
    click(sender, fake, cid, {"type": "button", "action_id": "incident_provide_update",
                              "block_id": "footer", "value": str(incident["id"])}, trigger=True)
    call = wait_until(lambda: [c for c in fake.calls("views.open")[before:] if c.response])[0]
    view = call.response["view"]
    values = {"update_message": {"update_message": state_value_for(
                  "plain_text_input", "Rolled back release 42")},
              "update_impacted": {"update_impacted": state_value_for(
                  "plain_text_input", "EU checkout")}}
    response = sender.view_submission(view, values, REPORTER)
    assert response.status_code == 200 and response.text == ""
    stored = incidents.list_status_updates(incident["id"])
    assert [u["text"] for u in stored] == ["Rolled back release 42"]
    assert incidents.get_incident(incident["id"])["last_update_at"]
    digest = fake.channel_by_name("incidents")
    wait_until(lambda: [m for m in fake.messages(digest["id"])
                        if m.get("thread_ts") == incident["digest_ts"]
                        and "Rolled back release 42" in texts([m])])
    wait_until(lambda: "Rolled back release 42" in texts(bot_messages(fake, cid)))
    assert incidents.list_timeline(incident["id"])["items"][-1]["kind"] == "status_update"


def test_timeline_modal_adds_pages_and_deletes_manual_entries(fake, sender, incidents, room):
    cid, incident = room
    for n in range(45):
        incidents.add_timeline_event(incident["id"], f"note {n}")
    before = len(fake.calls("views.open"))
    sender.slash_command("/incident", "timeline", REPORTER, fake.new_trigger_id(), cid)
    call = wait_until(lambda: [c for c in fake.calls("views.open")[before:] if c.response])[0]
    view = call.response["view"]
    assert len(view["blocks"]) <= 100 and "note 44" in json.dumps(view["blocks"])
    values = {"timeline_date": {"timeline_date": state_value_for("datepicker", "2026-11-26")},
              "timeline_time": {"timeline_time": state_value_for("timepicker", "09:30")},
              "timeline_text": {"timeline_text": state_value_for("plain_text_input",
                                                                  "Customer reported it")}}
    response = sender.view_submission(view, values, REPORTER)
    assert response.json()["response_action"] == "update"
    items = incidents.list_timeline(incident["id"], limit=200)["items"]
    added = [e for e in items if e["text"] == "Customer reported it"][0]
    assert added["kind"] == "manual" and added["occurred_at"].startswith("2026-11-26T09:30")
    page = response.json()["view"]
    delete = next(b["accessory"] for b in page["blocks"]
                  if b.get("accessory", {}).get("action_id") == "timeline_delete")
    sender.block_actions([{"type": "button", "action_id": "timeline_delete", "block_id": "x",
                           "value": delete["value"]}], REPORTER,
                         view={**page, "id": call.response["view"]["id"], "hash": None})
    wait_until(lambda: incidents.list_timeline(incident["id"], limit=200)["total"] ==
               len(items) - 1)


def test_pin_reaction_stores_message_and_image_once(fake, sender, incidents, room):
    cid, incident = room
    text_ts = fake.add_message(cid, "DB CPU at 100% since 10:02", user=REPORTER)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    file_id = fake.add_file("cpu.png", png, mimetype="image/png", user=REPORTER, channels=[cid])
    image_ts = fake.add_message(cid, "graph", user=REPORTER, files=[file_id])
    for ts in (text_ts, image_ts):
        event = {"type": "reaction_added", "user": REPORTER, "reaction": "pushpin",
                 "item": {"type": "message", "channel": cid, "ts": ts},
                 "item_user": REPORTER, "event_ts": f"{time.time():.6f}"}
        sender.event(event, event_id=f"EvPIN{ts.replace('.', '')}")
        sender.event(event, event_id=f"EvPIN{ts.replace('.', '')}", retry_num=1)
    items = wait_until(lambda: len(incidents.list_pinned_items(incident["id"])) == 2 and
                       incidents.list_pinned_items(incident["id"], True))
    by_kind = {i["kind"]: i for i in items}
    assert by_kind["message"]["text"] == "DB CPU at 100% since 10:02"
    assert by_kind["message"]["author_id"] == REPORTER and by_kind["message"]["permalink"]
    import base64
    assert base64.b64decode(by_kind["image"]["content_base64"]) == png
    wait_until(lambda: all(any(r["name"] == "white_check_mark" for r in
                               (m.get("reactions") or []))
                           for m in fake.messages(cid) if m["ts"] in (text_ts, image_ts)))
    removed = {"type": "reaction_removed", "user": REPORTER, "reaction": "pushpin",
               "item": {"type": "message", "channel": cid, "ts": text_ts},
               "event_ts": f"{time.time():.6f}"}
    sender.event(removed)
    wait_until(lambda: [i["kind"] for i in incidents.list_pinned_items(incident["id"])] ==
               ["image"])


def test_reaction_on_any_message_declares_once_and_answers_in_thread(fake, sender, incidents):
    # Slack sends reaction events only from channels the bot is in.
    general = fake.add_channel(f"support-{time.time_ns()}", members=[OTHER, REPORTER, "U0BOT"])
    ts = fake.add_message(general, "Login page is blank for everyone", user=OTHER)
    event = {"type": "reaction_added", "user": REPORTER, "reaction": "rotating_light",
             "item": {"type": "message", "channel": general, "ts": ts},
             "event_ts": f"{time.time():.6f}"}
    sender.event(event)
    sender.event({**event, "event_ts": f"{time.time():.6f}"})  # a second person, same message
    reply = wait_until(lambda: [m for m in fake.messages(general)
                                if m.get("thread_ts") == ts and m.get("user") == "U0BOT"],
                       timeout=20)
    time.sleep(0.5)
    matching = [i for i in incidents.list_incidents(limit=200)["items"]
                if "Login page is blank" in i["description"]]
    assert len(matching) == 1 and matching[0]["source"] == "reaction"
    assert "http" in matching[0]["description"]  # links the message
    assert f"<#{matching[0]['channel_id']}>" in reply[0]["text"]


def test_digest_channel_messages_get_one_suggestion(fake, sender):
    digest = fake.channel_by_name("incidents")["id"]
    ts = fake.add_message(digest, "is checkout down for anyone?", user=OTHER)
    event = {"type": "message", "channel": digest, "user": OTHER, "ts": ts,
             "text": "is checkout down for anyone?", "channel_type": "channel"}
    sender.event(event)
    sender.event(event)  # delivered again under another id: still one suggestion
    sender.event({**event, "user": None, "bot_id": "B0OTHER", "ts": "1.000001"})
    def replies():
        return [m for m in fake.messages(digest)
                if m.get("thread_ts") == ts and m.get("user") == "U0BOT"]

    wait_until(replies)
    time.sleep(0.5)
    replies = replies()
    assert len(replies) == 1 and "digest_declare_incident" in json.dumps(replies[0]["blocks"])


def test_resolve_summarises_and_archives_and_reopen_is_recorded(fake, sender, incidents, room):
    cid, incident = room
    response = sender.slash_command("/incident", "resolve", REPORTER, fake.new_trigger_id(), cid)
    assert response.status_code == 200
    wait_until(lambda: "Resolved" in json.dumps(digest_of(fake, incident)["blocks"]))
    summary = wait_until(lambda: [m for m in bot_messages(fake, cid)
                                  if "incident_archive_channel" in json.dumps(m.get("blocks"))])
    assert "Duration" in texts(summary) or "duration" in texts(summary).lower()
    sender.slash_command("/incident", "status investigating", REPORTER, fake.new_trigger_id(),
                         cid)
    wait_until(lambda: incidents.get_incident(incident["id"])["status"] == "investigating")
    kinds = [e["kind"] for e in incidents.list_timeline(incident["id"])["items"]]
    assert "reopened" in kinds
    sender.slash_command("/incident", "resolve", REPORTER, fake.new_trigger_id(), cid)
    wait_until(lambda: incidents.get_incident(incident["id"])["resolved_at"])
    archive = next(e for m in bot_messages(fake, cid) for b in m.get("blocks") or []
                   for e in b.get("elements", []) if e.get("action_id") ==
                   "incident_archive_channel")
    sender.block_actions([archive | {"block_id": "x"}], REPORTER, channel_id=cid,
                         message=panel_message(fake, cid))
    wait_until(lambda: fake.channel(cid)["is_archived"])


def test_private_incident_leaks_nothing_to_the_digest(fake, sender, incidents):
    secret = f"Customer PII exposed {time.time_ns()}"
    view = open_modal_by_shortcut(fake, sender)
    sender.view_submission(view, declare_values(secret, private=True), REPORTER)

    def opened():
        found = [i for i in incidents.list_incidents(limit=200)["items"]
                 if i["description"] == secret]
        return found and found[0]["digest_ts"] and found[0]["control_panel_ts"] and found[0]

    incident = wait_until(opened)
    channel = fake.channel(incident["channel_id"])
    assert channel["is_private"] and "pii" not in channel["name"]
    post = digest_of(fake, incident)
    assert secret not in json.dumps(post) and "PII" not in json.dumps(post)
    click(sender, fake, channel["id"], select("incident_severity_select", "sev1"))
    wait_until(lambda: "SEV1" in json.dumps(digest_of(fake, incident)).upper())
    assert secret not in json.dumps(digest_of(fake, incident))
    assert all(secret not in json.dumps(c.params) for c in fake.calls()
               if c.params.get("channel") == post_channel(fake))


def test_incident_command_in_and_out_of_incident_channels(fake, sender, incidents, room):
    cid, incident = room
    ok = sender.slash_command("/incident", "severity sev3", REPORTER, fake.new_trigger_id(), cid)
    assert ok.status_code == 200 and ok.text == ""
    assert incidents.get_incident(incident["id"])["severity"] == "sev3"
    bad = sender.slash_command("/incident", "severity sev9", REPORTER, fake.new_trigger_id(), cid)
    assert "sev9" in bad.json()["text"]
    role = sender.slash_command("/incident", f"role scribe <@{OTHER}|other>", REPORTER,
                                fake.new_trigger_id(), cid)
    assert role.status_code == 200
    assert incidents.get_incident(incident["id"])["roles"].get("scribe") == OTHER
    help_text = sender.slash_command("/incident", "help", REPORTER, fake.new_trigger_id(), cid)
    assert "resolve" in help_text.json()["text"]
    outside = sender.slash_command("/incident", "status identified", REPORTER,
                                   fake.new_trigger_id(), "C0GENERAL")
    assert "incident channel" in outside.json()["text"]


def test_rate_limited_chat_update_still_ends_with_the_right_digest(fake, sender, incidents, room):
    cid, incident = room
    fake.fail("chat.update", status=429, retry_after=1, times=2)
    click(sender, fake, cid, select("incident_status_select", "monitoring"))
    wait_until(lambda: "Monitoring" in json.dumps(digest_of(fake, incident)["blocks"]),
               timeout=20)
    limited = [c for c in fake.calls("chat.update") if c.status == 429]
    assert len(limited) >= 2


def test_app_home_lists_open_incidents_newest_first(fake, sender, incidents, room):
    cid, incident = room
    before = len(fake.calls("views.publish"))
    sender.event({"type": "app_home_opened", "user": REPORTER, "channel": "D0HOME",
                  "tab": "home", "event_ts": f"{time.time():.6f}"})
    call = wait_until(lambda: [c for c in fake.calls("views.publish")[before:] if c.response])
    home = json.dumps(call[0].params["view"])
    assert "home_declare_incident" in home and incident["description"] in home


def test_an_update_whose_digest_reply_failed_is_not_posted_twice(fake, sender, incidents,
                                                                 room):
    """The war-room post succeeds, the digest-thread reply is refused once: the retry
    adopts the war-room post and only adds the missing reply."""
    cid, incident = room
    fake.fail("chat.postMessage", error="fatal_error", only={"thread_ts": incident["digest_ts"]})
    incidents.post_status_update(incident["id"], "Failover done", author_id=REPORTER)
    digest = fake.channel_by_name("incidents")
    replies = wait_until(lambda: [m for m in fake.messages(digest["id"])
                                  if m.get("thread_ts") == incident["digest_ts"]
                                  and "Failover done" in texts([m])])
    time.sleep(1)  # let a duplicate show itself
    assert len(replies) == 1
    assert len([m for m in bot_messages(fake, cid) if "Failover done" in texts([m])]) == 1
    refused = [c for c in fake.calls("chat.postMessage")
               if c.params.get("thread_ts") == incident["digest_ts"] and c.error]
    assert len(refused) == 1


def test_a_meeting_link_whose_pin_failed_is_pinned_on_retry_and_posted_once(
        fake, sender, incidents, room):
    cid, incident = room
    fake.fail("pins.add", error="fatal_error", only={"channel": cid})
    incidents.upsert_incident_link(incident["id"], "meeting", "zoom-1",
                                   url="https://zoom.example.com/j/1", title="Zoom meeting")
    wait_until(lambda: len(fake.pins(cid)) == 2, timeout=30)  # control panel and meeting
    time.sleep(1)  # let a duplicate show itself
    posts = [m for m in bot_messages(fake, cid)
             if m.get("text", "").startswith(":video_camera:")]
    assert len(posts) == 1 and posts[0]["ts"] in fake.pins(cid)
    assert [c.error for c in fake.calls("pins.add") if c.params["channel"] == cid][-2:] == [
        "fatal_error", None]
