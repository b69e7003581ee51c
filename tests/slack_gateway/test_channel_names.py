import pytest

from services.common.config import Config
from services.slack_gateway.channel_names import MAX_NAME, channel_name, slugify

NAMING = Config.default().channel_naming
VALID = __import__("re").compile(r"^[a-z0-9][a-z0-9_-]*$")


def incident(description="Checkout API returns 500", **overrides):
    return {"id": 7, "description": description, "is_private": False,
            "declared_at": "2026-11-26T15:30:59+00:00", **overrides}


def test_name_is_prefix_time_and_slug():
    assert channel_name(incident(), NAMING) == "inc-202611261530-checkout-api-returns-500"


@pytest.mark.parametrize("description", [
    "Ünïcödé façade — broken!!", "x" * 500, "   ***   ", "日本語のみ", "a-" * 60,
])
def test_names_always_follow_slack_rules(description):
    for attempt in (1, 2, 17):
        name = channel_name(incident(description), NAMING, attempt)
        assert len(name) <= MAX_NAME and VALID.match(name), name
        if attempt > 1:
            assert name.endswith(f"-{attempt}")


def test_private_incidents_do_not_leak_the_description():
    name = channel_name(incident("Customer data exposed", is_private=True), NAMING)
    assert "customer" not in name and name.endswith("-private")


def test_slugify():
    assert slugify("Café  down: 50% errors") == "cafe-down-50-errors"
