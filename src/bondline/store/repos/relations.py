"""Relations: one row per (namespace, name, source, target)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from bondline.domain.errors import Busy
from bondline.domain.relations import Relation
from bondline.store.base import Conn, Row
from bondline.store.repos.content import WITH_SPACE_WIDTH, _with_space_stmt, loaded
from bondline.store.repos.content import _split as _content_row
from bondline.store.tables import relations, space_roles, spaces

P = sa.bindparam
r = relations.c

_cols = (r.id, r.namespace, r.name, r.source_type, r.source_key, r.target_type, r.target_key, r.version,
         r.created_at, r.created_by, r.updated_at, r.updated_by)
_key = (r.namespace == P("ns"), r.name == P("name"), r.source_type == P("st"), r.source_key == P("sk"),
        r.target_type == P("tt"), r.target_key == P("tk"))
_get = sa.select(*_cols).where(*_key)
_PUT_TRIES = 8  # inserts tried while concurrent deletes keep removing the row in between
# A lookup by the whole key returns only what the caller does not already know.
_meta = sa.select(r.id, r.version, r.created_at, r.created_by, r.updated_at, r.updated_by).where(*_key)
_exists = sa.select(r.id).where(*_key)
_delete = relations.delete().where(*_key)
_delete_returning = relations.delete().where(*_key).returning(*_cols)
_purge_from = relations.delete().where(r.namespace == P("ns"), r.source_type == P("type"), r.source_key == P("key"))
_purge_to = relations.delete().where(r.namespace == P("ns"), r.target_type == P("type"), r.target_key == P("key"))


# A piece of content, its space and the caller's role there (`ContentRepo.with_space`), and the
# relation with the given key (or NULLs), in one round trip: the hot path of a relation check,
# where the other end is the caller and needs no lookup.
_content_and_meta = _with_space_stmt(False).add_columns(
    r.id, r.version, r.created_at, r.created_by, r.updated_at, r.updated_by,
).outerjoin(relations, sa.and_(*_key))


def _content_and_meta_of(row: Row | None) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
    """A `_content_and_meta` row: the content split as `ContentRepo.with_space` splits it (None when
    there is no such content), and the relation's columns (None when there is no such relation)."""
    if row is None:
        return None, None
    r = tuple(row)
    w = WITH_SPACE_WIDTH
    return _content_row(r[:w]), None if r[w] is None else r[w:]


def _insert_stmt(dialect_insert: Callable[[sa.Table], Any]) -> Any:
    return dialect_insert(relations).values(
        namespace=P("ns"), name=P("name"), source_type=P("st"), source_key=P("sk"), target_type=P("tt"),
        target_key=P("tk"), source_scope=P("source_scope"), target_scope=P("target_scope"), version=1,
        created_at=P("now"), created_by=P("by"), updated_at=P("now"), updated_by=P("by"),
    ).on_conflict_do_nothing(index_elements=["namespace", "name", "source_type", "source_key", "target_type",
                                             "target_key"]).returning(*_cols)


from sqlalchemy.dialects.postgresql import insert as _pg_insert  # noqa: E402  (compiles on SQLite too)

_insert = _insert_stmt(_pg_insert)


def _visible(scope: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """Rows whose `scope` space the user :viewer may see (no scope: everyone may)."""
    member = sa.select(space_roles.c.space_id).where(space_roles.c.space_id == spaces.c.id,
                                                     space_roles.c.user_id == P("viewer"))
    space_ok = sa.select(spaces.c.id).where(spaces.c.id == scope,
                                            sa.or_(spaces.c.private.is_(False), member.exists()))
    return sa.or_(scope.is_(None), space_ok.exists())


@functools.lru_cache(maxsize=64)
def _list_stmt(direction: str, restricted: bool, historical: bool | None, version: bool,
               by_cursor: bool, any_other_type: bool = False) -> sa.Select[Any]:
    """Targets of a source ("forward") or sources of a target ("reverse"), newest first."""
    if direction == "forward":
        fixed = (r.source_type == P("type"), r.source_key == P("key"))
        other_type, other_key, other_scope = r.target_type, r.target_key, r.target_scope
    else:
        fixed = (r.target_type == P("type"), r.target_key == P("key"))
        other_type, other_key, other_scope = r.source_type, r.source_key, r.source_scope
    stmt = sa.select(*_cols).where(r.namespace == P("ns"), *fixed, r.name == P("name"))
    if not any_other_type:
        stmt = stmt.where(other_type == P("other_type"))
    if restricted:
        stmt = stmt.where(_visible(other_scope))
    if historical is True:
        stmt = stmt.where(other_key.contains("@"))
        if version:
            stmt = stmt.where(other_key.endswith(P("version_suffix")))
    elif historical is False:
        stmt = stmt.where(sa.not_(other_key.contains("@")))
    if by_cursor:
        stmt = stmt.where(r.id < P("before"))
        return stmt.order_by(r.id.desc()).limit(P("limit"))
    return stmt.order_by(r.id.desc()).limit(P("limit")).offset(P("offset"))


def _relation(row: Row) -> Relation:
    return Relation(*row)


def _relations(rows: Sequence[Row]) -> tuple[Relation, ...]:
    return tuple(Relation(*row) for row in rows)


class RelationRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, ns: str, name: str, st: str, sk: str, tt: str, tk: str) -> Relation | None:
        row = await self.conn.one(_meta, {"ns": ns, "name": name, "st": st, "sk": sk, "tt": tt, "tk": tk})
        if row is None:
            return None
        return Relation(row[0], ns, name, st, sk, tt, tk, row[1], row[2], row[3], row[4], row[5])

    async def get_with_content(self, content_id: int, user_id: int, ns: str, name: str, st: str, sk: str,
                               tt: str, tk: str) -> tuple[tuple[Any, ...] | None, Relation | None]:
        """`ContentRepo.with_space(content_id, user_id)` and `get(...)` in one statement: (the
        content's row split as with_space splits it, or None; the relation, or None)."""
        split, meta = await self.conn.one_cached(_content_and_meta, {
            "id": content_id, "user_id": user_id, "ns": ns, "name": name, "st": st, "sk": sk, "tt": tt, "tk": tk},
            _content_and_meta_of)
        content = await loaded(self.conn, split, user_id) if split is not None else None
        return content, None if meta is None else Relation(meta[0], ns, name, st, sk, tt, tk, *meta[1:])

    async def find_id(self, ns: str, name: str, st: str, sk: str, tt: str, tk: str) -> int | None:
        """The relation's id, or None (answered from the unique index alone)."""
        return await self.conn.scalar(_exists, {"ns": ns, "name": name, "st": st, "sk": sk, "tt": tt, "tk": tk})

    async def exists(self, ns: str, name: str, st: str, sk: str, tt: str, tk: str) -> bool:
        return await self.conn.one(_exists, {"ns": ns, "name": name, "st": st, "sk": sk, "tt": tt,
                                             "tk": tk}) is not None

    async def put(self, ns: str, name: str, st: str, sk: str, tt: str, tk: str, *, source_scope: int | None,
                  target_scope: int | None, by: str, now: int) -> tuple[Relation, bool]:
        """Create the relation unless it exists; returns it and whether it was created. Safe under
        concurrency: the unique key decides, and the loser reads the winner's row.

        On PostgreSQL (READ COMMITTED) the row that made the insert do nothing can be deleted by a
        transaction that commits before the read that follows, which then finds nothing: the
        relation no longer exists, so the insert is simply tried again."""
        params = {"ns": ns, "name": name, "st": st, "sk": sk, "tt": tt, "tk": tk, "source_scope": source_scope,
                  "target_scope": target_scope, "by": by, "now": now}
        for _ in range(_PUT_TRIES):
            row = await self.conn.one(_insert, params)
            if row is not None:
                return _relation(row), True
            row = await self.conn.one(_get, params)
            if row is not None:
                return _relation(row), False
        raise Busy("The relation is being created and deleted by others at this moment; retry shortly")

    async def delete_returning(self, ns: str, name: str, st: str, sk: str, tt: str, tk: str) -> Relation | None:
        """Delete the relation; the row as it was, or None when there was none."""
        row = await self.conn.one(_delete_returning, {"ns": ns, "name": name, "st": st, "sk": sk, "tt": tt,
                                                      "tk": tk})
        return _relation(row) if row else None

    async def delete(self, ns: str, name: str, st: str, sk: str, tt: str, tk: str) -> bool:
        return await self.conn.execute(_delete, {"ns": ns, "name": name, "st": st, "sk": sk, "tt": tt,
                                                 "tk": tk}) > 0

    async def purge_entity(self, ns: str, kind: str, keys: list[str]) -> int:
        """Delete every relation from or to these entities."""
        removed = 0
        for key in keys:
            removed += await self.conn.execute(_purge_from, {"ns": ns, "type": kind, "key": key})
            removed += await self.conn.execute(_purge_to, {"ns": ns, "type": kind, "key": key})
        return removed

    async def count(self, *, direction: str, ns: str, name: str, kind: str, key: str, other_type: str,
                    viewer: int | None) -> int:
        """How many relations `listing` would list (every page of them)."""
        listed = _list_stmt(direction, viewer is not None, None, False, False).subquery()
        stmt = sa.select(sa.func.count()).select_from(listed)
        row = await self.conn.one(stmt, {"ns": ns, "type": kind, "key": key, "name": name, "other_type": other_type,
                                         "viewer": viewer, "offset": 0, "limit": 2**62})
        return int(row[0]) if row else 0

    async def listing(self, *, direction: str, ns: str, name: str, kind: str, key: str, other_type: str | None,
                      viewer: int | None, historical: bool | None = None, version: int | None = None,
                      offset: int = 0, limit: int = 25, before: int | None = None) -> list[Relation]:
        """Relations of one entity, newest first: its targets (direction "forward") or its sources
        ("reverse"). `viewer` limits the other ends to what that user may see (None: no limit).
        Paginate by `offset`, or by `before` (an id cursor)."""
        stmt = _list_stmt(direction, viewer is not None, historical, version is not None, before is not None,
                          other_type is None)
        # The read cache may answer (the statement depends on the rows and these parameters
        # alone), with the Relation objects parsed once and shared, read-only.
        return list(await self.conn.all_cached(stmt, {
            "ns": ns, "type": kind, "key": key, "name": name, "other_type": other_type, "viewer": viewer,
            "version_suffix": f"@{version}" if version is not None else None, "offset": offset, "limit": limit,
            "before": before}, _relations))
