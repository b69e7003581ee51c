"""A Confluence Server/Data Center REST v1 fake over real HTTP, for atlassian-python-api.

    with ConfluenceFake() as wiki:
        wiki.add_space("ENG"); parent = wiki.add_page("ENG", "Postmortems")
        Confluence(url=wiki.url, username=wiki.username, password=wiki.token, cloud=False)

Speaks what postmortems use: `GET /rest/api/content?spaceKey&title`, `POST /rest/api/content`
(storage-format body must be well-formed XML with the ac:/ri: prefixes; a title taken in
the space -> 400), `GET /rest/api/content/{id}`, `GET|POST /rest/api/content/{id}/child/attachment`
(multipart, X-Atlassian-Token: no-check; a taken file name -> 400). Basic auth or 401.
Records every request with its body; `fail()` answers 429/5xx, `hang()` holds requests.
"""
from __future__ import annotations

import base64
import json
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

STORAGE_ROOT = ('<root xmlns:ac="http://atlassian.com/content" '
                'xmlns:ri="http://atlassian.com/resource/identifier">{}</root>')
Answer = tuple[int, dict[str, str], Any]


@dataclass
class WikiRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    op: str = ""
    status: int = 0  # 0 while being answered, or when a hang dropped the connection
    time: float = 0.0  # time.monotonic() at arrival, in the fake's process

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Fault:
    status: int
    retry_after: str | None = None
    hang: float = 0.0


@dataclass
class Page:
    id: str
    space: str
    title: str
    body: str
    ancestors: list[str]
    attachments: list[dict] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: "ConfluenceFake"


def error(status: int, message: str) -> Answer:
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               415: "Unsupported Media Type", 429: "Too Many Requests"}
    return status, {}, {"statusCode": status, "data": {"authorized": status != 401,
                                                       "valid": False, "errors": []},
                        "message": message, "reason": reasons.get(status, "Server Error")}


class ConfluenceFake:
    def __init__(self, username: str = "bot@example.com", token: str = "confluence-token-test"):
        self.username, self.token = username, token
        self.requests: list[WikiRequest] = []
        self.spaces: dict[str, str] = {}
        self.pages: dict[str, Page] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._server: _Server | None = None
        self._next_id = 65_600

    # lifecycle ----------------------------------------------------------------------------
    def start(self) -> "ConfluenceFake":
        self._stopped.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name="confluence-fake", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "ConfluenceFake":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self) -> dict[str, str]:
        return {"CONFLUENCE_URL": self.url, "CONFLUENCE_USERNAME": self.username,
                "CONFLUENCE_API_TOKEN": self.token}

    # state and knobs ----------------------------------------------------------------------
    def add_space(self, key: str, name: str | None = None) -> None:
        self.spaces[key] = name or key

    def add_page(self, space: str, title: str, body: str = "<p/>",
                 parent_id: str | None = None) -> str:
        with self._lock:
            self._next_id += 1
            page = Page(str(self._next_id), space, title, body,
                        ([*self.pages[parent_id].ancestors, parent_id] if parent_id else []))
            self.pages[page.id] = page
            return page.id

    def children(self, parent_id: str) -> list[Page]:
        with self._lock:
            return [p for p in self.pages.values() if p.ancestors[-1:] == [parent_id]]

    def fail(self, op: str, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` requests of `op` (search, create, get, attachments,
        attach) with `status`."""
        with self._lock:
            self._faults.setdefault(op, []).extend(_Fault(status, retry_after)
                                                   for _ in range(times))

    def hang(self, op: str, seconds: float = 30.0, times: int = 1) -> None:
        with self._lock:
            self._faults.setdefault(op, []).extend(_Fault(0, hang=seconds) for _ in range(times))

    def calls(self, op: str | None = None) -> list[WikiRequest]:
        with self._lock:
            return [r for r in self.requests if op is None or r.op == op]

    # handling -----------------------------------------------------------------------------
    def handle(self, request: WikiRequest) -> Answer | None:
        parts = [p for p in request.path.split("/") if p][3:]  # after rest/api/content
        request.op = self._op(request.method, request.path, parts)
        with self._lock:
            self.requests.append(request)
            queue = self._faults.get(request.op)
            fault = queue.pop(0) if queue else None
        if fault is not None and fault.hang:
            self._stopped.wait(fault.hang)
            return None
        if fault is not None:
            answer = error(fault.status, "Service Unavailable" if fault.status >= 500
                           else "Rate limit exceeded")
            return (answer[0], {"Retry-After": fault.retry_after}, answer[2]) \
                if fault.retry_after is not None else answer
        expected = base64.b64encode(f"{self.username}:{self.token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return 401, {"Content-Type": "text/html"}, "Basic Authentication Failure"
        with self._lock:
            return getattr(self, f"_{request.op}", self._unknown)(request, parts)

    @staticmethod
    def _op(method: str, path: str, parts: list[str]) -> str:
        if not path.startswith("/rest/api/content"):
            return "unknown"
        if not parts:
            return {"GET": "search", "POST": "create"}.get(method, "unknown")
        if parts[1:] == ["child", "attachment"]:
            return {"GET": "attachments", "POST": "attach"}.get(method, "unknown")
        if len(parts) == 1:
            return {"GET": "get", "PUT": "update"}.get(method, "unknown")
        return "unknown"

    def _unknown(self, request: WikiRequest, parts: list[str]) -> Answer:
        return error(404, f"null for uri: {request.path}")

    def _search(self, request: WikiRequest, parts: list[str]) -> Answer:
        space, title = request.query.get("spaceKey"), request.query.get("title")
        found = [p for p in self.pages.values() if space in (None, p.space)
                 and (title is None or p.title.casefold() == title.casefold())]
        return 200, {}, {"results": [self._content(p) for p in found], "start": 0,
                         "limit": 25, "size": len(found), "_links": {"base": self.url}}

    def _get(self, request: WikiRequest, parts: list[str]) -> Answer:
        page = self.pages.get(parts[0])
        return (200, {}, self._content(page)) if page else \
            error(404, f"No content found with id: ContentId{{id={parts[0]}}}")

    def _update(self, request: WikiRequest, parts: list[str]) -> Answer:
        if "multipart/form-data" in request.headers.get("content-type", ""):
            return error(415, "Unsupported Media Type: multipart/form-data")
        return error(400, "Updating content is not part of this fake")

    def _create(self, request: WikiRequest, parts: list[str]) -> Answer:
        data = request.json() or {}
        space = (data.get("space") or {}).get("key")
        title = (data.get("title") or "").strip()
        body = ((data.get("body") or {}).get("storage") or {}).get("value")
        if data.get("type") != "page" or not title or body is None:
            return error(400, "A page needs a type, a title and a storage body")
        if space not in self.spaces:
            return error(404, f"No space with key : {space}")
        if len(title) > 255:
            return error(400, "Title cannot be longer than 255 characters.")
        if any(p.space == space and p.title.casefold() == title.casefold()
               for p in self.pages.values()):
            return error(400, "A page with this title already exists: A page already exists "
                              f"with the title {title} in the space with key {space}")
        try:
            ET.fromstring(STORAGE_ROOT.format(body))
        except ET.ParseError as exc:
            return error(400, f"Error parsing xhtml: {exc}")
        ancestors = [a.get("id") for a in data.get("ancestors") or []]
        parent = self.pages.get(ancestors[-1]) if ancestors else None
        if ancestors and (parent is None or parent.space != space):
            return error(404, f"No content found with id: ContentId{{id={ancestors[-1]}}}")
        page_id = self.add_page(space, title, body, parent.id if parent else None)
        return 200, {}, self._content(self.pages[page_id], with_body=True)

    def _attachments(self, request: WikiRequest, parts: list[str]) -> Answer:
        page = self.pages.get(parts[0])
        if page is None:
            return error(404, f"No content found with id: ContentId{{id={parts[0]}}}")
        name = request.query.get("filename")
        found = [self._attachment(page, a) for a in page.attachments
                 if name in (None, a["title"])]
        return 200, {}, {"results": found, "start": 0, "limit": 50, "size": len(found)}

    def _attach(self, request: WikiRequest, parts: list[str]) -> Answer:
        page = self.pages.get(parts[0])
        if page is None:
            return error(404, f"No content found with id: ContentId{{id={parts[0]}}}")
        if request.headers.get("x-atlassian-token") != "no-check":
            return 403, {"Content-Type": "text/plain"}, "XSRF check failed"
        ctype = request.headers.get("content-type", "")
        if "multipart/form-data" not in ctype:
            return error(415, f"Unsupported Media Type: {ctype}")
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + request.body)
        created = []
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") != "file":
                continue
            name = part.get_filename()
            if any(a["title"] == name for a in page.attachments):
                return error(400, "Cannot add a new attachment with same file name as an "
                                  f"existing object: {name}")
            self._next_id += 1
            attachment = {"id": f"att{self._next_id}", "title": name,
                          "mediaType": part.get_content_type(),
                          "data": part.get_payload(decode=True)}
            page.attachments.append(attachment)
            created.append(self._attachment(page, attachment))
        if not created:
            return error(400, "No file part in the request")
        return 200, {}, {"results": created, "size": len(created)}

    def _content(self, page: Page, with_body: bool = False) -> dict:
        content = {
            "id": page.id, "type": "page", "status": "current", "title": page.title,
            "space": {"key": page.space, "name": self.spaces.get(page.space), "type": "global"},
            "version": {"number": 1},
            "ancestors": [{"id": a, "type": "page", "title": self.pages[a].title}
                          for a in page.ancestors],
            "_links": {"webui": f"/pages/viewpage.action?pageId={page.id}",
                       "tinyui": f"/x/{page.id}", "self": f"{self.url}/rest/api/content/{page.id}",
                       "base": self.url, "context": ""},
        }
        if with_body:
            content["body"] = {"storage": {"value": page.body, "representation": "storage"}}
        return content

    def _attachment(self, page: Page, attachment: dict) -> dict:
        return {"id": attachment["id"], "type": "attachment", "status": "current",
                "title": attachment["title"],
                "metadata": {"mediaType": attachment["mediaType"]},
                "extensions": {"mediaType": attachment["mediaType"],
                               "fileSize": len(attachment["data"])},
                "_links": {"download": f"/download/attachments/{page.id}/{attachment['title']}"}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = WikiRequest(method, url.path, {k: v[-1] for k, v in parse_qs(url.query).items()},
                              {k.lower(): v for k, v in self.headers.items()}, body,
                              time=time.monotonic())
        answer = self.server.fake.handle(request)
        if answer is None:
            self.close_connection = True
            return
        status, headers, payload = answer
        request.status = status
        text = isinstance(payload, str)
        data = payload.encode() if text else json.dumps(payload).encode()
        self.send_response(status)
        headers = {"Content-Type": "text/plain" if text else "application/json", **headers}
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
