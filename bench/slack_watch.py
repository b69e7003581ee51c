"""Waiting on the Slack fake's calls from a benchmark, without polling.

Re-reading the fake's whole record list from dozens of waiting threads costs more CPU,
on a 2-core machine, than the services under test; the fake calls `Watch.seen` as each
call is answered instead."""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from services.common.config import load_config


def digest_channel_id(fake) -> str:  # noqa: ANN001
    """The id of the digest channel named in config.yaml, in the fake workspace."""
    name = load_config().digest_channel
    return next(c["id"] for c in fake.channels if c.get("name") == name)


class Watch:
    """Futures for the modal a trigger id opens and for a description's digest post."""

    def __init__(self, fake, digest_channel: str):
        self.digest_channel = digest_channel
        self.lock = threading.Lock()
        self.modals: dict[str, Future] = {}  # trigger id -> views.open record
        self.digests: dict[str, Future] = {}  # description -> when its digest post was answered
        fake.on_answered(self.seen)

    def modal(self, trigger: str) -> Future:
        with self.lock:
            return self.modals.setdefault(trigger, Future())

    def digest(self, description: str) -> Future:
        with self.lock:
            return self.digests.setdefault(description, Future())

    def seen(self, record) -> None:  # noqa: ANN001
        answered, found, result = time.monotonic(), None, record
        with self.lock:
            if record.method == "views.open":
                found = self.modals.pop(record.params.get("trigger_id"), None)
            elif (record.method == "chat.postMessage" and self.digests
                  and record.params.get("channel") == self.digest_channel):
                text = str(record.params.get("blocks"))
                found = next((self.digests.pop(d) for d in list(self.digests) if d in text), None)
                result = answered  # the digest is up once Slack has answered its post
        if found is not None:
            found.set_result(result)
