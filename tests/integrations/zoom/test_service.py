"""The Zoom service's start-up: on with credentials, else off, said once, naming why."""
import logging

from services.common.config import parse_config
from services.integrations.zoom.service import ZoomProvider

CREDENTIALS = {"ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "b", "ZOOM_CLIENT_SECRET": "zs-123456"}


class Container:
    def __init__(self, config: dict):
        self.config = config


def started(env: dict, **config):
    provider = ZoomProvider()
    provider.container = Container({"INCIDENTBOT_CONFIG_OBJECT": parse_config(config), **env})
    provider.setup()
    return provider.state


def test_credentials_switch_zoom_on_quietly(caplog):
    with caplog.at_level(logging.WARNING):
        state = started(CREDENTIALS)
    assert state.status()["enabled"] is True and state.status()["missing"] == []
    assert caplog.records == []


def test_missing_credentials_are_named_once(caplog):
    with caplog.at_level(logging.WARNING):
        state = started({"ZOOM_CLIENT_ID": "b"})
    assert state.status() == {"enabled": False, "missing": ["ZOOM_ACCOUNT_ID",
                                                           "ZOOM_CLIENT_SECRET"],
                              "switched_on": True, "auto_create_meeting": True,
                              "static_meeting_link": False}
    [record] = caplog.records
    assert record.getMessage() == "Zoom is off: ZOOM_ACCOUNT_ID and ZOOM_CLIENT_SECRET not set."


def test_switched_off_in_config_says_so_and_mentions_the_static_link(caplog):
    with caplog.at_level(logging.WARNING):
        state = started(CREDENTIALS, integrations={"zoom": {"enabled": False}},
                        meeting_link="https://meet.example.com/x")
    assert state.enabled is False
    [record] = caplog.records
    assert "integrations.zoom.enabled is false" in record.getMessage()
    assert "static meeting_link" in record.getMessage()
    assert "zs-123456" not in record.getMessage()
