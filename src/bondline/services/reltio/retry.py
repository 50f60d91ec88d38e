"""Writes that race on a unique key.

Two clients posting the same crosswalk (or the same relation) at once both find nothing, and the
database's unique key lets only one insert win. The loser's transaction is rolled back whole, so
running the use case again is safe: the next attempt finds the winner's row and merges into it.
After a few attempts the caller gets a 409 instead of a server error.
"""

from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable, TypeVar

from bondline.domain.errors import Conflict
from bondline.store import IntegrityViolation

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
TRIES = 3


def retrying(fn: F) -> F:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(TRIES):
            try:
                return await fn(*args, **kwargs)
            except IntegrityViolation:
                if attempt == TRIES - 1:
                    raise Conflict("A concurrent request changed the same objects; retry the request",
                                   reason="CONCURRENT_WRITE") from None
        raise AssertionError("unreachable")

    return wrapper  # type: ignore[return-value]
