"""Schema, defaults and loader for config.yaml, the bot's non-secret settings.

Read once at start-up and injected; nothing here reads the environment or the disk at
import time. Every problem becomes one ConfigError line naming the file and the key,
so a bad edit stops start-up with a message a human can act on.
"""

import difflib
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Callable, get_args, get_origin
from urllib.parse import urlsplit

import yaml
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints,
                      ValidationError, model_validator)

CONFIG_ENV_VAR = "INCIDENTBOT_CONFIG"
DEFAULT_CONFIG_PATH = "config.yaml"

DEFAULT_ROLES = {
    "incident_commander": "Leads the response: sets priorities, assigns work, decides "
                          "when to escalate or resolve, and owns the incident until handed over.",
    "communications_liaison": "Keeps stakeholders and customers informed: posts status "
                              "updates and Statuspage notices, and shields responders from questions.",
    "technical_lead": "Drives the technical investigation: forms hypotheses, coordinates "
                      "the engineers doing the fix, and advises the commander on risk.",
    "scribe": "Records the timeline: decisions, actions and findings with times, so the "
              "postmortem can be written from facts.",
}
DEFAULT_SEVERITIES = {
    "sev1": "Critical: a core service is down or data is at risk for most customers; "
            "all hands, page immediately.",
    "sev2": "Major: a key feature is broken or badly degraded for many customers; "
            "respond immediately.",
    "sev3": "Minor: partial degradation with a workaround, or a small group of customers "
            "affected; respond in working hours.",
    "sev4": "Low: cosmetic or internal issue with no customer impact; track and fix.",
}
DEFAULT_STATUSES = ["investigating", "identified", "monitoring", "resolved"]

# A fixed moment with two-digit fields everywhere, so every strftime code shows up.
_SAMPLE_TIME = datetime(2026, 11, 26, 15, 30, 45)
_CHANNEL_RULE = "lowercase letters, digits, '-' or '_'"


class ConfigError(Exception):
    """A config problem, phrased as one line: '<file>: <key>: <problem>'."""


class _KeyProblem(ValueError):
    """Raised by cross-field checks so the message names the offending key, not the model."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key


def _matching(regex: str, what: str, clean: Callable[[str], str] = str) -> AfterValidator:
    """A check that `clean(value)` matches `regex`; the cleaned value is what is kept."""
    pattern = re.compile(regex)

    def check(value: str) -> str:
        if not pattern.fullmatch(clean(value)):
            raise ValueError(f"{value!r} is not {what}")
        return clean(value)
    return AfterValidator(check)


def _time_format(value: str) -> str:
    try:
        sample = _SAMPLE_TIME.strftime(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid strftime format ({exc})") from None
    if not re.fullmatch(r"[a-z0-9_-]{1,30}", sample):
        raise ValueError(f"{value!r} formats to {sample!r}, which cannot go in a channel "
                         f"name (1-30 {_CHANNEL_RULE})")
    return value


def _http_url(value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:  # such as a broken IPv6 host
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname \
            or any(char.isspace() for char in value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _names(kind: str, regex: str, rule: str) -> AfterValidator:
    """A check for the names of roles, severities or statuses (they end up in ids)."""
    def check(value: dict[str, str] | list[str]) -> Any:
        if not value:
            raise ValueError(f"at least one {kind} is required")
        for name in value:
            if not re.fullmatch(regex, name):
                raise ValueError(f"{kind} name {name!r} must be {rule}")
        return value
    return AfterValidator(check)


def _statuses(value: list[str]) -> list[str]:
    duplicates = [name for index, name in enumerate(value) if name in value[:index]]
    if duplicates:
        raise ValueError(f"status {duplicates[0]!r} is listed more than once")
    if len(value) < 2:
        raise ValueError("at least two statuses are required (an open one and a final one)")
    return value


NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
OptionalHttpUrl = Annotated[str, AfterValidator(lambda value: value and _http_url(value))]
ChannelName = Annotated[str, _matching(
    r"[a-z0-9_-]{1,80}", f"a valid Slack channel name (1-80 {_CHANNEL_RULE})",
    lambda value: value.removeprefix("#"))]
ChannelPrefix = Annotated[str, _matching(
    r"[a-z0-9_-]{1,20}", f"a valid channel name prefix (1-20 {_CHANNEL_RULE})")]
# People paste ':pushpin:' the way Slack displays it.
Emoji = Annotated[str, _matching(r"[a-z0-9_+'-]+", "an emoji name (such as 'pushpin')",
                                 lambda value: value.strip(":"))]
UserId = Annotated[str, _matching(r"[UW][A-Z0-9]{2,}", "a Slack user id (such as 'U012AB3CD')")]
Roles = Annotated[dict[str, str], _names(
    "role", r"[a-z][a-z0-9_]*", "a snake_case identifier such as 'technical_lead'")]
Severities = Annotated[dict[str, str], _names("severity", r"[a-z0-9][a-z0-9_-]*", _CHANNEL_RULE)]
Statuses = Annotated[list[str], _names("status", r"[a-z0-9][a-z0-9_-]*", _CHANNEL_RULE),
                     AfterValidator(_statuses)]


class _Section(BaseModel):
    # strict: YAML "30" stays a string and is refused where a number belongs.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)


class ChannelNaming(_Section):
    prefix: ChannelPrefix = "inc"
    time_format: Annotated[str, AfterValidator(_time_format)] = "%Y%m%d%H%M"


class SlackSettings(_Section):
    declare_reaction: Emoji = "rotating_light"
    pin_reaction: Emoji = "pushpin"
    app_home_incident_count: int = Field(10, ge=1, le=50)
    auto_invite_user_ids: list[UserId] = []
    auto_invite_usergroups: list[NonEmptyStr] = []
    max_pin_image_bytes: int = Field(10 * 1024 * 1024, ge=1)
    digest_suggestions: bool = True


class Reminders(_Section):
    enabled: bool = True
    severities: list[str] = ["sev1", "sev2"]
    first_reminder_minutes: int = Field(30, ge=1)
    repeat_minutes: int = Field(25, ge=1)
    check_interval_seconds: int = Field(60, ge=1)


class Stale(_Section):
    enabled: bool = True
    stale_after_days: int = Field(7, ge=1)
    exclude_statuses: list[str] = []
    report_interval_hours: int = Field(24, ge=1)


class Zoom(_Section):
    enabled: bool = True
    auto_create_meeting: bool = True


class PagerDuty(_Section):
    enabled: bool = True
    auto_page_on_declare: bool = True


class Statuspage(_Section):
    enabled: bool = True
    permitted_usergroups: list[NonEmptyStr] = []
    url: OptionalHttpUrl = ""


class Confluence(_Section):
    enabled: bool = True
    space: str = ""
    parent_page: str = ""
    template: str = ""
    private_incidents: bool = False


class Integrations(_Section):
    zoom: Zoom = Field(default_factory=Zoom)
    pagerduty: PagerDuty = Field(default_factory=PagerDuty)
    statuspage: Statuspage = Field(default_factory=Statuspage)
    confluence: Confluence = Field(default_factory=Confluence)


class Link(_Section):
    title: NonEmptyStr
    url: HttpUrl


class Config(_Section):
    digest_channel: ChannelName = "incidents"
    channel_naming: ChannelNaming = Field(default_factory=ChannelNaming)
    roles: Roles = Field(default_factory=lambda: dict(DEFAULT_ROLES))
    commander_role: str = "incident_commander"
    communications_roles: list[str] = ["communications_liaison", "incident_commander"]
    severities: Severities = Field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    default_severity: str = "sev4"
    statuses: Statuses = Field(default_factory=lambda: list(DEFAULT_STATUSES))
    final_status: str = DEFAULT_STATUSES[-1]
    slack: SlackSettings = Field(default_factory=SlackSettings)
    reminders: Reminders = Field(default_factory=Reminders)
    stale: Stale = Field(default_factory=Stale)
    integrations: Integrations = Field(default_factory=Integrations)
    meeting_link: OptionalHttpUrl = ""
    links: list[Link] = []

    @model_validator(mode="before")
    @classmethod
    def _final_status_defaults_to_last(cls, data: Any) -> Any:
        # Whoever renames the statuses should not also have to repeat the last one.
        if isinstance(data, dict) and "final_status" not in data:
            statuses = data.get("statuses")
            if isinstance(statuses, list) and statuses and isinstance(statuses[-1], str):
                return {**data, "final_status": statuses[-1]}
        return data

    @model_validator(mode="after")
    def _check_references(self) -> "Config":
        _must_be_in("commander_role", self.commander_role, self.roles, "roles")
        _must_be_in("communications_roles", self.communications_roles, self.roles, "roles")
        _must_be_in("default_severity", self.default_severity, self.severities, "severities")
        _must_be_in("reminders.severities", self.reminders.severities, self.severities,
                    "severities")
        _must_be_in("final_status", self.final_status, self.statuses, "statuses")
        _must_be_in("stale.exclude_statuses", self.stale.exclude_statuses, self.statuses,
                    "statuses")
        return self

    @classmethod
    def default(cls) -> "Config":
        """The configuration used when there is no config.yaml."""
        return cls()

    def severity_names(self) -> list[str]:
        """Severity names, most severe first."""
        return list(self.severities)

    def role_names(self) -> list[str]:
        return list(self.roles)

    def is_final(self, status: str) -> bool:
        return status == self.final_status


def _must_be_in(key: str, value: str | list[str], allowed: Any, what: str) -> None:
    items = [(key, value)] if isinstance(value, str) else \
        [(f"{key}[{index}]", item) for index, item in enumerate(value)]
    for where, item in items:
        if item not in allowed:
            raise _KeyProblem(where, f"{item!r} is not one of the {what} ({', '.join(allowed)})")


class _NoDuplicatesLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys; a second `reminders:` would silently win."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key: the base class reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _describe(value: Any) -> str:
    """Shows a value as the YAML author wrote it, short and on one line."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_EXPECTED = {"int_type": "an integer", "string_type": "a string", "bool_type": "true or false",
             "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping"}


def _path(loc: list[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _known_keys(loc: list[Any]) -> list[str]:
    """The keys the model at `loc` accepts, for suggesting a fix to an unknown key."""
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        candidates = (field.annotation, *get_args(field.annotation))
        nested = [c for c in candidates if get_origin(c) is None and isinstance(c, type)
                  and issubclass(c, BaseModel)]
        if not nested:
            return []
        model = nested[0]
    return list(model.model_fields)


def _describe_error(error: dict[str, Any]) -> tuple[str, str]:
    """Turns one pydantic error into (dotted key, problem)."""
    loc, kind, ctx = list(error["loc"]), error["type"], error.get("ctx") or {}
    if loc and loc[-1] == "[key]":  # a mapping key of the wrong type, such as `1:`
        loc.pop()
    if kind == "extra_forbidden":
        key = str(loc.pop())
        known = _known_keys(loc)
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else \
            (f" (known keys: {', '.join(known)})" if known else "")
        return _path(loc), f"unknown key {key!r}{hint}"
    if kind == "missing":
        return _path(loc), "required, but missing"
    if kind in _EXPECTED:
        return _path(loc), f"expected {_EXPECTED[kind]}, got {_describe(error['input'])}"
    if kind == "greater_than_equal":
        return _path(loc), f"must be at least {ctx['ge']}, got {_describe(error['input'])}"
    if kind == "less_than_equal":
        return _path(loc), f"must be at most {ctx['le']}, got {_describe(error['input'])}"
    if kind == "string_too_short":
        return _path(loc), "must not be empty"
    cause = ctx.get("error")
    if isinstance(cause, _KeyProblem):
        return _path([*loc, cause.key]), str(cause)
    if isinstance(cause, Exception):
        return _path(loc), str(cause)
    return _path(loc), error["msg"][:1].lower() + error["msg"][1:]


def _one_line(source: str, where: str, problem: str) -> ConfigError:
    text = f"{source}: {where}: {problem}" if where else f"{source}: {problem}"
    return ConfigError(" ".join(text.split()))


def parse_config(data: Any, source: str = DEFAULT_CONFIG_PATH) -> Config:
    """Validates already-parsed YAML; `source` names the file in error messages."""
    if data is None:  # an empty or fully commented-out file
        data = {}
    if not isinstance(data, dict):
        raise _one_line(source, "", f"the top level must be a mapping of settings, "
                                    f"got {_describe(data)}")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        where, problem = _describe_error(errors[0])
        more = len(errors) - 1
        if more:
            problem += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise _one_line(source, where, problem) from exc


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Loads `path`, else $INCIDENTBOT_CONFIG, else ./config.yaml (defaults if absent)."""
    explicit = path is not None
    if path is None:
        from_env = os.environ.get(CONFIG_ENV_VAR, "")
        explicit, path = bool(from_env), from_env or DEFAULT_CONFIG_PATH
    source = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        if not explicit:  # out of the box, the bot runs on defaults
            return Config.default()
        raise _one_line(source, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _one_line(source, "", f"cannot read the file ({exc})") from exc
    try:
        data = yaml.load(text, Loader=_NoDuplicatesLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise _one_line(source, where, f"invalid YAML ({problem})") from exc
    return parse_config(data, source)


def main(argv: list[str] | None = None) -> int:
    """`python -m services.common.config [path]`: validate a config file."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m services.common.config [path]", file=sys.stderr)
        return 2
    try:
        load_config(args[0] if args else None)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    print("config OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
