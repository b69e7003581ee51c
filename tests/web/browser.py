"""Headless Chromium for the browser tests, driven through Playwright in a process of its
own: Playwright's sync API cannot run inside the eventlet-patched test process, so the
test sends it one JSON command a line and reads one JSON answer a line.

    python -m tests.web.browser      # the driver (started by `Browser`)
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class BrowserError(AssertionError):
    pass


class Browser:
    """One page in headless Chromium; every call waits for the driver's answer."""

    def __init__(self, base_url: str, viewport: dict | None = None):
        self.base_url = base_url
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.web.browser", json.dumps(viewport or {})], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self._send({"op": "ping"})

    def _send(self, command: dict):  # noqa: ANN202
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise BrowserError(f"the browser driver exited ({self.process.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise BrowserError(answer["error"])
        return answer.get("result")

    def goto(self, path: str) -> int | None:
        return self._send({"op": "page", "call": "goto", "args": [self.base_url + path]})

    def page(self, call: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return self._send({"op": "page", "call": call, "args": args, "kwargs": kwargs})

    def locator(self, selector: str, call: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return self._send({"op": "locator", "selector": selector, "call": call, "args": args,
                           "kwargs": kwargs})

    def expect(self, selector: str, assertion: str, *args, timeout: float = 10_000,
               **kwargs) -> None:
        """A Playwright web-first assertion: waits until it holds (or fails)."""
        self._send({"op": "expect", "selector": selector, "call": assertion, "args": args,
                    "kwargs": {**kwargs, "timeout": timeout}})

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self._send({"op": "quit"})
            except (BrowserError, OSError):
                pass
            self.process.wait(timeout=20)


def _plain(value):  # noqa: ANN001, ANN202
    """What can travel back as JSON: responses become their status code."""
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return getattr(value, "status", None)


def serve(viewport: dict) -> None:
    from playwright.sync_api import Error, expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
        page.on("dialog", lambda dialog: dialog.accept())  # "Delete this entry?" -> yes
        for line in sys.stdin:
            command = json.loads(line)
            try:
                op = command["op"]
                if op == "quit":
                    print(json.dumps({"result": None}), flush=True)
                    break
                if op == "ping":
                    result = "pong"
                elif op == "page":
                    result = getattr(page, command["call"])(*command.get("args", ()),
                                                            **command.get("kwargs", {}))
                elif op == "locator":
                    target = page.locator(command["selector"])
                    result = getattr(target, command["call"])(*command.get("args", ()),
                                                              **command.get("kwargs", {}))
                else:  # expect
                    getattr(expect(page.locator(command["selector"])), command["call"])(
                        *command.get("args", ()), **command.get("kwargs", {}))
                    result = None
                print(json.dumps({"result": _plain(result)}), flush=True)
            except (Error, AssertionError, AttributeError, TypeError) as exc:
                print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]}), flush=True)
        browser.close()


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})
