"""ZoomClient against the Zoom fake over real HTTP."""
import time

import pytest

from services.integrations.zoom.client import ZoomClient, ZoomError, ZoomSettings
from tests.fakes.zoom_api import ZoomFake


@pytest.fixture
def zoom():
    with ZoomFake() as fake:
        yield fake


def settings_for(fake: ZoomFake, **overrides) -> ZoomSettings:
    values = dict(account_id=fake.account_id, client_id=fake.client_id,
                  client_secret=fake.client_secret, api_url=fake.api_url,
                  oauth_url=fake.oauth_url)
    values.update(overrides)
    return ZoomSettings(**values)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_creates_an_instant_meeting_that_people_can_join_without_the_host(zoom):
    meeting = ZoomClient(settings_for(zoom)).create_meeting("Incident #1: db down")
    assert meeting["join_url"].startswith("https://") and meeting["id"]
    token_call = zoom.calls("token")[0]
    assert token_call.query == {"grant_type": "account_credentials",
                                "account_id": zoom.account_id}
    body = zoom.calls("meetings")[0].json()
    assert body["topic"] == "Incident #1: db down" and body["type"] == 1
    assert body["settings"]["join_before_host"] is True


def test_token_is_cached_until_shortly_before_it_expires(zoom):
    clock = Clock()
    client = ZoomClient(settings_for(zoom), clock=clock)
    client.create_meeting("one")
    clock.now += 3000  # 10 minutes left of the hour: still cached
    client.create_meeting("two")
    assert len(zoom.calls("token")) == 1
    clock.now += 560  # within the renewal margin
    client.create_meeting("three")
    assert len(zoom.calls("token")) == 2
    assert len(zoom.meetings) == 3


def test_a_refused_token_is_renewed_once(zoom):
    client = ZoomClient(settings_for(zoom))
    client.create_meeting("one")
    zoom.expire_tokens()
    client.create_meeting("two")
    assert [c.status for c in zoom.calls("meetings")] == [201, 401, 201]
    assert len(zoom.calls("token")) == 2


def test_wrong_secret_is_reported_without_the_secret(zoom):
    client = ZoomClient(settings_for(zoom, client_secret="not-the-secret"))
    with pytest.raises(ZoomError) as caught:
        client.create_meeting("x")
    assert "Invalid client_id or client_secret" in str(caught.value)
    assert "not-the-secret" not in str(caught.value)
    assert zoom.calls("meetings") == []


def test_rate_limit_is_retried_after_retry_after(zoom):
    zoom.fail("meetings", 429, retry_after="1")
    client = ZoomClient(settings_for(zoom))
    started = time.monotonic()
    client.create_meeting("x")
    assert time.monotonic() - started >= 0.9
    assert [c.status for c in zoom.calls("meetings")] == [429, 201]


def test_daily_limit_is_not_waited_for(zoom):
    zoom.fail("meetings", 429, retry_after="2030-01-01T00:00:00Z",
              headers={"X-RateLimit-Type": "Daily-limit"})
    with pytest.raises(ZoomError, match="429"):
        ZoomClient(settings_for(zoom)).create_meeting("x")
    assert len(zoom.calls("meetings")) == 1


def test_rate_limit_retries_are_bounded(zoom):
    zoom.fail("meetings", 429, retry_after="0", times=10)
    with pytest.raises(ZoomError, match="429"):
        ZoomClient(settings_for(zoom)).create_meeting("x")
    assert len(zoom.calls("meetings")) == 4


def test_server_error_is_retried_once_only(zoom):
    zoom.fail("meetings", 500)
    ZoomClient(settings_for(zoom)).create_meeting("x")
    assert [c.status for c in zoom.calls("meetings")] == [500, 201]
    zoom.fail("meetings", 503, times=2)
    with pytest.raises(ZoomError, match="503"):
        ZoomClient(settings_for(zoom)).create_meeting("y")
    assert len(zoom.meetings) == 1


def test_a_hanging_zoom_times_out(zoom):
    zoom.hang("meetings", seconds=5)
    client = ZoomClient(settings_for(zoom), timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ZoomError, match="could not be reached"):
        client.create_meeting("x")
    assert time.monotonic() - started < 3


def test_the_fake_refuses_topics_zoom_would_refuse(zoom):
    with pytest.raises(ZoomError, match="code 300"):
        ZoomClient(settings_for(zoom)).create_meeting("t" * 201)


def test_settings_name_every_missing_credential():
    assert ZoomSettings.missing({"ZOOM_CLIENT_ID": "x"}) == ["ZOOM_ACCOUNT_ID",
                                                              "ZOOM_CLIENT_SECRET"]
    assert ZoomSettings.from_nameko_config({"ZOOM_CLIENT_ID": "x"}) is None
    full = ZoomSettings.from_nameko_config({"ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "b",
                                            "ZOOM_CLIENT_SECRET": "s3cr3t-value"})
    assert full.api_url == "https://api.zoom.us/v2"
    assert full.oauth_url == "https://zoom.us/oauth/token"
    assert "s3cr3t-value" not in repr(full)
