"""HTTP side of the Slack fake: parses requests the way Slack accepts them and routes them.

`/api/<method>` takes GET query strings, form-encoded and JSON bodies (merged, JSON-string
fields decoded). `/_fake/*` is the fake's own introspection and control surface.
"""

from __future__ import annotations

import json
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.slack_api_core import decode_json_fields

if TYPE_CHECKING:
    from tests.fakes.slack_api import SlackFake


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hung handler must not keep stop() waiting
    fake: "SlackFake"


def parse_params(query: str, body: bytes, content_type: str) -> tuple[dict[str, Any], str | None]:
    """Merge query string and body into one dict; returns (params, body_error)."""
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    ctype = content_type.lower()
    error = None
    if body:
        if "application/json" in ctype:
            try:
                data = json.loads(body)
            except ValueError:
                data, error = {}, "invalid_json"
            if isinstance(data, dict):
                params.update(data)
            else:
                error = "invalid_json"
        elif "multipart/form-data" in ctype:
            error = "invalid_form_data"  # file uploads are not part of this fake
        else:
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            params.update({k: v[-1] for k, v in form.items()})
    return decode_json_fields(params), error


class SlackFakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SlackFake/1.0"
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # test output stays readable; fake.requests is the log

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, verb: str) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            if url.path.startswith("/api/"):
                params, body_error = parse_params(url.query, body, self.headers.get("Content-Type", ""))
                answer = fake.handle_api(verb, url.path[len("/api/"):], dict(self.headers), params,
                                         body_error)
                if answer is None:  # the fake stopped while this call hung: drop the connection
                    self.close_connection = True
                    return
                status, headers, payload = answer
                self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers)
            elif url.path == "/_fake/requests":
                method = parse_qs(url.query).get("method", [None])[0]
                self._json([r.to_dict() for r in fake.calls(method)])
            elif url.path == "/_fake/state":
                self._json(fake.snapshot())
            elif url.path == "/_fake/control" and verb == "POST":
                request = json.loads(body or b"{}")
                self._json(fake.control(request.get("action", ""), request.get("args") or {}))
            elif url.path.startswith("/_fake/files/"):
                self._file(url.path.split("/")[3], url.query)
            elif url.path == "/_fake/login":
                # Slack answers an unauthenticated file URL with its sign-in page, not an error.
                self._send(200, b"<html><body>Sign in to Slack</body></html>", "text/html; charset=utf-8")
            else:
                self._send(404, b"not found", "text/plain")
        except Exception:  # a bug in the fake must show up loudly in the test, not as a hang
            traceback.print_exc(file=sys.stderr)
            self._send(500, json.dumps({"ok": False, "error": "fake_internal_error"}).encode(),
                       "application/json")

    def _file(self, file_id: str, query: str) -> None:
        fake = self.server.fake
        found = fake.file_content(file_id, self.headers.get("Authorization", ""))
        if found is None:
            self._send(302, b"", "text/plain", {"Location": "/_fake/login"})
            return
        content, mimetype, name = found
        headers = {"Content-Disposition": f'attachment; filename="{name}"'} if "download" in query else {}
        self._send(200, content, mimetype, headers)

    def _json(self, data: Any) -> None:
        self._send(200, json.dumps(data).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
