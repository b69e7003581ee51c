from services.integrations.zoom.topic import TOPIC_LIMIT, meeting_topic, truncate
from tests.integrations.stubs import make_incident


def test_topic_names_the_incident_and_its_description():
    assert meeting_topic(make_incident(id=12)) == "Incident #12: Checkout API returns 500"


def test_long_description_is_cut_to_zooms_limit_with_an_ellipsis():
    topic = meeting_topic(make_incident(id=12, description="x" * 500))
    assert len(topic) == TOPIC_LIMIT
    assert topic.startswith("Incident #12: xxx") and topic.endswith("…")


def test_topic_of_exactly_the_limit_is_kept_whole():
    description = "y" * (TOPIC_LIMIT - len("Incident #7: "))
    assert meeting_topic(make_incident(id=7, description=description)) == \
        f"Incident #7: {description}"


def test_private_incident_topic_shows_only_the_number():
    assert meeting_topic(make_incident(id=12, is_private=True)) == "Incident #12"


def test_line_breaks_and_runs_of_spaces_become_one_space():
    assert truncate("a\n\nb   c", 50) == "a b c"
