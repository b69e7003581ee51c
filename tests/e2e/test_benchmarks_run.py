"""The benchmark scripts still run against the current code (they are not timed here:
figures are for BENCHMARKS.md, not for asserts on a noisy machine)."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_declare_benchmark_runs_and_prints_its_figures():
    done = subprocess.run([sys.executable, "bench/declare.py", "--incidents", "3",
                           "--concurrency", "1", "--delay-ms", "10"],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"declare-to-digest\s+p50\s+[\d.]+ ms\s+p95\s+[\d.]+ ms", out), out
    cpu = re.search(r"CPU per declaration\s+(.*)", out).group(1)
    assert {"incidents", "slack_gateway", "statuspage"} <= set(re.findall(r"(\w+) \d+ ms", cpu))
    assert re.search(r"machine: .*calibration \d+ ms; during the run the CPUs were \d+% busy",
                     out), out
