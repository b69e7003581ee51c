"""Timers. They fire in every replica; whether something is due, and who sends it, is
decided in `incidents` by compare-and-set, so replicas never act twice."""
from __future__ import annotations

import logging


from services.common.bus import timed_rpc_proxy
from services.common.clock import ClockProvider
from services.common.dependencies import ConfigProvider
from services.common.metrics import REMINDERS_SENT
from services.common.ops import Ops
from services.scheduler.timers import every

log = logging.getLogger(__name__)


def stale_period(now, hours: int) -> str:  # noqa: ANN001
    """The report period `now` falls in: every replica computes the same key."""
    return f"{hours}h:{int(now.timestamp() // (hours * 3600))}"


class SchedulerService:
    name = "scheduler"

    incidents = timed_rpc_proxy("incidents")
    config = ConfigProvider()
    clock = ClockProvider()
    ops = Ops()

    @every(period=lambda config: config.reminders.check_interval_seconds, eager=True)
    def send_due_reminders(self) -> int:
        if not self.config.reminders.enabled:
            return 0
        sent = 0
        for due in self.incidents.list_due_reminders():
            if self.incidents.claim_reminder(due["incident_id"], due["due_at"]):
                sent += 1
                REMINDERS_SENT.inc()
        if sent:
            log.info("sent %d update reminders", sent)
        return sent

    @every(period=lambda config: min(config.reminders.check_interval_seconds,
                                     config.stale.report_interval_hours * 3600), eager=True)
    def report_stale_incidents(self) -> bool:
        # Checked often, reported once per period: a restart does not skip or repeat one.
        if not self.config.stale.enabled:
            return False
        period = stale_period(self.clock.now(), self.config.stale.report_interval_hours)
        return self.incidents.report_stale_incidents(period)
