"""Statuspage's domain errors, registered so RPC callers get them under these names
with a message they can show to people as it is."""
from __future__ import annotations

from nameko.exceptions import deserialize_to_instance


@deserialize_to_instance
class StatuspageError(Exception):
    """`message` is readable by users; `field` names the input at fault, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, field)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


@deserialize_to_instance
class StatuspageOff(StatuspageError):
    """Statuspage is not configured here (credentials missing or switched off)."""


@deserialize_to_instance
class InvalidStatuspageInput(StatuspageError):
    """A status, component or text that Statuspage would refuse."""


@deserialize_to_instance
class NoStatuspageIncident(StatuspageError):
    """The incident has no open Statuspage incident to update."""
