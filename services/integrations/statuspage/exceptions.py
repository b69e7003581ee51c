"""Statuspage's domain errors, registered so RPC callers get them under these names
with a message they can show to people as it is."""
from __future__ import annotations

from nameko.exceptions import deserialize_to_instance

from services.common.errors import DomainError


@deserialize_to_instance
class StatuspageError(DomainError):
    """`message` is readable by users; `field` names the input at fault, if any."""


@deserialize_to_instance
class StatuspageOff(StatuspageError):
    """Statuspage is not configured here (credentials missing or switched off)."""


@deserialize_to_instance
class InvalidStatuspageInput(StatuspageError):
    """A status, component or text that Statuspage would refuse."""


@deserialize_to_instance
class NoStatuspageIncident(StatuspageError):
    """The incident has no open Statuspage incident to update."""


@deserialize_to_instance
class StatuspageInDoubt(StatuspageError):
    """Statuspage did not answer, or failed (5xx): a write may have been carried out."""
