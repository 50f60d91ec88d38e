"""PostgreSQL's answer to "has anything been committed since?", one query shared by many requests.

Why: a relation check on PostgreSQL is one indexed statement, but the worker pays for a pool
connection, a round trip and asyncpg's protocol around it, and the database pays for planning and
running it — under load that is most of what a read costs. Remembering the answer in the worker
(`readcache.ReadCache`, as SQLite's reader does) is only allowed while nothing has been committed
since it was read, by any worker on any machine: a stale read after a committed write is a bug.

How: PostgreSQL's own snapshot is that version. `pg_current_snapshot()` is ``xmin:xmax:xip-list``,
the horizon and the transactions still in progress as the statement sees them. Every transaction
that writes has a transaction id, and committing (or aborting) it either raises ``xmax`` (it was
the newest to finish) or takes it out of the in-progress list; read-only transactions have no id
and change nothing. So two snapshots that print the same make exactly the same rows visible: what
a statement read under the first, it would read again under the second. Nothing has to be written
for this — no version row that every writer would have to lock, no trigger — and it holds for
writes from other workers, other machines and other programs alike (one of those only empties the
cache more often than needed).

The order keeps it correct, the same rule as SQLite's header: a request asks for the snapshot and
waits for one taken *after* it asked; a row it then reads is filed under that snapshot. A commit
acknowledged before the request arrived is in that snapshot (PostgreSQL makes a commit visible
before it acknowledges it), so the cache is emptied if the row was read before it. A commit that
lands between the snapshot and the statement files the row under a snapshot that can never be seen
again (the commit is in every later one), so the row is never served.

What it saves: one snapshot query answers every request that asked before it was sent, so with 32
requests in flight one round trip serves many of them, and a hit needs no connection at all. What
it costs: a miss waits for the snapshot before its own statement, and under steady writes (every
commit empties the cache) most reads miss — random relation GETs while PUTs committed ran at 0.85×
with the cache than without. `readcache.Payoff` therefore sends reads past the cache while it is not
hitting; one read in 32 still tries it (one in 8 still cost 0.86×; one in 32: 1.02× against the
same build with the cache off, decision 0012).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

SNAPSHOT_SQL = "SELECT pg_current_snapshot()::text"  # PostgreSQL 13+; older: txid_current_snapshot()
LEGACY_SNAPSHOT_SQL = "SELECT txid_current_snapshot()::text"


class Snapshots:
    """The database's current snapshot, for any number of callers, one query at a time.

    `current()` waits for the first query sent after it was called; callers that arrive while a
    query is in flight share the next one."""

    __slots__ = ("_acquire", "_release", "_sql", "_waiting", "_task")

    def __init__(self, acquire: Callable[[], Awaitable[asyncpg.Connection]],
                 release: Callable[[asyncpg.Connection], None], sql: str = SNAPSHOT_SQL) -> None:
        self._acquire = acquire
        self._release = release
        self._sql = sql
        self._waiting: list[asyncio.Future[str]] = []
        # The query's task while one runs (held: the event loop keeps only weak references to tasks).
        self._task: asyncio.Task[None] | None = None

    async def current(self) -> str:
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._query())
        return await waiter

    async def _query(self) -> None:
        """One snapshot for the callers waiting when it is sent; then again while any are left."""
        try:
            while self._waiting:
                try:
                    conn = await self._acquire()
                except BaseException as exc:
                    _fail(self._take(), exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                try:
                    # Taken after the connection: everyone in `batch` asked before this query is sent.
                    batch = self._take()
                    try:
                        snapshot = await conn.fetchval(self._sql)
                    except BaseException as exc:
                        _fail(batch, exc)
                        if not isinstance(exc, Exception):
                            raise
                        continue
                finally:
                    self._release(conn)
                for waiter in batch:
                    if not waiter.done():
                        waiter.set_result(snapshot)
        finally:
            self._task = None
            if self._waiting:  # cancelled or failed with callers left: they must not wait forever
                _fail(self._take(), asyncpg.InterfaceError("the snapshot query was interrupted"))

    def _take(self) -> list[asyncio.Future[str]]:
        batch, self._waiting = self._waiting, []
        return batch


def _fail(batch: list[asyncio.Future[Any]], exc: BaseException) -> None:
    for waiter in batch:
        if not waiter.done():
            waiter.set_exception(exc if isinstance(exc, Exception) else asyncpg.InterfaceError(str(exc)))
