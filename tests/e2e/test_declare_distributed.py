"""Declare flow end to end: every service its own process over RabbitMQ and PostgreSQL,
Slack faked over HTTP, requests signed as Slack signs them."""
import json
import subprocess
import sys
import time

import pytest

from tests.e2e.flows import (
    REPORTER,
    declare,
    declare_values,
    digest_posts,
    open_modal_by_shortcut,
)
from tests.fakes.slack_signing import sign_request
from tests.support.stack import ROOT, wait_until

pytestmark = pytest.mark.e2e


def test_shortcut_modal_submission_opens_a_complete_war_room(fake, sender, incidents):
    channel = declare(fake, sender, "Checkout API returns 500 for EU customers")
    cid = channel["id"]
    assert channel["name"].startswith("inc-")
    assert channel["name"].endswith("-checkout-api-returns-500-for-eu-customers")
    assert REPORTER in channel["members"]
    assert "SEV2" in channel["topic"]["value"].upper()
    panel_ts = fake.pins(cid)[0]
    panel = next(m for m in fake.messages(cid) if m["ts"] == panel_ts)
    action_ids = {e.get("action_id") for b in panel["blocks"] for e in
                  b.get("elements", []) + ([b["accessory"]] if "accessory" in b else [])}
    assert {"incident_status_select", "incident_severity_select",
            "incident_role_claim", "incident_role_assign"} <= action_ids
    post = next(p for p in digest_posts(fake) if cid in json.dumps(p["blocks"]))
    assert "Checkout API returns 500" in json.dumps(post["blocks"])
    dm = [c for c in fake.calls("chat.postMessage") if c.params.get("channel") == REPORTER]
    assert dm and cid in dm[-1].params["text"]
    # What the incidents service stored points at what Slack holds.
    stored = wait_until(lambda: (lambda i: i if i and i["digest_ts"] else None)(
        incidents.get_incident_by_channel(cid)))
    assert stored["description"] == "Checkout API returns 500 for EU customers"
    assert stored["control_panel_ts"] == panel_ts and stored["digest_ts"] == post["ts"]
    assert stored["reporter_id"] == REPORTER and stored["severity"] == "sev2"


def test_war_room_steps_after_channel_creation_run_concurrently(fake, sender):
    fake.set_delay(0.2)
    try:
        started = time.monotonic()
        declare(fake, sender, "Payments slow in concurrency check")
        elapsed = time.monotonic() - started
    finally:
        fake.set_delay(0)
    create = [c for c in fake.calls("conversations.create")
              if "concurrency-check" in c.params["name"]][-1]
    after = [c for c in fake.calls() if c.time >= create.time and c.method in
             ("conversations.setTopic", "conversations.invite", "chat.postMessage")]
    # The four calls after create started within one Slack delay of each other.
    starts = sorted(c.time for c in after)[:4]
    assert len(starts) == 4 and starts[-1] - starts[0] < 0.2, starts
    assert elapsed < 10


def test_slash_command_opens_modal_and_help_answers(fake, sender):
    before = len(fake.calls("views.open"))
    response = sender.slash_command("/incident", "", REPORTER, fake.new_trigger_id(), "C0GENERAL")
    assert response.status_code == 200
    wait_until(lambda: len(fake.calls("views.open")) == before + 1)
    assert fake.calls("views.open")[-1].ok
    help_response = sender.slash_command("/incident", "help", REPORTER, fake.new_trigger_id(),
                                         "C0GENERAL")
    assert help_response.status_code == 200
    body = help_response.json()
    assert body["response_type"] == "ephemeral" and "/incident help" in body["text"]


def test_app_home_button_opens_the_modal(fake, sender):
    before = len(fake.calls("views.open"))
    response = sender.block_actions([{"type": "button", "action_id": "home_declare_incident",
                                      "block_id": "home", "value": "declare"}],
                                    REPORTER, view={"id": "VHOME", "type": "home"},
                                    trigger_id=fake.new_trigger_id())
    assert response.status_code == 200
    wait_until(lambda: len(fake.calls("views.open")) == before + 1)
    assert fake.calls("views.open")[-1].ok


def test_modal_rejects_bad_input_inside_the_modal(fake, sender):
    view = open_modal_by_shortcut(fake, sender)
    empty = sender.view_submission(view, declare_values("   "), REPORTER)
    assert empty.json()["response_action"] == "errors"
    assert "declare_description" in empty.json()["errors"]
    bad = sender.view_submission(view, declare_values("Disk full", severity="sev9"), REPORTER)
    assert bad.json()["errors"]["declare_severity"].startswith("unknown severity")


def test_forged_or_stale_signatures_get_401_and_change_nothing(fake, sender):
    body = b"payload=" + json.dumps({"type": "shortcut", "callback_id": "declare_incident",
                                     "trigger_id": "x", "user": {"id": REPORTER}}).encode()
    forged = sign_request(body, "not-the-secret")
    assert sender.raw(body, forged).status_code == 401
    stale = sign_request(body, sender.signing_secret, timestamp=int(time.time()) - 600)
    assert sender.raw(body, stale).status_code == 401
    assert sender.raw(body, {"Content-Type": "application/x-www-form-urlencoded"}
                      ).status_code == 401


def test_a_retried_event_has_one_effect(fake, sender):
    before = len(fake.calls("views.publish"))
    event = {"type": "app_home_opened", "user": REPORTER, "channel": "D0HOME", "tab": "home",
             "event_ts": f"{time.time():.6f}"}
    assert sender.event(event, event_id="Ev0RETRY1").status_code == 200
    assert sender.event(event, event_id="Ev0RETRY1", retry_num=1).status_code == 200
    assert sender.event(event, event_id="Ev0RETRY1", retry_num=2).status_code == 200
    wait_until(lambda: len(fake.calls("views.publish")) > before)
    time.sleep(1.0)  # give a wrongly accepted retry the time to show up
    published = fake.calls("views.publish")[before:]
    assert len(published) == 1 and published[0].ok
    assert published[0].params["view"]["type"] == "home"


def test_name_taken_gets_a_suffix(fake, sender):
    view = open_modal_by_shortcut(fake, sender)
    # Occupy every name this minute (and the next) could produce.
    stamp = time.strftime("%Y%m%d%H%M", time.gmtime())
    nxt = time.strftime("%Y%m%d%H%M", time.gmtime(time.time() + 60))
    for s in (stamp, nxt):
        fake.add_channel(f"inc-{s}-database-failover", members=["U0OTHER"])
    sender.view_submission(view, declare_values("Database failover"), REPORTER)
    channel = wait_until(lambda: next((c for c in fake.channels if c.get("name", "").endswith(
        "-database-failover-2")), None))
    assert wait_until(lambda: fake.pins(channel["id"]))
    taken = [c for c in fake.calls("conversations.create") if "database-failover" in
             c.params["name"]]
    assert [c.error for c in taken] == ["name_taken", None]


def test_broken_config_stops_start_up_naming_the_key(tmp_path):
    bad = tmp_path / "config.yaml"
    bad.write_text("reminders:\n  first_reminder_minutes: thirty\n")
    result = subprocess.run([sys.executable, "-m", "services", "serve", "incidents"],
                            env={"INCIDENTBOT_CONFIG": str(bad), "PATH": "/usr/bin:/bin"},
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "reminders.first_reminder_minutes" in result.stderr
    assert len([line for line in result.stderr.splitlines() if "invalid configuration" in line]) == 1


def test_slack_rate_limits_and_errors_are_retried_and_nothing_is_doubled(fake, sender):
    fake.fail("conversations.create", status=429, retry_after=1, times=1)
    fake.fail("pins.add", status=500, times=1)
    channel = declare(fake, sender, "Rate limited declaration")
    creates = [c for c in fake.calls("conversations.create")
               if "rate-limited-declaration" in c.params["name"]]
    assert [c.status for c in creates] == [429, 200]
    assert creates[1].time - creates[0].time >= 1.0  # Retry-After honoured
    assert len(fake.pins(channel["id"])) == 1
    panels = [m for m in fake.messages(channel["id"]) if m.get("user") == "U0BOT"
              and m.get("blocks")]
    assert len(panels) == 1
    posts = [p for p in digest_posts(fake) if channel["id"] in json.dumps(p["blocks"])]
    assert len(posts) == 1


def test_a_form_slack_no_longer_opens_is_told_to_its_user(fake, sender):
    """views.open after the trigger's 3 s (a slow or overloaded gateway): the user hears
    it, in the channel for the slash command, by DM for a global shortcut."""
    room = declare(fake, sender, "Expired trigger drill")

    def told():
        return [c for c in fake.calls("chat.postEphemeral") + fake.calls("chat.postMessage")
                if "stopped waiting for the form" in json.dumps(c.params)]

    fake.set_trigger_ttl(0.0)
    try:
        opened = len(fake.calls("views.open"))
        sender.shortcut("declare_incident", REPORTER, fake.new_trigger_id())
        sender.slash_command("/incident", "update", REPORTER, fake.new_trigger_id(), room["id"])
        wait_until(lambda: len(told()) == 2)
    finally:
        fake.set_trigger_ttl(3.0)
    assert [c.error for c in fake.calls("views.open")[opened:]] == ["expired_trigger_id"] * 2
    assert sorted((c.method, c.params["channel"]) for c in told()) == sorted(
        [("chat.postMessage", REPORTER), ("chat.postEphemeral", room["id"])])


def test_a_retried_war_room_adopts_what_the_failed_attempt_posted(fake, sender):
    """The first attempt fails half-way (Slack refuses the topic) after posting the panel,
    the digest and the reporter's DM; the retry sets the topic and posts nothing twice."""
    fake.fail("conversations.setTopic", error="fatal_error", times=1)
    reads = len(fake.calls("conversations.history"))
    channel = declare(fake, sender, "Half finished war room")
    wait_until(lambda: "SEV2" in fake.channel(channel["id"])["topic"]["value"].upper())
    assert [c.error for c in fake.calls("conversations.setTopic")
            if c.params["channel"] == channel["id"]] == ["fatal_error", None]
    notices = [c for c in fake.calls("chat.postMessage") if c.params["channel"] == REPORTER
               and channel["id"] in json.dumps(c.params)]
    assert len(notices) == 1
    assert len([p for p in digest_posts(fake) if channel["id"] in json.dumps(p["blocks"])]) == 1
    assert len(fake.pins(channel["id"])) == 1
    assert len([m for m in fake.messages(channel["id"]) if m.get("user") == "U0BOT"
                and m.get("blocks")]) == 1
    # The retry looked for the DM it had sent (the panel and digest ts were stored).
    dm = fake.calls("conversations.open")[-1].response["channel"]["id"]
    assert [c.params["channel"] for c in fake.calls("conversations.history")[reads:]] == [dm]
