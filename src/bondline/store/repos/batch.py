"""Looking many rows up by key in a few statements: ``IN (…)`` lists padded to a power of two, so
each size compiles once and the statement cache stays small (1, 2, 4, … 512 values per statement)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa

from bondline.store.base import Conn

CHUNK = 512
V = TypeVar("V")


def padded(n: int) -> int:
    size = 1
    while size < n:
        size *= 2
    return size


def chunks(values: list[V]) -> Iterable[list[V]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


_NAMES = tuple(f"v{i}" for i in range(CHUNK))


def in_params(chunk: list[Any]) -> tuple[int, dict[str, Any]]:
    size = padded(len(chunk))
    filled = chunk + [chunk[-1]] * (size - len(chunk))
    return size, dict(zip(_NAMES, filled, strict=False))


def vals(n: int) -> list[sa.BindParameter[Any]]:
    """`n` bind parameters v0 … v{n-1}, for an ``IN`` list built by `many`."""
    return [sa.bindparam(f"v{i}") for i in range(n)]


async def many(conn: Conn, build: Callable[[int], sa.ClauseElement], values: Iterable[Any],
               params: dict[str, Any]) -> list[Any]:
    """Rows of `build(size)` (a statement with an ``IN`` list of `size` parameters, cached per size
    by the caller) for every distinct value, in chunks of at most `CHUNK`."""
    rows: list[Any] = []
    for chunk in chunks(sorted(set(values))):
        size, extra = in_params(chunk)
        rows.extend(await conn.all(build(size), {**params, **extra}))
    return rows


async def many_cached(conn: Conn, build: Callable[[int], sa.ClauseElement], values: Iterable[Any],
                      params: dict[str, Any], parse: Callable[[Any], tuple[Any, ...]]) -> list[Any]:
    """`many`, on the terms of `Conn.all_cached`: each chunk's rows as `parse` turns them (a tuple
    of what may be shared, read-only, between requests), which the read cache may answer while
    nothing has been committed. For statements whose answer depends on the rows and `params` alone."""
    found: list[Any] = []
    for chunk in chunks(sorted(set(values))):
        size, extra = in_params(chunk)
        found.extend(await conn.all_cached(build(size), {**params, **extra}, parse))
    return found


def cached(build: Callable[[int], sa.Select[Any]]) -> Callable[[int], sa.Select[Any]]:
    """Cache a statement builder per `IN` list size (the statement cache keys on identity)."""
    return functools.lru_cache(maxsize=16)(build)
