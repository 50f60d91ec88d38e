"""Labels and which content carries them."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from bondline.store.base import Conn
from bondline.store.repos import batch
from bondline.store.repos.content import visible_to
from bondline.store.tables import content, content_labels, labels, space_labels, space_roles, spaces

P = sa.bindparam
l = labels.c  # noqa: E741
cl = content_labels.c
sl = space_labels.c


@dataclasses.dataclass(slots=True)
class Label:
    id: int
    prefix: str
    name: str


_by_id = sa.select(l.id, l.prefix, l.name).where(l.id == P("id"))
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


_attach_space = pg_insert(space_labels).values(
    space_id=P("space_id"), label_id=P("label_id"), created_at=P("now"), created_by=P("by"),
).on_conflict_do_nothing(index_elements=["space_id", "label_id"])
_detach_space = space_labels.delete().where(
    sl.space_id == P("space_id"),
    sl.label_id.in_(sa.select(l.id).where(l.name == P("name"), l.prefix == P("prefix"))))


@dataclasses.dataclass(slots=True)
class Labelled:
    """A piece of content carrying a label (LabeledContent)."""

    content_id: int
    type: str
    title: str


SPACE_LABELS = ("both", "space", "content")  # which labels of a space: its own, its content's, or both


LABEL_ORDERS = ("name", "-name", "id", "-id")  # every label listing; a content's labels also by "created"


def _label_order(order: str) -> list[sa.ColumnElement[Any]]:
    """The ORDER BY of a label listing in `order` (LABEL_ORDERS, or "created"/"-created": when the
    label was put on the content listed)."""
    field = order.lstrip("-")
    columns: list[sa.ColumnElement[Any]] = list({
        "name": (l.name, l.prefix), "id": (l.id,), "created": (cl.created_at, l.id)}[field])
    return [col.desc() for col in columns] if order.startswith("-") else columns


@functools.lru_cache(maxsize=24)
def _for_space(by_prefix: bool, which: str = "both", order: str = "name") -> sa.Select[Any]:
    """The labels on a space and/or on its current content (GET /space/{key}/label: both)."""
    on_space = sa.select(sl.label_id.label("label_id")).where(sl.space_id == P("space_id"))
    on_content = sa.select(cl.label_id.label("label_id")).join(content, content.c.id == cl.content_id).where(
        content.c.space_id == P("space_id"), content.c.status == "current")
    used = (sa.union(on_space, on_content) if which == "both" else on_space if which == "space"
            else on_content).subquery()
    stmt = sa.select(l.id, l.prefix, l.name).where(l.id.in_(sa.select(used.c.label_id)))
    if by_prefix:
        stmt = stmt.where(l.prefix == P("prefix"))
    return stmt.order_by(*_label_order(order)).limit(P("limit")).offset(P("offset"))


@functools.lru_cache(maxsize=32)
def _labelled(visible_to_all: bool, by_type: bool, spaces_in: int = 0) -> sa.Select[Any]:
    """Current content carrying a label, oldest first (GET /label), in some spaces only when
    `spaces_in` (the size of their padded ``IN`` list) is not 0."""
    k = content.c
    stmt = sa.select(k.id, k.type, k.title).join(content_labels, cl.content_id == k.id).where(
        cl.label_id == P("label_id"), k.status == "current")
    if not visible_to_all:
        stmt = stmt.where(visible_to(P("user_id")))
    if by_type:
        stmt = stmt.where(k.type == P("type"))
    if spaces_in:
        stmt = stmt.where(k.space_id.in_(batch.vals(spaces_in)))
    return stmt.order_by(k.id).limit(P("limit")).offset(P("offset"))


@functools.lru_cache(maxsize=64)
def _listing(visible_to_all: bool, ids_in: int, prefixes_in: int, order: str = "id") -> sa.Select[Any]:
    """Labels in id order (v2's GET /labels): those carried by current content or by a space the
    user may see (`visible_to`; None: everyone's), optionally only some ids (``IN`` list `ids_in`
    long, parameters i0…) and prefixes (p0…)."""
    k = content.c
    on_content = sa.select(cl.label_id).join(content, k.id == cl.content_id).where(
        cl.label_id == l.id, k.status == "current")
    on_space = sa.select(sl.label_id).where(sl.label_id == l.id)
    if not visible_to_all:
        on_content = on_content.where(visible_to(P("user_id")))
        member = sa.select(space_roles.c.space_id).where(space_roles.c.space_id == sl.space_id,
                                                         space_roles.c.user_id == P("user_id"))
        open_space = sa.select(spaces.c.id).where(spaces.c.id == sl.space_id, spaces.c.private.is_(False))
        on_space = on_space.where(sa.or_(open_space.exists(), member.exists()))
    stmt = sa.select(l.id, l.prefix, l.name).where(sa.or_(on_content.exists(), on_space.exists()))
    if ids_in:
        stmt = stmt.where(l.id.in_([P(f"i{i}") for i in range(ids_in)]))
    if prefixes_in:
        stmt = stmt.where(l.prefix.in_([P(f"p{i}") for i in range(prefixes_in)]))
    return stmt.order_by(*_label_order(order)).limit(P("limit")).offset(P("offset"))


@functools.lru_cache(maxsize=16)
def _for_content(by_prefix: bool, order: str = "name") -> sa.Select[Any]:
    stmt = sa.select(l.id, l.prefix, l.name).join(content_labels, cl.label_id == l.id).where(
        cl.content_id == P("content_id"))
    if by_prefix:
        stmt = stmt.where(l.prefix == P("prefix"))
    return stmt.order_by(*_label_order(order)).limit(P("limit")).offset(P("offset"))


class LabelRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def for_content(self, content_id: int, prefix: str | None = None, offset: int = 0,
                          limit: int = 200, order: str = "name") -> list[Label]:
        """The content's labels in `order` (LABEL_ORDERS, or "created"/"-created": when each was put on)."""
        rows = await self.conn.all(_for_content(prefix is not None, order), {
            "content_id": content_id, "prefix": prefix, "offset": offset, "limit": limit})
        return [Label(*row) for row in rows]

    async def count_for_content(self, content_id: int) -> int:
        return int(await self.conn.scalar(_count, {"content_id": content_id}))

    async def _ensure(self, prefix: str, name: str) -> int:
        """The label's id, made when it is new."""
        await self.conn.execute(_create, {"prefix": prefix, "name": name})
        return int(await self.conn.scalar(_find, {"prefix": prefix, "name": name}))

    async def attach(self, content_id: int, prefix: str, name: str, by: int, now: int) -> bool:
        """Put a label on content; False when it was already there."""
        label_id = await self._ensure(prefix, name)
        return await self.conn.execute(_attach, {"content_id": content_id, "label_id": label_id, "by": by,
                                                 "now": now}) > 0

    async def detach(self, content_id: int, prefix: str, name: str) -> bool:
        return await self.conn.execute(_detach, {"content_id": content_id, "prefix": prefix, "name": name}) > 0

    async def carried(self, name: str, prefix: str = "global") -> bool:
        """Whether any content carries the label (a label exists only while it is used)."""
        return await self.conn.one(_carried, {"name": name, "prefix": prefix}) is not None

    async def carriers(self, name: str, prefix: str = "global") -> list[int]:
        return [row[0] for row in await self.conn.all(_carriers, {"name": name, "prefix": prefix})]

    async def find(self, name: str, prefix: str) -> Label | None:
        label_id = await self.conn.scalar(_find, {"prefix": prefix, "name": name})
        return None if label_id is None else Label(int(label_id), prefix, name)

    async def for_space(self, space_id: int, prefix: str | None = None, offset: int = 0,
                        limit: int = 200, which: str = "both", order: str = "name") -> list[Label]:
        """The labels of a space: its own and its current content's (`which`: "both"), or either, in
        `order` (LABEL_ORDERS)."""
        rows = await self.conn.all(_for_space(prefix is not None, which, order), {
            "space_id": space_id, "prefix": prefix, "offset": offset, "limit": limit})
        return [Label(*row) for row in rows]

    async def attach_space(self, space_id: int, prefix: str, name: str, by: int, now: int) -> bool:
        """Put a label on a space; False when it was already there."""
        label_id = await self._ensure(prefix, name)
        return await self.conn.execute(_attach_space, {"space_id": space_id, "label_id": label_id, "by": by,
                                                       "now": now}) > 0

    async def detach_space(self, space_id: int, prefix: str, name: str) -> bool:
        return await self.conn.execute(_detach_space, {"space_id": space_id, "prefix": prefix, "name": name}) > 0

    async def labelled(self, label_id: int, *, visible_to_user: int | None, type: str | None, offset: int,
                       limit: int, space_ids: list[int] | None = None) -> list[Labelled]:
        """Current content carrying the label that `visible_to_user` may list (None: everyone's), in
        the spaces `space_ids` only when given."""
        params: dict[str, Any] = {"label_id": label_id, "user_id": visible_to_user, "type": type,
                                  "offset": offset, "limit": limit}
        size = 0
        if space_ids:
            size, extra = batch.in_params(sorted(set(space_ids)))
            params.update(extra)
        rows = await self.conn.all(_labelled(visible_to_user is None, type is not None, size), params)
        return [Labelled(int(r[0]), r[1], r[2]) for r in rows]

    async def by_id(self, label_id: int) -> Label | None:
        row = await self.conn.one(_by_id, {"id": label_id})
        return Label(*row) if row else None

    async def listing(self, *, visible_to_user: int | None, ids: list[int], prefixes: list[str], offset: int,
                      limit: int, order: str = "id") -> list[Label]:
        """Labels in `order` (LABEL_ORDERS; by id by default) that content or a space the user may see
        carries (None: everyone's), only `ids` and `prefixes` when given."""
        id_list = sorted(set(ids))
        prefix_list = sorted(set(prefixes))
        id_size, prefix_size = batch.padded(len(id_list)) if id_list else 0, \
            batch.padded(len(prefix_list)) if prefix_list else 0
        params: dict[str, Any] = {"user_id": visible_to_user, "offset": offset, "limit": limit}
        params.update({f"i{i}": v for i, v in enumerate(id_list + id_list[-1:] * (id_size - len(id_list)))})
        params.update({f"p{i}": v for i, v in enumerate(
            prefix_list + prefix_list[-1:] * (prefix_size - len(prefix_list)))})
        rows = await self.conn.all(_listing(visible_to_user is None, id_size, prefix_size, order), params)
        return [Label(*row) for row in rows]
