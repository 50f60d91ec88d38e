"""Comments: which container each is on, the comment it replies to, where it sits (footer or inline).
The comment itself is a `content` row (type "comment") with its versions (`ContentRepo`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from bondline.domain.comments import CommentMeta
from bondline.domain.model import Content
from bondline.store.base import Conn, Row
from bondline.store.repos.content import _cols as content_cols
from bondline.store.repos.content import _content, order_by
from bondline.store.repos.restrictions import inherit
from bondline.store.tables import comments, content

P = sa.bindparam
m = comments.c
c = content.c

_mcols = (m.content_id, m.container_id, m.parent_id, m.location, m.inline_properties, m.resolution, m.resolved_by,
          m.resolved_at)
_insert = comments.insert().values(content_id=P("id"), container_id=P("container_id"), parent_id=P("parent_id"),
                                   location=P("location"), inline_properties=P("props"), resolution=P("resolution"))
_meta = sa.select(*_mcols).where(m.content_id == P("id"))
_set_resolution = comments.update().where(m.content_id == P("id")).values(
    resolution=P("resolution"), resolved_by=P("by"), resolved_at=P("at"))
_ids_on = sa.select(m.content_id).where(m.container_id == P("id"))


@functools.lru_cache(maxsize=64)
def _list_stmt(root_only: bool, footer: bool, inline: bool, resolved: bool, bodies: bool = True,
               order: str = "id") -> sa.Select[Any]:
    columns = content_cols if bodies else tuple(sa.null().label("body") if col is c.body else col
                                                for col in content_cols)
    stmt = sa.select(*columns, *_mcols).select_from(content.join(comments, m.content_id == c.id)).where(
        m.container_id == P("container_id"), c.status == "current")
    if root_only:
        stmt = stmt.where(m.parent_id.is_(None))
    wanted = []
    if footer:
        wanted.append(m.location == "footer")
    if inline:
        wanted.append(m.location == "inline")
    elif resolved:
        wanted.append(sa.and_(m.location == "inline", m.resolution == "resolved"))
    stmt = stmt.where(sa.or_(*wanted)) if wanted else stmt.where(sa.false())
    return stmt.order_by(*order_by(order)).limit(P("limit")).offset(P("offset"))


def _meta_of(r: Row, at: int = 0) -> CommentMeta:
    """The comment columns of a row, from column `at` on (read in place: no copy of the row)."""
    props = msgspec.json.decode(r[at + 4]) if r[at + 4] else None
    return CommentMeta(r[at], r[at + 1], r[at + 2], r[at + 3], props, r[at + 5], r[at + 6], r[at + 7])


def _listed(rows: Sequence[Row]) -> tuple[tuple[Content, CommentMeta], ...]:
    n = len(content_cols)  # (`_content` reads the first n columns)
    return tuple((_content(r), _meta_of(r, n)) for r in rows)


class CommentRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, meta: CommentMeta) -> None:
        props = msgspec.json.encode(meta.inline_properties).decode() if meta.inline_properties is not None else None
        await self.conn.execute(_insert, {"id": meta.content_id, "container_id": meta.container_id,
                                          "parent_id": meta.parent_id, "location": meta.location, "props": props,
                                          "resolution": meta.resolution})
        # A comment is governed by what governs its container (whoever may read the page reads it).
        await inherit(self.conn, meta.content_id, meta.container_id)

    async def meta(self, content_id: int) -> CommentMeta | None:
        """Where comment `content_id` is (None: it is no comment)."""
        row = await self.conn.one(_meta, {"id": content_id})
        return _meta_of(row) if row else None

    async def set_resolution(self, content_id: int, resolution: str, by: int | None, at: int) -> None:
        """`resolution`, set by user `by` at `at` (ms)."""
        await self.conn.execute(_set_resolution, {"id": content_id, "resolution": resolution, "by": by, "at": at})

    async def on_container(self, container_id: int, *, root_only: bool, footer: bool = True, inline: bool = True,
                           resolved: bool = False, offset: int = 0, limit: int = 25, bodies: bool = True,
                           order: str = "id") -> list[tuple[Content, CommentMeta]]:
        """The container's current comments, in `order` (`domain.content.ORDERS`: oldest first by
        default); with `bodies=False` the bodies are not
        read (None), and the read cache may answer (as `TreeRepo.children` does)."""
        stmt = _list_stmt(root_only, footer, inline, resolved, bodies, order)
        params = {"container_id": container_id, "offset": offset, "limit": limit}
        if not bodies:  # the parsed pairs are kept, not just the rows: a hit builds no objects
            return list(await self.conn.all_cached(stmt, params, _listed))
        return list(_listed(await self.conn.all(stmt, params)))

    async def ids_on(self, container_id: int) -> list[int]:
        """Every comment on a container, whatever its status."""
        return [r[0] for r in await self.conn.all(_ids_on, {"id": container_id})]
