"""A Confluence Server/Data Center REST v1 fake over real HTTP, for atlassian-python-api.

    with ConfluenceFake() as wiki:
        wiki.add_space("ENG"); parent = wiki.add_page("ENG", "Postmortems")
        Confluence(url=wiki.url, username=wiki.username, password=wiki.token, cloud=False)

Speaks what postmortems use: `GET /rest/api/content?spaceKey&title`, `POST /rest/api/content`
(storage-format body must be well-formed XML with the ac:/ri: prefixes; a title taken in
the space -> 400), `GET /rest/api/content/{id}`, `GET|POST /rest/api/content/{id}/child/attachment`
(multipart, X-Atlassian-Token: no-check; a taken file name -> 400). Basic auth or 401.
Records every request with its body; `fail()` answers 429/5xx, `hang()` holds requests and
then drops them undone, `lose_answer()` carries one out and drops its answer. Faults are
keyed by op: search, create, get, update, attachments, attach. The plumbing is JsonApiFake's.
"""
from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.fakes.json_api_fake import ApiError, JsonApiFake, Recorded, Request

STORAGE_ROOT = ('<root xmlns:ac="http://atlassian.com/content" '
                'xmlns:ri="http://atlassian.com/resource/identifier">{}</root>')
Reply = tuple[int, Any]  # status, payload


@dataclass
class WikiRequest(Recorded):
    """A request to the fake; `query` keeps the last value of each name."""

    def __post_init__(self) -> None:
        self.query = {k: v[-1] for k, v in self.query.items()}

    @property
    def op(self) -> str:
        return self.route  # "search", "create", "get", "attach"... or "unknown"


@dataclass
class Page:
    id: str
    space: str
    title: str
    body: str
    ancestors: list[str]
    attachments: list[dict] = field(default_factory=list)


def error(status: int, message: str) -> ApiError:
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               415: "Unsupported Media Type", 429: "Too Many Requests"}
    return ApiError(status, {"statusCode": status, "data": {"authorized": status != 401,
                                                            "valid": False, "errors": []},
                             "message": message, "reason": reasons.get(status, "Server Error")})


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p][3:]  # after rest/api/content


class ConfluenceFake(JsonApiFake):
    name = "confluence"
    methods = ("GET", "POST", "PUT")
    content_type = "application/json"
    record_type = WikiRequest
    default_retry_after = None
    hang_then = "drop"  # Confluence did nothing: the request is dropped undone

    def __init__(self, username: str = "bot@example.com", token: str = "confluence-token-test"):
        super().__init__()
        self.username, self.token = username, token
        self.spaces: dict[str, str] = {}
        self.pages: dict[str, Page] = {}
        self._next_id = 65_600

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
        super().fail(op, status, retry_after, times)

    def calls(self, op: str | None = None) -> list[WikiRequest]:
        return self.calls_to(op)

    # serving ------------------------------------------------------------------------------
    def route_of(self, request: Request) -> str:
        method, parts = request.method, _parts(request.path)
        if not request.path.startswith("/rest/api/content"):
            return "unknown"
        if not parts:
            return {"GET": "search", "POST": "create"}.get(method, "unknown")
        if parts[1:] == ["child", "attachment"]:
            return {"GET": "attachments", "POST": "attach"}.get(method, "unknown")
        if len(parts) == 1:
            return {"GET": "get", "PUT": "update"}.get(method, "unknown")
        return "unknown"

    def error_body(self, status: int) -> Any:
        return error(status, "Service Unavailable" if status >= 500
                     else "Rate limit exceeded").body

    def dispatch(self, request: Request) -> Reply:
        expected = base64.b64encode(f"{self.username}:{self.token}".encode()).decode()
        if request.header("Authorization") != f"Basic {expected}":
            raise ApiError(401, "Basic Authentication Failure", {"Content-Type": "text/html"})
        op = self.route_of(request)
        return getattr(self, f"_{op}", self._unknown)(request, _parts(request.path))

    def _unknown(self, request: Request, parts: list[str]) -> Reply:
        raise error(404, f"null for uri: {request.path}")

    def _search(self, request: Request, parts: list[str]) -> Reply:
        space, title = request.arg("spaceKey"), request.arg("title")
        found = [p for p in self.pages.values() if space in (None, p.space)
                 and (title is None or p.title.casefold() == title.casefold())]
        return 200, {"results": [self._content(p) for p in found], "start": 0,
                     "limit": 25, "size": len(found), "_links": {"base": self.url}}

    def _get(self, request: Request, parts: list[str]) -> Reply:
        return 200, self._content(self._page(parts[0]))

    def _update(self, request: Request, parts: list[str]) -> Reply:
        if "multipart/form-data" in (request.header("Content-Type") or ""):
            raise error(415, "Unsupported Media Type: multipart/form-data")
        raise error(400, "Updating content is not part of this fake")

    def _create(self, request: Request, parts: list[str]) -> Reply:
        data = request.json() or {}
        space = (data.get("space") or {}).get("key")
        title = (data.get("title") or "").strip()
        body = ((data.get("body") or {}).get("storage") or {}).get("value")
        if data.get("type") != "page" or not title or body is None:
            raise error(400, "A page needs a type, a title and a storage body")
        if space not in self.spaces:
            raise error(404, f"No space with key : {space}")
        if len(title) > 255:
            raise error(400, "Title cannot be longer than 255 characters.")
        if any(p.space == space and p.title.casefold() == title.casefold()
               for p in self.pages.values()):
            raise error(400, "A page with this title already exists: A page already exists "
                             f"with the title {title} in the space with key {space}")
        try:
            ET.fromstring(STORAGE_ROOT.format(body))
        except ET.ParseError as exc:
            raise error(400, f"Error parsing xhtml: {exc}") from None
        ancestors = [a.get("id") for a in data.get("ancestors") or []]
        parent = self.pages.get(ancestors[-1]) if ancestors else None
        if ancestors and (parent is None or parent.space != space):
            raise error(404, f"No content found with id: ContentId{{id={ancestors[-1]}}}")
        page_id = self.add_page(space, title, body, parent.id if parent else None)
        return 200, self._content(self.pages[page_id], with_body=True)

    def _attachments(self, request: Request, parts: list[str]) -> Reply:
        page = self._page(parts[0])
        name = request.arg("filename")
        found = [self._attachment(page, a) for a in page.attachments
                 if name in (None, a["title"])]
        return 200, {"results": found, "start": 0, "limit": 50, "size": len(found)}

    def _attach(self, request: Request, parts: list[str]) -> Reply:
        page = self._page(parts[0])
        if request.header("X-Atlassian-Token") != "no-check":
            raise ApiError(403, "XSRF check failed")
        ctype = request.header("Content-Type") or ""
        if "multipart/form-data" not in ctype:
            raise error(415, f"Unsupported Media Type: {ctype}")
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + request.raw)
        created = []
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") != "file":
                continue
            name = part.get_filename()
            if any(a["title"] == name for a in page.attachments):
                raise error(400, "Cannot add a new attachment with same file name as an "
                                 f"existing object: {name}")
            self._next_id += 1
            attachment = {"id": f"att{self._next_id}", "title": name,
                          "mediaType": part.get_content_type(),
                          "data": part.get_payload(decode=True)}
            page.attachments.append(attachment)
            created.append(self._attachment(page, attachment))
        if not created:
            raise error(400, "No file part in the request")
        return 200, {"results": created, "size": len(created)}

    def _page(self, page_id: str) -> Page:
        page = self.pages.get(page_id)
        if page is None:
            raise error(404, f"No content found with id: ContentId{{id={page_id}}}")
        return page

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

