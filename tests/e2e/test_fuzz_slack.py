"""Property-based fuzzing of POST /slack/events: malformed, truncated, oversized and
wrongly signed payloads never get a 5xx, never crash the gateway, and a rejected request
changes nothing."""
import json
import time
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.slack_signing import sign_request

pytestmark = pytest.mark.e2e
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10),
                                                                        children, max_size=4),
    max_leaves=12)
payload_types = st.sampled_from(["shortcut", "view_submission", "block_actions",
                                 "message_action", "view_closed", "nonsense"])


@st.composite
def interactive_payloads(draw):
    """Slack-like interactivity payloads with random holes and wrong types."""
    payload = {"type": draw(payload_types), "user": draw(st.one_of(
        st.fixed_dictionaries({"id": st.text(max_size=12)}), json_values)),
        "trigger_id": draw(json_values), "callback_id": draw(st.one_of(
            st.sampled_from(["declare_incident", "provide_incident_update"]), json_values)),
        "view": draw(st.one_of(json_values, st.fixed_dictionaries({
            "id": st.text(max_size=8), "callback_id": st.sampled_from(
                ["declare_incident_modal", "incident_update_modal", "incident_timeline_modal"]),
            "state": json_values, "private_metadata": st.text(max_size=30)}))),
        "actions": draw(json_values)}
    for key in draw(st.lists(st.sampled_from(list(payload)), max_size=3)):
        payload.pop(key, None)
    return payload


class World:
    """What a request could change: incidents stored, channels asked for. (A plain object:
    hypothesis prints its arguments, and a nameko proxy would turn that into an RPC.)"""

    def __init__(self, incidents, fake):
        self._incidents, self._fake = incidents, fake

    def __call__(self) -> tuple[int, int]:
        return (self._incidents.list_incidents(limit=1)["total"],
                len(self._fake.calls("conversations.create")))

    def __repr__(self) -> str:
        return "World()"


@pytest.fixture(scope="module")
def url(distributed):
    return f"{distributed.gateway_url}/slack/events"


@pytest.fixture(scope="module")
def world(incidents, fake):
    return World(incidents, fake)


@FUZZ
@given(body=st.binary(max_size=4096), signed=st.booleans(),
       content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                     "text/plain", ""]))
def test_random_bodies_never_5xx(url, world, body, signed, content_type):
    before = world()
    headers = sign_request(body, "test-signing-secret-0123456789") if signed else {}
    headers["Content-Type"] = content_type
    response = requests.post(url, data=body, headers=headers, timeout=10)
    assert response.status_code < 500, (response.status_code, response.text)
    assert world() == before


@FUZZ
@given(payload=interactive_payloads())
def test_malformed_signed_interactivity_never_5xx(url, payload):
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = sign_request(body, "test-signing-secret-0123456789")
    response = requests.post(url, data=body, headers=headers, timeout=10)
    assert response.status_code < 500, (payload, response.status_code, response.text)


@FUZZ
@given(payload=interactive_payloads(), tamper=st.sampled_from(["secret", "stale", "body",
                                                                "missing"]))
def test_wrongly_signed_requests_are_refused_and_change_nothing(url, world, payload, tamper):
    body = urlencode({"payload": json.dumps(payload)}).encode()
    if tamper == "secret":
        headers = sign_request(body, "wrong-secret")
    elif tamper == "stale":
        headers = sign_request(body, "test-signing-secret-0123456789",
                               timestamp=int(time.time()) - 301)
    elif tamper == "body":
        headers = sign_request(body, "test-signing-secret-0123456789")
        body = body + b"x"
    else:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    before = world()
    response = requests.post(url, data=body, headers=headers, timeout=10)
    assert response.status_code == 401
    assert world() == before


def test_oversized_and_truncated_requests(url, world):
    before = world()
    huge = b"payload=" + b"A" * (5 * 1024 * 1024)
    response = requests.post(url, data=huge, headers=sign_request(
        huge, "test-signing-secret-0123456789"), timeout=30)
    assert response.status_code < 500
    good = urlencode({"payload": json.dumps({"type": "shortcut", "callback_id":
                                             "declare_incident", "trigger_id": "t",
                                             "user": {"id": "U0X"}})}).encode()
    truncated = good[: len(good) // 2]
    response = requests.post(url, data=truncated, headers=sign_request(
        truncated, "test-signing-secret-0123456789"), timeout=10)
    assert response.status_code < 500
    assert world() == before
    assert requests.get(url.replace("/slack/events", "/healthz")).status_code == 200
