"""Labels and which content carries them."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from bondline.store.base import Conn
from bondline.store.tables import content_labels, labels

P = sa.bindparam
l = labels.c  # noqa: E741
cl = content_labels.c


@dataclasses.dataclass(slots=True)
class Label:
    id: int
    prefix: str
    name: str


_find = sa.select(l.id).where(l.prefix == P("prefix"), l.name == P("name"))
_create = pg_insert(labels).values(prefix=P("prefix"), name=P("name")).on_conflict_do_nothing(
    index_elements=["name", "prefix"])
_attach = pg_insert(content_labels).values(
    content_id=P("content_id"), label_id=P("label_id"), created_at=P("now"), created_by=P("by"),
).on_conflict_do_nothing(index_elements=["content_id", "label_id"])
_detach = content_labels.delete().where(
    cl.content_id == P("content_id"),
    cl.label_id.in_(sa.select(l.id).where(l.name == P("name"), l.prefix == P("prefix"))))
_count = sa.select(sa.func.count()).select_from(content_labels).where(cl.content_id == P("content_id"))
_carried = sa.select(cl.content_id).join(labels, l.id == cl.label_id).where(
    l.name == P("name"), l.prefix == P("prefix")).limit(1)
_carriers = sa.select(cl.content_id).join(labels, l.id == cl.label_id).where(
    l.name == P("name"), l.prefix == P("prefix")).order_by(cl.content_id)


@functools.lru_cache(maxsize=4)
def _for_content(by_prefix: bool) -> sa.Select[Any]:
    stmt = sa.select(l.id, l.prefix, l.name).join(content_labels, cl.label_id == l.id).where(
        cl.content_id == P("content_id"))
    if by_prefix:
        stmt = stmt.where(l.prefix == P("prefix"))
    return stmt.order_by(l.name, l.prefix).limit(P("limit")).offset(P("offset"))


class LabelRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def for_content(self, content_id: int, prefix: str | None = None, offset: int = 0,
                          limit: int = 200) -> list[Label]:
        rows = await self.conn.all(_for_content(prefix is not None), {
            "content_id": content_id, "prefix": prefix, "offset": offset, "limit": limit})
        return [Label(*row) for row in rows]

    async def count_for_content(self, content_id: int) -> int:
        return int(await self.conn.scalar(_count, {"content_id": content_id}))

    async def attach(self, content_id: int, prefix: str, name: str, by: int, now: int) -> bool:
        """Put a label on content; False when it was already there."""
        await self.conn.execute(_create, {"prefix": prefix, "name": name})
        label_id = await self.conn.scalar(_find, {"prefix": prefix, "name": name})
        return await self.conn.execute(_attach, {"content_id": content_id, "label_id": label_id, "by": by,
                                                 "now": now}) > 0

    async def detach(self, content_id: int, prefix: str, name: str) -> bool:
        return await self.conn.execute(_detach, {"content_id": content_id, "prefix": prefix, "name": name}) > 0

    async def carried(self, name: str, prefix: str = "global") -> bool:
        """Whether any content carries the label (a label exists only while it is used)."""
        return await self.conn.one(_carried, {"name": name, "prefix": prefix}) is not None

    async def carriers(self, name: str, prefix: str = "global") -> list[int]:
        return [row[0] for row in await self.conn.all(_carriers, {"name": name, "prefix": prefix})]
