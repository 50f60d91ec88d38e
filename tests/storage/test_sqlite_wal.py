"""The SQLite backend's WAL stays bounded under constant writes, and nothing written is lost.

Automatic checkpoints are off on the writer (they would run inside a request); the store's own
checkpoint loop copies the WAL back in a thread and makes SQLite start the WAL over once it passes
`WAL_LIMIT`. Under writes that never stop, SQLite never starts the WAL over by itself, so without
that loop the file grows with every commit. These tests write many times the bound, from many writers
at once, and look at the WAL file and the rows afterwards.
"""

from __future__ import annotations

import asyncio
import pathlib
from typing import Any

from bondline.domain.audit import OPERATOR_ACTOR
from bondline.store import sqlite as backend

LIMIT = 1024 * 1024  # bytes of WAL, monkeypatched in for the test: 256 pages
ROW = b"x" * 1000
WRITERS = 16


def _record_checkpoint_modes(monkeypatch: Any) -> list[str]:
    """Every `PRAGMA wal_checkpoint(MODE)` the store runs, in order."""
    modes: list[str] = []

    class Recording:
        def __init__(self, raw: Any) -> None:
            self.raw = raw

        def __getattr__(self, name: str) -> Any:
            return getattr(self.raw, name)

        def execute(self, sql: str, *args: Any) -> Any:
            if "wal_checkpoint(" in sql:
                modes.append(sql.split("(")[1].rstrip(")"))
            return self.raw.execute(sql, *args)

    real = backend.connect
    monkeypatch.setattr(backend, "connect", lambda *a, **k: Recording(real(*a, **k)))
    monkeypatch.setattr(backend, "CHECKPOINT_INTERVAL", 0.005)
    monkeypatch.setattr(backend, "WAL_LIMIT", LIMIT)
    return modes


async def _write_constantly(stores: list[backend.SQLiteStore], rows_each: int) -> None:
    """WRITERS tasks per store, each inserting `rows_each` rows of 1 KB one unit of work at a time,
    so that some group is always open while the checkpoint loop runs. Each writer waits a
    millisecond between its rows, so that what one round of the loop sees written stays well
    under the bound on a fast machine too (the WAL cannot be shorter than that)."""
    async def writer(store: backend.SQLiteStore, w: int) -> None:
        for i in range(rows_each):
            async with store.write(OPERATOR_ACTOR) as tx:
                tx.conn.raw.execute("INSERT INTO t (id, body) VALUES (?, ?)", (f"{id(store)}-{w}-{i}", ROW))
            await asyncio.sleep(0.001)

    await asyncio.gather(*(writer(s, w) for s in stores for w in range(WRITERS)))


def _bytes(path: pathlib.Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _wal_bytes(path: pathlib.Path) -> int:
    return _bytes(pathlib.Path(str(path) + "-wal"))


async def _open(path: pathlib.Path, n: int) -> list[backend.SQLiteStore]:
    stores = [backend.SQLiteStore(str(path)) for _ in range(n)]
    for store in stores:
        await store.open()
    async with stores[0].write(OPERATOR_ACTOR) as tx:
        tx.conn.raw.execute("CREATE TABLE t (id TEXT PRIMARY KEY, body BLOB)")
    return stores


async def test_the_wal_starts_over_under_constant_writes_without_a_restart_checkpoint(
        tmp_path: Any, monkeypatch: Any) -> None:
    """One process: the WAL is caught up and started over by the next write transaction, so
    writers pause only for a last short pass, never for a RESTART checkpoint (which copies and
    fsyncs a whole interval's frames with the writers waiting)."""
    modes = _record_checkpoint_modes(monkeypatch)
    path = tmp_path / "one.db"
    [store] = await _open(path, 1)
    try:
        await _write_constantly([store], rows_each=600)  # 9.6 MB of rows, 9 times the bound
        assert _wal_bytes(path) < 3 * LIMIT, (_wal_bytes(path), modes.count("PASSIVE"))
        assert "RESTART" not in modes and "TRUNCATE" not in modes
    finally:
        await store.close()
    raw = backend.connect(str(path))
    try:
        assert raw.execute("SELECT count(*) FROM t").fetchone()[0] == WRITERS * 600
    finally:
        raw.close()


async def test_the_wal_stays_bounded_with_two_processes_writing(tmp_path: Any, monkeypatch: Any) -> None:
    """Two stores on one file stand in for two workers: pausing its own writers is not enough for
    either, so the last pass also holds SQLite's write lock, which stops the other's writers too.
    (A RESTART checkpoint waits for a moment with no writer at all: with these writers not pausing
    between rows, it let the WAL reach 50 MB in a trial.)"""
    modes = _record_checkpoint_modes(monkeypatch)
    path = tmp_path / "two.db"
    stores = await _open(path, 2)
    try:
        await _write_constantly(stores, rows_each=300)  # 9.6 MB of rows
        assert _wal_bytes(path) < 3 * LIMIT, (_wal_bytes(path), modes.count("PASSIVE"), modes.count("RESTART"))
    finally:
        for store in stores:
            await store.close()
    raw = backend.connect(str(path))
    try:
        assert raw.execute("SELECT count(*) FROM t").fetchone()[0] == 2 * WRITERS * 300
    finally:
        raw.close()
    assert _bytes(path) > 2 * WRITERS * 300 * len(ROW)  # the rows reached the database file
