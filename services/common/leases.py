"""Claims on work that a crash does not lose (the gateway's and the integrations').

Work done for an event (a war room, a meeting, a page, a postmortem) is claimed through
`incidents.claim_delivery` with a short lease, which a green thread renews while the
work runs. A holder killed mid-work (SIGKILL: no code of its runs) stops renewing, so its
claim lapses within LEASE_SECONDS. nameko acknowledges an event only once its handler
returns, so the killed holder's event is delivered again; the handler that gets it waits
up to `patience` for the claim instead of giving up at once, takes it when it lapses and
does the work, looking first for what the dead holder may already have done.

A long lease would keep the work from a restarted service for minutes after its
redelivered event had been dropped: the work would never be done. Renewing is what
lets the lease be short without a slow holder losing its claim to a second worker.
"""
from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, Callable, Iterator

import eventlet

log = logging.getLogger(__name__)
LEASE_SECONDS = 10
POLL_SECONDS = 0.5
# An event handler waits this long for a claim held elsewhere: long enough for a dead
# holder's lease to lapse; a live holder keeps renewing, so it then keeps the work.
REDELIVERY_PATIENCE = LEASE_SECONDS + 2.0


class Claims:
    """`incidents` claims for one kind of work: take, keep while working, complete."""

    def __init__(self, incidents: Any, patience: float = 0.0,
                 lease_seconds: int = LEASE_SECONDS,
                 sleep: Callable[[float], None] = eventlet.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.incidents = incidents
        self.patience = patience
        self.lease_seconds = lease_seconds
        self.sleep, self.clock = sleep, clock

    def take(self, key: str) -> bool:
        """True when the work is ours to do now; False when it was done, or someone alive
        holds it (waiting up to `patience` for a dead holder's lease to lapse)."""
        deadline = self.clock() + self.patience
        while True:
            if self.incidents.claim_delivery(key, lease_seconds=self.lease_seconds):
                return True
            if self.clock() >= deadline:
                return False
            self.sleep(POLL_SECONDS)

    @contextlib.contextmanager
    def kept(self, key: str) -> Iterator[None]:
        """Renew the lease on `key` while the block runs."""
        renewer = eventlet.spawn(self._renew, key)
        try:
            yield
        finally:
            renewer.kill()

    def complete(self, key: str) -> None:
        self.incidents.complete_delivery(key)

    def once(self, key: str, work: Callable[[], Any]) -> bool:
        """Run `work` under the claim on `key` unless it was done or is held elsewhere.
        The claim completes only when `work` returns: if it raises (or the process dies),
        the lease lapses and a redelivery does it again. True when `work` ran here."""
        if not self.take(key):
            return False
        with self.kept(key):
            work()
        self.complete(key)
        return True

    def _renew(self, key: str) -> None:
        while True:
            eventlet.sleep(self.lease_seconds / 3)
            try:
                self.incidents.renew_delivery(key, lease_seconds=self.lease_seconds)
            except Exception as exc:  # the bus is away: the work itself will fail or finish
                log.warning("could not renew the claim on %s: %r", key, exc)
