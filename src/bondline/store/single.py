"""One transaction for many use cases.

Loading a seed file runs dozens of services (add a user, create a space, a page, its versions…),
each of which opens its own unit of work. `single_transaction(store)` hands them a store whose
every `read()` and `write()` is the same open write transaction: they see each other's writes, and
the whole load commits at the end or not at all.
"""

from __future__ import annotations

import contextlib
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

from bondline.store.base import Store
from bondline.store.unit import Tx

T = TypeVar("T")


class _Same:
    __slots__ = ("tx",)

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def __aenter__(self) -> Tx:
        return self.tx

    async def __aexit__(self, *exc: object) -> None:
        return None


class SingleTransaction(Store):
    """A store whose units of work all share one transaction of another store."""

    def __init__(self, outer: Store, tx: Tx) -> None:
        self.outer = outer
        self.kind = outer.kind
        self.tx = tx

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def read(self) -> Any:
        return _Same(self.tx)

    def write(self) -> Any:
        return _Same(self.tx)

    async def run_long(self, job: Callable[[Any], Awaitable[T]]) -> T:
        return await job(self.tx)

    def pool_stats(self) -> dict[str, int]:
        return self.outer.pool_stats()

    async def wipe(self) -> None:
        raise NotImplementedError("wipe the outer store, outside a transaction")


@contextlib.asynccontextmanager
async def single_transaction(store: Store) -> AsyncIterator[SingleTransaction]:
    async with store.write() as tx:
        yield SingleTransaction(store, tx)
