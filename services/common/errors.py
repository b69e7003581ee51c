"""The base of every service's domain errors: a message users can read as it is, and
the input at fault. Subclasses are registered with nameko's `deserialize_to_instance`
so RPC callers receive them under their own names."""
from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, field)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
