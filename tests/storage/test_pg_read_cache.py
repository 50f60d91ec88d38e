"""PostgreSQL's read cache (store/pgsnapshot.py) never answers with a row older than the last
committed write, whoever made it: this worker, another worker, or another program.

The cache keeps rows while PostgreSQL's snapshot (``pg_current_snapshot()``) stays the same, and a
reader always waits for a snapshot taken after it asked. These tests write through every kind of
writer and read right after; they check that a reader arriving while a snapshot query is in flight
is not given that query's (older) answer, that the cache answers at all (otherwise they would prove
nothing), and that one snapshot query serves many readers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from bondline.config import Settings
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.store import create_store, parse
from bondline.store.pgsnapshot import SNAPSHOT_SQL, Snapshots
from bondline.store.postgres import PostgresStore
from bondline.store.readcache import MISS, ReadCache

metadata = sa.MetaData()
kv = sa.Table("cache_kv", metadata, sa.Column("k", sa.Text, primary_key=True), sa.Column("v", sa.Integer))
GET = sa.select(kv.c.v).where(kv.c.k == sa.bindparam("k"))
ALL = sa.select(kv.c.k, kv.c.v).order_by(kv.c.k)


@pytest.fixture
async def url(pg_schema_url: str) -> AsyncIterator[str]:
    async with _plain(pg_schema_url) as conn:
        await conn.execute("CREATE TABLE cache_kv (k TEXT PRIMARY KEY, v INTEGER)")
        await conn.execute("INSERT INTO cache_kv VALUES ('a', 0), ('b', 0)")
    try:
        yield pg_schema_url
    finally:
        async with _plain(pg_schema_url) as conn:
            await conn.execute("DROP TABLE cache_kv")


@contextlib.asynccontextmanager
async def _plain(url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of "another program": not a bondline store."""
    parsed = parse(url)
    conn = await asyncpg.connect(parsed.dsn, server_settings={"search_path": parsed.search_path or "public"})
    try:
        yield conn
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def _opened(url: str) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(parse(url))
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def _set(store: PostgresStore, key: str, value: int) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.conn.execute(kv.update().where(kv.c.k == key).values(v=value))


async def _read(store: PostgresStore, key: str = "a") -> int:
    async with store.read() as tx:
        row = await tx.conn.one_cached(GET, {"k": key})
    return row[0]


async def test_a_write_from_any_worker_or_program_is_read_at_once(url: str) -> None:
    async with _opened(url) as one, _opened(url) as other, _plain(url) as program:
        for value in range(1, 31):
            writer = value % 3
            if writer == 0:
                await _set(one, "a", value)
            elif writer == 1:
                await _set(other, "a", value)
            else:
                await program.execute("UPDATE cache_kv SET v = $1 WHERE k = 'a'", value)
            for _ in range(3):  # the second and third reads are the ones a stale cache would answer
                assert await _read(one) == value
                assert await _read(other) == value
            async with one.read() as tx:
                assert tuple(map(tuple, await tx.conn.all_cached(ALL))) == (("a", value), ("b", 0))
        assert one.pool_stats()["read_cache_hits"] >= 60  # it did answer: this proves something
        assert other.pool_stats()["read_cache_hits"] >= 60


async def test_many_readers_at_once_read_the_write_before_them(url: str) -> None:
    async with _opened(url) as reader, _opened(url) as writer:
        for value in range(1, 11):
            await _set(writer, "a", value)
            assert set(await asyncio.gather(*(_read(reader) for _ in range(40)))) == {value}


async def test_a_write_transaction_reads_its_own_change(url: str) -> None:
    async with _opened(url) as store:
        assert await _read(store) == 0
        assert await _read(store) == 0
        async with store.write(OPERATOR_ACTOR) as tx:
            await tx.conn.execute(kv.update().where(kv.c.k == "a").values(v=5))
            assert (await tx.conn.one_cached(GET, {"k": "a"}))[0] == 5
        assert await _read(store) == 5


async def test_a_reader_arriving_during_a_snapshot_query_waits_for_the_next_one(url: str) -> None:
    """The snapshot is taken when its statement starts; this one then sleeps, so a write commits
    while it is in flight. A reader that asks after the write must not be handed that query's
    snapshot, which does not include it."""
    async with _opened(url) as store, _plain(url) as program:
        slow = f"SELECT s FROM ({SNAPSHOT_SQL}) AS q(s), pg_sleep(0.3)"
        snapshots = Snapshots(store._pool.acquire, store._pool.release, slow)
        first = asyncio.ensure_future(snapshots.current())
        await asyncio.sleep(0.1)  # the first query is running
        await program.execute("UPDATE cache_kv SET v = 1 WHERE k = 'a'")
        second = await snapshots.current()
        assert first.done()
        assert second != first.result()
        assert second == await program.fetchval(SNAPSHOT_SQL)


async def test_one_snapshot_query_answers_many_readers(url: str) -> None:
    async with _opened(url) as store:
        sent = 0

        async def acquire() -> asyncpg.Connection:
            nonlocal sent
            sent += 1
            return await store._pool.acquire()

        snapshots = Snapshots(acquire, store._pool.release)
        answers = await asyncio.gather(*(snapshots.current() for _ in range(50)))
        assert len(set(answers)) == 1
        assert sent == 1


async def test_readers_are_told_when_the_snapshot_cannot_be_read(url: str) -> None:
    async def acquire() -> Any:
        raise asyncpg.CannotConnectNowError("the database system is starting up")

    snapshots = Snapshots(acquire, lambda conn: None)
    results = await asyncio.gather(*(snapshots.current() for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, asyncpg.CannotConnectNowError) for r in results)
    async with _opened(url) as store:  # and a later reader is served again
        working = Snapshots(store._pool.acquire, store._pool.release)
        assert await working.current()


async def test_a_cancelled_reader_does_not_stop_the_others(url: str) -> None:
    async with _opened(url) as store:
        snapshots = Snapshots(store._pool.acquire, store._pool.release)
        gone = asyncio.ensure_future(snapshots.current())
        staying = asyncio.ensure_future(snapshots.current())
        await asyncio.sleep(0)
        gone.cancel()
        assert await staying
        assert gone.cancelled()


def test_a_row_read_after_the_cache_moved_on_is_not_kept() -> None:
    """A PostgreSQL reader waits between reading the version and keeping its row; if another reader
    moved the cache to a newer version meanwhile, the row may predate that version."""
    cache = ReadCache()
    assert cache.at("1:1:")
    cache.at("1:2:")  # another reader, later
    cache.put("key", "row read at 1:1:", "1:1:")
    assert cache.get("key") is MISS
    cache.put("key", "row read at 1:2:", "1:2:")
    assert cache.get("key") == "row read at 1:2:"


async def test_bondline_read_cache_0_sends_every_read_to_the_database(url: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("BONDLINE_READ_CACHE", "0")
    store = create_store(Settings.from_env(database_url=url))
    assert isinstance(store, PostgresStore)
    await store.open()
    try:
        assert [await _read(store) for _ in range(3)] == [0, 0, 0]
        assert "read_cache_hits" not in store.pool_stats()
    finally:
        await store.close()


async def test_a_read_holding_a_connection_is_not_stuck_behind_a_full_pool(url: str) -> None:
    """A cached statement after an ordinary one (a listing: its parent, then its children): the
    snapshot would need a connection of its own, and with every connection of the pool held by such
    reads none would come. Such a read asks its own connection instead."""
    store = PostgresStore(parse(url), pool_size=2)
    await store.open()
    try:
        async def listing() -> int:
            async with store.read() as tx:
                await tx.conn.one(GET, {"k": "b"})  # takes a connection
                await asyncio.sleep(0.01)  # every reader now holds one
                return (await tx.conn.one_cached(GET, {"k": "a"}))[0]

        assert await asyncio.wait_for(asyncio.gather(*(listing() for _ in range(8))), 10) == [0] * 8
    finally:
        await store.close()


async def test_the_cached_statements_of_one_read_wait_for_one_snapshot(url: str) -> None:
    async with _opened(url) as store, _plain(url) as program:
        sent = 0
        acquire = store._pool.acquire

        async def counting() -> asyncpg.Connection:
            nonlocal sent
            sent += 1
            return await acquire()

        store._snapshots = Snapshots(counting, store._pool.release)
        async with store.read() as tx:
            assert (await tx.conn.one_cached(GET, {"k": "a"}))[0] == 0
            assert (await tx.conn.one_cached(GET, {"k": "b"}))[0] == 0
            assert tuple(map(tuple, await tx.conn.all_cached(ALL))) == (("a", 0), ("b", 0))
        assert sent == 1
        await program.execute("UPDATE cache_kv SET v = 7 WHERE k = 'a'")
        assert await _read(store) == 7  # the next read waits for a snapshot of its own
        assert sent == 2
