"""Writes that race on a unique key.

Two clients posting the same crosswalk (or the same relation) at once both find nothing, and the
database's unique key lets only one insert win. The loser's transaction is rolled back whole, so
running the use case again is safe: the next attempt finds the winner's row and merges into it.
After a few attempts the caller gets a 409 instead of a server error.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from bondline.domain.errors import Conflict
from bondline.store import IntegrityViolation

P = ParamSpec("P")
T = TypeVar("T")
TRIES = 3


def retrying(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(TRIES):
            try:
                return await fn(*args, **kwargs)
            except IntegrityViolation:
                if attempt == TRIES - 1:
                    raise Conflict("A concurrent request changed the same objects; retry the request",
                                   reason="CONCURRENT_WRITE") from None
        raise AssertionError("unreachable")

    return wrapper
