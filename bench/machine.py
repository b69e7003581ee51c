"""What the machine gave a benchmark run, printed beside its figures.

The same commit measured on two machines of the same kind differed by 2x and more in
latency under load (BENCHMARKS.md): the host's CPU speed and the time it steals from
the guest move the figures as much as the code does. Each run therefore prints a
calibration (a fixed pure-Python workload, timed) and how busy the CPUs were, and how
much of their time the host took, while the run lasted.
"""
from __future__ import annotations

import os
import platform
import time
from pathlib import Path

STAT = Path("/proc/stat")


def _cpu_ticks() -> list[int] | None:
    """user nice system idle iowait irq softirq steal, summed over all CPUs."""
    try:
        fields = STAT.read_text().splitlines()[0].split()
    except OSError:
        return None
    return [int(v) for v in fields[1:9]]


def calibration_ms(rounds: int = 5) -> float:
    """Best of `rounds` timings of a fixed workload: about 50-80 ms on the machines seen."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _stat_seconds(stat: str) -> float:
    """User + system CPU seconds from the text of a /proc/PID/stat file."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _process_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far."""
    try:
        return _stat_seconds(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return None


def _command_seconds(command: str) -> float:
    """CPU time used so far by every running process of that command name (PostgreSQL's
    backends, RabbitMQ's VM); a process that exits during the run takes its share along."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.find("(") + 1:text.rfind(")")] == command:
            total += _stat_seconds(text)
    return total


SHARED = {"rabbitmq": "beam.smp", "postgresql": "postgres"}


class CpuMeter:
    """CPU use of the whole machine, of each named process, of RabbitMQ, PostgreSQL and
    the benchmark's own process, from creation to summary()/per_process()."""

    def __init__(self, pids: dict[str, int] | None = None) -> None:
        self.calibration = calibration_ms()
        self.pids = {**(pids or {}), "benchmark (fakes, senders)": os.getpid()}
        self.before = _cpu_ticks()
        self.process_before = {name: _process_seconds(pid) for name, pid in self.pids.items()}
        self.shared_before = {name: _command_seconds(cmd) for name, cmd in SHARED.items()}

    def per_process(self) -> dict[str, float]:
        """CPU seconds each process used since the meter was made."""
        used = {}
        for name, pid in self.pids.items():
            now, before = _process_seconds(pid), self.process_before.get(name)
            if now is not None and before is not None:
                used[name] = now - before
        for name, command in SHARED.items():
            used[name] = _command_seconds(command) - self.shared_before[name]
        return used

    def summary(self) -> str:
        after = _cpu_ticks()
        cpus = os.cpu_count() or 1
        head = (f"machine: {platform.machine()}, {cpus} CPUs, Python "
                f"{platform.python_version()}, calibration {self.calibration:.0f} ms")
        if self.before is None or after is None:
            return head
        delta = [b - a for a, b in zip(self.before, after)]
        total = sum(delta) or 1
        idle = delta[3] + delta[4]
        steal = delta[7]
        return (f"{head}; during the run the CPUs were {100 * (total - idle - steal) / total:.0f}% "
                f"busy, {100 * steal / total:.0f}% taken by the host (steal)")
