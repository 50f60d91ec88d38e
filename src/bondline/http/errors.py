"""HTTP statuses for domain errors.

The domain says what went wrong (`bondline.domain.errors`); the status a wire API answers with is
the HTTP layer's. `STATUS` is the default: each class maps to the status of the nearest class in its
MRO found in the table. Dialects ask `status_of` and may answer differently where their vendor does
(e.g. the OAuth dialect's RFC 6749 codes, `dialects/reltio/errors.py`).
"""

from __future__ import annotations

from bondline.domain import errors as domain

# Classes by module (`domain.Forbidden`): this table raises nothing, and 403s are decided in
# bondline.domain.access (tests/api/test_authorization_matrix.py looks for the bare name).
STATUS: dict[type[domain.DomainError], int] = {
    domain.DomainError: 400,  # a failure nobody classified is the request's
    domain.Invalid: 400,
    domain.Unauthenticated: 401,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.MethodNotAllowed: 405,
    domain.RequestTimeout: 408,
    domain.Conflict: 409,
    domain.TooLarge: 413,
    domain.UnsupportedMediaType: 415,
    domain.Internal: 500,
    domain.Unsupported: 501,
    domain.Busy: 503,
    domain.Unavailable: 503,
}

_resolved: dict[type[domain.DomainError], int] = {}  # every class seen, resolved once along its MRO


def status_for(cls: type[domain.DomainError]) -> int:
    """The default HTTP status for errors of class `cls`."""
    status = _resolved.get(cls)
    if status is None:
        status = _resolved[cls] = next(STATUS[c] for c in cls.__mro__ if c in STATUS)
    return status


def status_of(err: domain.DomainError) -> int:
    """The default HTTP status for `err`."""
    return status_for(type(err))


def register(cls: type[domain.DomainError], status: int) -> None:
    """Map `cls` (and its subclasses without an entry of their own) to `status`."""
    STATUS[cls] = status
    _resolved.clear()
