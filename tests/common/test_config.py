"""Unit tests for the config.yaml schema and loader: defaults, and one-line errors."""

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from services.common import config as config_module
from services.common.config import Config, ConfigError, load_config, parse_config

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(data: object) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return str(caught.value)


@pytest.fixture(autouse=True)
def no_env_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INCIDENTBOT_CONFIG", raising=False)


# --- defaults and file resolution -------------------------------------------------

def test_repo_config_file_equals_defaults_including_order() -> None:
    loaded = load_config(REPO_CONFIG)
    default = Config.default()
    assert loaded == default
    assert loaded.model_dump() == default.model_dump()
    # dict equality ignores order, but severities and roles are ordered
    assert loaded.severity_names() == ["sev1", "sev2", "sev3", "sev4"]
    assert loaded.role_names() == list(default.roles)


def test_repo_config_file_sets_every_key_explicitly() -> None:
    import yaml

    data = yaml.safe_load(REPO_CONFIG.read_text(encoding="utf-8"))

    def missing(model: type, section: dict, prefix: str = "") -> list[str]:
        gaps = []
        for name, field in model.model_fields.items():
            if name not in section:
                gaps.append(prefix + name)
            elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                gaps += missing(field.annotation, section[name], f"{prefix}{name}.")
        return gaps

    assert missing(Config, data) == []


def test_defaults_match_the_shared_contract() -> None:
    config = Config.default()
    assert config.digest_channel == "incidents"
    assert (config.channel_naming.prefix, config.channel_naming.time_format) == ("inc", "%Y%m%d%H%M")
    assert config.role_names() == ["incident_commander", "communications_liaison",
                                   "technical_lead", "scribe"]
    assert config.commander_role == "incident_commander"
    assert config.default_severity == "sev4"
    assert config.statuses == ["investigating", "identified", "monitoring", "resolved"]
    assert config.final_status == "resolved"
    assert config.is_final("resolved") and not config.is_final("monitoring")
    assert (config.slack.declare_reaction, config.slack.pin_reaction) == ("rotating_light", "pushpin")
    assert config.slack.app_home_incident_count == 10
    assert config.reminders.severities == ["sev1", "sev2"]
    assert (config.reminders.first_reminder_minutes, config.reminders.repeat_minutes) == (30, 25)
    assert config.stale.stale_after_days == 7
    assert config.links == [] and config.meeting_link == ""
    assert all(config.roles.values()) and all(config.severities.values())


def test_missing_default_file_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config() == Config.default()


def test_default_path_is_read_when_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "digest_channel: '#war-rooms'\n")
    monkeypatch.chdir(tmp_path)
    assert load_config().digest_channel == "war-rooms"


def test_env_var_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("default_severity: sev3\n", encoding="utf-8")
    monkeypatch.setenv("INCIDENTBOT_CONFIG", str(path))
    assert load_config().default_severity == "sev3"


@pytest.mark.parametrize("via_env", [False, True])
def test_explicit_missing_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           via_env: bool) -> None:
    missing = tmp_path / "nope.yaml"
    if via_env:
        monkeypatch.setenv("INCIDENTBOT_CONFIG", str(missing))
    with pytest.raises(ConfigError, match="nope.yaml: file not found"):
        load_config(None if via_env else missing)


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "# everything commented out\n")) == Config.default()


def test_overrides_and_normalisation() -> None:
    config = parse_config({
        "statuses": ["open", "mitigated", "closed"],
        "slack": {"pin_reaction": ":round_pushpin:", "auto_invite_user_ids": ["U012AB3CD"]},
        "links": [{"title": "Runbook", "url": "https://wiki.example.com/runbook"}],
        "stale": {"exclude_statuses": ["mitigated"]},
    })
    assert config.final_status == "closed"  # defaults to the last status
    assert config.slack.pin_reaction == "round_pushpin"
    assert config.links[0].url == "https://wiki.example.com/runbook"


def test_config_is_frozen() -> None:
    with pytest.raises(ValidationError):
        Config.default().digest_channel = "other"  # type: ignore[misc]


# --- one-line errors naming the key -------------------------------------------------

@pytest.mark.parametrize(("data", "expected"), [
    ({"reminders": {"first_reminder_minutes": "thirty"}},
     "config.yaml: reminders.first_reminder_minutes: expected an integer, got 'thirty'"),
    ({"reminders": {"repeat_minutes": "25"}},  # no silent coercion
     "config.yaml: reminders.repeat_minutes: expected an integer, got '25'"),
    ({"reminders": {"repeat_minutes": 0}},
     "config.yaml: reminders.repeat_minutes: must be at least 1, got 0"),
    ({"slack": {"app_home_incident_count": 51}},
     "config.yaml: slack.app_home_incident_count: must be at most 50, got 51"),
    ({"integrations": {"zoom": {"enabled": "yes"}}},
     "config.yaml: integrations.zoom.enabled: expected true or false, got 'yes'"),
    ({"roles": {"scribe": 5}}, "config.yaml: roles.scribe: expected a string, got 5"),
    ({"statuses": "resolved"}, "config.yaml: statuses: expected a list, got 'resolved'"),
    ({"slack": None}, "config.yaml: slack: expected a mapping, got an empty value"),
    ({"colour": "red"}, "config.yaml: unknown key 'colour'"),
    ({"slak": {}}, "config.yaml: unknown key 'slak' (did you mean 'slack'?)"),
    ({"slack": {"colour": "red"}}, "config.yaml: slack: unknown key 'colour'"),
    ({"integrations": {"zoom": {"auto_create": True}}},
     "config.yaml: integrations.zoom: unknown key 'auto_create' (did you mean 'auto_create_meeting'?)"),
    ({"links": [{"title": "Runbook"}]}, "config.yaml: links[0].url: required, but missing"),
    ({"links": [{"titel": "Runbook", "url": "https://x.example"}]},
     "config.yaml: links[0].title: required, but missing (and 1 more problem)"),
    ({"links": [{"title": "Runbook", "url": "https://x.example", "note": "x"}]},
     "config.yaml: links[0]: unknown key 'note' (known keys: title, url)"),
    ({"severities": {1: "x"}}, "config.yaml: severities[1]: expected a string, got 1"),
    ({"links": [{"title": "Runbook", "url": "wiki/runbook"}]},
     "config.yaml: links[0].url: 'wiki/runbook' is not an http(s) URL"),
    ({"meeting_link": "ftp://example.com"},
     "config.yaml: meeting_link: 'ftp://example.com' is not an http(s) URL"),
    ({"final_status": "closed"},
     "config.yaml: final_status: 'closed' is not one of the statuses "
     "(investigating, identified, monitoring, resolved)"),
    ({"statuses": ["open", "open", "closed"]},
     "config.yaml: statuses: status 'open' is listed more than once"),
    ({"statuses": ["open"]}, "config.yaml: statuses: at least two statuses are required"),
    ({"default_severity": "p1"},
     "config.yaml: default_severity: 'p1' is not one of the severities (sev1, sev2, sev3, sev4)"),
    ({"reminders": {"severities": ["sev1", "critical"]}},
     "config.yaml: reminders.severities[1]: 'critical' is not one of the severities"),
    ({"commander_role": "boss"}, "config.yaml: commander_role: 'boss' is not one of the roles"),
    ({"communications_roles": ["pr"]},
     "config.yaml: communications_roles[0]: 'pr' is not one of the roles"),
    ({"stale": {"exclude_statuses": ["paused"]}},
     "config.yaml: stale.exclude_statuses[0]: 'paused' is not one of the statuses"),
    ({"roles": {}}, "config.yaml: roles: at least one role is required"),
    ({"roles": {"Tech Lead": "x"}}, "config.yaml: roles: role name 'Tech Lead' must be a snake_case"),
    ({"digest_channel": "Incidents"},
     "config.yaml: digest_channel: 'Incidents' is not a valid Slack channel name"),
    ({"digest_channel": "a" * 81}, "config.yaml: digest_channel: 'aaaa"),
    ({"channel_naming": {"prefix": "incident-channel-prefix"}},
     "config.yaml: channel_naming.prefix: 'incident-channel-prefix' is not a valid channel name prefix"),
    ({"channel_naming": {"time_format": "%d %b"}},
     "config.yaml: channel_naming.time_format: '%d %b' formats to '26 Nov', which cannot go"),
    ({"slack": {"declare_reaction": "rotating light"}},
     "config.yaml: slack.declare_reaction: 'rotating light' is not an emoji name"),
    ({"slack": {"auto_invite_user_ids": ["alice"]}},
     "config.yaml: slack.auto_invite_user_ids[0]: 'alice' is not a Slack user id"),
    ([1, 2], "config.yaml: the top level must be a mapping of settings, got a list"),
])
def test_problem_is_one_line_naming_the_key(data: object, expected: str) -> None:
    message = error_for(data)
    assert message.startswith(expected)
    assert "\n" not in message


def test_several_problems_report_the_first_and_count_the_rest() -> None:
    message = error_for({"digest_channel": 5, "slack": {"pin_reaction": 1}, "stale": []})
    assert message == "config.yaml: digest_channel: expected a string, got 5 (and 2 more problems)"


@pytest.mark.parametrize(("text", "expected"), [
    ("digest_channel: incidents\nslack:\n  pin_reaction: [pushpin\n",
     "config.yaml: line 4: invalid YAML ("),
    ("slack:\n  pin_reaction: pushpin\n   declare_reaction: fire\n",
     "config.yaml: line 3: invalid YAML (mapping values are not allowed here)"),
    ("reminders: {}\nslack: {}\nreminders: {enabled: false}\n",
     "config.yaml: line 3: invalid YAML (duplicate key 'reminders')"),
    ("- one\n- two\n", "config.yaml: the top level must be a mapping of settings, got a list"),
    ("reminders:\n  first_reminder_minutes: 30.5\n",
     "config.yaml: reminders.first_reminder_minutes: expected an integer, got 30.5"),
    ("slack:\n  digest_suggestions: yes please\n",
     "config.yaml: slack.digest_suggestions: expected true or false, got 'yes please'"),
])
def test_file_problems_name_the_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              text: str, expected: str) -> None:
    write(tmp_path, text)
    monkeypatch.chdir(tmp_path)  # so the source reads 'config.yaml', as users see it
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml")
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


def test_cli_reports_ok_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert config_module.main([str(REPO_CONFIG)]) == 0
    assert capsys.readouterr().out.strip() == "config OK"
    bad = write(tmp_path, "slack: {colour: red}\n")
    assert config_module.main([str(bad)]) == 2
    assert capsys.readouterr().err.strip() == f"{bad}: slack: unknown key 'colour' (known keys: " \
        "declare_reaction, pin_reaction, app_home_incident_count, auto_invite_user_ids, " \
        "auto_invite_usergroups, max_pin_image_bytes, digest_suggestions)"
