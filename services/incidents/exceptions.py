"""Domain errors. Registered so RPC callers receive them under these names."""
from __future__ import annotations

from nameko.exceptions import deserialize_to_instance

from services.common.errors import DomainError


@deserialize_to_instance
class IncidentError(DomainError):
    """Base: `message` is readable by users, `field` names the input at fault."""


@deserialize_to_instance
class InvalidInput(IncidentError):
    pass


@deserialize_to_instance
class IncidentNotFound(IncidentError):
    pass
