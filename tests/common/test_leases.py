"""Claims.once against the real claim store: work runs once, a failure leaves it to retry."""
import pytest

from services.common.leases import Claims
from services.incidents import claims as store


class StoreIncidents:
    """The three incidents RPCs Claims calls, on the real claim table."""

    def __init__(self, db):
        self.db = db

    def claim_delivery(self, key, lease_seconds=None):
        return store.claim(self.db, key, lease_seconds)

    def renew_delivery(self, key, lease_seconds):
        return store.renew(self.db, key, lease_seconds)

    def complete_delivery(self, key):
        return store.complete(self.db, key)


def test_work_runs_once_and_a_held_claim_is_left_alone(sqlite_db):
    incidents, runs = StoreIncidents(sqlite_db), []
    claims = Claims(incidents, sleep=lambda _: None)
    assert claims.once("page:1", lambda: runs.append(1)) is True
    assert claims.once("page:1", lambda: runs.append(2)) is False  # done
    assert incidents.claim_delivery("page:2", lease_seconds=60)  # alive elsewhere
    assert claims.once("page:2", lambda: runs.append(3)) is False
    assert runs == [1]


def test_failed_work_is_not_completed_and_is_retried_after_the_lease(sqlite_db):
    incidents, runs = StoreIncidents(sqlite_db), []
    claims = Claims(incidents, lease_seconds=-1, sleep=lambda _: None)  # leases lapse at once

    def fail():
        runs.append("failed")
        raise RuntimeError("vendor down")
    with pytest.raises(RuntimeError):
        claims.once("page:3", fail)
    assert claims.once("page:3", lambda: runs.append("done")) is True
    assert runs == ["failed", "done"]
    assert claims.once("page:3", lambda: runs.append("again")) is False
