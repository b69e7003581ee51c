"""Bounded, rate-limit-aware retries for vendor APIs called through `requests`.

A 429 means the request was not carried out, so it is retried for every method,
after the wait the vendor asks for in Retry-After (seconds, an HTTP date, or an ISO
8601 time as Zoom sends for daily limits). A wait longer than `max_wait`, or a daily
limit (`X-RateLimit-Type: Daily-limit`), is not waited for: the 429 goes back to the
caller. A 5xx is retried `server_error_retries` times, and only for
`server_error_methods`: a POST that failed with a 5xx may still have been carried out.

Every client's timeout has a default fit for its vendor; HTTP_TIMEOUT_SECONDS, when
set, replaces all of them (Slack's too): see `http_timeout`.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import time
from typing import Mapping

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

SERVER_ERRORS = frozenset({500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
TIMEOUT_KEY = "HTTP_TIMEOUT_SECONDS"


def http_timeout(config: Mapping, default: float) -> float:
    """The timeout of a client's outgoing HTTP calls: HTTP_TIMEOUT_SECONDS from the
    nameko config when set (one knob for Slack and every vendor), else `default`."""
    value = config.get(TIMEOUT_KEY)
    if value is None or str(value).strip() == "":
        return float(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{TIMEOUT_KEY} must be a positive number of seconds, got {value!r}")
    return seconds


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value; None when absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    now = time.time() if now is None else now
    if value.isdigit():
        return float(value)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return max(moment.timestamp() - now, 0.0)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(email.utils.mktime_tz(parsed) - now, 0.0)


class VendorRetry(Retry):
    """urllib3 Retry with the policy in the module docstring."""

    def __init__(self, *args, rate_limit_retries: int = 3,  # noqa: ANN002, ANN003
                 server_error_retries: int = 1, server_error_methods: frozenset[str] = IDEMPOTENT, max_wait: float = 30.0,
                 **kwargs) -> None:
        kwargs.setdefault("allowed_methods", None)  # decided in is_retry
        kwargs.setdefault("raise_on_status", False)  # the last answer reaches the caller
        kwargs.setdefault("respect_retry_after_header", True)
        super().__init__(*args, **kwargs)
        self.rate_limit_retries = rate_limit_retries
        self.server_error_retries = server_error_retries
        self.server_error_methods = frozenset(m.upper() for m in server_error_methods)
        self.max_wait = max_wait

    def new(self, **kw) -> "VendorRetry":  # noqa: ANN003
        retry = super().new(**kw)
        retry.rate_limit_retries = self.rate_limit_retries
        retry.server_error_retries = self.server_error_retries
        retry.server_error_methods = self.server_error_methods
        retry.max_wait = self.max_wait
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return sum(1 for h in self.history if h.status == 429) < self.rate_limit_retries
        if status_code in SERVER_ERRORS:
            used = sum(1 for h in self.history if h.status in SERVER_ERRORS)
            return method.upper() in self.server_error_methods and used < self.server_error_retries
        return False

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,  # noqa: ANN001
                  _stacktrace=None) -> "VendorRetry":  # noqa: ANN001
        if response is not None and response.status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            daily = response.headers.get("X-RateLimit-Type", "").lower().startswith("daily")
            if daily or (wait is not None and wait > self.max_wait):
                raise MaxRetryError(_pool, url, ResponseError("rate limited for too long"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_retry_after(self, response) -> float | None:  # noqa: ANN001
        return retry_after_seconds(response.headers.get("Retry-After"))

    def sleep_for_retry(self, response) -> bool:  # noqa: ANN001
        # urllib3 treats "Retry-After: 0" as absent and backs off; 0 means now.
        wait = self.get_retry_after(response)
        if wait is None:
            return False
        time.sleep(wait)
        return True

    def get_backoff_time(self) -> float:
        # urllib3 does not wait before the first retry; a vendor that just said 429
        # or 5xx without a Retry-After should get a breather.
        if not self.history:
            return 0.0
        return min(self.backoff_max, self.backoff_factor * 2 ** (len(self.history) - 1))


def vendor_session(rate_limit_retries: int = 3, server_error_retries: int = 1,
                   server_error_methods: frozenset[str] = IDEMPOTENT,
                   backoff_factor: float = 0.5, max_wait: float = 30.0) -> requests.Session:
    """A `requests` session whose every request follows the retry policy above."""
    # read=False: a timeout waiting for the answer is raised as such (ReadTimeout), never
    # retried: the request may be being carried out, and a hung vendor must not hold a
    # worker twice as long.
    retry = VendorRetry(total=rate_limit_retries + server_error_retries, connect=1, read=False,
                        redirect=3, status=rate_limit_retries + server_error_retries,
                        backoff_factor=backoff_factor, backoff_max=max_wait,
                        rate_limit_retries=rate_limit_retries,
                        server_error_retries=server_error_retries,
                        server_error_methods=server_error_methods, max_wait=max_wait)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
