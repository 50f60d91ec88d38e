"""Errors the SDK raises. Every API error carries the status code and the API's own error body
(Confluence's, Reltio's or bondline's), so callers can look at exactly what the server said."""

from __future__ import annotations

from typing import Any


class BondlineError(Exception):
    """Base class of everything the SDK raises."""


class TransportError(BondlineError):
    """The server could not be reached (connection refused, timeout, dropped connection)."""


class ApiError(BondlineError):
    """The server answered with an error status."""

    def __init__(self, status_code: int, body: Any, method: str = "", url: str = "") -> None:
        self.status_code = status_code
        self.body = body
        self.method = method
        self.url = url
        super().__init__(f"{status_code} from {method} {url}: {self.message}")

    @property
    def message(self) -> str:
        """The human-readable message, wherever the API puts it."""
        body = self.body
        if isinstance(body, dict):
            if "message" in body:  # Confluence
                return str(body["message"])
            if "errorMessage" in body:  # Reltio
                return str(body["errorMessage"])
            if "error_description" in body:  # OAuth / Reltio 401
                return str(body["error_description"])
            if isinstance(body.get("error"), dict):  # bondline
                return str(body["error"].get("message", ""))
        return str(body)[:500] if body else ""


class BadRequest(ApiError):
    """400: the request was malformed or invalid."""


class Unauthorized(ApiError):
    """401: missing, wrong, revoked or expired credentials."""


class Forbidden(ApiError):
    """403: the caller may not do this (also: missing XSRF header on watch writes)."""


class NotFound(ApiError):
    """404: no such object (or the caller may not see it)."""


class Conflict(ApiError):
    """409: e.g. a content update that did not carry the next version number."""


class PayloadTooLarge(ApiError):
    """413: the request body is over the server's limit."""


class RateLimited(ApiError):
    """429: too many requests (raised once retries are exhausted)."""


class NotImplementedByApi(ApiError):
    """501: the operation is not supported (e.g. listing favourites through Confluence's list API)."""


class ServiceUnavailable(ApiError):
    """503: the server is busy (raised once retries are exhausted)."""


class ServerError(ApiError):
    """Any other 5xx."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 413: PayloadTooLarge,
    429: RateLimited, 501: NotImplementedByApi, 503: ServiceUnavailable,
}


def error_for(status_code: int, body: Any, method: str, url: str) -> ApiError:
    cls = _BY_STATUS.get(status_code) or (ServerError if status_code >= 500 else ApiError)
    return cls(status_code, body, method, url)
