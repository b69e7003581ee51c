"""Errors the web answers with: a status and a message people can read. The API turns
them into JSON, the UI into a page or a flash message."""
from __future__ import annotations


class WebError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict:
        body = {"error": self.message, "status": self.status}
        if self.field:
            body["field"] = self.field
        return body


class InvalidRequest(WebError):
    status = 400


class Unauthorized(WebError):
    status = 401


class Forbidden(WebError):
    status = 403


class NotFound(WebError):
    status = 404


class Conflict(WebError):
    status = 409


class TooManyRequests(WebError):
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(WebError):
    """A service the page needs does not answer (or is not configured)."""

    status = 503


class UpstreamFailed(WebError):
    """A service answered with an unexpected error: a bug there, not bad input here."""

    status = 502
