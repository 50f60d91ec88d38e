"""The PostgreSQL connections of one worker: a small pool of asyncpg connections.

Why not asyncpg's own `Pool`: on the read hot path its acquire and release cost a sixth of a relation
GET's time (bench/profile.py: `asyncio.shield`, a timeout context and a task per acquire, a reset
round trip per release), for features bondline does not use — per-acquire timeouts, connection
setup hooks, session reset (bondline keeps no session state: no session advisory locks, cursors,
LISTEN or SET). This pool does what bondline needs and no more:

- at most `size` connections, opened on demand (one at start, so a wrong URL fails at once);
- an idle connection is handed out last-in first-out (the warmest one);
- a caller waits in FIFO order when all are busy;
- a connection comes back broken, or in a state no request may inherit (closed, inside a
  transaction, a query being cancelled): it is terminated and its place freed for a new one —
  so a database restart costs the requests in flight, not the pool;
- a waiter cancelled at the moment it was handed a connection passes it on.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

_FREED = object()  # handed to a waiter instead of a connection: "a place is free, open one"


class Pool:
    def __init__(self, connect: Callable[[], Awaitable[asyncpg.Connection]], size: int) -> None:
        self._connect = connect
        self.size = size
        self._idle: list[asyncpg.Connection] = []
        self._waiters: collections.deque[asyncio.Future[Any]] = collections.deque()
        self._count = 0  # connections open or being opened
        self._closed = False

    async def open(self) -> None:
        self.release(await self._new())

    async def _new(self) -> asyncpg.Connection:
        self._count += 1
        try:
            return await self._connect()
        except BaseException:
            self._count -= 1
            self._wake()
            raise

    # A timer on the wait, not a timeout scope around the call: no task or cancellation per acquire.
    async def acquire(self, timeout: float | None = None) -> asyncpg.Connection:  # noqa: ASYNC109
        """A connection; waiting for one (all `size` busy) ends after `timeout` seconds with
        PoolTimeout. Opening a new connection is bounded by the connect function's own timeout."""
        if self._closed:
            raise asyncpg.InterfaceError("the pool is closed")
        while self._idle:
            conn = self._idle.pop()
            if not conn.is_closed():
                return conn
            self._count -= 1
        if self._count < self.size:
            return await self._new()
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiters.append(waiter)
        # A timer fails the waiter rather than cancelling it: release() and _wake() skip done waiters,
        # so a connection is never handed to someone who stopped waiting.
        timer = loop.call_later(timeout, _expire, waiter, timeout) if timeout is not None else None
        try:
            got = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                handed = waiter.result()
                if handed is _FREED:
                    self._wake()
                else:
                    self.release(handed)
            raise
        finally:
            if timer is not None:
                timer.cancel()
        return await self._new() if got is _FREED else got

    def release(self, conn: asyncpg.Connection) -> None:
        if not _reusable(conn) or self._closed:
            conn.terminate()
            self._count -= 1
            self._wake()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self._idle.append(conn)

    def _wake(self) -> None:
        """A place was freed: the first waiter opens a connection in it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(_FREED)
                return

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            self._count -= 1
            try:
                await asyncio.wait_for(conn.close(), 5)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                conn.terminate()
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the pool is closed"))
        self._waiters.clear()

    def stats(self) -> dict[str, int]:
        return {"size": self._count, "idle": len(self._idle), "max": self.size,
                "waiting": sum(1 for w in self._waiters if not w.done())}


class PoolTimeout(TimeoutError):
    """No connection came free in time."""


def _expire(waiter: asyncio.Future[Any], timeout: float) -> None:
    if not waiter.done():
        waiter.set_exception(PoolTimeout(f"no database connection came free within {timeout:g} s"))


def _reusable(conn: asyncpg.Connection) -> bool:
    if conn.is_closed() or conn.is_in_transaction():
        return False
    protocol = getattr(conn, "_protocol", None)
    cancelling = getattr(protocol, "_is_cancelling", None)
    return not (cancelling is not None and cancelling())
