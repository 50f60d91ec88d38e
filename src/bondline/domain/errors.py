"""Errors the domain raises; each wire dialect renders them in its API's own error body.

A class says what went wrong, in the domain's terms; which HTTP status that is, is the HTTP layer's
business (`bondline.http.errors` maps each class to one, and a dialect may answer differently where
its vendor does). `reason` is a stable machine-readable name (e.g. ``OBJECT_NOT_FOUND``) that
dialects may map to their own codes; `message` is for humans and never contains secrets.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    default_reason = "INVALID_REQUEST"

    def __init__(self, message: str, *, reason: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.details = details


class Invalid(DomainError):
    """The request is wrong as sent: a bad value, a missing field, a rule it breaks."""

    default_reason = "INVALID_REQUEST"


class Unauthenticated(DomainError):
    """No caller was established: credentials missing, malformed, wrong, revoked or expired."""

    default_reason = "UNAUTHENTICATED"


class Forbidden(DomainError):
    """The caller may not do this (or, where the vendor answers so, see what it names)."""

    default_reason = "FORBIDDEN"


class NotFound(DomainError):
    """Nothing the caller may see goes by that name."""

    default_reason = "OBJECT_NOT_FOUND"


class MethodNotAllowed(DomainError):
    """The resource exists but does not take this operation."""

    default_reason = "METHOD_NOT_ALLOWED"


class RequestTimeout(DomainError):
    """The request's body did not arrive in time."""

    default_reason = "REQUEST_TIMEOUT"


class Conflict(DomainError):
    """The request contradicts the current state (a stale version, a duplicate, a clash)."""

    default_reason = "CONFLICT"


class TooLarge(DomainError):
    """The request is bigger than bondline takes."""

    default_reason = "REQUEST_TOO_LARGE"


class UnsupportedMediaType(DomainError):
    """A body in a format the endpoint does not take (e.g. a form sent where JSON is expected)."""

    default_reason = "UNSUPPORTED_MEDIA_TYPE"


class Internal(DomainError):
    """Something failed that the caller cannot fix; the message carries only an incident id."""

    default_reason = "INTERNAL"


class Unsupported(DomainError):
    """A request the vendor's API takes that bondline does not implement."""

    default_reason = "NOT_IMPLEMENTED"


def is_decimal(text: str) -> bool:
    """ASCII digits only. (`str.isdigit()` also accepts '¹' and other digits `int()` refuses.)"""
    return text.isascii() and text.isdigit()


class Busy(DomainError):
    """The store is locked by another writer for longer than its busy timeout: try again shortly."""

    default_reason = "DATABASE_BUSY"
    retry_after = 1  # seconds a client should wait before trying again (the dialects send it)


class Unavailable(DomainError):
    """The store cannot be reached or did not answer in time: refused, shut down, out of
    connections or disk, hung past a timeout. Nothing was committed by the request that got it
    (or, for a commit that timed out, all or nothing was, as the database decides)."""

    default_reason = "DATABASE_UNAVAILABLE"
    retry_after = 5
