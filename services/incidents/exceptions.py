"""Domain errors. Registered so RPC callers receive them under these names."""
from __future__ import annotations

from nameko.exceptions import deserialize_to_instance


@deserialize_to_instance
class IncidentError(Exception):
    """Base: `message` is readable by users, `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, field)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


@deserialize_to_instance
class InvalidInput(IncidentError):
    pass


@deserialize_to_instance
class IncidentNotFound(IncidentError):
    pass
