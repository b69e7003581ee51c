"""HTTP_TIMEOUT_SECONDS: one operator knob for the timeout of every outgoing HTTP call
(Slack and the four vendors), from the environment through the nameko config to each
client, built as its service's provider builds it."""
import pytest

from services.integrations.confluence.client import ConfluenceClient, ConfluenceSettings
from services.integrations.http_retry import http_timeout
from services.integrations.pagerduty.client import PagerDutyClient, PagerDutySettings
from services.integrations.statuspage.client import StatuspageClient, StatuspageSettings
from services.integrations.zoom.client import ZoomClient, ZoomSettings
from services.runner import nameko_config
from services.slack_gateway.slack_client import SlackSettings, make_web_client

ENV = {"SLACK_BOT_TOKEN": "xoxb-unit", "SLACK_SIGNING_SECRET": "secret",
       "PAGERDUTY_API_TOKEN": "pd-token", "PAGERDUTY_FROM_EMAIL": "bot@example.com",
       "STATUSPAGE_API_KEY": "sp-key", "STATUSPAGE_PAGE_ID": "page1",
       "ZOOM_ACCOUNT_ID": "acct", "ZOOM_CLIENT_ID": "client", "ZOOM_CLIENT_SECRET": "secret",
       "CONFLUENCE_URL": "https://wiki.example.com", "CONFLUENCE_USERNAME": "bot",
       "CONFLUENCE_API_TOKEN": "token"}


def timeouts(service_env: dict) -> dict[str, float]:
    """Each client's timeout, with the config its own service would get."""
    def config(service: str) -> dict:
        return nameko_config(service_env, service)

    return {
        "slack": make_web_client(SlackSettings.from_nameko_config(
            config("slack_gateway"))).timeout,
        "pagerduty": PagerDutyClient(PagerDutySettings.from_nameko_config(
            config("pagerduty"))).api.timeout,
        "statuspage": StatuspageClient(StatuspageSettings.from_nameko_config(
            config("statuspage"))).timeout,
        "zoom": ZoomClient(ZoomSettings.from_nameko_config(config("zoom"))).timeout,
        "confluence": ConfluenceClient(ConfluenceSettings.from_nameko_config(
            config("confluence"))).api.timeout,  # what its requests are sent with
    }


def test_without_the_knob_each_client_keeps_its_own_timeout():
    assert timeouts(ENV) == {"slack": 15, "pagerduty": 8, "statuspage": 10, "zoom": 15,
                             "confluence": 30}


def test_the_knob_reaches_every_client():
    assert nameko_config({"HTTP_TIMEOUT_SECONDS": "2.5"}, "zoom")["HTTP_TIMEOUT_SECONDS"] == "2.5"
    assert timeouts({**ENV, "HTTP_TIMEOUT_SECONDS": "2"}) == dict.fromkeys(
        ("slack", "pagerduty", "statuspage", "zoom", "confluence"), 2)
    # atlassian-python-api keeps whole seconds: Confluence rounds a fraction up, never to 0.
    assert timeouts({**ENV, "HTTP_TIMEOUT_SECONDS": "0.5"}) == {
        "slack": 0.5, "pagerduty": 0.5, "statuspage": 0.5, "zoom": 0.5, "confluence": 1}


def test_an_empty_knob_is_unset_and_a_wrong_one_stops_start_up():
    assert http_timeout({"HTTP_TIMEOUT_SECONDS": ""}, 8) == 8.0
    assert timeouts({**ENV, "HTTP_TIMEOUT_SECONDS": ""})["pagerduty"] == 8
    for wrong in ("0", "-3", "soon", "nan", "inf"):
        with pytest.raises(ValueError, match="HTTP_TIMEOUT_SECONDS must be a positive number"):
            PagerDutySettings.from_nameko_config({"HTTP_TIMEOUT_SECONDS": wrong})
