"""The storage interface: one `Store` per database, one `Conn` adapter per driver.

Repositories (in `bondline.store.repos`) are written once against `Conn`; each backend supplies a
`Conn` that runs SQLAlchemy Core statements on its native driver. Statements are compiled once per
dialect and cached, so the hot path pays for a DB-API call and nothing else (see
docs/decisions/0003-database-layer.md for the measurements behind this).

A unit of work (`store.unit.Tx`) is `async with store.write(actor) as tx:` (one transaction for
`actor`: committed with its audit entries and events when the block ends, rolled back if it raises)
or `async with store.read() as tx:` (no writes).
"""

from __future__ import annotations

import abc
import operator
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from bondline.domain.errors import DomainError, Unavailable
from bondline.store.outage import Outage

if TYPE_CHECKING:  # the unit of work's module imports the repositories, which import this one
    from bondline.domain.audit import Actor
    from bondline.store.unit import Tx

T = TypeVar("T")
Row = Any  # a tuple (SQLite) or asyncpg.Record: repositories read columns by position only


class StoreError(Exception):
    """The database failed in a way the caller cannot fix (rendered as a 500 without details)."""


class IntegrityViolation(StoreError):
    """A unique or foreign-key constraint refused a write (raised the same way by every backend)."""


class Compiled:
    """A statement compiled for one dialect: SQL text, parameter order and default values."""

    __slots__ = ("sql", "names", "defaults", "stmt", "_pick")

    def __init__(self, stmt: sa.ClauseElement, dialect: sa.engine.Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.stmt = stmt  # keeps the statement alive so its id() is never reused
        self.sql = compiled.string
        # positiontup: the SQL compiler's parameter order (on `SQLCompiler`, which `compile` returns here)
        self.names: tuple[str, ...] = tuple(getattr(compiled, "positiontup", None) or ())
        self.defaults = {k: v for k, v in compiled.params.items() if v is not None}
        self._pick: Callable[[Mapping[str, Any]], tuple[Any, ...]]
        if len(self.names) > 1:
            self._pick = operator.itemgetter(*self.names)
        elif self.names:
            name = self.names[0]
            self._pick = lambda params: (params[name],)
        else:
            self._pick = lambda params: ()

    def args(self, params: Mapping[str, Any] | None) -> tuple[Any, ...]:
        """The positional parameters for `params` (named), defaults filled in."""
        if self.defaults:
            params = {**self.defaults, **params} if params else self.defaults
        elif params is None:
            params = {}
        return self._pick(params)


class StatementCache:
    """Per-dialect cache of compiled statements, keyed by statement identity.

    Statements are module-level constants (or memoized builders), so the cache stays small.
    """

    def __init__(self, dialect: sa.engine.Dialect) -> None:
        self.dialect = dialect
        self._cache: dict[int, Compiled] = {}

    def get(self, stmt: sa.ClauseElement) -> Compiled:
        compiled = self._cache.get(id(stmt))
        if compiled is None:
            if len(self._cache) >= 4096:  # statements built per call must not grow it forever
                self._cache.clear()
            compiled = self._cache[id(stmt)] = Compiled(stmt, self.dialect)
        return compiled


class Conn(abc.ABC):
    """One database connection, as repositories see it."""

    kind: str

    @abc.abstractmethod
    async def one(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Row | None: ...

    @abc.abstractmethod
    async def all(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Sequence[Row]: ...

    @abc.abstractmethod
    async def execute(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement; return the number of rows it affected."""

    @abc.abstractmethod
    async def executemany(self, stmt: sa.ClauseElement, params: Iterable[Mapping[str, Any]]) -> None: ...

    @abc.abstractmethod
    async def insert_missing(self, table: sa.Table, columns: Sequence[str], conflict: Sequence[str],
                             rows: Sequence[tuple[Any, ...]]) -> int:
        """Bulk insert, skipping rows whose `conflict` key already exists; returns how many were
        new. The fast path for imports (SQLite: executemany; PostgreSQL: COPY into a temporary
        table, then one INSERT … SELECT … ON CONFLICT DO NOTHING)."""

    async def scalar(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None) -> Any:
        row = await self.one(stmt, params)
        return None if row is None else row[0]

    async def one_cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None,
                         parse: Callable[[Row | None], Any] | None = None) -> Any:
        """`one` (or `parse` of its row, None included), for a read whose answer depends on nothing
        but the stored rows and `params` (no clock, no randomness in the SQL): a backend may answer
        it from memory while nothing has been committed since it last ran it (SQLite's reader does:
        store/readcache.py). What `parse` returns may then be handed to many requests, so nobody may
        change it. The default asks the database."""
        row = await self.one(stmt, params)
        return row if parse is None else parse(row)

    async def all_cached(self, stmt: sa.ClauseElement, params: Mapping[str, Any] | None = None,
                         parse: Callable[[Sequence[Row]], Any] | None = None) -> Any:
        """`all`, on the terms of `one_cached`: the rows as a tuple (they may be shared), or `parse`
        of that tuple."""
        rows = tuple(await self.all(stmt, params))
        return rows if parse is None else parse(rows)


class Store(abc.ABC):
    """A database holding bondline's state."""

    kind: str

    def __init__(self) -> None:
        self.outage = Outage()

    def finished(self, error: BaseException | None) -> None:
        """Every unit of work reports how it ended, so outages are logged once (store/outage.py):
        Unavailable continues (or starts) one; an end that needed the database answering ends it."""
        if isinstance(error, Unavailable):
            self.outage.failed(str(error.details or error.message))
        elif self.outage.since is not None and (error is None or isinstance(error, DomainError)):
            self.outage.recovered()

    @abc.abstractmethod
    async def open(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    def read(self) -> AbstractAsyncContextManager[Tx]:
        """`async with store.read() as tx:` — a unit of work that only reads."""

    @abc.abstractmethod
    def write(self, actor: Actor) -> AbstractAsyncContextManager[Tx]:
        """`async with store.write(actor) as tx:` — one transaction for `actor`, committed at the end
        of the block with the audit entries and events the block recorded (`Tx.flush`)."""

    @abc.abstractmethod
    async def run_long(self, actor: Actor, job: Callable[[Tx], Awaitable[T]]) -> T:
        """Run a long write transaction (bulk import, a large change request) without stalling
        the event loop; `job` receives the unit of work. All or nothing, like `write()`."""

    @abc.abstractmethod
    async def wipe(self) -> None:
        """Empty every table in one transaction (the schema stays), and restart ids at 1, as SQL's
        TRUNCATE does: no row is deleted one by one, so row triggers do not fire — the audit log's
        append-only guard refuses UPDATE and DELETE before and after, but does not stop this.
        `bondline.services.seeding.reset` empties a database with it."""

    @abc.abstractmethod
    def pool_stats(self) -> dict[str, int]:
        """This process's connections: `size` (open), `idle`, `max` and `waiting` (units of work
        queued for a connection), for the metrics."""

    async def refresh_statistics(self, tables: Sequence[str]) -> None:
        """Tell the planner what a bulk load just put in `tables`. The default does nothing: SQLite
        picks these tables' indexes by their shape (a unique key matched in full is one row)."""
        return None

    async def ping(self) -> None:
        async with self.read() as tx:
            await tx.conn.scalar(sa.select(sa.literal(1)))


class Bytewise(sa.sql.expression.ColumnElement[str]):
    """A text column compared by code point (UTF-8 bytes) on both backends, whatever the database's
    collation: the order a listing sorted by a title or a name is read in (the order
    `domain.content.order_key` merges in)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]
    type = sa.String()

    def __init__(self, column: sa.ColumnElement[str]) -> None:
        self.column = column


@compiles(Bytewise)
def _bytewise_pg(element: Bytewise, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.column, **kw)} COLLATE "C"'


@compiles(Bytewise, "sqlite")
def _bytewise_sqlite(element: Bytewise, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} COLLATE BINARY"
