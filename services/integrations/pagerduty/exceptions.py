"""PagerDuty's domain errors. Registered so RPC callers (the gateway, the web UI) get
them under these names, with a message they can show to people as it is."""
from __future__ import annotations

from nameko.exceptions import deserialize_to_instance

from services.common.errors import DomainError


@deserialize_to_instance
class PagerDutyError(DomainError):
    """`message` is readable by users; `field` names the input at fault, if any."""


@deserialize_to_instance
class PagerDutyOff(PagerDutyError):
    """PagerDuty is not configured here (credentials missing or switched off)."""


@deserialize_to_instance
class InvalidPage(PagerDutyError):
    """The request itself is wrong (unknown service, urgency...)."""


@deserialize_to_instance
class PagerDutyUnavailable(PagerDutyError):
    """PagerDuty did not answer, or answered 5xx: the same request may pass later."""
