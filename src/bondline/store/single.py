"""One transaction for many use cases.

Loading a seed file runs dozens of services (add a user, create a space, a page, its versions…),
each of which opens its own unit of work. `single_transaction(store)` hands them a store whose
every `read()` and `write()` is the same open write transaction: they see each other's writes, and
the whole load commits at the end or not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from bondline.domain.audit import Actor
from bondline.store.base import Store
from bondline.store.unit import Tx

T = TypeVar("T")


class _Same:
    """A unit of work inside the shared one: what it records names its own actor."""

    __slots__ = ("tx", "actor", "outer_actor")

    def __init__(self, tx: Tx, actor: Actor | None) -> None:
        self.tx = tx
        self.actor = actor

    async def __aenter__(self) -> Tx:
        self.outer_actor = self.tx.actor
        if self.actor is not None:
            self.tx.actor = self.actor
        return self.tx

    async def __aexit__(self, *exc: object) -> None:
        self.tx.actor = self.outer_actor


class SingleTransaction(Store):
    """A store whose units of work all share one transaction of another store."""

    def __init__(self, outer: Store, tx: Tx) -> None:
        super().__init__()
        self.outer = outer
        self.kind = outer.kind
        self.tx = tx

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def read(self) -> _Same:
        return _Same(self.tx, None)

    def write(self, actor: Actor) -> _Same:
        return _Same(self.tx, actor)

    async def run_long(self, actor: Actor, job: Callable[[Tx], Awaitable[T]]) -> T:
        async with _Same(self.tx, actor) as tx:
            return await job(tx)

    def pool_stats(self) -> dict[str, int]:
        return self.outer.pool_stats()

    async def wipe(self) -> None:
        raise NotImplementedError("wipe the outer store, outside a transaction")


@contextlib.asynccontextmanager
async def single_transaction(store: Store, actor: Actor) -> AsyncIterator[SingleTransaction]:
    async with store.write(actor) as tx:
        yield SingleTransaction(store, tx)
