"""Content and space properties (`content_properties`, `space_properties`): one repository for both,
the owner ("content" or "space") picking the table."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from bondline.domain.properties import Property
from bondline.store.base import Bytewise, Conn, Row
from bondline.store.repos import batch
from bondline.store.tables import content_properties, space_properties

P = sa.bindparam
_TABLES = {"content": (content_properties, "content_id"), "space": (space_properties, "space_id")}


@functools.cache
def _statements(owner: str) -> dict[str, Any]:
    table, owner_col = _TABLES[owner]
    c = table.c
    cols = (c.id, c[owner_col], c.key, c.value, c.version, c.minor_edit, c.message, c.updated_by, c.updated_at)
    mine = c[owner_col] == P("owner_id")
    keyed = batch.cached(lambda n: sa.select(*cols).where(mine, c.key.in_(batch.vals(n))))
    return {
        "keyed": keyed,
        "get": sa.select(*cols).where(mine, c.key == P("key")),
        "by_id": sa.select(*cols).where(mine, c.id == P("id")),
        # by key, compared by code point on both backends (as a few keys looked up are sorted in Python)
        "page": sa.select(*cols).where(mine).order_by(Bytewise(c.key)).limit(P("limit")).offset(P("offset")),
        "page_desc": sa.select(*cols).where(mine).order_by(Bytewise(c.key).desc()).limit(P("limit")).offset(
            P("offset")),
        # a concurrent create of the same key loses quietly (no row back) instead of failing the unit
        "add": pg_insert(table).values({
            owner_col: P("owner_id"), "key": P("key"), "value": P("value"), "version": 1,
            "minor_edit": P("minor_edit"), "message": P("message"), "updated_by": P("by"),
            "updated_at": P("now")}).on_conflict_do_nothing(index_elements=[owner_col, "key"]).returning(c.id),
        # written only over the version before it: a stale writer changes nothing
        "update": table.update().where(mine, c.key == P("key"), c.version == P("version") - 1).values(
            value=P("value"), version=P("version"), minor_edit=P("minor_edit"), message=P("message"),
            updated_by=P("by"), updated_at=P("now")),
        "delete": table.delete().where(mine, c.key == P("key")),
    }


def _property(owner: str, r: Row) -> Property:
    return Property(r[0], owner, r[1], r[2], msgspec.json.decode(r[3]), r[4], bool(r[5]), r[6], r[7], r[8])


class PropertyRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, owner: str, owner_id: int, key: str) -> Property | None:
        row = await self.conn.one(_statements(owner)["get"], {"owner_id": owner_id, "key": key})
        return _property(owner, row) if row else None

    async def by_id(self, owner: str, owner_id: int, prop_id: int) -> Property | None:
        """The owner's property with this id (v2 names properties by id)."""
        row = await self.conn.one(_statements(owner)["by_id"], {"owner_id": owner_id, "id": prop_id})
        return _property(owner, row) if row else None

    async def page(self, owner: str, owner_id: int, *, keys: list[str] | None = None, offset: int = 0,
                   limit: int = 200, descending: bool = False) -> list[Property]:
        """The owner's properties by key (`descending`: from the last key), only `keys` when given."""
        stmts = _statements(owner)
        if keys:  # a few keys asked for by name: looked up, then paged here
            rows: Sequence[Row] = sorted(await batch.many(self.conn, stmts["keyed"], keys, {"owner_id": owner_id}),
                                         key=lambda r: r[2], reverse=descending)[offset:offset + limit]
        else:
            rows = await self.conn.all(stmts["page_desc" if descending else "page"],
                                       {"owner_id": owner_id, "offset": offset, "limit": limit})
        return [_property(owner, r) for r in rows]

    async def add(self, owner: str, owner_id: int, key: str, value: str, *, by: int | None, now: int,
                  minor_edit: bool = False, message: str = "") -> int | None:
        """A new property at version 1 (`value` is JSON text); its id, or None when the key exists."""
        return await self.conn.scalar(_statements(owner)["add"], {
            "owner_id": owner_id, "key": key, "value": value, "minor_edit": minor_edit, "message": message,
            "by": by, "now": now})

    async def update(self, owner: str, owner_id: int, key: str, value: str, version: int, *, by: int | None,
                     now: int, minor_edit: bool = False, message: str = "") -> bool:
        """Write version `version` over version `version - 1`; whether that was the stored one."""
        return await self.conn.execute(_statements(owner)["update"], {
            "owner_id": owner_id, "key": key, "value": value, "version": version, "minor_edit": minor_edit,
            "message": message, "by": by, "now": now}) > 0

    async def delete(self, owner: str, owner_id: int, key: str) -> bool:
        return await self.conn.execute(_statements(owner)["delete"], {"owner_id": owner_id, "key": key}) > 0
