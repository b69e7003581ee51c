"""A local Socket Mode server: Slack's WebSocket side of Socket Mode, for tests.

Run as a process (it must not share the test's eventlet hub):
    python -m tests.fakes.socket_mode_server
It prints SOCKET_MODE_URL=ws://... and CONTROL_URL=http://...; POST /send on the control
URL with an envelope {"type": "events_api"|"interactive"|"slash_commands", "payload": ...}
delivers it to the connected app with a fresh envelope_id (sending Slack's "hello" first
on every connection) and answers with the app's acknowledgement, or 504 if none came
within 3 seconds, as Slack requires.
"""
from __future__ import annotations

import json
import queue
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from websockets.sync.server import serve

ACK_TIMEOUT = 3.0


class Hub:
    def __init__(self) -> None:
        self.connection = None
        self.acks: dict[str, queue.Queue] = {}
        self.connected = threading.Event()
        self.lock = threading.Lock()

    def handle(self, websocket) -> None:  # noqa: ANN001
        websocket.send(json.dumps({"type": "hello", "num_connections": 1,
                                   "debug_info": {"host": "local-socket-mode"},
                                   "connection_info": {"app_id": "A0TEST"}}))
        with self.lock:
            self.connection = websocket
        self.connected.set()
        for message in websocket:
            data = json.loads(message)
            waiter = self.acks.get(data.get("envelope_id"))
            if waiter is not None:
                waiter.put(data)

    def send(self, envelope: dict) -> dict | None:
        if not self.connected.wait(10):
            raise RuntimeError("no app connected")
        envelope_id = str(uuid.uuid4())
        waiter: queue.Queue = queue.Queue()
        self.acks[envelope_id] = waiter
        body = {"envelope_id": envelope_id, "accepts_response_payload":
                envelope["type"] != "events_api", "retry_attempt": 0, "retry_reason": "",
                **envelope}
        with self.lock:
            self.connection.send(json.dumps(body))
        try:
            return waiter.get(timeout=ACK_TIMEOUT)
        except queue.Empty:
            return None
        finally:
            self.acks.pop(envelope_id, None)


def main() -> int:
    hub = Hub()
    ws_server = serve(hub.handle, "127.0.0.1", 0)
    ws_port = ws_server.socket.getsockname()[1]

    class Control(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            ack = hub.send(json.loads(self.rfile.read(length)))
            body = json.dumps({"ack": ack}).encode()
            self.send_response(200 if ack is not None else 504)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    control = ThreadingHTTPServer(("127.0.0.1", 0), Control)
    threading.Thread(target=ws_server.serve_forever, daemon=True).start()
    print(f"SOCKET_MODE_URL=ws://127.0.0.1:{ws_port}/link", flush=True)
    print(f"CONTROL_URL=http://127.0.0.1:{control.server_address[1]}", flush=True)
    try:
        control.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
