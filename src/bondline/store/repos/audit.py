"""The audit trail: append, and read back by actor, object or time."""

from __future__ import annotations

import functools
from typing import Any

import msgspec
import sqlalchemy as sa

from bondline import ids
from bondline.domain.audit import Actor, AuditEntry, Change
from bondline.store.base import Conn
from bondline.store.tables import audit_log

P = sa.bindparam
a = audit_log.c
_encode = msgspec.json.Encoder().encode

_COLUMNS = ("at", "actor", "action", "object", "before", "after", "request_id")  # an entry's parameters too
_insert = audit_log.insert().values({col: P(col) for col in _COLUMNS})
_cols = (a.id, a.at, a.actor, a.action, a.object, a.before, a.after, a.request_id)


@functools.lru_cache(maxsize=16)
def _list_stmt(by_actor: bool, by_object: bool, by_prefix: bool, since: bool) -> sa.Select[Any]:
    stmt = sa.select(*_cols).where(a.id < P("before_id"))
    if by_actor:
        stmt = stmt.where(a.actor == P("actor"))
    if by_object:
        stmt = stmt.where(a.object == P("object"))
    if by_prefix:
        stmt = stmt.where(a.object.startswith(P("prefix")))
    if since:
        stmt = stmt.where(a.at >= P("since"))
    return stmt.order_by(a.id.desc()).limit(P("limit"))


def _doc(text: str | None) -> Any:
    return None if text is None else msgspec.json.decode(text)


def _json(value: Any) -> str | None:
    return None if value is None else _encode(value).decode()


def rows(changes: list[Change], actor: Actor) -> list[dict[str, Any]]:
    """The parameters of `changes`' entries, as `_insert` (and `insert_cte`, prefixed) take them: made
    now, by `actor` (unless a change names its own), in its request."""
    now = ids.now_ms()
    return [{"at": now, "actor": c.actor or actor.account_id, "action": c.action, "object": c.object[:512],
             "before": _json(c.before), "after": _json(c.after), "request_id": actor.request_id} for c in changes]


@functools.lru_cache(maxsize=8)
def insert_cte(n: int) -> sa.CTE:
    """Appending `n` entries as a common table expression, for PostgreSQL to run inside another
    statement (`add_cte`): one round trip instead of two. Its parameters are `cte_params`'s."""
    return audit_log.insert().values([{col: P(f"audit{k}_{col}") for col in _COLUMNS} for k in range(n)]).cte(
        "audit_rows")


def cte_params(changes: list[Change], actor: Actor) -> dict[str, Any]:
    return {f"audit{k}_{col}": value for k, row in enumerate(rows(changes, actor)) for col, value in row.items()}


class AuditRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def append(self, changes: list[Change], actor: Actor) -> None:
        """Append entries (in the caller's transaction). The unit of work calls this at commit."""
        if len(changes) == 1:
            await self.conn.execute(_insert, rows(changes, actor)[0])
        elif changes:
            await self.conn.executemany(_insert, rows(changes, actor))

    async def entries(self, *, actor: str | None = None, object: str | None = None, prefix: str | None = None,
                      since_ms: int | None = None, before_id: int | None = None,
                      limit: int = 100) -> list[AuditEntry]:
        """Newest first; `before_id` pages backwards (pass the last id seen)."""
        stmt = _list_stmt(actor is not None, object is not None, prefix is not None, since_ms is not None)
        rows = await self.conn.all(stmt, {
            "actor": actor, "object": object, "prefix": prefix, "since": since_ms,
            "before_id": before_id if before_id is not None else 2**62, "limit": limit})
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], _doc(r[5]), _doc(r[6]), r[7]) for r in rows]
