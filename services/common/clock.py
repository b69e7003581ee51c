"""The one clock every time rule reads, injectable so tests move time instead of sleeping.

Production uses the system clock. `INCIDENTBOT_CLOCK_OFFSET_FILE` (tests, drills) names a
file holding a number of seconds added to it, re-read when the file changes, so several
processes can be moved forward together.
"""
from __future__ import annotations

import datetime as dt
import os

from nameko.extensions import DependencyProvider

from services.common.timeutil import utcnow


class Clock:
    def now(self) -> dt.datetime:
        return utcnow()


class OffsetClock(Clock):
    def __init__(self, path: str):
        self.path = path
        self._stamp: float | None = None
        self._offset = dt.timedelta()

    def now(self) -> dt.datetime:
        try:
            stamp = os.stat(self.path).st_mtime
        except FileNotFoundError:
            return utcnow()
        if stamp != self._stamp:
            with open(self.path) as handle:
                self._offset = dt.timedelta(seconds=float(handle.read().strip() or 0))
            self._stamp = stamp
        return utcnow() + self._offset


class ClockProvider(DependencyProvider):
    def setup(self) -> None:
        path = self.container.config.get("INCIDENTBOT_CLOCK_OFFSET_FILE")
        self.clock = OffsetClock(path) if path else Clock()

    def get_dependency(self, worker_ctx) -> Clock:  # noqa: ANN001
        return self.clock
