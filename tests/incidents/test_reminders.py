"""Update reminders and stale incidents with a moved clock (no sleeping)."""
import datetime as dt

import pytest

from services.common.timeutil import utcnow
from services.incidents import reminders, store, updates
from services.incidents.exceptions import InvalidInput
from services.incidents.schemas import parse_declaration
from tests.incidents.factories import declaration

T0 = utcnow().replace(microsecond=0)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


class Board:
    """One incident and the clock, driven minute by minute."""

    def __init__(self, db, config, severity="sev1"):
        self.db, self.config = db, config
        with db.transaction() as session:
            incident, _ = store.declare(session, parse_declaration(
                declaration(severity=severity), config), config, now=T0)
            self.id = incident.id

    def sweep(self, minute: float) -> list[int]:
        """What a scheduler does at `minute`: list due reminders and claim them."""
        sent = []
        with self.db.transaction() as session:
            due = reminders.due(session, at(minute))
        for item in due:
            with self.db.transaction() as session:
                taken, _ = reminders.claim(session, item["incident_id"],
                                           dt.datetime.fromisoformat(item["due_at"]),
                                           at(minute), self.config)
            if taken:
                sent.append(item["incident_id"])
        return sent

    def run(self, until: int) -> list[int]:
        """Minutes (0..until) at which a reminder went out."""
        return [m for m in range(until + 1) if self.sweep(m)]

    def act(self, minute: float, operation, *args):
        with self.db.transaction() as session:
            return operation(session, self.id, *args, self.config, at(minute))


def test_first_reminder_at_30_then_every_25(sqlite_db, app_config):
    board = Board(sqlite_db, app_config)
    assert board.run(110) == [30, 55, 80, 105]
    with sqlite_db.transaction() as session:
        kinds = [e.kind for e in store.list_timeline(session, board.id)[0]]
    assert kinds.count("reminder") == 4


def test_an_update_resets_the_clock(sqlite_db, app_config):
    board = Board(sqlite_db, app_config)
    assert board.run(40) == [30]
    with sqlite_db.transaction() as session:
        updates.post_status_update(session, board.id, "still on it", None, None, app_config,
                                   at(41))
    assert [m for m in range(41, 100) if board.sweep(m)] == [71, 96]


def test_reminders_stop_on_resolve_and_on_demotion(sqlite_db, app_config):
    resolved = Board(sqlite_db, app_config)
    resolved.act(10, lambda s, i, c, n: store.change_status(s, i, "resolved", None, c, n))
    demoted = Board(sqlite_db, app_config)
    demoted.act(10, lambda s, i, c, n: store.change_severity(s, i, "sev3", None, c, n))
    assert resolved.run(120) == [] and demoted.run(120) == []


def test_promotion_starts_the_clock_and_moving_within_severe_keeps_it(sqlite_db, app_config):
    board = Board(sqlite_db, app_config, severity="sev3")
    assert board.run(60) == []
    board.act(60, lambda s, i, c, n: store.change_severity(s, i, "sev2", None, c, n))
    board.act(70, lambda s, i, c, n: store.change_severity(s, i, "sev1", None, c, n))
    assert [m for m in range(61, 120) if board.sweep(m)] == [90, 115]


def test_snooze_moves_the_next_reminder(sqlite_db, app_config):
    board = Board(sqlite_db, app_config)
    assert board.run(30) == [30]
    board.act(31, lambda s, i, c, n: reminders.snooze(s, i, 60, "U0IC", n, c))
    assert [m for m in range(31, 120) if board.sweep(m)] == [91, 116]
    quiet = Board(sqlite_db, app_config, severity="sev3")
    with pytest.raises(InvalidInput):
        quiet.act(1, lambda s, i, c, n: reminders.snooze(s, i, 15, None, n, c))


def test_no_reminders_for_sev3(sqlite_db, app_config):
    assert Board(sqlite_db, app_config, severity="sev3").run(300) == []


def test_a_reminder_is_claimed_once(sqlite_db, app_config):
    board = Board(sqlite_db, app_config)
    with sqlite_db.transaction() as session:
        (item,) = reminders.due(session, at(30))
    due_at = dt.datetime.fromisoformat(item["due_at"])
    results = []
    for _ in range(3):
        with sqlite_db.transaction() as session:
            results.append(reminders.claim(session, board.id, due_at, at(30), app_config)[0])
    assert results == [True, False, False]


def test_stale_lists_exactly_the_old_unresolved_incidents(sqlite_db, app_config):
    now = T0 + dt.timedelta(days=10)
    made = {}
    for name, age_days, status in [("old", 9, None), ("old_resolved", 9, "resolved"),
                                   ("young", 3, None), ("edge", 7.1, "monitoring")]:
        with sqlite_db.transaction() as session:
            incident, _ = store.declare(session, parse_declaration(declaration(
                description=name), app_config), app_config,
                now=now - dt.timedelta(days=age_days))
            if status:
                store.change_status(session, incident.id, status, None, app_config, now)
            made[name] = incident.id
    with sqlite_db.transaction() as session:
        rows, total = reminders.stale(session, app_config, now)
        assert {r.description for r in rows} == {"old", "edge"} and total == 2
        excluding = app_config.model_copy(update={"stale": app_config.stale.model_copy(
            update={"exclude_statuses": ["monitoring"]})})
        rows, _ = reminders.stale(session, excluding, now)
        assert [r.description for r in rows] == ["old"]
