import xml.etree.ElementTree as ET

import pytest

from services.common.config import parse_config
from services.integrations.confluence.content import postmortem_context
from services.integrations.confluence.render import (
    DEFAULT_TEMPLATE,
    TemplateProblem,
    load_template,
    render_postmortem,
    template_path,
)
from tests.fakes.confluence_api import STORAGE_ROOT
from tests.integrations.confluence.factories import RESOLVED_AT, resolved_incident
from tests.integrations.stubs import StubIncidents

EVIL = "<script>alert(1)</script> & <b>\"'"


def evil_context() -> dict:
    """Every field a user can type holds markup and an ampersand."""
    incidents = StubIncidents()
    incident = resolved_incident(incidents, description=f"desc {EVIL}",
                                 channel_name=f"chan {EVIL}")
    incident["links"] = [{"kind": "other", "title": f"link {EVIL}",
                          "url": "https://x.example/?a=1&b=<2>"}]
    for entry in incidents.timeline[12]:
        entry["text"] += f" timeline {EVIL}"
    update = incidents.updates[12][0]
    update["text"], update["impacted"] = f"update {EVIL}\nline 2", f"impact {EVIL}"
    for pin in incidents.pins[12]:
        pin["text"], pin["file_name"] = f"pin {EVIL}", f"file {EVIL}.png"
        pin["permalink"] = "https://slack.example/p1?x=<1>&y=2"
    config = parse_config({"severities": {"sev2": f"meaning {EVIL}", "sev4": "low"},
                           "reminders": {"severities": ["sev2"]}})
    return postmortem_context(incident, RESOLVED_AT, f"title {EVIL}", incidents.timeline[12],
                              incidents.updates[12], incidents.pins[12], config)


def parse(body: str) -> ET.Element:
    return ET.fromstring(STORAGE_ROOT.format(body))


def test_every_user_field_is_escaped_and_the_page_stays_well_formed():
    body = render_postmortem(load_template(DEFAULT_TEMPLATE), evil_context())
    assert "<script>" not in body and "<b>" not in body
    text = "".join(parse(body).itertext())
    for field in ("desc", "chan", "link", "timeline", "update", "impact", "pin", "file",
                  "meaning"):
        assert f"{field} {EVIL}" in text, field
    hrefs = [a.get("href") for a in parse(body).iter("a")]
    assert "https://x.example/?a=1&b=<2>" in hrefs  # attribute values escaped too


def test_default_template_has_every_section():
    body = render_postmortem(load_template(DEFAULT_TEMPLATE), evil_context())
    headings = [h.text for h in parse(body).iter() if h.tag in ("h1", "h2")]
    assert headings == ["Summary", "People", "Impact", "Root cause", "Timeline",
                        "Status updates", "Pinned messages", "Pinned images", "Action items"]
    assert 'ri:filename="incident-12-pin-6-file_script_alert_1_script_b_.png"' in body
    assert "update " in body and "<br/>line 2" in body


def test_a_template_file_overrides_the_default(tmp_path):
    (tmp_path / "mine.xml.j2").write_text("<p>PM {{ incident.id }}: {{ incident.description }}"
                                          " took {{ duration }}</p>")
    template = load_template(template_path("mine.xml.j2", str(tmp_path / "config.yaml")))
    body = render_postmortem(template, evil_context())
    assert body == ("<p>PM 12: desc &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;"
                    "&#34;&#39; took 2 hours 5 minutes</p>")


def test_empty_setting_means_the_shipped_template():
    assert template_path("", "/etc/incident-bot/config.yaml") == DEFAULT_TEMPLATE


def test_broken_template_is_named_with_its_line(tmp_path):
    path = tmp_path / "broken.j2"
    path.write_text("<p>\n{% for x in %}</p>")
    with pytest.raises(TemplateProblem, match=r"integrations.confluence.template: .*broken.j2 "
                                              r"line 2"):
        load_template(path)
    with pytest.raises(TemplateProblem, match="cannot read"):
        load_template(tmp_path / "absent.j2")


def test_templates_cannot_reach_python_internals(tmp_path):
    path = tmp_path / "sneaky.j2"
    path.write_text("{{ incident.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem):
        render_postmortem(load_template(path), evil_context())
