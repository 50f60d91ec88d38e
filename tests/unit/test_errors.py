"""Domain errors say what went wrong; which HTTP status that is, is the HTTP layer's (`bondline.http.errors`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import bondline
from bondline.domain.errors import DomainError
from bondline.http import errors


def _subclasses(cls: type[DomainError]) -> Iterator[type[DomainError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _every_domain_error() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(bondline.__path__, "bondline."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):  # alembic's env runs on import
            importlib.import_module(module.name)
    return list(_subclasses(DomainError))


def test_every_domain_error_has_a_status_in_the_table_and_carries_none() -> None:
    found = _every_domain_error()
    assert len(found) >= 17
    for cls in found:
        name = f"{cls.__module__}.{cls.__qualname__}"
        assert not hasattr(cls, "status"), f"{name} carries an HTTP status"
        decided_by = next(c for c in cls.__mro__ if c in errors.STATUS)
        assert decided_by is not DomainError, f"{name} has no status of its own in bondline.http.errors.STATUS"
        assert 400 <= errors.status_for(cls) <= 599


def test_the_default_statuses() -> None:
    statuses = {f"{cls.__module__}.{cls.__qualname__}": errors.status_for(cls) for cls in _every_domain_error()}
    assert statuses.items() >= {
        "bondline.domain.errors.Invalid": 400,
        "bondline.seedfile.document.InvalidSeed": 400,
        "bondline.services.reltio.oauth.OAuthError": 400,  # the OAuth dialect answers some of its codes with 401
        "bondline.domain.errors.Unauthenticated": 401,
        "bondline.domain.errors.Forbidden": 403,
        "bondline.ui.routes.CsrfFailed": 403,
        "bondline.domain.errors.NotFound": 404,
        "bondline.domain.errors.MethodNotAllowed": 405,
        "bondline.domain.errors.RequestTimeout": 408,
        "bondline.domain.errors.Conflict": 409,
        "bondline.domain.errors.TooLarge": 413,
        "bondline.domain.errors.UnsupportedMediaType": 415,
        "bondline.domain.errors.Internal": 500,
        "bondline.domain.errors.Unsupported": 501,
        "bondline.domain.errors.Busy": 503,
        "bondline.domain.errors.Unavailable": 503,
        "bondline.dialects.native.health.NotReady": 503,
    }.items()
