"""The page tree: children in order, whole subtrees, positions, moves, and each space's home page."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bondline.domain.model import Content
from bondline.store.base import Conn
from bondline.store.repos.content import (
    WITH_SPACE_WIDTH,
    Loaded,
    Split,
    _cols,
    _content,
    _split,
    _with_space_stmt,
    loaded,
    order_by,
)
from bondline.store.repos.restrictions import readable
from bondline.store.tables import content, relations, space_homepages, spaces

P = sa.bindparam
c = content.c
MAX_DEPTH = 100  # Confluence's own limit for `depth`; also a guard against a corrupt cycle

_set_homepage = space_homepages.insert().values(space_id=P("space_id"), content_id=P("content_id"))
_drop_homepage = space_homepages.delete().where(space_homepages.c.space_id == P("space_id"))
_homepage_of = sa.select(space_homepages.c.space_id).where(space_homepages.c.content_id == P("id"))


@functools.lru_cache(maxsize=64)
def _children_stmt(root: bool, by_type: bool, bodies: bool = True, viewer: bool = False,
                   order: str = "position") -> sa.Select[Any]:
    """Current children of one parent (or a space's top-level content), in tree order; without
    `bodies`, each body is NULL (the column stays, so `_content` reads the row); with `viewer`, only
    those every read restriction governing them lets the user :viewer read."""
    columns = _cols if bodies else tuple(sa.null().label("body") if col is c.body else col for col in _cols)
    stmt = sa.select(*columns).where(c.status == "current")
    if root:
        stmt = stmt.where(c.space_id == P("space_id"), c.parent_id.is_(None))
    else:
        stmt = stmt.where(c.parent_id == P("parent_id"))
    if by_type:
        stmt = stmt.where(c.type == P("type"))
    if viewer:
        stmt = stmt.where(sa.or_(c.read_guarded.is_(False), readable(c.id, P("viewer"))))
    ordered: list[sa.ColumnElement[Any]]
    if order.lstrip("-") == "position":
        tree_order: list[sa.ColumnElement[Any]] = [c.position, c.id]
        ordered = [col.desc() for col in tree_order] if order.startswith("-") else tree_order
    else:
        ordered = order_by(order)  # `domain.content.ORDERS`
    return stmt.order_by(*ordered).limit(P("limit")).offset(P("offset"))


def _subtree_stmt() -> sa.Select[Any]:
    top = sa.select(c.id, c.parent_id, c.position, c.type, c.status, sa.literal(1).label("depth")).where(
        c.parent_id == P("id")).cte("subtree", recursive=True)
    below = sa.select(c.id, c.parent_id, c.position, c.type, c.status, top.c.depth + 1).where(
        c.parent_id == top.c.id, top.c.depth < MAX_DEPTH)
    tree = top.union_all(below)
    return sa.select(tree.c.id, tree.c.parent_id, tree.c.position, tree.c.type, tree.c.status, tree.c.depth)


_subtree = _subtree_stmt()
_siblings_root = sa.select(c.id).where(c.space_id == P("space_id"), c.parent_id.is_(None)).order_by(c.position, c.id)
_siblings = sa.select(c.id).where(c.parent_id == P("parent_id")).order_by(c.position, c.id)
_live_children = _siblings.where(c.status != "trashed")
_place = content.update().where(c.id == P("id")).values(parent_id=P("parent_id"), position=P("position"))
_set_position = content.update().where(c.id == P("id")).values(position=P("position"))
_set_space = content.update().where(c.id == P("id")).values(space_id=P("space_id"))
_scope_target = relations.update().where(
    relations.c.namespace == P("ns"), relations.c.target_type == "content",
    relations.c.target_key == P("key")).values(target_scope=P("scope"))
_scope_source = relations.update().where(
    relations.c.namespace == P("ns"), relations.c.source_type == "content",
    relations.c.source_key == P("key")).values(source_scope=P("scope"))


# `ContentRepo.with_space`'s row and the space's current home page, in one round trip: the parent a
# listing starts from, whose space the listing's items render. (The home page's content row under
# another name: the statement's own `content` is the parent.)
_home = content.alias("home")
_homepage_of_space = sa.select(space_homepages.c.content_id).select_from(
    space_homepages.join(_home, _home.c.id == space_homepages.c.content_id)).where(
    space_homepages.c.space_id == spaces.c.id, _home.c.status == "current").correlate(spaces).scalar_subquery()
_with_space_and_home = _with_space_stmt(False).add_columns(_homepage_of_space.label("homepage_id"))


def _split_or_none(row: Any) -> Split | None:
    if row is None:
        return None
    found, space, role, read_guarded, update_restricted = _split(tuple(row)[:WITH_SPACE_WIDTH])
    return found, dataclasses.replace(space, homepage_id=row[WITH_SPACE_WIDTH]), role, read_guarded, update_restricted


def _contents(rows: Sequence[Any]) -> tuple[Content, ...]:
    return tuple(_content(r) for r in rows)


class TreeRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def set_homepage(self, space_id: int, content_id: int) -> None:
        await self.conn.execute(_set_homepage, {"space_id": space_id, "content_id": content_id})

    async def replace_homepage(self, space_id: int, content_id: int) -> None:
        await self.conn.execute(_drop_homepage, {"space_id": space_id})
        await self.conn.execute(_set_homepage, {"space_id": space_id, "content_id": content_id})

    async def homepage_of(self, content_id: int) -> int | None:
        """The space whose home page this content is, or None."""
        return await self.conn.scalar(_homepage_of, {"id": content_id})

    async def with_space_cached(self, content_id: int, user_id: int) -> Loaded | None:
        """`ContentRepo.with_space(content_id, user_id)` (without the body; its space with its home
        page), which the read cache may answer: the parent a listing starts from. A listing whose
        every read may come from the cache takes no PostgreSQL connection while nothing changes
        (store/postgres.py, `ReadConn`)."""
        split = await self.conn.one_cached(_with_space_and_home, {"id": content_id, "user_id": user_id},
                                           _split_or_none)
        return await loaded(self.conn, split, user_id) if split is not None else None

    async def children(self, parent_id: int, type: str | None, offset: int, limit: int, *,
                       bodies: bool = True, viewer: int | None = None, order: str = "position") -> list[Content]:
        """Current children of `parent_id` (of one type, or all), in tree order (or `order`, one of
        `domain.content.CHILD_ORDERS`); with `bodies=False` the
        bodies are not read (None). Without bodies the rows are small and bounded, and the read
        cache may answer them (`Conn.all_cached`): a page's children are listed far more often
        than they change. With `viewer`, only those the user may read under the read restrictions."""
        params = {"parent_id": parent_id, "type": type, "offset": offset, "limit": limit, "viewer": viewer}
        stmt = _children_stmt(False, type is not None, bodies, viewer is not None, order)
        if not bodies:  # the parsed rows are kept, not just the rows: a hit builds no objects
            return list(await self.conn.all_cached(stmt, params, _contents))
        return [_content(r) for r in await self.conn.all(stmt, params)]

    async def top_level(self, space_id: int, type: str | None, offset: int, limit: int, *,
                        viewer: int | None = None) -> list[Content]:
        """Current content at the top level of a space (no parent), in order; `viewer` as `children`."""
        rows = await self.conn.all(_children_stmt(True, type is not None, True, viewer is not None), {
            "space_id": space_id, "type": type, "offset": offset, "limit": limit, "viewer": viewer})
        return [_content(r) for r in rows]

    async def subtree(self, root_id: int) -> list[tuple[int, int, int, str, str, int]]:
        """Every descendant of `root_id`, whatever its status: (id, parent_id, position, type,
        status, depth), depth 1 for children."""
        return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in await self.conn.all(_subtree, {"id": root_id})]

    async def siblings(self, space_id: int, parent_id: int | None) -> list[int]:
        """Ids of the content under `parent_id` (or at a space's top level), whatever its status, in order."""
        if parent_id is None:
            return [r[0] for r in await self.conn.all(_siblings_root, {"space_id": space_id})]
        return [r[0] for r in await self.conn.all(_siblings, {"parent_id": parent_id})]

    async def live_children(self, parent_id: int) -> list[int]:
        """Ids of the children of `parent_id` that are not in the trash, in order."""
        return [r[0] for r in await self.conn.all(_live_children, {"parent_id": parent_id})]

    async def place(self, ordered: list[int], parent_id: int | None, moved: set[int]) -> None:
        """Number `ordered` 1, 2, … under `parent_id`; the `moved` among them also get that parent."""
        for position, content_id in enumerate(ordered, start=1):
            if content_id in moved:
                await self.conn.execute(_place, {"id": content_id, "parent_id": parent_id, "position": position})
            else:
                await self.conn.execute(_set_position, {"id": content_id, "position": position})

    async def set_space(self, content_id: int, space_id: int, keys: list[str], ns: str) -> None:
        """Move content to another space, and the relations touching it (`keys`: its stored keys) with it:
        their scope is the space whose permissions govern who sees them."""
        await self.conn.execute(_set_space, {"id": content_id, "space_id": space_id})
        for key in keys:
            await self.conn.execute(_scope_target, {"ns": ns, "key": key, "scope": space_id})
            await self.conn.execute(_scope_source, {"ns": ns, "key": key, "scope": space_id})
