"""Groups of users and who belongs to them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from bondline.domain.groups import Group
from bondline.domain.model import User
from bondline.store.base import Conn, Row
from bondline.store.repos.accounts import USER_COLUMNS, user_of
from bondline.store.tables import group_members, groups, users

P = sa.bindparam
g = groups.c
m = group_members.c

_cols = (g.id, g.name)
_by_id = sa.select(*_cols).where(g.id == P("id"))
_by_name = sa.select(*_cols).where(g.name == P("name"))
_page = sa.select(*_cols).order_by(g.name).limit(P("limit")).offset(P("offset"))
_search = sa.select(*_cols).where(g.name.like(P("pattern"), escape="\\")).order_by(g.name).limit(
    P("limit")).offset(P("offset"))
_of_user = sa.select(*_cols).join(group_members, m.group_id == g.id).where(m.user_id == P("user_id")).order_by(
    g.name).limit(P("limit")).offset(P("offset"))
_members = sa.select(*USER_COLUMNS).join(group_members, m.user_id == users.c.id).where(
    m.group_id == P("group_id")).order_by(users.c.id).limit(P("limit")).offset(P("offset"))
_insert = pg_insert(groups).values(id=P("id"), name=P("name"), created_at=P("now")).on_conflict_do_nothing(
    index_elements=["name"])
_delete = groups.delete().where(g.id == P("id"))
_join = pg_insert(group_members).values(group_id=P("group_id"), user_id=P("user_id"), created_at=P("now")
                                        ).on_conflict_do_nothing(index_elements=["group_id", "user_id"])
_leave = group_members.delete().where(m.group_id == P("group_id"), m.user_id == P("user_id"))


def _group(row: Row) -> Group:
    return Group(row[0], row[1])


class GroupRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def by_id(self, group_id: str) -> Group | None:
        row = await self.conn.one(_by_id, {"id": group_id})
        return _group(row) if row else None

    async def by_name(self, name: str) -> Group | None:
        row = await self.conn.one(_by_name, {"name": name})
        return _group(row) if row else None

    async def page(self, offset: int, limit: int, *, containing: str | None = None) -> list[Group]:
        """Groups by name; with `containing`, those whose name contains that text."""
        if containing is None:
            rows = await self.conn.all(_page, {"offset": offset, "limit": limit})
        else:
            pattern = "%" + containing.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = await self.conn.all(_search, {"pattern": pattern, "offset": offset, "limit": limit})
        return [_group(r) for r in rows]

    async def of_user(self, user_id: int, offset: int, limit: int) -> list[Group]:
        return [_group(r) for r in await self.conn.all(_of_user, {"user_id": user_id, "offset": offset,
                                                                   "limit": limit})]

    async def members(self, group_id: str, offset: int, limit: int) -> list[User]:
        return [user_of(r) for r in await self.conn.all(_members, {"group_id": group_id, "offset": offset,
                                                                    "limit": limit})]

    async def add(self, group: Group, now: int) -> bool:
        """Store a new group; False when one of that name exists."""
        return await self.conn.execute(_insert, {"id": group.id, "name": group.name, "now": now}) > 0

    async def delete(self, group_id: str) -> bool:
        return await self.conn.execute(_delete, {"id": group_id}) > 0

    async def add_member(self, group_id: str, user_id: int, now: int) -> bool:
        """False when the user was a member already."""
        return await self.conn.execute(_join, {"group_id": group_id, "user_id": user_id, "now": now}) > 0

    async def remove_member(self, group_id: str, user_id: int) -> bool:
        return await self.conn.execute(_leave, {"group_id": group_id, "user_id": user_id}) > 0
