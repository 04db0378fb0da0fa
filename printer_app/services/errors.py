"""Errors the domain raises so every caller (UI, CLI, API, workers) can show a clear message."""

from __future__ import annotations

from datetime import datetime


class DomainValidationError(ValueError):
    """Input was rejected; `errors` maps a field name (or "form") to a human message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k != "form" else v for k, v in errors.items()))


class NotFoundError(LookupError):
    """The requested object does not exist (or no longer exists)."""


class ConflictError(DomainValidationError):
    """A save from a form loaded before someone else's change: refused, so that change is not silently undone."""

    def __init__(self, message: str, *, changed_by: str, changed_at: datetime | None):
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__({"form": message})
