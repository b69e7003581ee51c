"""Postmortem rendering: a Jinja2 template (the shipped one or the user's file) turned
into Confluence storage format. Autoescaping is always on, so every value from an
incident is escaped for XML; templates mark nothing safe themselves."""
from __future__ import annotations

import os
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "postmortem.xml.j2"
TEMPLATE_KEY = "integrations.confluence.template"


class TemplateProblem(Exception):
    """The postmortem template cannot be used; the message names the file and the cause."""


def line_breaks(value: object) -> Markup:
    """`{{ text|br }}`: escaped text whose line breaks stay line breaks."""
    return Markup("<br/>").join(escape(line) for line in str(value or "").splitlines())


def environment() -> jinja2.Environment:
    # Sandboxed: a template is config, and should not reach Python internals.
    env = ImmutableSandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                        undefined=jinja2.Undefined)
    env.filters["br"] = line_breaks
    return env


def template_path(setting: str, config_file: str | None = None) -> Path:
    """The file `integrations.confluence.template` names: empty means the shipped one;
    a relative path is taken from the config file's folder, else the working folder."""
    if not setting:
        return DEFAULT_TEMPLATE
    path = Path(setting).expanduser()
    if not path.is_absolute() and config_file:
        beside_config = Path(config_file).parent / path
        if beside_config.exists():
            return beside_config
    return path


def load_template(path: str | os.PathLike[str]) -> jinja2.Template:
    """Read and compile the template once (at start-up)."""
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateProblem(f"{TEMPLATE_KEY}: cannot read {path} ({exc})") from None
    try:
        return environment().from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"{TEMPLATE_KEY}: {path} line {exc.lineno}: {exc.message}") \
            from None


def render_postmortem(template: jinja2.Template, context: dict) -> str:
    """The page body in storage format; a template failing on this data raises
    TemplateProblem (the postmortem is then reported as not written)."""
    try:
        return template.render(**context).strip()
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"the postmortem template failed: {exc}") from None
