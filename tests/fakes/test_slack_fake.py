"""The Slack fake and the signing helpers, exercised through the real slack_sdk WebClient.

tests/conftest.py monkey-patches with eventlet first, so all of this runs on green threads.
"""

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import SlackFake, SlackFakeClient
from tests.fakes.slack_signing import SlackSender, sign_request, state_value_for

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def fake():
    with SlackFake() as slack:
        slack.add_user("U0ALICE", "alice", real_name="Alice A", email="alice@example.com")
        slack.add_user("U0BOB", "bob", email="bob@example.com")
        yield slack


@pytest.fixture
def client(fake):
    return WebClient(token="xoxb-test", base_url=fake.url, timeout=5)


def error_of(call, *args, **kwargs) -> dict:
    with pytest.raises(SlackApiError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.response.data


def modal(title="Declare incident", blocks=None, **extra) -> dict:
    blocks = blocks if blocks is not None else [
        {"type": "input", "block_id": "desc", "label": {"type": "plain_text", "text": "What happened?"},
         "element": {"type": "plain_text_input", "action_id": "value", "max_length": 3000}}]
    return {"type": "modal", "title": {"type": "plain_text", "text": title},
            "submit": {"type": "plain_text", "text": "Declare"}, "blocks": blocks, **extra}


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_auth_and_unknown_method(fake, client):
    assert client.auth_test()["user_id"] == "U0BOT"
    assert error_of(WebClient(token="xoxb-wrong", base_url=fake.url).auth_test)["error"] == "invalid_auth"
    assert requests.post(fake.url + "auth.test").json() == {"ok": False, "error": "not_authed"}
    assert error_of(client.api_call, "nope.nothing")["error"] == "unknown_method"
    assert [r.status for r in fake.calls("auth.test")] == [200, 200, 200]


def test_conversations_list_paginates_250_channels_by_100(fake, client):
    created = {fake.add_channel(f"chan-{i:03d}") for i in range(250)}
    # Iterating a SlackResponse follows next_cursor; it reuses one object, so copy each page.
    pages = [dict(page.data) for page in client.conversations_list(limit=100)]
    assert [len(p["channels"]) for p in pages] == [100, 100, 50]
    seen = [c["id"] for p in pages for c in p["channels"]]
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))
    assert pages[-1]["response_metadata"]["next_cursor"] == ""
    assert error_of(client.conversations_list, cursor="bm90LWEtY3Vyc29y")["error"] == "invalid_cursor"


@pytest.mark.parametrize("name,error", [
    ("x" * 81, "invalid_name_maxlength"), ("Inc-Upper", "invalid_name_specials"),
    ("inc 1", "invalid_name_specials"), ("", "invalid_name_required"), ("inc-taken", "name_taken"),
])
def test_channel_name_rules(fake, client, name, error):
    fake.add_channel("inc-taken")
    assert error_of(client.conversations_create, name=name)["error"] == error


def test_create_private_channel_bot_is_member_and_others_cannot_see_it(fake, client):
    channel = client.conversations_create(name="x" * 80, is_private=True)["channel"]
    assert channel["is_private"] and channel["is_member"]
    assert fake.channel(channel["id"])["members"] == ["U0BOT"]
    hidden = fake.add_channel("secret", is_private=True, members=["U0ALICE"])
    assert error_of(client.conversations_info, channel=hidden)["error"] == "channel_not_found"
    listed = client.conversations_list(types="public_channel,private_channel")["channels"]
    assert [c["id"] for c in listed] == [channel["id"]]


def test_posting_needs_membership_and_content(fake, client):
    channel_id = fake.add_channel("incidents")
    assert error_of(client.chat_postMessage, channel=channel_id, text="hi")["error"] == "not_in_channel"
    assert error_of(client.chat_postMessage, channel="C0MISSING", text="hi")["error"] == "channel_not_found"
    assert client.conversations_join(channel=channel_id)["channel"]["is_member"]
    again = client.conversations_join(channel=channel_id)
    assert again["warning"] == "already_in_channel"
    posted = client.chat_postMessage(channel="incidents", text="by name")
    assert posted["channel"] == channel_id and posted["message"]["bot_id"] == "B0BOT"
    with pytest.warns(UserWarning, match="text"):  # slack_sdk warns too, before sending
        assert error_of(client.chat_postMessage, channel=channel_id, text="")["error"] == "no_text"
    assert error_of(client.chat_postMessage, channel=channel_id, text="x" * 40001)["error"] == "msg_too_long"
    second = client.chat_postMessage(channel=channel_id, text="two")
    assert float(second["ts"]) > float(posted["ts"])
    assert [m["text"] for m in fake.messages(channel_id)] == ["by name", "two"]
    private = fake.add_channel("priv", is_private=True, members=["U0BOT"])
    assert error_of(client.conversations_join, channel=private)["error"] == "method_not_supported_for_channel_type"


def test_invite_kick_topic_purpose_archive(fake, client):
    channel_id = client.conversations_create(name="inc-1")["channel"]["id"]
    invited = client.conversations_invite(channel=channel_id, users=["U0ALICE", "U0BOB"])
    assert invited["channel"]["num_members"] == 3
    for users, error in ((["U0ALICE"], "already_in_channel"), (["U0NOBODY"], "user_not_found"),
                         (["U0BOT"], "cant_invite_self")):
        assert error_of(client.conversations_invite, channel=channel_id, users=users)["error"] == error
    outside = fake.add_channel("outside")
    assert error_of(client.conversations_invite, channel=outside, users="U0ALICE")["error"] == "not_in_channel"
    client.conversations_kick(channel=channel_id, user="U0BOB")
    assert client.conversations_members(channel=channel_id)["members"] == ["U0BOT", "U0ALICE"]
    assert error_of(client.conversations_setTopic, channel=channel_id, topic="t" * 251)["error"] == "too_long"
    assert error_of(client.conversations_setTopic, channel=outside, topic="x")["error"] == "not_in_channel"
    client.conversations_setTopic(channel=channel_id, topic="SEV1 | investigating")
    client.conversations_setPurpose(channel=channel_id, purpose="Checkout down")
    info = client.conversations_info(channel=channel_id)["channel"]
    assert (info["topic"]["value"], info["purpose"]["value"]) == ("SEV1 | investigating", "Checkout down")
    client.conversations_archive(channel=channel_id)
    assert error_of(client.chat_postMessage, channel=channel_id, text="late")["error"] == "is_archived"


def test_threads_history_update_delete_permalink_ephemeral(fake, client):
    channel_id = client.conversations_create(name="inc-2")["channel"]["id"]
    parent = client.chat_postMessage(channel=channel_id, text="parent")["ts"]
    for i in range(3):
        client.chat_postMessage(channel=channel_id, text=f"reply {i}", thread_ts=parent)
    later = client.chat_postMessage(channel=channel_id, text="later")["ts"]
    history = client.conversations_history(channel=channel_id, limit=1)
    assert [m["text"] for m in history["messages"]] == ["later"] and history["has_more"]
    rest = client.conversations_history(channel=channel_id, cursor=history["response_metadata"]["next_cursor"])
    assert [(m["text"], m["reply_count"]) for m in rest["messages"]] == [("parent", 3)]
    replies = client.conversations_replies(channel=channel_id, ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply 0", "reply 1", "reply 2"]
    assert [m["thread_ts"] for m in fake.messages(channel_id)][1:4] == [parent] * 3
    client.chat_update(channel=channel_id, ts=later, text="edited", blocks=[section("edited *now*")])
    assert fake.messages(channel_id)[-1]["blocks"][0]["text"]["text"] == "edited *now*"
    human = fake.add_message(channel_id, "from alice", user="U0ALICE")
    assert error_of(client.chat_update, channel=channel_id, ts=human, text="x")["error"] == "cant_update_message"
    assert error_of(client.chat_update, channel=channel_id, ts="1.000001", text="x")["error"] == "message_not_found"
    link = client.chat_getPermalink(channel=channel_id, message_ts=parent)["permalink"]
    assert link.endswith(f"/archives/{channel_id}/p{parent.replace('.', '')}")
    client.chat_delete(channel=channel_id, ts=later)
    assert later not in [m["ts"] for m in fake.messages(channel_id)]
    err = error_of(client.chat_postEphemeral, channel=channel_id, user="U0ALICE", text="psst")
    assert err["error"] == "user_not_in_channel"
    client.conversations_invite(channel=channel_id, users="U0ALICE")
    client.chat_postEphemeral(channel=channel_id, user="U0ALICE", text="psst")
    assert fake.ephemeral_messages(channel_id)[0]["user"] == "U0ALICE"


def test_pins_and_reactions(fake, client):
    channel_id = client.conversations_create(name="inc-3")["channel"]["id"]
    ts = fake.add_message(channel_id, "the graph", user="U0ALICE")
    client.pins_add(channel=channel_id, timestamp=ts)
    assert fake.pins(channel_id) == [ts]
    assert error_of(client.pins_add, channel=channel_id, timestamp=ts)["error"] == "already_pinned"
    assert error_of(client.pins_add, channel=channel_id, timestamp="1.000002")["error"] == "message_not_found"
    assert client.pins_list(channel=channel_id)["items"][0]["message"]["text"] == "the graph"
    client.pins_remove(channel=channel_id, timestamp=ts)
    assert error_of(client.pins_remove, channel=channel_id, timestamp=ts)["error"] == "no_pin"
    outside = fake.add_channel("outside")
    other = fake.add_message(outside, "x", user="U0ALICE")
    assert error_of(client.pins_add, channel=outside, timestamp=other)["error"] == "not_in_channel"
    fake.add_reaction(channel_id, ts, "pushpin", "U0ALICE")
    client.reactions_add(channel=channel_id, timestamp=ts, name="eyes")
    assert error_of(client.reactions_add, channel=channel_id, timestamp=ts, name="eyes")["error"] == "already_reacted"
    got = client.reactions_get(channel=channel_id, timestamp=ts)["message"]["reactions"]
    assert {r["name"]: r["users"] for r in got} == {"pushpin": ["U0ALICE"], "eyes": ["U0BOT"]}
    client.reactions_remove(channel=channel_id, timestamp=ts, name="eyes")
    assert error_of(client.reactions_remove, channel=channel_id, timestamp=ts, name="eyes")["error"] == "no_reaction"


def test_missing_scope():
    with SlackFake(scopes=["chat:write"]) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)
        err = error_of(client.conversations_create, name="inc-1")
        assert (err["error"], err["needed"], err["provided"]) == ("missing_scope", "channels:manage", "chat:write")
        assert error_of(client.conversations_create, name="inc-1", is_private=True)["needed"] == "groups:write"
        assert error_of(client.users_info, user="U0BOT")["needed"] == "users:read"
        assert error_of(client.pins_add, channel="C1", timestamp="1.1")["needed"] == "pins:write"
    with SlackFake(scopes=["channels:read", "users:read"]) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)
        assert error_of(client.conversations_list, types="private_channel")["needed"] == "groups:read"
        fake.add_user("U0ALICE", "alice", email="alice@example.com")
        assert "email" not in client.users_info(user="U0ALICE")["user"]["profile"]  # no users:read.email


@pytest.mark.parametrize("blocks,pointer", [
    ([section("x" * 3001)], "/blocks/0/text/text"),
    ([section("x")] * 51, "/blocks"),
    ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "/blocks/0/fields"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "/blocks/0/text/text"),
    ([{"type": "actions", "elements": [
        {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "b" * 76}}]}],
     "/blocks/0/elements/0/text/text"),
    ([{"type": "actions", "elements": [
        {"type": "button", "action_id": "same", "text": {"type": "plain_text", "text": "1"}},
        {"type": "button", "action_id": "same", "text": {"type": "plain_text", "text": "2"}}]}],
     "/blocks/0/elements/1/action_id"),
    ([dict(section("a"), block_id="b1"), dict(section("b"), block_id="b1")], "/blocks/1/block_id"),
    ([{"type": "actions", "elements": [{"type": "static_select", "action_id": "s", "options": [
        {"text": {"type": "plain_text", "text": str(i)}, "value": str(i)} for i in range(101)]}]}],
     "/blocks/0/elements/0/options"),
    ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], "/blocks/0/elements"),
    ([{"type": "section", "block_id": "x" * 256, "text": {"type": "mrkdwn", "text": "t"}}], "/blocks/0/block_id"),
])
def test_message_block_validation(fake, client, blocks, pointer):
    channel_id = client.conversations_create(name="inc-blocks")["channel"]["id"]
    err = error_of(client.chat_postMessage, channel=channel_id, text="fallback", blocks=blocks)
    assert err["error"] == "invalid_blocks"
    assert any(e.endswith(f"[json-pointer:{pointer}]") for e in err["errors"]), err["errors"]
    assert err["response_metadata"]["messages"][0].startswith("[ERROR] ")
    assert fake.messages(channel_id) == [] and fake.calls("chat.postMessage")[0].status == 200


@pytest.mark.parametrize("view,pointer", [
    (modal(title="t" * 25), "/view/title/text"),
    (modal(blocks=[section("s")] * 101), "/view/blocks"),
    (modal(private_metadata="m" * 3001), "/view/private_metadata"),
    (modal(callback_id="c" * 256), "/view/callback_id"),
    (modal(blocks=[{"type": "input", "label": {"type": "plain_text", "text": "l" * 2001},
                    "element": {"type": "plain_text_input", "action_id": "v"}}]), "/view/blocks/0/label/text"),
    (modal(blocks=[{"type": "input", "label": {"type": "plain_text", "text": "l"},
                    "element": {"type": "plain_text_input", "action_id": "v", "max_length": 3001}}]),
     "/view/blocks/0/element/max_length"),
])
def test_view_validation(fake, client, view, pointer):
    err = error_of(client.views_open, trigger_id=fake.new_trigger_id(), view=view)
    assert err["error"] == "invalid_arguments"
    assert any(m.endswith(f"[json-pointer:{pointer}]") for m in err["response_metadata"]["messages"])


def test_trigger_ids_expire_and_are_single_use(fake, client):
    assert error_of(client.views_open, trigger_id="123.456.abc", view=modal())["error"] == "invalid_trigger_id"
    trigger = fake.new_trigger_id()
    view = client.views_open(trigger_id=trigger, view=modal(callback_id="declare"))["view"]
    assert view["id"].startswith("V") and view["blocks"][0]["block_id"] == "desc"
    assert fake.view(view["id"])["callback_id"] == "declare"
    assert error_of(client.views_open, trigger_id=trigger, view=modal())["error"] == "expired_trigger_id"
    fake.trigger_ttl = 0.05
    stale = fake.new_trigger_id()
    time.sleep(0.1)
    assert error_of(client.views_push, trigger_id=stale, view=modal())["error"] == "expired_trigger_id"
    pushed = client.views_push(trigger_id=fake.new_trigger_id(view["id"]), view=modal(title="Step 2"))["view"]
    assert (pushed["root_view_id"], pushed["previous_view_id"]) == (view["id"], view["id"])


def test_views_update_and_publish(fake, client):
    view = client.views_open(trigger_id=fake.new_trigger_id(), view=modal(external_id="inc-7"))["view"]
    updated = client.views_update(external_id="inc-7", view=modal(title="Updated"), hash=view["hash"])["view"]
    assert updated["id"] == view["id"] and updated["title"]["text"] == "Updated"
    assert error_of(client.views_update, view_id=view["id"], view=modal(), hash=view["hash"])["error"] == "hash_conflict"
    assert error_of(client.views_update, view_id="V0NOPE", view=modal())["error"] == "not_found"
    home = {"type": "home", "blocks": [section("Your incidents")]}
    first = client.views_publish(user_id="U0ALICE", view=home)["view"]
    again = client.views_publish(user_id="U0ALICE", view=home)["view"]
    assert first["id"] == again["id"] and fake.home_view("U0ALICE")["type"] == "home"
    assert fake.home_view("U0BOB") is None
    assert error_of(client.views_publish, user_id="U0NOBODY", view=home)["error"] == "invalid_arguments"


def test_users_usergroups_files_team(fake, client):
    assert client.users_info(user="U0ALICE")["user"]["profile"]["email"] == "alice@example.com"
    assert error_of(client.users_info, user="U0NOBODY")["error"] == "user_not_found"
    assert client.users_lookupByEmail(email="BOB@example.com")["user"]["id"] == "U0BOB"
    assert error_of(client.users_lookupByEmail, email="x@example.com")["error"] == "users_not_found"
    pages = [dict(page.data) for page in client.users_list(limit=2)]
    assert [len(p["members"]) for p in pages] == [2, 1]
    group = fake.add_usergroup("oncall", users=["U0ALICE"])
    assert client.usergroups_list(include_users=True)["usergroups"][0]["users"] == ["U0ALICE"]
    assert client.usergroups_users_list(usergroup=group)["users"] == ["U0ALICE"]
    assert error_of(client.usergroups_users_list, usergroup="S0NOPE")["error"] == "no_such_subteam"
    file_id = fake.add_file("graph.png", b"\x89PNG-bytes", mimetype="image/png")
    info = client.files_info(file=file_id)["file"]
    assert info["mimetype"] == "image/png"
    ok = requests.get(info["url_private"], headers={"Authorization": "Bearer xoxb-test"})
    assert ok.content == b"\x89PNG-bytes"
    assert "text/html" in requests.get(info["url_private"]).headers["Content-Type"]  # sign-in page
    assert client.team_info()["team"]["id"] == "T0TEST"
    channel_id = client.conversations_create(name="inc-u")["channel"]["id"]
    client.conversations_invite(channel=channel_id, users="U0ALICE")
    assert [c["id"] for c in client.users_conversations(user="U0ALICE")["channels"]] == [channel_id]


def test_rate_limit_retry_after_is_honoured(fake):
    channel_id = fake.add_channel("incidents", members=["U0BOT"])
    fake.fail("chat.postMessage", status=429, retry_after=1)
    client = WebClient(token="xoxb-test", base_url=fake.url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert client.chat_postMessage(channel=channel_id, text="after the wait")["ok"]
    first, second = fake.calls("chat.postMessage")
    assert (first.status, first.error, second.status) == (429, "ratelimited", 200)
    assert second.time - first.time >= 1.0
    assert [m["text"] for m in fake.messages(channel_id)] == ["after the wait"]


def test_server_errors_then_success_and_injected_errors(fake):
    fake.fail("auth.test", status=500, times=2)
    fast = FixedValueRetryIntervalCalculator(0.01)
    client = WebClient(token="xoxb-test", base_url=fake.url,
                       retry_handlers=[ServerErrorRetryHandler(max_retry_count=2, interval_calculator=fast)])
    assert client.auth_test()["ok"]
    assert [r.status for r in fake.calls("auth.test")] == [500, 500, 200]
    fake.fail("conversations.info", error="channel_not_found")
    channel_id = fake.add_channel("general")
    assert error_of(client.conversations_info, channel=channel_id)["error"] == "channel_not_found"
    assert client.conversations_info(channel=channel_id)["ok"]


def test_delay_applies_per_call_and_calls_run_concurrently(fake):
    fake.delay = 0.1
    client = WebClient(token="xoxb-test", base_url=fake.url, timeout=5)
    channel_id = fake.add_channel("incidents", members=["U0BOT"])
    started = time.monotonic()
    threads = [threading.Thread(target=client.chat_postMessage, kwargs={"channel": channel_id, "text": str(i)})
               for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert 0.1 <= elapsed < 0.9  # ten delayed calls overlapped instead of queueing
    timestamps = [m["ts"] for m in fake.messages(channel_id)]
    assert len(set(timestamps)) == 10 and timestamps == sorted(timestamps)


def test_hang_holds_the_call(fake):
    client = WebClient(token="xoxb-test", base_url=fake.url, timeout=0.3)
    fake.hang("team.info", seconds=5)
    with pytest.raises(Exception) as excinfo:
        client.team_info()
    assert "timed out" in str(excinfo.value).lower()
    assert fake.calls("team.info")[0].status == 0  # still held when the client gave up


def test_records_decode_json_form_and_query_bodies(fake, client):
    channel_id = fake.add_channel("incidents", members=["U0BOT"])
    blocks = [section("*SEV1* checkout")]
    client.chat_postMessage(channel=channel_id, text="sev1", blocks=blocks)  # JSON body
    client.api_call("chat.postMessage", params={"channel": channel_id, "text": "f", "blocks": json.dumps(blocks)})
    # slack_sdk always POSTs; other clients (and curl) use GET with a query string.
    requests.get(f"{fake.url}conversations.info?channel={channel_id}&token=xoxb-test")
    as_json, as_form = fake.calls("chat.postMessage")
    assert as_json.params == {"channel": channel_id, "text": "sev1", "blocks": blocks}
    assert as_form.params["blocks"] == blocks and as_form.token == "xoxb-test"
    assert "x-www-form-urlencoded" in as_form.headers["Content-Type"]
    got = fake.calls("conversations.info")[0]
    assert (got.http_method, got.params, got.response["channel"]["id"]) == ("GET", {"channel": channel_id}, channel_id)
    raw = requests.post(fake.url + "auth.test", data="{}", headers={
        "Authorization": "Bearer xoxb-test", "Content-Type": "application/json"}).json()
    assert raw["warning"] == "missing_charset"


def test_out_of_process_fake_with_client():
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.slack_api", "--port", "0", "--delay-ms", "0"],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("SLACK_FAKE_URL=http://127.0.0.1:")
        url = line.split("=", 1)[1]
        remote = SlackFakeClient(url)
        remote.add_user("U0ALICE", "alice")
        channel_id = remote.add_channel("incidents", members=["U0BOT"])
        assert remote.channel_by_name("incidents")["id"] == channel_id
        client = WebClient(token="xoxb-test", base_url=url)
        ts = client.chat_postMessage(channel=channel_id, text="hello")["ts"]
        client.pins_add(channel=channel_id, timestamp=ts)
        assert [m["text"] for m in remote.messages(channel_id)] == ["hello"] and remote.pins(channel_id) == [ts]
        assert client.views_open(trigger_id=remote.new_trigger_id(), view=modal())["ok"]
        remote.fail("chat.postMessage", error="channel_not_found")
        assert error_of(client.chat_postMessage, channel=channel_id, text="x")["error"] == "channel_not_found"
        remote.set_delay(0.0)
        calls = remote.calls("chat.postMessage")
        assert [(c.params["text"], c.status, c.ok) for c in calls] == [("hello", 200, True), ("x", 200, False)]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0


def test_sign_request_matches_slack_sdk_verifier():
    body = b"token=x&command=%2Fincident&text=checkout+down"
    headers = sign_request(body, SECRET)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    old = sign_request(body, SECRET, timestamp=int(time.time()) - 600)
    assert not SignatureVerifier(SECRET).is_valid_request(body, old)  # replay window is 5 minutes
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


@pytest.fixture
def gateway():
    """A stand-in gateway that keeps every request it receives."""
    received = []

    class Capture(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events", received
    server.shutdown()
    server.server_close()


def test_sender_posts_signed_slack_shaped_requests(gateway):
    url, received = gateway
    sender = SlackSender(url, SECRET, requests.Session())
    values = {"desc": {"value": state_value_for("plain_text_input", "Checkout down")},
              "sev": {"pick": state_value_for("static_select", ("sev1", "SEV1"))},
              "lead": {"who": state_value_for("users_select", "U0ALICE")}}
    sender.shortcut("declare_incident", "U0ALICE", "t.1")
    sender.slash_command("/incident", "declare checkout down", "U0ALICE", "t.2", "C0GENERAL")
    sender.view_submission({"id": "V01", "type": "modal", "callback_id": "declare"}, values, "U0ALICE")
    sender.block_actions([{"action_id": "set_status", "block_id": "b", "type": "static_select"}], "U0ALICE",
                         channel_id="C01", message={"ts": "1.000100", "text": "panel"})
    sender.event({"type": "reaction_added", "user": "U0ALICE", "reaction": "rotating_light"},
                 event_id="Ev01", retry_num=1, retry_reason="http_timeout")
    assert all(SignatureVerifier(SECRET).is_valid_request(body, headers) for headers, body in received)
    payloads = [json.loads(urllib.parse.parse_qs(b.decode())["payload"][0]) for _, b in (received[0], *received[2:4])]
    assert [p["type"] for p in payloads] == ["shortcut", "view_submission", "block_actions"]
    assert payloads[1]["view"]["state"]["values"]["sev"]["pick"]["selected_option"]["value"] == "sev1"
    assert payloads[2]["container"] == {"type": "message", "message_ts": "1.000100", "channel_id": "C01",
                                        "is_ephemeral": False}
    command = {k: v[0] for k, v in urllib.parse.parse_qs(received[1][1].decode()).items()}
    assert (command["command"], command["text"], command["trigger_id"]) == ("/incident", "declare checkout down", "t.2")
    event_headers, event_body = received[4]
    assert (event_headers["X-Slack-Retry-Num"], event_headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")
    envelope = json.loads(event_body)
    assert (envelope["type"], envelope["event_id"], envelope["team_id"]) == ("event_callback", "Ev01", "T0TEST")
    sender.url_verification("challenge-me")
    assert json.loads(received[5][1])["challenge"] == "challenge-me"
    sender.raw(b"payload=%7B%7D", {"X-Slack-Signature": "v0=forged", "X-Slack-Request-Timestamp": "1"})
    assert not SignatureVerifier(SECRET).is_valid_request(received[6][1], received[6][0])
