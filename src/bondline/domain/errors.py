"""Errors the domain raises; each wire dialect renders them in its API's own error body.

`reason` is a stable machine-readable name (e.g. ``OBJECT_NOT_FOUND``) that dialects may map to
their own codes; `message` is for humans and never contains secrets.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    default_reason = "INVALID_REQUEST"

    def __init__(self, message: str, *, reason: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.details = details


class Invalid(DomainError):
    status = 400
    default_reason = "INVALID_REQUEST"


class Unauthenticated(DomainError):
    status = 401
    default_reason = "UNAUTHENTICATED"


class Forbidden(DomainError):
    status = 403
    default_reason = "FORBIDDEN"


class NotFound(DomainError):
    status = 404
    default_reason = "OBJECT_NOT_FOUND"


class MethodNotAllowed(DomainError):
    status = 405
    default_reason = "METHOD_NOT_ALLOWED"


class RequestTimeout(DomainError):
    """The request's body did not arrive in time."""

    status = 408
    default_reason = "REQUEST_TIMEOUT"


class Conflict(DomainError):
    status = 409
    default_reason = "CONFLICT"


class TooLarge(DomainError):
    status = 413
    default_reason = "REQUEST_TOO_LARGE"


class UnsupportedMediaType(DomainError):
    """A body in a format the endpoint does not take (e.g. a form sent where JSON is expected)."""

    status = 415
    default_reason = "UNSUPPORTED_MEDIA_TYPE"


class Internal(DomainError):
    """Something failed that the caller cannot fix; the message carries only an incident id."""

    status = 500
    default_reason = "INTERNAL"


class Unsupported(DomainError):
    status = 501
    default_reason = "NOT_IMPLEMENTED"


def is_decimal(text: str) -> bool:
    """ASCII digits only. (`str.isdigit()` also accepts '¹' and other digits `int()` refuses.)"""
    return text.isascii() and text.isdigit()
