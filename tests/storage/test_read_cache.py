"""The SQLite reader's cache (store/readcache.py) never answers with a row older than the last
committed write, whoever made it: this store's writer, another connection, or another process.

The cache keeps a row until the wal-index header (the first bytes of the database's ``-shm``
file) changes, which SQLite makes it do with every commit. These tests write through every kind of
writer and read right after, round after round, and check what the read returns; they also check
that the cache answers at all (otherwise they would prove nothing) and that a write transaction
never sees a kept row instead of its own change.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import pathlib
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa

from bondline.config import Settings
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.store import create_store, readcache
from bondline.store import sqlite as backend

metadata = sa.MetaData()
kv = sa.Table("kv", metadata, sa.Column("k", sa.Text, primary_key=True), sa.Column("v", sa.Integer))
GET = sa.select(kv.c.v).where(kv.c.k == sa.bindparam("k"))
ALL = sa.select(kv.c.k, kv.c.v).order_by(kv.c.k)


def _database(tmp_path: pathlib.Path) -> str:
    path = str(tmp_path / "cache.db")
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)")
    raw.execute("INSERT INTO kv VALUES ('a', 0), ('b', 0)")
    raw.commit()
    raw.close()
    return path


@contextlib.asynccontextmanager
async def _opened(path: str) -> AsyncIterator[backend.SQLiteStore]:
    store = backend.SQLiteStore(path)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def _set(store: backend.SQLiteStore, key: str, value: int) -> None:
    """Commit `key` = `value` through the store's writer."""
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.conn.execute(kv.update().where(kv.c.k == key).values(v=value))


async def _read(store: backend.SQLiteStore, key: str = "a") -> int:
    async with store.read() as tx:
        row = await tx.conn.one_cached(GET, {"k": key})
    return row[0]


def _stats(store: backend.SQLiteStore) -> tuple[int, int]:
    stats = store.pool_stats()
    return stats["read_cache_hits"], stats["read_cache_misses"]


def test_reads_are_answered_from_memory_until_something_is_committed(tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        async with _opened(_database(tmp_path)) as store:
            assert await _read(store) == 0
            for _ in range(5):
                assert await _read(store) == 0
            assert _stats(store) == (5, 1)
            async with store.read() as tx:  # a checkpoint copies pages; nothing is committed
                tx.conn.raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
            assert await _read(store) == 0
            assert _stats(store) == (6, 1)
            await _set(store, "b", 1)
            # a commit anywhere empties the cache: `a` did not change, but it is read again
            assert await _read(store) == 0
            assert _stats(store) == (6, 2)

    asyncio.run(main())


def test_a_write_of_this_store_is_read_at_once(tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        async with _opened(_database(tmp_path)) as store:
            for i in range(1, 101):
                assert await _read(store) == i - 1
                assert await _read(store) == i - 1  # kept
                await _set(store, "a", i)
                assert await _read(store) == i
            hits, misses = _stats(store)
            assert hits >= 100 and misses >= 100

    asyncio.run(main())


def test_a_write_transaction_sees_its_own_change_not_a_kept_row(tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        async with _opened(_database(tmp_path)) as store:
            assert await _read(store) == 0
            async with store.write(OPERATOR_ACTOR) as tx:
                await tx.conn.execute(kv.update().where(kv.c.k == "a").values(v=7))
                assert (await tx.conn.one_cached(GET, {"k": "a"}))[0] == 7
                assert await tx.conn.all_cached(ALL) == (("a", 7), ("b", 0))
                assert await _read(store) == 0  # the reader: not committed yet
            assert await _read(store) == 7

    asyncio.run(main())


def test_writes_of_another_store_and_connection_on_the_file_are_read_at_once(tmp_path: pathlib.Path) -> None:
    """Another worker (a store of its own on the same file) and a plain sqlite3 connection."""
    async def main() -> None:
        path = _database(tmp_path)
        async with _opened(path) as store, _opened(path) as other:
            with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as plain:
                for i in range(1, 101):
                    assert await _read(store) == await _read(store)  # the second from memory
                    if i % 2:
                        await _set(other, "a", i)
                    else:
                        plain.execute("UPDATE kv SET v = ? WHERE k = 'a'", (i,))
                    assert await _read(store) == i
                    assert await store._read_tx.conn.all_cached(ALL) == (("a", i), ("b", 0))
            assert _stats(store)[0] >= 100

    asyncio.run(main())


WRITER = textwrap.dedent("""
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    for line in sys.stdin:
        db.execute("UPDATE kv SET v = ? WHERE k = 'a'", (int(line),))
        print("committed", flush=True)
""")


def test_a_write_committed_by_another_process_is_read_at_once(tmp_path: pathlib.Path) -> None:
    """A separate process commits, says so, and the very next read here must see its value."""
    async def main() -> None:
        path = _database(tmp_path)
        async with _opened(path) as store:
            # blocking on purpose: the test steps in lockstep with the writer process
            writer = subprocess.Popen([sys.executable, "-c", WRITER, path], stdin=subprocess.PIPE,  # noqa: ASYNC220
                                      stdout=subprocess.PIPE, text=True)
            try:
                for i in range(1, 201):
                    kept = await _read(store)
                    assert await _read(store) == kept == i - 1
                    writer.stdin.write(f"{i}\n")  # type: ignore[union-attr]
                    writer.stdin.flush()  # type: ignore[union-attr]
                    assert writer.stdout.readline() == "committed\n"  # type: ignore[union-attr]
                    assert await _read(store) == i
                assert _stats(store)[0] >= 200
            finally:
                writer.stdin.close()  # type: ignore[union-attr]
                writer.wait(10)

    asyncio.run(main())


def test_a_header_being_rewritten_is_not_a_version() -> None:
    """The two copies differ while a commit rewrites them: no version, so no cached answer."""
    before, after = bytes(range(48)), bytes(range(1, 49))
    for memory, version in ((before + before, before), (before + after, None), (after + before, None)):
        buffer = ctypes.create_string_buffer(memory, len(memory))
        header = readcache.WalIndexHeader(ctypes.addressof(buffer))
        assert header.version() == version
        header.close()
        assert header.version() is None


PROBE = textwrap.dedent("""
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
    try:
        db.execute("BEGIN IMMEDIATE")
        print("got the write lock")
    except sqlite3.OperationalError as exc:
        print(exc)
""")


def test_reading_the_header_leaves_sqlites_locks_alone(tmp_path: pathlib.Path) -> None:
    """Another process must not be able to take the write lock while a store's writer holds it,
    before and after the header was found and read and the cache closed (a descriptor of our own on
    the -shm file, once closed, would have dropped this process's locks on it)."""
    async def main() -> None:
        path = _database(tmp_path)
        async with _opened(path) as store, _opened(path) as other:
            async with store.write(OPERATOR_ACTOR) as tx:
                await tx.conn.execute(kv.update().where(kv.c.k == "a").values(v=1))
                await other.close()  # its cache closes while `store` holds the write lock
                # (from another process: within one, SQLite checks its own table of locks first)
                # blocking on purpose: nothing else runs while `store` holds the lock
                probe = subprocess.run([sys.executable, "-c", PROBE, path], capture_output=True,  # noqa: ASYNC221
                                       text=True, timeout=30, check=False)
                assert probe.stdout.strip() == "database is locked", probe.stdout + probe.stderr
            assert await _read(store) == 1

    asyncio.run(main())


def test_the_cache_starts_over_past_its_limit(tmp_path: pathlib.Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(readcache, "LIMIT", 2)

    async def main() -> None:
        async with _opened(_database(tmp_path)) as store:
            for key in ("a", "b", "a", "b"):
                await _read(store, key)
            assert _stats(store) == (2, 2)
            await store._read_tx.conn.all_cached(ALL)  # the third row kept: the first two are dropped
            assert await _read(store, "a") == 0
            assert _stats(store) == (2, 4)

    asyncio.run(main())


def test_no_shared_memory_file_means_no_cache(tmp_path: pathlib.Path) -> None:
    assert readcache.WalIndexHeader.open(str(tmp_path / "nothing.db")) is None


def test_the_store_maps_the_header_of_its_own_database(tmp_path: pathlib.Path) -> None:
    """The header the cache reads is the one SQLite's own readers use: it changes on a commit made
    through a connection of this test, and not on a read."""
    async def main() -> None:
        path = _database(tmp_path)
        async with _opened(path):
            header = readcache.WalIndexHeader.open(path)
            assert header is not None
            first = header.version()
            assert first is not None
            with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as plain:
                plain.execute("SELECT * FROM kv").fetchall()
                assert header.version() == first
                plain.execute("UPDATE kv SET v = 1 WHERE k = 'b'")
                assert header.version() not in (first, None)
            header.close()

    asyncio.run(main())


def test_bondline_read_cache_0_sends_every_read_to_the_database(tmp_path: pathlib.Path, monkeypatch: Any) -> None:
    path = _database(tmp_path)
    monkeypatch.setenv("BONDLINE_READ_CACHE", "0")

    async def main() -> None:
        store = create_store(Settings.from_env(database_url=f"sqlite:///{path}"))
        assert isinstance(store, backend.SQLiteStore)
        await store.open()
        try:
            assert [await _read(store) for _ in range(3)] == [0, 0, 0]
            assert "read_cache_hits" not in store.pool_stats()  # no cache, so nothing counted
        finally:
            await store.close()

    asyncio.run(main())


def test_reads_go_past_the_cache_while_it_does_not_hit_and_come_back_when_it_does() -> None:
    payoff = readcache.Payoff()
    for _ in range(readcache.Payoff.WINDOW):
        assert payoff.use()
        payoff.count(False)
    used = [payoff.use() for _ in range(readcache.Payoff.SAMPLE * readcache.Payoff.WINDOW)]
    assert used.count(True) == readcache.Payoff.WINDOW  # one read in SAMPLE still goes through the cache
    for _ in range(readcache.Payoff.WINDOW):
        payoff.count(True)
    assert all(payoff.use() for _ in range(100))


def test_while_every_read_misses_most_reads_skip_the_cache_and_still_see_every_commit(
        tmp_path: pathlib.Path) -> None:
    """Under steady writes the cache never hits; then keeping rows only costs (readcache.Payoff),
    so after a window of misses only one read in SAMPLE is looked up — and every read, looked up or
    not, sees the commit before it."""
    window, sample = readcache.Payoff.WINDOW, readcache.Payoff.SAMPLE

    async def main() -> None:
        async with _opened(_database(tmp_path)) as store:
            for value in range(1, window + 1):  # a commit before every read: each lookup misses
                await _set(store, "a", value)
                assert await _read(store) == value
            assert _stats(store) == (0, window)
            for value in range(window + 1, window + 1 + window * sample):
                await _set(store, "a", value)
                assert await _read(store) == value
            assert _stats(store) == (0, window + window)  # one read in SAMPLE was looked up
            # No more commits: the reads looked up hit, so after a window of them every read is.
            for _ in range(2 * window * sample):
                assert await _read(store) == window + window * sample
            hits, misses = _stats(store)
            assert misses <= 2 * window + 1 and hits > window * sample

    asyncio.run(main())
