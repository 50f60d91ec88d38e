"""Spaces and who holds a role in them."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import sqlalchemy as sa

from bondline.domain.model import Space, SpaceRole
from bondline.store.base import Bytewise, Conn, Row
from bondline.store.tables import content, space_homepages, space_roles, spaces

P = sa.bindparam

# The home page, while it is current (a trashed one is no home: its URL would answer 404).
_homepage = sa.select(space_homepages.c.content_id).select_from(
    space_homepages.join(content, content.c.id == space_homepages.c.content_id)).where(
    space_homepages.c.space_id == spaces.c.id, content.c.status == "current").scalar_subquery()
_cols = (spaces.c.id, spaces.c.key, spaces.c.name, spaces.c.description, spaces.c.type, spaces.c.status,
         spaces.c.private, spaces.c.created_by, spaces.c.created_at, _homepage)
_by_key = sa.select(*_cols).where(spaces.c.key == P("key"))
_homepage_of = sa.select(space_homepages.c.content_id).select_from(
    space_homepages.join(content, content.c.id == space_homepages.c.content_id)).where(
    space_homepages.c.space_id == P("id"), content.c.status == "current")
_by_id = sa.select(*_cols).where(spaces.c.id == P("id"))
_insert = spaces.insert().values(
    key=P("key"), name=P("name"), description=P("description"), type=P("type"), status=P("status"),
    private=P("private"), created_by=P("created_by"), created_at=P("created_at"),
).returning(spaces.c.id)
_update = spaces.update().where(spaces.c.id == P("id")).values(
    name=P("name"), description=P("description"), status=P("status"))
_delete = spaces.delete().where(spaces.c.id == P("id"))
_role = sa.select(space_roles.c.role).where(space_roles.c.space_id == P("space_id"),
                                            space_roles.c.user_id == P("user_id"))
_role_insert = space_roles.insert().values(space_id=P("space_id"), user_id=P("user_id"), role=P("role"))
_role_update = space_roles.update().where(
    space_roles.c.space_id == P("space_id"), space_roles.c.user_id == P("user_id")).values(role=P("role"))
_role_delete = space_roles.delete().where(
    space_roles.c.space_id == P("space_id"), space_roles.c.user_id == P("user_id"))
_roles_of_space = sa.select(space_roles.c.space_id, space_roles.c.user_id, space_roles.c.role).where(
    space_roles.c.space_id == P("space_id")).order_by(space_roles.c.user_id)


@functools.lru_cache(maxsize=64)
def _list_stmt(visible_to_all: bool, by_type: bool, by_status: bool, by_keys: int,
               order: str = "key") -> sa.Select[Any]:
    """One statement per combination of filters, memoized so each is compiled once."""
    stmt = sa.select(*_cols)
    if not visible_to_all:
        member = sa.select(space_roles.c.space_id).where(
            space_roles.c.space_id == spaces.c.id, space_roles.c.user_id == P("user_id"))
        stmt = stmt.where(sa.or_(spaces.c.private.is_(False), member.exists()))
    if by_type:
        stmt = stmt.where(spaces.c.type == P("type"))
    if by_status:
        stmt = stmt.where(spaces.c.status == P("status"))
    if by_keys:
        stmt = stmt.where(spaces.c.key.in_([P(f"key{i}") for i in range(by_keys)]))
    field = order.lstrip("-")
    # Keys are unique; names are not, so they are ordered by id after them.
    orders: dict[str, list[sa.ColumnElement[Any]]] = {"id": [spaces.c.id], "key": [spaces.c.key],
                                                      "name": [Bytewise(spaces.c.name), spaces.c.id]}
    columns = orders[field]
    return stmt.order_by(*(col.desc() if order.startswith("-") else col for col in columns)).limit(
        P("limit")).offset(P("offset"))


def _space(r: Row) -> Space:
    return Space(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9])


def _first(r: Row | None) -> Any:
    return r[0] if r else None


def _space_or_none(r: Row | None) -> Space | None:
    return _space(r) if r else None


class SpaceRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def by_key(self, key: str) -> Space | None:
        row = await self.conn.one(_by_key, {"key": key})
        return _space(row) if row else None

    async def by_id(self, space_id: int) -> Space | None:
        row = await self.conn.one(_by_id, {"id": space_id})
        return _space(row) if row else None

    async def by_id_cached(self, space_id: int) -> Space | None:
        """`by_id`, for reads: the read cache may answer (listings read their items' spaces so)."""
        return await self.conn.one_cached(_by_id, {"id": space_id}, _space_or_none)

    async def with_homepage(self, space: Space) -> Space:
        """`space` with its current home page's id: a space read with its content (`ContentRepo.with_space`)
        comes without it. For reads (the read cache may answer)."""
        if space.homepage_id is not None:
            return space
        row = await self.conn.one_cached(_homepage_of, {"id": space.id})
        return space if row is None else dataclasses.replace(space, homepage_id=row[0])

    async def add(self, key: str, name: str, description: str, type: str, private: bool,
                  created_by: int | None, now: int) -> Space:
        space_id = await self.conn.scalar(_insert, {
            "key": key, "name": name, "description": description, "type": type, "status": "current",
            "private": private, "created_by": created_by, "created_at": now,
        })
        return Space(space_id, key, name, description, type, "current", private, created_by, now)

    async def update(self, space: Space) -> None:
        await self.conn.execute(_update, {"id": space.id, "name": space.name,
                                          "description": space.description, "status": space.status})

    async def delete(self, space_id: int) -> None:
        await self.conn.execute(_delete, {"id": space_id})

    async def page(self, *, visible_to_user: int | None, type: str | None, status: str | None,
                   keys: list[str], offset: int, limit: int, order: str = "key") -> list[Space]:
        """Spaces in `order` (`domain.spaces.ORDERS`); `visible_to_user` limits private spaces to that
        user's (None: all)."""
        stmt = _list_stmt(visible_to_user is None, type is not None, status is not None, len(keys), order)
        params: dict[str, object] = {"offset": offset, "limit": limit, "user_id": visible_to_user,
                                     "type": type, "status": status}
        params.update({f"key{i}": k for i, k in enumerate(keys)})
        return [_space(r) for r in await self.conn.all(stmt, params)]

    async def role_of(self, space_id: int, user_id: int) -> str | None:
        return await self.conn.scalar(_role, {"space_id": space_id, "user_id": user_id})

    async def role_of_cached(self, space_id: int, user_id: int) -> str | None:
        """`role_of`, for reads: the read cache may answer."""
        return await self.conn.one_cached(_role, {"space_id": space_id, "user_id": user_id}, _first)

    async def set_role(self, space_id: int, user_id: int, role: str | None) -> None:
        """Give a user a role in a space (replacing any other), or take it away with None."""
        params = {"space_id": space_id, "user_id": user_id, "role": role}
        if role is None:
            await self.conn.execute(_role_delete, params)
        elif not await self.conn.execute(_role_update, params):
            await self.conn.execute(_role_insert, params)

    async def roles(self, space_id: int) -> list[SpaceRole]:
        return [SpaceRole(*r) for r in await self.conn.all(_roles_of_space, {"space_id": space_id})]
