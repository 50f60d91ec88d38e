"""PostgreSQL backend: for production and scale-out (stateless workers in front of one database).

asyncpg connections in a small pool per worker (`pgpool`); statements compiled once by SQLAlchemy's
asyncpg dialect and prepared by asyncpg's statement cache. Reads run outside an explicit
transaction; a write is one transaction at READ COMMITTED, and code that must serialize (applying a
change request) takes row locks with ``SELECT … FOR UPDATE``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from bondline import consistency
from bondline.domain.audit import Actor
from bondline.domain.errors import Busy, DomainError, Unavailable
from bondline.store.base import Conn, IntegrityViolation, Row, StatementCache, Store, StoreError
from bondline.store.pgpool import Pool, PoolTimeout
from bondline.store.pgsnapshot import LEGACY_SNAPSHOT_SQL, SNAPSHOT_SQL, Snapshots
from bondline.store.readcache import MISS, ReadCache
from bondline.store.unit import Tx
from bondline.store.urls import DatabaseURL

T = TypeVar("T")
log = logging.getLogger("bondline.store")
_statements = StatementCache(asyncpg_dialect.dialect())  # type: ignore[no-untyped-call]  # SQLAlchemy's dialect classes are not annotated

# What a statement, a connection or the pool may raise when the database fails (rather than the
# statement): translated by `_translate`, never let through as a bare driver error.
DB_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError, TimeoutError)

# The server cannot serve now, through no fault of the request: class 08 (connection exception), 53
# (insufficient resources: too many connections, disk full, out of memory), 57 (operator
# intervention: admin or crash shutdown, starting up, statement timeout or cancel).
_UNAVAILABLE = (asyncpg.PostgresConnectionError, asyncpg.InsufficientResourcesError,
                asyncpg.OperatorInterventionError, asyncpg.ConnectionDoesNotExistError,
                # the protocol lost its place on a connection the server cut mid-operation (shutting down)
                asyncpg.InternalClientError)


# Decision 0029. After a commit returned, the insert position is at or past its commit record (the
# flushed position, `pg_current_wal_lsn()`, may not be with synchronous_commit off); a replica that
# has replayed that far shows the commit. NULL on a server that is not a standby.
POSITION_SQL = "SELECT pg_current_wal_insert_lsn()::text"
REPLAY_SQL = "SELECT pg_last_wal_replay_lsn()::text"
REPLICA_RETRY_SECONDS = 2.0  # after the replica failed to answer, reads stay on the primary this long


def _translate(exc: BaseException) -> Exception:
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        return IntegrityViolation(str(exc))
    if isinstance(exc, (asyncpg.DeadlockDetectedError, asyncpg.LockNotAvailableError,
                        asyncpg.SerializationError)):
        return Busy("The database is busy with a conflicting write; retry shortly")
    if isinstance(exc, TimeoutError) or isinstance(exc, asyncpg.QueryCanceledError):
        return Unavailable("The database did not answer in time; retry shortly",
                           details=f"{type(exc).__name__}: {exc}")
    if isinstance(exc, _UNAVAILABLE) or isinstance(exc, OSError):
        return Unavailable("The database is unavailable; retry shortly", details=f"{type(exc).__name__}: {exc}")
    return StoreError(f"{type(exc).__name__}: {exc}")


def _failed(raw: asyncpg.Connection, exc: BaseException) -> Exception:
    """`exc`, raised on `raw`, translated; a connection whose protocol lost its place is closed, so
    the pool never hands it out again."""
    if isinstance(exc, asyncpg.InternalClientError):
        raw.terminate()
    return _translate(exc)


class PostgresConn(Conn):
    """Statements on one connection. Each is bounded: by the connection's command timeout (the
    store's statement timeout) or, for long jobs, by `timeout`."""

    kind = "postgresql"
    __slots__ = ("raw", "timeout")

    def __init__(self, raw: asyncpg.Connection, timeout: float | None = None) -> None:
        self.raw = raw
        self.timeout = timeout  # None: the connection's command timeout

    async def one(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Row | None:
        compiled = _statements.get(stmt)
        try:
            return await self.raw.fetchrow(compiled.sql, *compiled.args(params), timeout=self.timeout)
        except DB_ERRORS as exc:
            raise _failed(self.raw, exc) from exc

    async def all(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        compiled = _statements.get(stmt)
        try:
            return await self.raw.fetch(compiled.sql, *compiled.args(params), timeout=self.timeout)
        except DB_ERRORS as exc:
            raise _failed(self.raw, exc) from exc

    async def execute(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> int:
        compiled = _statements.get(stmt)
        try:
            status = await self.raw.execute(compiled.sql, *compiled.args(params), timeout=self.timeout)
        except DB_ERRORS as exc:
            raise _failed(self.raw, exc) from exc
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isascii() and tail.isdigit() else 0

    async def executemany(self, stmt: sa.ClauseElement, params: Iterable[Mapping[str, Any]]) -> None:
        compiled = _statements.get(stmt)
        try:
            await self.raw.executemany(compiled.sql, [compiled.args(p) for p in params], timeout=self.timeout)
        except DB_ERRORS as exc:
            raise _failed(self.raw, exc) from exc

    async def insert_missing(self, table: sa.Table, columns: Sequence[str], conflict: Sequence[str],
                             rows: Sequence[tuple[Any, ...]]) -> int:
        staging = f"bondline_import_{table.name}"
        cols = ", ".join(map(_quote, columns))
        try:
            await self.raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_quote(staging)} "
                                   f"(LIKE {_quote(table.name)} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
                                   timeout=self.timeout)
            await self.raw.copy_records_to_table(staging, records=rows, columns=list(columns), timeout=self.timeout)
            status = await self.raw.execute(
                f"INSERT INTO {_quote(table.name)} ({cols}) SELECT {cols} FROM {_quote(staging)} "
                f"ON CONFLICT ({', '.join(map(_quote, conflict))}) DO NOTHING", timeout=self.timeout)
            await self.raw.execute(f"TRUNCATE {_quote(staging)}", timeout=self.timeout)
        except DB_ERRORS as exc:
            raise _failed(self.raw, exc) from exc
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isascii() and tail.isdigit() else 0


def _quote(name: str) -> str:
    """Identifiers come from the schema in tables.py, never from input; quoted all the same."""
    return '"' + name.replace('"', '""') + '"'


class ReadConn(PostgresConn):
    """A read's connection, taken from the pool by its first statement: a read answered entirely
    from the cache takes none. `one_cached` and `all_cached` use the store's read cache
    (store/pgsnapshot.py says why that is never stale)."""

    __slots__ = ("store", "version")

    def __init__(self, store: PostgresStore) -> None:
        # No connection until the first statement (each method connects first), so `raw` is None
        # meanwhile, where PostgresConn's is always a connection.
        self.raw = None  # type: ignore[assignment]  # None until the first statement (see above)
        self.timeout = None
        self.store = store
        # The snapshot this read's first cached statement waited for. Its later cached statements
        # use it again while the cache is still at it: it was taken after the read began, which is
        # all a cached row must be newer than (pgsnapshot.py), and a listing's three cached reads
        # then wait for one snapshot, not three.
        self.version: str | None = None

    async def _connect(self) -> None:
        if self.raw is None:
            self.raw = await self.store._acquire()

    def release(self) -> None:
        if self.raw is not None:
            raw, self.raw = self.raw, None  # type: ignore[assignment]  # (see __init__)
            self.store._pool.release(raw)

    async def one(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Row | None:
        await self._connect()
        return await PostgresConn.one(self, stmt, params)

    async def all(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        await self._connect()
        return await PostgresConn.all(self, stmt, params)

    async def execute(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> int:
        await self._connect()
        return await PostgresConn.execute(self, stmt, params)

    async def executemany(self, stmt: sa.ClauseElement, params: Iterable[Mapping[str, Any]]) -> None:
        await self._connect()
        await PostgresConn.executemany(self, stmt, params)

    async def insert_missing(self, table: sa.Table, columns: Sequence[str], conflict: Sequence[str],
                             rows: Sequence[tuple[Any, ...]]) -> int:
        await self._connect()
        return await PostgresConn.insert_missing(self, table, columns, conflict, rows)

    async def one_cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None,
                         parse: Callable[[Row | None], Any] | None = None) -> Any:
        return await self._cached(stmt, params, PostgresConn.one, parse)

    async def all_cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None,
                         parse: Callable[[Sequence[Row]], Any] | None = None) -> Any:
        return await self._cached(stmt, params, _all_tuple, parse)

    async def _cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None,
                      fetch: Callable[..., Awaitable[Any]], parse: Callable[[Any], Any] | None) -> Any:
        cache = self.store._cache
        # A read that already holds a pool connection asks its own connection: the snapshot is taken
        # on another one, and with every connection of the pool held by reads waiting for a snapshot
        # (32 listings at once, each past its first statement) none would come until the pool's timeout.
        if cache is None or self.raw is not None or not cache.payoff.use():
            await self._connect()
            found = await fetch(self, stmt, params)
            return found if parse is None else parse(found)
        compiled = _statements.get(stmt)
        key = (compiled, fetch, parse, compiled.args(params))
        version = self.version
        if version is None or not cache.still_at(version):
            try:
                version = await self.store._snapshots.current()  # taken after this call: pgsnapshot.py
            except DB_ERRORS as exc:
                raise _translate(exc) from exc
            self.version = version
        cache.at(version)
        found = cache.get(key)
        if found is MISS:
            await self._connect()
            found = await fetch(self, stmt, params)
            if parse is not None:
                found = parse(found)
            cache.put(key, found, version)
        return found


async def _all_tuple(conn: PostgresConn, stmt: sa.ClauseElement, params: Mapping[str, Any] | None) -> tuple[Row, ...]:
    return tuple(await PostgresConn.all(conn, stmt, params))


class _Read:
    __slots__ = ("store", "conn")

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    async def __aenter__(self) -> Tx:
        self.conn = ReadConn(self.store)
        return Tx(self.conn)

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self.conn.release()
        self.store.finished(exc)


class ReplicaReadConn(ReadConn):
    """A read on the streaming replica (decision 0029): its connection comes from the replica's pool,
    and it never uses the read cache, which is kept against the primary's snapshots. If the replica
    cannot be reached when the first statement needs a connection, the read runs on the primary."""

    __slots__ = ("pool", "fell_back")

    def __init__(self, store: PostgresStore) -> None:
        super().__init__(store)
        self.pool: Pool | None = None
        self.fell_back = False

    async def _connect(self) -> None:
        if self.raw is not None:
            return
        store = self.store
        replica = store._replica
        assert replica is not None
        try:
            self.raw = await replica.acquire(store.pool_timeout)
            self.pool = replica
            return
        except DB_ERRORS as exc:
            store._replica_failed(exc)
        self.fell_back = True
        self.raw = await store._acquire()
        self.pool = store._pool

    def release(self) -> None:
        if self.raw is not None:
            raw, self.raw = self.raw, None  # type: ignore[assignment]  # (see ReadConn.__init__)
            assert self.pool is not None
            self.pool.release(raw)

    def _lost(self) -> bool:
        """After a statement failed with Unavailable: if it was the replica's connection that closed
        (the replica went away mid-read), move this read to the primary and say so; the statement is
        then run again there. A read changes nothing, and a unit of reads already sees successive
        states (each statement its own snapshot), so the primary's newer one is no harm."""
        if self.fell_back or self.raw is None or not self.raw.is_closed():
            return False
        self.store._replica_failed(Unavailable("the read replica closed the connection"))
        self.release()
        self.fell_back = True
        return True

    async def one(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Row | None:
        await self._connect()
        try:
            return await PostgresConn.one(self, stmt, params)
        except Unavailable:
            if not self._lost():
                raise
        self.raw = await self.store._acquire()
        self.pool = self.store._pool
        return await PostgresConn.one(self, stmt, params)

    async def all(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        await self._connect()
        try:
            return await PostgresConn.all(self, stmt, params)
        except Unavailable:
            if not self._lost():
                raise
        self.raw = await self.store._acquire()
        self.pool = self.store._pool
        return await PostgresConn.all(self, stmt, params)

    async def _cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None,
                      fetch: Callable[..., Awaitable[Any]], parse: Callable[[Any], Any] | None) -> Any:
        found: Any = await self.one(stmt, params) if fetch is PostgresConn.one else tuple(await self.all(stmt, params))
        return found if parse is None else parse(found)


class _RoutedRead:
    """A read while a replica is configured: on the replica when the request's consistency allows it
    (`PostgresStore._replica_serves`), else on the primary; either way the request learns the
    position it read at, so the client's next read is never older."""

    __slots__ = ("store", "state", "conn", "seen")

    def __init__(self, store: PostgresStore, state: consistency.Request | None) -> None:
        self.store = store
        self.state = state
        self.conn: ReadConn
        self.seen: int | None

    async def __aenter__(self) -> Tx:
        state, store = self.state, self.store
        if state is not None and state.may_read_replica() and await store._replica_serves(state):
            self.seen = store._replayed  # the replica has replayed at least this far (it only moves on)
            self.conn = ReplicaReadConn(store)
        else:
            self.seen = None
            self.conn = ReadConn(store)
        return Tx(self.conn)

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        conn = self.conn
        on_replica = isinstance(conn, ReplicaReadConn) and not conn.fell_back
        conn.release()
        if on_replica and isinstance(exc, Unavailable):
            self.store._replica_failed(exc)  # the replica's outage, not the primary's
        else:
            self.store.finished(exc)
        if on_replica:
            self.store.replica_reads += 1
        state = self.state
        # A read that ended in an answer (a 404 is one) saw the database as of its position.
        if (exc is not None and not isinstance(exc, DomainError)) or state is None or not state.safe:
            return
        if on_replica:
            if self.seen is not None and self.seen >= 0:  # -1: not asked yet (a tokenless read)
                state.saw(self.seen)
        elif state.token is not None or self.store.replica_mode == "replica":
            # Read on the primary by a client that reads from the replica too: its next read must not
            # be older than this one, so it is given the primary's position as of now.
            state.saw(await self.store._primary_position())


class _Write:
    __slots__ = ("store", "actor", "raw", "txn", "timeout", "tx")

    def __init__(self, store: PostgresStore, actor: Actor, timeout: float | None = None) -> None:
        self.store = store
        self.actor = actor
        self.timeout = timeout

    async def __aenter__(self) -> Tx:
        self.raw = await self.store._acquire()
        try:
            self.txn = self.raw.transaction()
            await self.txn.start()
            if self.timeout is not None:  # a long job: the server's own statement timeout follows
                await self.raw.execute(f"SET LOCAL statement_timeout = {int(self.timeout * 1000)}",
                                       timeout=self.timeout)
        except BaseException as exc:
            self.store._pool.release(self.raw)
            if isinstance(exc, DB_ERRORS):
                error = _translate(exc)
                self.store.finished(error)
                raise error from exc
            raise
        self.tx = Tx(PostgresConn(self.raw, self.timeout), self.actor)
        return self.tx

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            if exc is not None:
                await self._rollback()
                return
            try:
                await self.tx.flush()  # the unit's audit entries and events (errors come translated)
            except BaseException as flush_error:  # nothing of the unit commits without its trail
                exc = flush_error
                await self._rollback()
                raise
            try:
                await self.txn.commit()
            except DB_ERRORS as commit_error:
                exc = _failed(self.raw, commit_error)
                raise exc from commit_error
        finally:
            self.store._pool.release(self.raw)
            self.store.finished(exc)
        if self.store._replica is not None:  # committed: tell the client how far it has to be read
            await self.store._note_write()

    async def _rollback(self) -> None:
        try:
            await self.txn.rollback()
        except DB_ERRORS:
            pass  # the connection broke: the server rolls back; release() throws the connection away


class PostgresStore(Store):
    kind = "postgresql"

    def __init__(self, url: DatabaseURL, pool_size: int = 10, read_cache: bool = True, *,
                 connect_timeout: float = 5.0, pool_timeout: float = 5.0, statement_timeout: float = 5.0,
                 long_timeout: float = 600.0, application_name: str | None = None,
                 replica_url: DatabaseURL | None = None, replica_mode: str = "primary") -> None:
        super().__init__()
        self.url = url
        # A streaming replica that reads may use when the request's consistency allows (decision 0029).
        self.replica_url = replica_url
        self.replica_mode = replica_mode
        self._replica: Pool | None = None
        self._replayed = -1  # the replica's replay position, as last asked (it only moves on)
        self._replica_down_until = 0.0
        self.replica_reads = 0  # reads the replica answered
        self.replica_behind = 0  # reads that needed more than the replica had replayed: on the primary
        self.replica_down = 0  # reads for the replica while it could not be reached: on the primary
        self._replay: Snapshots
        self._positions: Snapshots
        # A server's connections name it, so a restore can see it is in use (store/inuse.py).
        self.application_name = application_name
        self.pool_size = pool_size
        self.read_cache = read_cache
        # Bounded waits (seconds): opening a connection, waiting for a free one, one statement of a
        # request, one statement of a long job (imports, large change-request applies).
        self.connect_timeout = connect_timeout
        self.pool_timeout = pool_timeout
        self.statement_timeout = statement_timeout
        self.long_timeout = long_timeout
        self._pool: Pool
        self._cache: ReadCache | None = None
        self._snapshots: Snapshots

    async def open(self) -> None:
        settings = {"search_path": self.url.search_path} if self.url.search_path else {}
        # The server's own limit too: it also ends a statement whose client is gone or whose cancel
        # request never arrived (the client's command timeout only stops waiting for it).
        settings["statement_timeout"] = str(int(self.statement_timeout * 1000))
        if self.application_name:
            settings["application_name"] = self.application_name

        def connect() -> Any:
            return asyncpg.connect(self.url.dsn, server_settings=settings, statement_cache_size=1024,
                                   timeout=self.connect_timeout, command_timeout=self.statement_timeout)

        self._pool = Pool(connect, self.pool_size)
        try:
            await self._pool.open()
        except DB_ERRORS as exc:
            raise _translate(exc) from exc
        raw = await self._acquire()
        version = raw.get_server_version()
        self._pool.release(raw)
        self._snapshots = Snapshots(self._acquire, self._pool.release,
                                    SNAPSHOT_SQL if version.major >= 13 else LEGACY_SNAPSHOT_SQL)
        self._cache = ReadCache() if self.read_cache else None
        if self.replica_url is not None:
            self._open_replica(settings)

    def _open_replica(self, settings: dict[str, str]) -> None:
        """The replica's pool, opened on demand (a replica that is down at start leaves the server
        reading from the primary), and the two shared position queries."""
        url = self.replica_url
        assert url is not None
        replica_settings = dict(settings)
        if url.search_path:
            replica_settings["search_path"] = url.search_path

        def connect() -> Any:
            return asyncpg.connect(url.dsn, server_settings=replica_settings, statement_cache_size=1024,
                                   timeout=self.connect_timeout, command_timeout=self.statement_timeout)

        replica = self._replica = Pool(connect, self.pool_size)

        async def acquire_replica() -> asyncpg.Connection:
            return await replica.acquire(self.pool_timeout)

        # Shared like the snapshot: each caller waits for a query sent after it asked.
        self._replay = Snapshots(acquire_replica, replica.release, REPLAY_SQL)
        self._positions = Snapshots(self._acquire, self._pool.release, POSITION_SQL)

    async def _replica_serves(self, state: consistency.Request) -> bool:
        """Whether this read may run on the replica: it has replayed the client's token (asking it
        again, shared, when the position last seen is short of it), or the client sent none and
        tokenless reads tolerate staleness here. False while the replica is unreachable."""
        if time.monotonic() < self._replica_down_until:
            self.replica_down += 1
            return False
        token = state.token
        if token is None:
            return self.replica_mode == "replica"
        if self._replayed >= token:
            return True
        try:
            replayed = await self._replay.current()
        except (*DB_ERRORS, asyncpg.InterfaceError) as exc:
            self._replica_failed(exc)
            self.replica_down += 1
            return False
        position = consistency.parse_lsn(replayed) if replayed else None
        if position is not None and position > self._replayed:
            self._replayed = position
        if self._replayed >= token:
            return True
        self.replica_behind += 1
        return False

    def _replica_failed(self, exc: BaseException) -> None:
        """The replica did not answer: reads go to the primary for a while (a full pool is not that)."""
        if isinstance(exc, PoolTimeout):
            return
        if time.monotonic() >= self._replica_down_until:
            log.warning("the read replica is unreachable; reading from the primary for %g s (%s: %s)",
                        REPLICA_RETRY_SECONDS, type(exc).__name__, exc)
        self._replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS

    async def _primary_position(self) -> int | None:
        """The primary's WAL insert position as of now (a query sent after the call; shared)."""
        try:
            return consistency.parse_lsn(await self._positions.current() or "")
        except (*DB_ERRORS, asyncpg.InterfaceError) as exc:
            # The work is done (a write committed): the client keeps its older token, and only a
            # read of the replica before it catches up could miss it. Not worth failing the request.
            log.warning("could not read the primary's WAL position (%s: %s)", type(exc).__name__, exc)
            return None

    async def _note_write(self) -> None:
        state = consistency.current.get()
        if state is not None:
            state.wrote = True
            state.saw(await self._primary_position())

    async def close(self) -> None:
        if self._replica is not None:
            await self._replica.close()
        pool = getattr(self, "_pool", None)
        if pool is not None:
            await pool.close()
        if self._cache is not None:
            self._cache.close()

    def pool_stats(self) -> dict[str, int]:
        pool = getattr(self, "_pool", None)
        if pool is None:
            return {"size": 0, "idle": 0, "max": self.pool_size, "waiting": 0}
        stats: dict[str, int] = pool.stats()
        if self._cache is not None:
            stats.update(read_cache_hits=self._cache.hits, read_cache_misses=self._cache.misses)
        if self.replica_url is not None:
            stats.update(replica_reads=self.replica_reads, replica_behind=self.replica_behind,
                         replica_down=self.replica_down)
        return stats

    async def _acquire(self) -> asyncpg.Connection:
        """A pool connection, within the pool and connect timeouts; Unavailable otherwise."""
        try:
            return await self._pool.acquire(self.pool_timeout)
        except DB_ERRORS as exc:
            raise _translate(exc) from exc

    def read(self) -> _Read | _RoutedRead:
        if self._replica is None:
            return _Read(self)
        return _RoutedRead(self, consistency.current.get())

    def write(self, actor: Actor) -> _Write:
        return _Write(self, actor)

    async def run_long(self, actor: Actor, job: Callable[[Tx], Awaitable[T]]) -> T:
        async with _Write(self, actor, max(self.long_timeout, self.statement_timeout)) as tx:
            return await job(tx)

    async def refresh_statistics(self, tables: Sequence[str]) -> None:
        """ANALYZE each table (PostgreSQL's advice after a bulk load): until autovacuum gets to it,
        the planner would plan against the table as it was, perhaps empty, and the plans a
        connection keeps for its prepared statements would stay fitted to that."""
        from bondline.store.tables import metadata

        raw = await self._acquire()
        try:
            for name in tables:
                await raw.execute(f"ANALYZE {_quote(metadata.tables[name].name)}", timeout=self.long_timeout)
        except DB_ERRORS as exc:
            raise _translate(exc) from exc
        finally:
            self._pool.release(raw)

    async def wipe(self) -> None:
        from bondline.store.tables import metadata

        tables = ", ".join(_quote(t.name) for t in metadata.sorted_tables)
        raw = await self._acquire()
        try:
            # TRUNCATE fires no row trigger: the audit log's append-only guard (on UPDATE and DELETE) stays
            await raw.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        except DB_ERRORS as exc:
            raise _translate(exc) from exc
        finally:
            self._pool.release(raw)
