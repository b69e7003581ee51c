import datetime as dt

from services.common.config import Config
from services.integrations.confluence.content import (
    TITLE_LIMIT,
    attachment_name,
    base_title,
    duration_text,
    participants,
    plain_text,
    postmortem_context,
    title_candidates,
)
from tests.integrations.confluence.factories import RESOLVED_AT, resolved_incident
from tests.integrations.stubs import StubIncidents, make_incident

START = dt.datetime(2026, 11, 26, 15, 30, tzinfo=dt.timezone.utc)


def test_duration_reads_like_a_person_wrote_it():
    assert duration_text(START, START + dt.timedelta(seconds=59)) == "less than a minute"
    assert duration_text(START, START + dt.timedelta(minutes=1)) == "1 minute"
    assert duration_text(START, START + dt.timedelta(minutes=45)) == "45 minutes"
    assert duration_text(START, START + dt.timedelta(hours=2, minutes=5)) == "2 hours 5 minutes"
    assert duration_text(START, START + dt.timedelta(days=1, hours=3)) == "1 day 3 hours"
    assert duration_text(START, START + dt.timedelta(days=2, minutes=1)) == "2 days 1 minute"
    assert duration_text(START, START - dt.timedelta(hours=1)) == "less than a minute"


def test_title_is_the_declaration_date_and_the_description():
    incident = make_incident(declared_at="2026-11-26T23:59:00+00:00")
    assert base_title(incident) == "2026-11-26 - Checkout API returns 500"


def test_long_description_is_truncated_leaving_room_for_a_suffix():
    incident = make_incident(id=123456, description="word " * 200)
    titles = list(title_candidates(incident))
    assert titles[0].endswith("…") and all(len(t) <= TITLE_LIMIT for t in titles)
    assert titles[1] == f"{titles[0]} (#123456)" and titles[2] == f"{titles[0]} (#123456, 2)"


def test_slack_markup_becomes_readable_text():
    text = ("<@U0ABC> paged <@U0DEF|dana> in <#C0123|inc-db>, <!here>: see "
            "<https://grafana.example/d/1|the graph> and <https://x.example/a> &amp; &lt;b&gt;")
    assert plain_text(text) == ("@U0ABC paged @dana in #inc-db, @here: see the graph "
                                "(https://grafana.example/d/1) and https://x.example/a & <b>")


def test_participants_are_everyone_who_acted_once_each_in_order():
    incidents = StubIncidents()
    incident = resolved_incident(incidents)
    people = participants(incident, incidents.timeline[12], incidents.updates[12],
                          incidents.pins[12])
    assert people == ["@U0REPORTER", "@U0COMMANDER", "@U0SCRIBE", "@U0ENGINEER"]


def test_attachment_names_are_unique_per_pin_and_safe():
    assert attachment_name(12, {"id": 6, "file_name": "lag graph (1).png"}) == \
        "incident-12-pin-6-lag_graph_1_.png"
    assert attachment_name(12, {"id": 7, "file_name": None}) == "incident-12-pin-7-image-7"


def test_context_carries_severity_meaning_roles_and_the_whole_record():
    incidents = StubIncidents()
    incident = resolved_incident(incidents)
    context = postmortem_context(incident, RESOLVED_AT, "T", incidents.timeline[12],
                                 incidents.updates[12], incidents.pins[12], Config.default())
    assert context["severity"]["label"] == "SEV2"
    assert context["severity"]["description"].startswith("Major")
    assert context["duration"] == "2 hours 5 minutes"
    assert context["declared_at"] == "2026-11-26 15:30 UTC"
    commander = next(r for r in context["roles"] if r["name"] == "incident_commander")
    assert commander["holder"] == "@U0COMMANDER" and commander["label"] == "Incident Commander"
    assert [e["text"] for e in context["timeline"]][1] == "Rolled back deploy 4411"
    assert context["timeline"][0]["text"].startswith("Incident declared by @U0REPORTER")
    assert [p["text"] for p in context["pinned_messages"]] == ["Replica lag is 0 now"]
    assert context["pinned_images"][0]["attachment"] == "incident-12-pin-6-lag_graph.png"
