"""The web's only way to other services: RPC through pooled standalone proxies. Remote
domain errors become web errors with the right status; a service that does not
answer becomes 503, never 500."""
from __future__ import annotations

import time
from typing import Any

import eventlet
from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService

from services.common.bus import RpcPool, RpcUnavailable
from services.incidents.exceptions import IncidentError, IncidentNotFound
from services.web.errors import InvalidRequest, NotFound, Unavailable, UpstreamFailed, WebError

UNREACHABLE = (RpcTimeout, RpcUnavailable, UnknownService, OSError, KombuError, AMQPError)
# What SQLAlchemy raises in `incidents` while PostgreSQL restarts or is unreachable.
DATABASE_AWAY = frozenset({"OperationalError", "InterfaceError", "DisconnectionError",
                           "PendingRollbackError"})
PAGERDUTY_OFF = "PagerDuty is not configured"
PAGERDUTY_STATUS_SECONDS = 15.0


def _name(exc: BaseException) -> str:
    return exc.exc_type if isinstance(exc, RemoteError) else type(exc).__name__


def _message(exc: BaseException) -> str:
    return getattr(exc, "message", None) or (exc.value if isinstance(exc, RemoteError)
                                             else str(exc))


class Backend:
    """`backend.incidents("get_incident", 3)`; `backend.pagerduty("list_oncalls")`."""

    def __init__(self, rpc: RpcPool, pagerduty_rpc: RpcPool | None = None):
        self.rpc = rpc
        self.pagerduty_rpc = pagerduty_rpc or rpc
        self.pagerduty_status_seconds = PAGERDUTY_STATUS_SECONDS
        self._pagerduty_checked_until = 0.0
        self._pagerduty_problem: str | None = None

    def incidents(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            with self.rpc.cluster() as cluster:
                return getattr(cluster.incidents, method)(*args, **kwargs)
        except IncidentNotFound as exc:
            raise NotFound(exc.message, exc.field)
        except IncidentError as exc:
            raise InvalidRequest(exc.message, exc.field)
        except UNREACHABLE:
            raise Unavailable("The incidents service is not answering; try again shortly.")
        except RemoteError as exc:
            if exc.exc_type in DATABASE_AWAY:
                raise Unavailable("The incidents database is not answering; nothing was "
                                  "changed. Try again shortly.")
            raise UpstreamFailed(f"The incidents service failed ({exc.exc_type}).")

    def parallel(self, **calls: tuple) -> dict:
        """Several incidents RPCs at once: name=(method, *args) -> name: result."""
        pool = eventlet.GreenPool(len(calls))
        threads = {name: pool.spawn(self._answer, call) for name, call in calls.items()}
        answers = {name: thread.wait() for name, thread in threads.items()}
        for answer in answers.values():
            if isinstance(answer, WebError):
                raise answer
        return answers

    def _answer(self, call: tuple) -> Any:
        # Returned, not raised: eventlet's hub prints what a green thread raises.
        try:
            return self.incidents(*call)
        except WebError as exc:
            return exc

    def pagerduty(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """PagerDuty RPC with a short timeout; absent or switched off -> Unavailable."""
        self._require_pagerduty()
        return self._call_pagerduty(method, *args, **kwargs)

    def _require_pagerduty(self) -> None:
        """The pagerduty service answers and says it is enabled (remembered briefly: an
        absent service would otherwise cost every page the RPC timeout)."""
        now = time.monotonic()
        if now >= self._pagerduty_checked_until:
            try:
                status = self._call_pagerduty("get_status")
                off = isinstance(status, dict) and status.get("enabled") is False
                self._pagerduty_problem = PAGERDUTY_OFF if off else None
            except Unavailable as exc:
                self._pagerduty_problem = exc.message
            self._pagerduty_checked_until = now + self.pagerduty_status_seconds
        if self._pagerduty_problem:
            raise Unavailable(self._pagerduty_problem)

    def _call_pagerduty(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            with self.pagerduty_rpc.cluster() as cluster:
                return getattr(cluster.pagerduty, method)(*args, **kwargs)
        except UNREACHABLE:
            raise Unavailable(PAGERDUTY_OFF)
        except Exception as exc:
            raise self._pagerduty_error(exc) from None

    @staticmethod
    def _pagerduty_error(exc: Exception) -> Exception:
        name = _name(exc)
        if name == "PagerDutyOff":
            return Unavailable(PAGERDUTY_OFF)
        if name in ("MethodNotFound", "IncorrectSignature"):  # an older pagerduty service
            return Unavailable(f"{PAGERDUTY_OFF} (this PagerDuty service lacks {name})")
        if name.startswith("PagerDuty") or name.startswith("Invalid"):
            return InvalidRequest(_message(exc), getattr(exc, "field", None))
        return UpstreamFailed(f"The PagerDuty service failed ({name}).")
