"""The PostgreSQL connection pool (bondline.store.pgpool) against a real PostgreSQL: bounded,
fair to waiters, recovering from connections the server killed, never handing out a connection in
a state a request could inherit, and losing no connection to a cancelled waiter."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bondline.store.pgpool import Pool
from tests.conftest import PG_ENV, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=f"needs {PG_ENV}")


def pool(size: int) -> Pool:
    return Pool(lambda: asyncpg.connect(PG_URL), size)


async def test_at_most_size_connections_and_waiters_served_in_order() -> None:
    p = pool(2)
    await p.open()
    a, b = await p.acquire(), await p.acquire()
    assert p.stats() == {"size": 2, "idle": 0, "max": 2, "waiting": 0}
    order: list[str] = []

    async def wait(name: str) -> None:
        conn = await p.acquire()
        order.append(name)
        assert await conn.fetchval("SELECT 1") == 1
        p.release(conn)

    waiting = [asyncio.create_task(wait(n)) for n in ("first", "second", "third")]
    await asyncio.sleep(0.05)
    assert p.stats()["waiting"] == 3 and p.stats()["size"] == 2
    p.release(a)
    p.release(b)
    await asyncio.gather(*waiting)
    assert order == ["first", "second", "third"]
    assert p.stats() == {"size": 2, "idle": 2, "max": 2, "waiting": 0}
    await p.close()


async def test_connections_the_server_killed_are_replaced() -> None:
    p = pool(2)
    await p.open()
    conns = [await p.acquire(), await p.acquire()]
    pids = [c.get_server_pid() for c in conns]
    for c in conns:
        p.release(c)
    admin = await asyncpg.connect(PG_URL)
    try:
        for pid in pids:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    answered = 0
    for _ in range(6):  # each dead connection fails its request at most once, then is dropped
        conn = await p.acquire()
        try:
            answered += await conn.fetchval("SELECT 1")
        except Exception:  # noqa: BLE001 - whatever a dead connection raises (it is then dropped)
            pass
        finally:
            p.release(conn)
    assert answered >= 4
    fresh = await p.acquire()
    assert fresh.get_server_pid() not in pids and p.stats()["size"] <= 2
    p.release(fresh)
    await p.close()


async def test_a_connection_left_in_a_transaction_is_not_handed_out() -> None:
    p = pool(1)
    await p.open()
    conn = await p.acquire()
    await conn.execute("BEGIN")
    p.release(conn)  # a request that never ended its transaction
    assert conn.is_closed()
    again = await p.acquire()
    assert again is not conn and not again.is_in_transaction()
    p.release(again)
    await p.close()


async def test_a_waiter_cancelled_as_it_is_served_passes_the_connection_on() -> None:
    p = pool(1)
    await p.open()
    held = await p.acquire()
    first = asyncio.create_task(p.acquire())
    second = asyncio.create_task(p.acquire())
    await asyncio.sleep(0.01)
    p.release(held)  # handed to `first`, which is cancelled before it runs
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    conn = await asyncio.wait_for(second, 5)
    assert await conn.fetchval("SELECT 1") == 1
    p.release(conn)
    assert p.stats()["size"] == 1
    await p.close()
