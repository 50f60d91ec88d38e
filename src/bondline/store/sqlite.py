"""SQLite backend: the embedded default.

Statements run inline on the event loop through the standard `sqlite3` module: an indexed lookup
costs microseconds, less than handing it to a thread would (aiosqlite measured 27x slower per
query). Readers never wait in WAL mode. Writers in this process take turns on an asyncio lock, so
the loop never blocks on SQLite's own lock; writers in other processes (``--workers N``) wait up to
`busy_timeout` and then get 503. Long jobs run in a thread on their own connection so reads go on.

Durability: WAL with ``synchronous=NORMAL`` keeps every committed transaction through a process
crash; ``BONDLINE_SQLITE_SYNCHRONOUS=FULL`` also survives power loss (an fsync per commit).

Checkpoints (copying the WAL back into the database file, with an fsync) never run inside a
request: automatic checkpoints are off on the writer, and a background thread runs a PASSIVE
checkpoint a few times a second after writes, so no writer stalls on one. Only to start a WAL that
has grown past WAL_LIMIT over again do writers pause, for one short last pass (_checkpoint_loop).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

from bondline.domain.audit import OPERATOR_ACTOR, Actor
from bondline.domain.errors import Busy, Unavailable
from bondline.store.base import Conn, IntegrityViolation, Row, StatementCache, Store, StoreError
from bondline.store.inuse import ServingMark
from bondline.store.readcache import MISS, ReadCache, WalIndexHeader
from bondline.store.unit import Tx

T = TypeVar("T")
log = logging.getLogger("bondline.store")
BUSY_TIMEOUT_MS = 5000
# Positional (`?`) parameters: binding a tuple is cheaper than looking names up in a dict.
_statements = StatementCache(sqlite_dialect.dialect(paramstyle="qmark"))


# SQLite's primary result codes for a database that cannot serve now, through no fault of the request:
# the disk or memory is full, the file cannot be read or written (I/O error, gone, made read-only).
_UNAVAILABLE = frozenset(("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_NOMEM", "SQLITE_READONLY"))


def _translate(exc: sqlite3.Error) -> Exception:
    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityViolation(str(exc))
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return Busy("The database is busy with another write; retry shortly")
    name = getattr(exc, "sqlite_errorname", None) or ""
    if "_".join(name.split("_")[:2]) in _UNAVAILABLE:  # extended codes too: SQLITE_IOERR_WRITE → SQLITE_IOERR
        return Unavailable("The database is unavailable; retry shortly", details=f"{name}: {exc}")
    return StoreError(f"{type(exc).__name__}: {exc}")


def _quote(name: str) -> str:
    """Identifiers come from the schema in tables.py, never from input; quoted all the same."""
    return '"' + name.replace('"', '""') + '"'


def truncate(conn: sqlite3.Connection, tables: Sequence[str]) -> None:
    """Empty `tables`, in this order (children first: foreign keys are on), inside the transaction
    open on `conn`, as PostgreSQL's TRUNCATE does: without firing their row triggers, such as the
    audit log's append-only guard (migration 0006). SQLite has no TRUNCATE, so the tables' triggers
    are dropped and created again from their own definitions in the same transaction: no other
    connection ever sees a table without them. Tables keep no AUTOINCREMENT counter, so an emptied
    table hands out rowid 1 again."""
    marks = ", ".join("?" * len(tables))
    triggers = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
                            tuple(tables)).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {_quote(name)}")
    for table in tables:
        conn.execute(f"DELETE FROM {_quote(table)}")
    for _, sql in triggers:
        conn.execute(sql)


class SQLiteConn(Conn):
    kind = "sqlite"
    __slots__ = ("raw", "cache")

    def __init__(self, raw: sqlite3.Connection, cache: ReadCache | None = None) -> None:
        self.raw = raw
        self.cache = cache  # the reader's only: a write transaction must see its own changes

    def _run(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None) -> sqlite3.Cursor:
        compiled = _statements.get(stmt)
        return self._execute(compiled, compiled.args(params))

    async def one(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Row | None:
        return self._run(stmt, params).fetchone()

    async def all(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        return self._run(stmt, params).fetchall()

    async def one_cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None,
                         parse: Callable[[Row | None], Any] | None = None) -> Any:
        return self._cached(stmt, params, sqlite3.Cursor.fetchone, parse)

    async def all_cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None,
                         parse: Callable[[Sequence[Row]], Any] | None = None) -> Any:
        return self._cached(stmt, params, _fetch_tuple, parse)

    def _cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None,
                fetch: Callable[[sqlite3.Cursor], Any], parse: Callable[[Any], Any] | None) -> Any:
        """`fetch` of the statement's cursor (then `parse` of it, if given), kept by the reader's
        cache under the statement, both functions and the arguments."""
        cache = self.cache
        compiled = _statements.get(stmt)
        args = compiled.args(params)
        # `current()` reads the database's version before the statement runs (readcache.py says why).
        if cache is None or not cache.payoff.use() or not cache.current():
            found = fetch(self._execute(compiled, args))
            return found if parse is None else parse(found)
        key = (compiled, fetch, parse, args)
        found = cache.get(key)
        if found is MISS:
            found = fetch(self._execute(compiled, args))
            if parse is not None:
                found = parse(found)
            cache.put(key, found)
        return found

    def _execute(self, compiled: Any, args: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self.raw.execute(compiled.sql, args)
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    async def execute(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> int:
        return self._run(stmt, params).rowcount

    async def executemany(self, stmt: sa.ClauseElement, params: Iterable[Mapping[str, Any]]) -> None:
        compiled = _statements.get(stmt)
        try:
            self.raw.executemany(compiled.sql, (compiled.args(p) for p in params))
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    async def insert_missing(self, table: sa.Table, columns: Sequence[str], conflict: Sequence[str],
                             rows: Sequence[tuple[Any, ...]]) -> int:
        sql = (f"INSERT INTO {_quote(table.name)} ({', '.join(map(_quote, columns))}) "
               f"VALUES ({', '.join('?' * len(columns))}) "
               f"ON CONFLICT ({', '.join(map(_quote, conflict))}) DO NOTHING")
        before = self.raw.total_changes
        try:
            self.raw.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise _translate(exc) from exc
        return self.raw.total_changes - before


def _fetch_tuple(cursor: sqlite3.Cursor) -> tuple[Row, ...]:
    return tuple(cursor.fetchall())


def connect(path: str, synchronous: str = "NORMAL") -> sqlite3.Connection:
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False, cached_statements=512)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute(f"PRAGMA synchronous={synchronous}")
    raw.execute("PRAGMA foreign_keys=ON")
    raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    raw.execute("PRAGMA temp_store=MEMORY")
    raw.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
    return raw


class _Read:
    __slots__ = ("store",)

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    async def __aenter__(self) -> Tx:
        return self.store._read_tx

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self.store.finished(exc)


async def _begin_immediate(writer: sqlite3.Connection) -> None:
    """Take SQLite's write lock without blocking the event loop: the writer connection has no busy
    timeout, so while another connection (another worker) holds the lock we wait here, asleep,
    and the loop keeps serving; after BUSY_TIMEOUT_MS it is Busy (503)."""
    delay = 0.0005
    waited = 0.0
    while True:
        try:
            writer.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if waited >= BUSY_TIMEOUT_MS / 1000:
                raise
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 0.05)


class _Group:
    """One open write transaction shared by the writers that finished while it was open."""

    __slots__ = ("waiters", "failed", "closing")

    def __init__(self) -> None:
        self.waiters: list[asyncio.Future[None]] = []
        self.failed: Exception | None = None
        self.closing = False  # a task has been scheduled to commit it


class _Write:
    """A unit of work on the writer connection, committed with its group.

    Group commit: each writer runs inside a SAVEPOINT of the group's transaction (its failure rolls
    back only its own changes), then waits for the group's COMMIT, which a task issues once the
    writers already runnable have joined. A request is acknowledged only after that COMMIT, so
    nothing acknowledged is lost, while the cost of writing the WAL (and of the fsync with
    synchronous=FULL) is paid once per group instead of once per request.
    """

    __slots__ = ("store", "actor", "group")

    def __init__(self, store: SQLiteStore, actor: Actor) -> None:
        self.store = store
        self.actor = actor

    async def __aenter__(self) -> Tx:
        store = self.store
        await store._lock.acquire()
        try:
            if store._group is None:
                await _begin_immediate(store._writer)
                store._group = _Group()
            self.group = store._group
            store._writer.execute("SAVEPOINT unit")
        except sqlite3.Error as exc:
            store._lock.release()
            error = _translate(exc)
            store.finished(error)
            raise error from exc
        except BaseException:
            store._lock.release()
            raise
        # One writer at a time holds the lock, so the writer connection's unit of work is reused.
        store._write_tx.begin(self.actor)
        return store._write_tx

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        store = self.store
        group = self.group
        waiter: asyncio.Future[None] | None = None
        failed: BaseException | None = None  # writing the unit's audit entries and events
        try:
            if exc is None:
                try:
                    await store._write_tx.flush()  # in the unit's savepoint, like its changes
                except BaseException as flush_error:  # noqa: BLE001 - re-raised below, after the rollback
                    failed = flush_error
            if exc is not None or failed is not None:
                self._roll_back(exc or failed)
            else:
                try:
                    store._writer.execute("RELEASE unit")
                except sqlite3.Error as release_error:
                    group.failed = _translate(release_error)
                    store._commit(group)
                    raise group.failed from release_error
                waiter = asyncio.get_running_loop().create_future()
                group.waiters.append(waiter)
        finally:
            # Whoever leaves the group first makes sure it ends: an open transaction holds SQLite's
            # write lock, so a group must be committed (or rolled back) even if nobody waits on it.
            if not group.closing:
                group.closing = True
                asyncio.get_running_loop().create_task(store._commit_later(group))
            store._lock.release()
        if failed is not None:
            store.finished(failed)
            raise failed
        if waiter is not None:
            try:
                await waiter
            except Exception as commit_error:
                store.finished(commit_error)
                raise
        store.finished(exc)

    def _roll_back(self, cause: BaseException | None) -> None:
        """Undo this unit's changes (its savepoint). If SQLite rolled the whole group back itself (it
        may on SQLITE_FULL, IOERR, NOMEM), the group's writers hear why, and it ends now, before
        another writer can join it."""
        try:
            self.store._writer.execute("ROLLBACK TO unit")
            self.store._writer.execute("RELEASE unit")
        except sqlite3.Error as rollback_error:
            self.group.failed = cause if isinstance(cause, (Unavailable, Busy)) else _translate(rollback_error)
            self.store._commit(self.group)


CHECKPOINT_INTERVAL = 0.1  # seconds between background checkpoints while there are writes
WAL_LIMIT = 64 * 1024 * 1024  # bytes of WAL after which writers pause while it is truncated
GROUP_WAIT = 0.002  # the longest a commit waits for more writers to join its group
GROUP_LIMIT = 256


class SQLiteStore(Store):
    kind = "sqlite"

    def __init__(self, path: str, synchronous: str = "NORMAL", read_cache: bool = True, *,
                 serving: bool = False) -> None:
        super().__init__()
        self.path = path
        # A server's store marks the database as in use while it is open (store/inuse.py).
        self._mark = ServingMark(path) if serving else None
        self.synchronous = synchronous
        self.read_cache = read_cache
        self._reader: sqlite3.Connection
        self._writer: sqlite3.Connection
        self._lock: asyncio.Lock
        self._group: _Group | None = None
        self._commits = 0
        self._checkpointer: asyncio.Task[None] | None = None
        self._cache: ReadCache | None = None
        self._closing = False

    async def open(self) -> None:
        if self._mark is not None:
            await self._mark.take()
        self._lock = asyncio.Lock()
        self._group = None
        self._closing = False
        self._writer = connect(self.path, self.synchronous)
        self._writer.execute("PRAGMA wal_autocheckpoint=0")
        self._writer.execute("PRAGMA busy_timeout=0")  # waiting for the write lock is _begin_immediate's job
        self._checkpointer = asyncio.get_running_loop().create_task(self._checkpoint_loop())
        self._reader = connect(self.path, self.synchronous)
        # A first read maps the wal-index into this process; the cache reads its header there for as
        # long as the reader stays open (store/readcache.py).
        self._reader.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        header = WalIndexHeader.open(self.path) if self.read_cache else None
        self._cache = None if header is None else ReadCache(header)
        # The connections live as long as the store, so their units of work can too: building the
        # repositories once saves microseconds on every request.
        self._read_tx = Tx(SQLiteConn(self._reader, self._cache))
        self._write_tx = Tx(SQLiteConn(self._writer))

    async def _commit_later(self, group: _Group) -> None:
        """Commit once the group stops growing: writers that are already runnable join it first
        (at most GROUP_WAIT seconds or GROUP_LIMIT writers), so under load many rows share each
        page written to the WAL; with a single writer it commits after one turn of the loop."""
        loop = asyncio.get_running_loop()
        try:
            deadline = loop.time() + GROUP_WAIT
            size = -1
            while size != len(group.waiters) and len(group.waiters) < GROUP_LIMIT and loop.time() < deadline:
                size = len(group.waiters)
                await asyncio.sleep(0)
        finally:
            # Even if this task is cancelled, the group's writers must hear how it ended.
            async with self._lock:
                self._commit(group)

    def _commit(self, group: _Group) -> None:
        """COMMIT `group` (the caller holds the lock) and tell its writers how it went."""
        if self._group is not group:
            return
        self._group = None
        error = group.failed
        if error is None:
            try:
                if not self._writer.in_transaction:
                    raise sqlite3.OperationalError("the transaction was rolled back")
                self._writer.execute("COMMIT")
                self._commits += 1
            except sqlite3.Error as commit_error:
                error = _translate(commit_error)
        if error is not None and self._writer.in_transaction:
            try:
                self._writer.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the waiters are told about the first error below
        for waiter in group.waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)

    async def _in_thread(self, work: Callable[[], T]) -> T:
        """Run checkpoint work in a thread and see it finish, even when cancelled meanwhile: a
        cancelled `to_thread` leaves its thread running, and closing the connection under it (as
        the loop's `finally` does) crashes the process."""
        running = asyncio.ensure_future(asyncio.to_thread(work))
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            await asyncio.wait([running])
            raise

    async def _checkpoint_loop(self) -> None:
        """Copy the WAL into the database file in a thread, so requests never wait for it."""
        raw = connect(self.path, self.synchronous)
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]

        async def checkpoint(mode: str) -> int:
            """How long the WAL is (frames); -1 when another connection was checkpointing."""
            # (busy, frames in the WAL, frames copied); (1, -1, -1) when it could not start.
            busy, frames, _ = await self._in_thread(lambda: raw.execute(f"PRAGMA wal_checkpoint({mode})").fetchone())
            return -1 if busy and frames < 0 else frames

        seen = 0
        try:
            while not self._closing:
                await asyncio.sleep(CHECKPOINT_INTERVAL)
                if self._commits == seen or self._closing:
                    continue
                seen = self._commits
                try:
                    if await checkpoint("PASSIVE") * page_size <= WAL_LIMIT:
                        continue  # (also when another worker was checkpointing: -1)
                    # SQLite starts the WAL over from its beginning when a write transaction begins
                    # with every frame already copied into the database. Under constant writes that
                    # never happens by itself: groups commit while each checkpoint runs, so the WAL
                    # would only grow. One more passive pass at once copies what was committed during
                    # the last (a few milliseconds of writes). Then, for a last pass over the few
                    # frames left, writes stop: this worker's writers wait on the lock (the loop keeps
                    # serving reads) and the writer connection holds SQLite's write lock, so other
                    # workers' writers wait too. The next write transaction, in any worker, starts
                    # the WAL over. The pause is that last pass: 2-4 ms here, where a RESTART
                    # checkpoint copied a whole interval's frames and fsynced them with writers
                    # paused (5-25 ms), and under two workers' writes waited for a moment with no
                    # writer that might not come.
                    await checkpoint("PASSIVE")
                    async with self._lock:
                        if self._group is not None:
                            self._commit(self._group)
                        started = time.perf_counter()
                        await _begin_immediate(self._writer)
                        try:
                            await checkpoint("PASSIVE")
                        finally:
                            self._writer.execute("ROLLBACK")  # nothing was written in it
                        log.debug("WAL caught up in %.1f ms, writers paused", (time.perf_counter() - started) * 1000)
                except sqlite3.Error:
                    pass  # busy or locked: the next round catches up
        finally:
            # Only now is no thread using `raw` (see _in_thread).
            raw.close()

    async def close(self) -> None:
        """Stop the checkpoint work and wait for it (a checkpoint running in its thread is seen to
        the end before its connection closes), commit what writers left, then close."""
        self._closing = True
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            try:
                await self._checkpointer
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - closing: how it ended is moot
                pass
            self._checkpointer = None
        group = getattr(self, "_group", None)
        if group is not None:
            async with self._lock:
                self._commit(group)
        if self._cache is not None:
            self._cache.close()  # before the reader: its connection keeps SQLite's mapping of the header
            self._cache = None
        for name in ("_reader", "_writer"):
            raw = getattr(self, name, None)
            if raw is not None:
                raw.close()
                delattr(self, name)
        if self._mark is not None:
            self._mark.release()

    def pool_stats(self) -> dict[str, int]:
        """Two connections: the reader (reads run to completion on the loop, so it is idle between
        them) and the writer, busy while a group transaction is open."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return {"size": 0, "idle": 0, "max": 2, "waiting": 0}
        busy = 1 if self._group is not None or lock.locked() else 0
        waiting = len(getattr(lock, "_waiters", None) or ())
        stats = {"size": 2, "idle": 2 - busy, "max": 2, "waiting": waiting}
        if self._cache is not None:
            stats.update(read_cache_hits=self._cache.hits, read_cache_misses=self._cache.misses)
        return stats

    def read(self) -> _Read:
        return _Read(self)

    def write(self, actor: Actor) -> _Write:
        return _Write(self, actor)

    async def run_long(self, actor: Actor, job: Callable[[Tx], Awaitable[T]]) -> T:
        async def whole(tx: Tx) -> T:
            result = await job(tx)
            await tx.flush()
            return result

        def in_thread() -> T:
            raw = connect(self.path, self.synchronous)
            try:
                raw.execute("BEGIN IMMEDIATE")
                try:
                    result = asyncio.run(whole(Tx(SQLiteConn(raw), actor)))
                except BaseException:
                    raw.execute("ROLLBACK")
                    raise
                raw.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                raise _translate(exc) from exc
            finally:
                raw.close()

        async with self._lock:
            if self._group is not None:  # its writers are waiting: commit them before the long job
                self._commit(self._group)
            return await asyncio.to_thread(in_thread)

    async def wipe(self) -> None:
        from bondline.store import fulltext
        from bondline.store.tables import metadata

        async with self.write(OPERATOR_ACTOR):
            truncate(self._writer, [table.name for table in reversed(metadata.sorted_tables)])
            self._writer.execute(f"DELETE FROM {fulltext.TABLE}")  # not in metadata: FTS5 is SQLite's own

    def backup(self, target_path: str) -> None:
        """An online, consistent copy through SQLite's backup API."""
        src = connect(self.path, self.synchronous)
        dst = sqlite3.connect(target_path)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
