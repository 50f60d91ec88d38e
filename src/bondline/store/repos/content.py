"""Pages and blog posts, with every version kept."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bondline.domain.model import Content, ContentVersion, Space
from bondline.domain.restrictions import OPEN, Named
from bondline.store import fulltext
from bondline.store.base import Bytewise, Conn, Row
from bondline.store.repos import batch, restrictions
from bondline.store.repos.restrictions import readable
from bondline.store.tables import content, content_versions, space_roles, spaces

P = sa.bindparam
c = content.c
v = content_versions.c

_cols = (c.id, c.type, c.status, c.space_id, c.parent_id, c.title, c.body, c.representation, c.version,
         c.version_message, c.minor_edit, c.created_by, c.created_at, c.updated_by, c.updated_at, c.position)
_N = len(_cols)
# The columns of a `with_space` row: the content's, the space's (9), the role, and the content's two
# restriction flags (`read_guarded`, `update_restricted`).
WITH_SPACE_WIDTH = _N + 12
_by_id = sa.select(*_cols).where(c.id == P("id"))
Loaded = tuple[Content, Space, str | None, Named]


# The content, its space, the viewer's role there and whether restrictions touch it, in one round
# trip: what every permission decision about a piece of content needs (the hot path of relation and
# watch checks). Content that restrictions touch takes a second statement (`restrictions.named`).
# The body, which can be large, only when asked for.
def _with_space_stmt(body: bool, one: bool = True) -> sa.Select[Any]:
    columns = _cols if body else tuple(sa.null().label("body") if col is c.body else col for col in _cols)
    stmt = sa.select(*columns, *spaces.c, space_roles.c.role, c.read_guarded, c.update_restricted).select_from(
        content.join(spaces, spaces.c.id == c.space_id).outerjoin(
            space_roles, sa.and_(space_roles.c.space_id == spaces.c.id, space_roles.c.user_id == P("user_id")))
    )
    return stmt.where(c.id == P("id")) if one else stmt


_with_space = {True: _with_space_stmt(True), False: _with_space_stmt(False)}


@batch.cached
def _with_space_in(n: int) -> sa.Select[Any]:
    return _with_space_stmt(False, one=False).where(c.id.in_(batch.vals(n)))


@batch.cached
def _kinds_in(n: int) -> sa.Select[Any]:
    return sa.select(c.id, c.type, c.status, c.space_id).where(c.id.in_(batch.vals(n)))


# New content goes last among its siblings (the same parent, or the space's top level).
_last_position = sa.select(sa.func.coalesce(sa.func.max(c.position), 0) + 1).where(
    c.space_id == P("space_id"), c.parent_id.is_not_distinct_from(P("parent_id"))).scalar_subquery()
_insert = content.insert().values(
    type=P("type"), status=P("status"), space_id=P("space_id"), parent_id=P("parent_id"), title=P("title"),
    body=P("body"), representation=P("representation"), version=1, version_message=P("message"),
    minor_edit=False, created_by=P("by"), created_at=P("now"), updated_by=P("by"), updated_at=P("now"),
    position=_last_position,
).returning(c.id, c.position)
_update = content.update().where(c.id == P("id")).values(
    status=P("status"), title=P("title"), body=P("body"), representation=P("representation"),
    version=P("version"), version_message=P("message"), minor_edit=P("minor_edit"), parent_id=P("parent_id"),
    updated_by=P("by"), updated_at=P("now"))
_set_status = content.update().where(c.id == P("id")).values(status=P("status"), updated_at=P("now"))
_delete = content.delete().where(c.id == P("id"))
_children = sa.select(c.id).where(c.parent_id == P("id"))
_in_space = sa.select(c.id, c.version).where(c.space_id == P("space_id"))

_vcols = (v.content_id, v.number, v.title, v.body, v.representation, v.status, v.message, v.minor_edit,
          v.by, v.at)
_version = sa.select(*_vcols).where(v.content_id == P("id"), v.number == P("number"))
_versions = sa.select(*_vcols).where(v.content_id == P("id")).order_by(v.number.desc()).limit(
    P("limit")).offset(P("offset"))
_versions_oldest_first = sa.select(*_vcols).where(v.content_id == P("id")).order_by(v.number).limit(
    P("limit")).offset(P("offset"))
_version_insert = content_versions.insert().values(
    content_id=P("id"), number=P("number"), title=P("title"), body=P("body"),
    representation=P("representation"), status=P("status"), message=P("message"),
    minor_edit=P("minor_edit"), by=P("by"), at=P("now"))
_version_delete = content_versions.delete().where(v.content_id == P("id"), v.number == P("number"))


def visible_to(user_id: sa.BindParameter[Any], space: sa.FromClause | None = None) -> sa.ColumnElement[bool]:
    """The content a listing may show the user `user_id`: in an open space or one they belong to,
    drafts only to their author, and only what every read restriction governing it lets them read
    (`domain.access.listing_scope`'s view, in SQL). `space`: the content's space, when the statement
    already joins it (its `private` flag is then read from the joined row, not looked up per row)."""
    member = sa.select(space_roles.c.space_id).where(
        space_roles.c.space_id == c.space_id, space_roles.c.user_id == user_id)
    open_space: sa.ColumnElement[bool] = (
        space.c.private.is_(False) if space is not None
        else sa.select(spaces.c.id).where(spaces.c.id == c.space_id, spaces.c.private.is_(False)).exists())
    return sa.and_(sa.or_(open_space, member.exists()),
                   sa.or_(c.status != "draft", c.created_by == user_id),
                   sa.or_(c.read_guarded.is_(False), readable(c.id, user_id)))


def order_by(order: str) -> list[sa.ColumnElement[Any]]:
    """The ORDER BY of a listing in `order` (`domain.content.ORDERS`), ties broken by id."""
    field = order.lstrip("-")
    orders: dict[str, list[sa.ColumnElement[Any]]] = {
        "id": [c.id], "title": [Bytewise(c.title), c.id], "created": [c.created_at, c.id],
        "modified": [c.updated_at, c.id]}
    columns = orders[field]
    return [col.desc() for col in columns] if order.startswith("-") else columns


@functools.lru_cache(maxsize=128)
def _list_stmt(visible_to_all: bool, by_space: bool, by_type: bool, by_title: bool,
               order: str = "id", bodies: bool = True) -> sa.Select[Any]:
    """Without `bodies`, each body is NULL (the column stays, so `_content` reads the row)."""
    columns = _cols if bodies else tuple(sa.null().label("body") if col is c.body else col for col in _cols)
    stmt = sa.select(*columns).where(c.status == P("status"))
    if not visible_to_all:
        stmt = stmt.where(visible_to(P("user_id")))
    if by_space:
        stmt = stmt.where(c.space_id == P("space_id"))
    if by_type:
        stmt = stmt.where(c.type == P("type"))
    if by_title:
        stmt = stmt.where(c.title == P("title"))
    return stmt.order_by(*order_by(order)).limit(P("limit")).offset(P("offset"))


def _content(r: Row) -> Content:
    return Content(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], bool(r[10]), r[11], r[12],
                   r[13], r[14], r[15])


def _contents(rows: Any) -> tuple[Content, ...]:
    return tuple(_content(r) for r in rows)


Split = tuple[Content, Space, str | None, bool, bool]


def _split(r: Row) -> Split:
    """A `with_space` row: the content, its space, the role, and its two restriction flags."""
    r = tuple(r)  # slices below
    space = Space(r[_N], r[_N + 1], r[_N + 2], r[_N + 3], r[_N + 4], r[_N + 5], bool(r[_N + 6]), r[_N + 7],
                  r[_N + 8])
    return _content(r[:_N]), space, r[_N + 9], bool(r[_N + 10]), bool(r[_N + 11])


def _split_or_none(row: Row | None) -> Split | None:
    return None if row is None else _split(row)


def _splits(rows: Sequence[Row]) -> tuple[Split, ...]:
    return tuple(_split(row) for row in rows)


async def loaded(conn: Conn, split: Split, user_id: int) -> Loaded:
    """A split `with_space` row with how the content's restrictions stand for `user_id`."""
    content_, space, role, read_guarded, update_restricted = split
    return content_, space, role, await restrictions.named(conn, content_.id, user_id, read_guarded,
                                                           update_restricted)


def _version_of(r: Row) -> ContentVersion:
    return ContentVersion(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9])


class ContentRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def by_id(self, content_id: int) -> Content | None:
        row = await self.conn.one(_by_id, {"id": content_id})
        return _content(row) if row else None

    async def with_space(self, content_id: int, user_id: int, *, body: bool = False) -> Loaded | None:
        """The content, the space it is in, `user_id`'s role in that space (or None) and how the
        content's restrictions stand for them. Without `body=True` the content's body is not read
        (it is None): enough to decide and to refer."""
        row = await self.conn.one(_with_space[body], {"id": content_id, "user_id": user_id})
        if row is None:
            return None
        return await loaded(self.conn, _split(row), user_id)

    async def with_space_cached(self, content_id: int, user_id: int) -> Loaded | None:
        """`with_space` without the body, which the read cache may answer (`Conn.one_cached`, the
        parsed row shared, read-only). On PostgreSQL a read's first uncached statement takes a
        connection, and the cached reads after it then ask that connection: a listing that starts
        by looking its parent up here keeps its later reads in the cache."""
        split = await self.conn.one_cached(_with_space[False], {"id": content_id, "user_id": user_id},
                                           _split_or_none)
        return None if split is None else await loaded(self.conn, split, user_id)

    async def with_space_many(self, content_ids: set[int], user_id: int) -> dict[int, Loaded]:
        """`with_space` (without bodies) for many pieces of content, in a few statements."""
        if not content_ids:
            return {}
        # Parsed once and kept by the read cache (shared, read-only): a listing's 25 rows are not
        # turned into Content and Space objects again on every request.
        split = await batch.many_cached(self.conn, _with_space_in, content_ids, {"user_id": user_id}, _splits)
        flagged = {s[0].id for s in split if s[3] or s[4]}
        named = {row[0]: Named(bool(row[1]), bool(row[2])) for row in
                 await batch.many(self.conn, restrictions.named_in, flagged, {"user_id": user_id})} if flagged else {}
        return {s[0].id: (s[0], s[1], s[2], named.get(s[0].id, OPEN)) for s in split}

    async def kinds(self, content_ids: set[int]) -> dict[int, tuple[str, str, int]]:
        """{id: (type, status, space id)} of the content that exists among `content_ids` (no bodies,
        no permissions: what link targets need), in a few statements."""
        if not content_ids:
            return {}
        rows = await batch.many(self.conn, _kinds_in, content_ids, {})
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    async def add(self, *, type: str, status: str, space_id: int, parent_id: int | None, title: str,
                  body: str, representation: str, message: str, by: int, now: int) -> Content:
        params = {"type": type, "status": status, "space_id": space_id, "parent_id": parent_id,
                  "title": title, "body": body, "representation": representation, "message": message,
                  "by": by, "now": now}
        row = await self.conn.one(_insert, params)
        assert row is not None
        content_id, position = row[0], row[1]
        await self.conn.execute(_version_insert, {**params, "id": content_id, "number": 1, "minor_edit": False})
        if parent_id is not None:  # governed by what governs its parent (read restrictions are inherited)
            await restrictions.inherit(self.conn, content_id, parent_id)
        await fulltext.index(self.conn, content_id, title, body, new=True)
        return Content(content_id, type, status, space_id, parent_id, title, body, representation, 1, message,
                       False, by, now, by, now, position)

    async def save_version(self, new: Content) -> None:
        """Store `new` as the current state and as version `new.version` in the history."""
        params = {"id": new.id, "status": new.status, "title": new.title, "body": new.body,
                  "representation": new.representation, "version": new.version, "number": new.version,
                  "message": new.version_message, "minor_edit": new.minor_edit, "parent_id": new.parent_id,
                  "by": new.updated_by, "now": new.updated_at}
        await self.conn.execute(_update, params)
        # A draft published under its own number replaces that number's snapshot.
        await self.conn.execute(_version_delete, params)
        await self.conn.execute(_version_insert, params)
        await fulltext.index(self.conn, new.id, new.title, new.body or "")

    async def set_status(self, content_id: int, status: str, now: int) -> None:
        await self.conn.execute(_set_status, {"id": content_id, "status": status, "now": now})

    async def purge(self, content_id: int) -> None:
        await fulltext.remove(self.conn, content_id)
        await self.conn.execute(_delete, {"id": content_id})

    async def in_space(self, space_id: int) -> list[tuple[int, int]]:
        """(id, current version) of every piece of content in a space, whatever its status."""
        return [(row[0], row[1]) for row in await self.conn.all(_in_space, {"space_id": space_id})]

    async def children(self, content_id: int) -> list[int]:
        return [r[0] for r in await self.conn.all(_children, {"id": content_id})]

    async def version(self, content_id: int, number: int) -> ContentVersion | None:
        row = await self.conn.one(_version, {"id": content_id, "number": number})
        return _version_of(row) if row else None

    async def versions(self, content_id: int, offset: int, limit: int, *,
                       oldest_first: bool = False) -> list[ContentVersion]:
        """Its versions, newest first (`oldest_first`: the other way)."""
        stmt = _versions_oldest_first if oldest_first else _versions
        rows = await self.conn.all(stmt, {"id": content_id, "offset": offset, "limit": limit})
        return [_version_of(r) for r in rows]

    async def page(self, *, visible_to_user: int | None, status: str, space_id: int | None, type: str | None,
                   title: str | None, offset: int, limit: int, order: str = "id",
                   bodies: bool = True) -> list[Content]:
        """Content with one status, in `order` (`domain.content.ORDERS`). With `bodies=False` the
        bodies are not read (None), and the read cache may answer (`Conn.all_cached`, the parsed
        rows kept), as it does a page's children (`TreeRepo.children`)."""
        stmt = _list_stmt(visible_to_user is None, space_id is not None, type is not None, title is not None,
                          order, bodies)
        params = {"user_id": visible_to_user, "status": status, "space_id": space_id, "type": type,
                  "title": title, "offset": offset, "limit": limit}
        if not bodies:
            return list(await self.conn.all_cached(stmt, params, _contents))
        return [_content(r) for r in await self.conn.all(stmt, params)]
