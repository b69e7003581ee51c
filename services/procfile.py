"""The distributed set on one machine: migrate, then each service in its own
process over RabbitMQ and PostgreSQL, as deployed. Output is prefixed per service;
if one exits, the rest are stopped."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from services.runner import DEFAULT_DATABASE_URL, SERVICES, available


def _pump(name: str, stream) -> None:  # noqa: ANN001
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{name:>14} | {line.decode(errors='replace')}")
        sys.stdout.flush()


def run_distributed(env: dict | None = None) -> int:
    env = dict(os.environ if env is None else env)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    migrate = subprocess.run([sys.executable, "-m", "services", "migrate"], env=env)
    if migrate.returncode:
        return migrate.returncode
    processes = {}
    for name in filter(available, SERVICES):
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "services", "serve", name], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=_pump, args=(name, processes[name].stdout), daemon=True).start()
    stopping = False

    def stop(*_):  # noqa: ANN002, ANN202
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping:
        exited = [(n, p.returncode) for n, p in processes.items() if p.poll() is not None]
        if exited:
            name, code = exited[0]
            print(f"{name} exited with {code}; stopping the others", file=sys.stderr)
            break
        time.sleep(0.3)
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return code or 0
