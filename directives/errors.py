"""Domain errors. Views answer them with a clear message (HTTP 409 for conflicts, 400 for bad
input, 403 for refusals), never a 500."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request; nothing was written."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.context = context

    def __str__(self) -> str:
        return self.message

    def named(self, field: str) -> DomainError:
        """The same refusal (its class, message and context) naming ``field``, for a caller that knows where
        the value sat in its own input (``obligations.0.deadline_at``); raise it ``from`` this one."""
        return type(self)(self.message, field=field, **self.context)


class InvalidInput(DomainError):
    code = "invalid"


class InconsistentInput(InvalidInput):
    """Each value well-formed, but two of them disagree: business hours that open at or after they close, a
    preset's day end that the preset does not allow (HTTP 422). A rule between fields that the API's schema
    cannot state, told apart from a malformed value (400); ``field`` names the one to change."""

    status_code = 422
    code = "inconsistent"


class Conflict(InvalidInput):
    """Well-formed, but the records as they are now refuse it: a name or reference taken, a product already
    named, a calendar already counted in (HTTP 409, like a refused transition)."""

    status_code = 409
    code = "conflict"


class InvalidTransition(DomainError):
    status_code = 409
    code = "invalid_transition"


class StaleVersion(DomainError):
    """Someone changed the record since the client read it (optimistic concurrency)."""

    status_code = 409
    code = "stale_version"


class NotAllowed(DomainError):
    status_code = 403
    code = "not_allowed"
