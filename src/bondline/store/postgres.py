"""PostgreSQL backend: for production and scale-out (stateless workers in front of one database).

asyncpg connections in a small pool per worker (`pgpool`); statements compiled once by SQLAlchemy's
asyncpg dialect and prepared by asyncpg's statement cache. Reads run outside an explicit
transaction; a write is one transaction at READ COMMITTED, and code that must serialize (applying a
change request) takes row locks with ``SELECT … FOR UPDATE``.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Iterable, Mapping, Sequence, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from bondline.store.pgpool import Pool
from bondline.store.base import Busy, Conn, IntegrityViolation, Row, StatementCache, Store, StoreError
from bondline.store.unit import Tx
from bondline.store.urls import DatabaseURL

T = TypeVar("T")
_statements = StatementCache(asyncpg_dialect.dialect())


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        return IntegrityViolation(str(exc))
    if isinstance(exc, (asyncpg.DeadlockDetectedError, asyncpg.LockNotAvailableError,
                        asyncpg.SerializationError)):
        return Busy("The database is busy with a conflicting write; retry shortly")
    return StoreError(f"{type(exc).__name__}: {exc}")


class PostgresConn(Conn):
    kind = "postgresql"
    __slots__ = ("raw",)

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw

    async def one(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Row | None:
        compiled = _statements.get(stmt)
        try:
            return await self.raw.fetchrow(compiled.sql, *compiled.args(params))
        except asyncpg.PostgresError as exc:
            raise _translate(exc) from exc

    async def all(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        compiled = _statements.get(stmt)
        try:
            return await self.raw.fetch(compiled.sql, *compiled.args(params))
        except asyncpg.PostgresError as exc:
            raise _translate(exc) from exc

    async def execute(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> int:
        compiled = _statements.get(stmt)
        try:
            status = await self.raw.execute(compiled.sql, *compiled.args(params))
        except asyncpg.PostgresError as exc:
            raise _translate(exc) from exc
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isascii() and tail.isdigit() else 0

    async def executemany(self, stmt: sa.ClauseElement, params: Iterable[Mapping[str, Any]]) -> None:
        compiled = _statements.get(stmt)
        try:
            await self.raw.executemany(compiled.sql, [compiled.args(p) for p in params])
        except asyncpg.PostgresError as exc:
            raise _translate(exc) from exc

    async def insert_missing(self, table: sa.Table, columns: Sequence[str], conflict: Sequence[str],
                             rows: Sequence[tuple[Any, ...]]) -> int:
        staging = f"bondline_import_{table.name}"
        cols = ", ".join(map(_quote, columns))
        try:
            await self.raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_quote(staging)} "
                                   f"(LIKE {_quote(table.name)} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
            await self.raw.copy_records_to_table(staging, records=rows, columns=list(columns))
            status = await self.raw.execute(
                f"INSERT INTO {_quote(table.name)} ({cols}) SELECT {cols} FROM {_quote(staging)} "
                f"ON CONFLICT ({', '.join(map(_quote, conflict))}) DO NOTHING")
            await self.raw.execute(f"TRUNCATE {_quote(staging)}")
        except asyncpg.PostgresError as exc:
            raise _translate(exc) from exc
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isascii() and tail.isdigit() else 0


def _quote(name: str) -> str:
    """Identifiers come from the schema in tables.py, never from input; quoted all the same."""
    return '"' + name.replace('"', '""') + '"'


class _Read:
    __slots__ = ("store", "raw")

    def __init__(self, store: "PostgresStore") -> None:
        self.store = store

    async def __aenter__(self) -> Tx:
        self.raw = await self.store._pool.acquire()
        return Tx(PostgresConn(self.raw))

    async def __aexit__(self, *exc: object) -> None:
        self.store._pool.release(self.raw)


class _Write:
    __slots__ = ("store", "raw", "txn")

    def __init__(self, store: "PostgresStore") -> None:
        self.store = store

    async def __aenter__(self) -> Tx:
        self.raw = await self.store._pool.acquire()
        try:
            self.txn = self.raw.transaction()
            await self.txn.start()
        except BaseException:
            self.store._pool.release(self.raw)
            raise
        return Tx(PostgresConn(self.raw))

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is not None:
                await self.txn.rollback()
            else:
                try:
                    await self.txn.commit()
                except asyncpg.PostgresError as commit_error:
                    raise _translate(commit_error) from commit_error
        finally:
            self.store._pool.release(self.raw)


class PostgresStore(Store):
    kind = "postgresql"

    def __init__(self, url: DatabaseURL, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self._pool: Pool

    async def open(self) -> None:
        settings = {"search_path": self.url.search_path} if self.url.search_path else {}

        def connect() -> Any:
            return asyncpg.connect(self.url.dsn, server_settings=settings, statement_cache_size=1024)

        self._pool = Pool(connect, self.pool_size)
        await self._pool.open()

    async def close(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            await pool.close()

    def pool_stats(self) -> dict[str, int]:
        pool = getattr(self, "_pool", None)
        if pool is None:
            return {"size": 0, "idle": 0, "max": self.pool_size, "waiting": 0}
        return pool.stats()

    def read(self) -> _Read:
        return _Read(self)

    def write(self) -> _Write:
        return _Write(self)

    async def run_long(self, job: Callable[[Tx], Awaitable[T]]) -> T:
        async with self.write() as tx:
            return await job(tx)

    async def refresh_statistics(self, tables: Sequence[str]) -> None:
        """ANALYZE each table (PostgreSQL's advice after a bulk load): until autovacuum gets to it,
        the planner would plan against the table as it was, perhaps empty, and the plans a
        connection keeps for its prepared statements would stay fitted to that."""
        from bondline.store.tables import metadata

        raw = await self._pool.acquire()
        try:
            for name in tables:
                await raw.execute(f"ANALYZE {_quote(metadata.tables[name].name)}")
        except asyncpg.PostgresError as exc:
            raise _translate(exc) from exc
        finally:
            self._pool.release(raw)

    async def wipe(self) -> None:
        from bondline.store.tables import metadata

        tables = ", ".join(_quote(t.name) for t in metadata.sorted_tables)
        raw = await self._pool.acquire()
        try:
            await raw.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        except asyncpg.PostgresError as exc:
            raise _translate(exc) from exc
        finally:
            self._pool.release(raw)
