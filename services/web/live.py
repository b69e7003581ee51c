"""Live updates for open pages. Every web replica receives every incident event (a
BROADCAST handler in service.py) and passes a small notice to the browsers connected
to it over server-sent events; the page then fetches its own fresh HTML."""
from __future__ import annotations

import itertools
import json
import threading
from typing import Iterator

from eventlet.queue import Empty, Full, LightQueue

HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 300.0  # then the browser reconnects (and the session is checked again)
QUEUE_SIZE = 100


class LiveHub:
    """Fan-out of change notices to the server-sent-event streams of this process."""

    def __init__(self) -> None:
        self._subscribers: set[LightQueue] = set()
        self._lock = threading.Lock()
        self._sequence = itertools.count(1)
        self.last_id = 0

    def subscribe(self) -> LightQueue:
        queue = LightQueue(QUEUE_SIZE)
        with self._lock:
            self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: LightQueue) -> None:
        with self._lock:
            self._subscribers.discard(queue)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, event_type: str, payload: dict) -> None:
        """Tell every stream: which event, about which incident (no incident content)."""
        self.last_id = next(self._sequence)
        notice = {"id": self.last_id, "event": event_type,
                  "incident_id": payload.get("incident_id")}
        with self._lock:
            queues = list(self._subscribers)
        for queue in queues:
            try:
                queue.put_nowait(notice)
            except Full:  # a stalled browser: it refreshes fully when it catches up
                pass

    def stream(self, heartbeat: float = HEARTBEAT_SECONDS,
               duration: float = STREAM_SECONDS) -> Iterator[str]:
        """Server-sent events for one browser until `duration` passes or it goes away
        (subscribed from the first chunk: a stream never started leaves nothing behind)."""
        import eventlet

        deadline = eventlet.hubs.get_hub().clock() + duration
        queue = self.subscribe()
        try:
            # The page knows the last notice it was rendered after: if this differs, it
            # missed something between rendering and connecting, and refreshes.
            yield f"retry: 2000\nevent: hello\ndata: {json.dumps({'last_id': self.last_id})}\n\n"
            while eventlet.hubs.get_hub().clock() < deadline:
                try:
                    notice = queue.get(timeout=heartbeat)
                except Empty:
                    yield ": keep-alive\n\n"
                    continue
                yield f"id: {notice['id']}\nevent: change\ndata: {json.dumps(notice)}\n\n"
        finally:
            self.unsubscribe(queue)
