"""Services as real processes, as deployed: `python -m services serve <name>` (or `run`)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from services.runner import INTEGRATIONS

ROOT = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-e2e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manifest_scopes() -> list[str]:
    manifest = yaml.safe_load((ROOT / "services/slack_gateway/manifest.yaml").read_text())
    return manifest["oauth_config"]["scopes"]["bot"]


def wait_http(url: str, timeout: float = 60.0, procs: list | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs or []:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not come up")


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


class Stack:
    """A set of service processes sharing one bus and one database."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}
        self.ops_ports: dict[str, int] = {}
        self.args: dict[str, tuple] = {}
        self.gateway_port = free_port()
        self.web_port = free_port()
        self.env.update(GATEWAY_PORT=str(self.gateway_port), WEB_PORT=str(self.web_port),
                        BIND_HOST="127.0.0.1", PYTHONUNBUFFERED="1")

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash: no shutdown code runs."""
        self.procs[name].kill()
        self.procs[name].wait()

    def restart(self, name: str) -> subprocess.Popen:
        return self.start(name, *self.args[name])

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        self.args[name] = args
        self.ops_ports.setdefault(name, free_port())
        env = {**self.env, "OPS_PORT": str(self.ops_ports[name])}
        proc = subprocess.Popen([sys.executable, "-m", "services", *args], env=env,
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def start_distributed(self, integrations: tuple[str, ...] = ()) -> None:
        """The core services, each its own process, and the named integration services
        (not configured for any vendor unless the environment says so)."""
        for name in ("incidents", "slack_gateway", "scheduler", "web", *integrations):
            self.start(name, "serve", name)
        self.wait_ready()

    def start_deployed(self) -> None:
        """Every service its own process, as deployed; the integrations with no vendor
        configured (config.yaml enables Statuspage: without a statuspage service, each
        war room would ask a service that is not there)."""
        self.start_distributed(integrations=tuple(INTEGRATIONS))

    def start_embedded(self) -> None:
        self.start("all", "run")
        self.wait_ready()

    def wait_ready(self) -> None:
        procs = list(self.procs.values())
        wait_http(f"{self.gateway_url}/healthz", procs=procs)
        # The web's /readyz answers 200 only once `incidents` answers RPC.
        wait_http(f"{self.web_url}/readyz", procs=procs)

    def ops_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ops_ports[name]}"

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-4000:]}"
                         for p in sorted(self.log_dir.glob("*.log")))

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
