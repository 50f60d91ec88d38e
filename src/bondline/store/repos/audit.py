"""The audit trail: append, and read back by actor, object or time."""

from __future__ import annotations

import functools
from typing import Any

import msgspec
import sqlalchemy as sa

from bondline import ids
from bondline.domain.audit import Actor, AuditEntry, Change
from bondline.domain.reltio import activities
from bondline.store.base import Conn
from bondline.store.tables import audit_log, users

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

    async def reltio_activities(self, tenant: str, where: Any, *, ascending: bool, offset: int,
                                limit: int) -> list[tuple[AuditEntry, str]]:
        """A tenant's entries that Reltio's activity log shows (`where`: the condition tree of
        `bondline.domain.reltio.activities`, None for all), newest first unless `ascending`, with
        the name (email) of each entry's actor. Statements are kept per shape of the filter (its
        values are parameters)."""
        params: dict[str, Any] = {"prefix": _like_literal(f"reltio/{tenant}/") + "%", "offset": offset,
                                  "limit": limit, **_ACTION_PARAMS}
        key = (_shape(where), ascending)
        stmt = _ACTIVITY_STATEMENTS.get(key)
        clause = None if where is None else _activity_clause(where, tenant, params)
        if stmt is None:
            stmt = _activity_stmt(clause, ascending)
            if len(_ACTIVITY_STATEMENTS) >= 256:
                _ACTIVITY_STATEMENTS.clear()
            _ACTIVITY_STATEMENTS[key] = stmt
        rows = await self.conn.all(stmt, params)
        return [(AuditEntry(r[0], r[1], r[2], r[3], r[4], _doc(r[5]), _doc(r[6]), r[7]), r[8]) for r in rows]


_ACTIVITY_STATEMENTS: dict[Any, sa.Select[Any]] = {}
_ACTIONS_IN = a.action.in_([P(f"action{i}") for i in range(len(activities.ACTIONS))])
_ACTION_PARAMS = {f"action{i}": action for i, action in enumerate(activities.ACTIONS)}


def _activity_stmt(clause: Any, ascending: bool) -> sa.Select[Any]:
    u = users.c
    stmt = (sa.select(*_cols, sa.func.coalesce(u.email, a.actor))
            .select_from(audit_log.outerjoin(users, u.account_id == a.actor))
            .where(a.object.like(P("prefix"), escape="/"), _ACTIONS_IN))
    if clause is not None:
        stmt = stmt.where(clause)
    return stmt.order_by(a.id.asc() if ascending else a.id.desc()).limit(P("limit")).offset(P("offset"))


def _shape(node: Any) -> Any:
    if node is None:
        return None
    if isinstance(node, activities.All | activities.AnyOf):
        return (type(node).__name__, tuple(_shape(p) for p in node.parts))
    if isinstance(node, activities.Not):
        return ("not", _shape(node.part))
    return (node.column, node.op, len(node.value) if node.column == "action" else None)


def _like_literal(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _activity_clause(node: Any, tenant: str, params: dict[str, Any]) -> Any:
    """The SQL condition of one node of an activity filter; its values go into `params`."""
    def bind(value: Any) -> Any:
        name = f"v{len(params)}"
        params[name] = value
        return P(name)

    if isinstance(node, activities.All):
        return sa.and_(*(_activity_clause(p, tenant, params) for p in node.parts))
    if isinstance(node, activities.AnyOf):
        return sa.or_(*(_activity_clause(p, tenant, params) for p in node.parts))
    if isinstance(node, activities.Not):
        return sa.not_(_activity_clause(node.part, tenant, params))
    column, op, value = node.column, node.op, node.value
    prefix = f"reltio/{tenant}/"
    if column == "at":
        v = bind(value)
        col = a.at
        return {"eq": col == v, "gt": col > v, "lt": col < v, "gte": col >= v, "lte": col <= v}[op]
    if column == "action":
        return a.action.in_([bind(x) for x in value]) if value else sa.false()
    if column == "actor":
        u = users.c
        if op == "prefix":
            pattern = bind(_like_literal(value) + "%")
            match = sa.or_(u.email.like(pattern, escape="/"), u.account_id.like(pattern, escape="/"))
            return sa.or_(a.actor.in_(sa.select(u.account_id).where(match)), a.actor.like(pattern, escape="/"))
        v = bind(value)
        return sa.or_(a.actor == v, a.actor.in_(sa.select(u.account_id).where(u.email == v)))
    if column == "object":
        if op == "eq":
            return a.object == bind(prefix + value)
        return a.object.like(bind(_like_literal(prefix + value) + "%"), escape="/")
    if column == "object_type":  # the stored record names its type right after its tenant and id
        kind, name = value
        pattern = (_like_literal(f'{{"tenant":"{tenant}","id":"') + "%"
                   + _like_literal(f'","type":"{name}",') + "%")
        return sa.and_(a.object.like(bind(_like_literal(f"{prefix}{kind}/") + "%"), escape="/"),
                       sa.func.coalesce(a.after, a.before).like(bind(pattern), escape="/"))
    raise ValueError(f"unknown activity condition {column}")
