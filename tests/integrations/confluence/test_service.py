"""The Confluence service's start-up: on only with credentials, a space, a parent page
and a usable template; otherwise off, said once, naming why."""
import logging

from services.common.config import parse_config
from services.integrations.confluence.service import ConfluenceProvider

CREDENTIALS = {"CONFLUENCE_URL": "https://wiki.example.com", "CONFLUENCE_USERNAME": "bot",
               "CONFLUENCE_API_TOKEN": "ct-123456"}
PLACE = {"space": "ENG", "parent_page": "Postmortems"}


class Container:
    def __init__(self, config: dict):
        self.config = config


def started(env: dict, **confluence):
    provider = ConfluenceProvider()
    config = parse_config({"integrations": {"confluence": confluence}})
    provider.container = Container({"INCIDENTBOT_CONFIG_OBJECT": config, **env})
    provider.setup()
    return provider.state


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_everything_set_switches_postmortems_on_quietly(caplog):
    with caplog.at_level(logging.WARNING):
        state = started(CREDENTIALS, **PLACE)
    assert state.status() == {"enabled": True, "missing": [], "problem": None,
                              "space": "ENG", "parent_page": "Postmortems"}
    assert warnings(caplog) == []


def test_missing_credentials_are_named(caplog):
    with caplog.at_level(logging.WARNING):
        state = started({"CONFLUENCE_URL": "https://wiki.example.com"}, **PLACE)
    assert state.enabled is False
    assert state.status()["missing"] == ["CONFLUENCE_USERNAME", "CONFLUENCE_API_TOKEN"]
    assert warnings(caplog) == ["Confluence postmortems are off: CONFLUENCE_USERNAME and "
                                "CONFLUENCE_API_TOKEN not set."]


def test_space_and_parent_page_are_required(caplog):
    with caplog.at_level(logging.WARNING):
        state = started(CREDENTIALS, space="ENG")
    assert state.enabled is False
    assert warnings(caplog) == ["Confluence postmortems are off: "
                                "integrations.confluence.parent_page not set in config.yaml."]


def test_an_unreadable_template_switches_postmortems_off_naming_the_key(caplog, tmp_path):
    with caplog.at_level(logging.WARNING):
        state = started(CREDENTIALS, template=str(tmp_path / "missing.j2"), **PLACE)
    assert state.enabled is False
    assert state.problem.startswith("integrations.confluence.template: cannot read")
    assert "ct-123456" not in " ".join(warnings(caplog))


def test_switched_off_in_config(caplog):
    with caplog.at_level(logging.WARNING):
        state = started(CREDENTIALS, enabled=False, **PLACE)
    assert state.enabled is False and "enabled is false" in state.problem
