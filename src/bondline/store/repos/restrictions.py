"""Content restrictions (who a page's read and update are restricted to) and the read guards that
carry read restrictions down the tree (tables `content_restriction_users`, `content_restriction_groups`,
`read_guards`; decision 0018).

The SQL conditions here (`readable`, `updatable`) are facts of membership — "every read restriction
governing this row names the user or a group of theirs" — that `domain.access` turns into decisions;
listings use them to leave out what a viewer may not read, in the query, so pages stay whole."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from bondline.domain.groups import Group
from bondline.domain.model import User
from bondline.domain.restrictions import OPEN, READ, UPDATE, Named
from bondline.store.base import Conn
from bondline.store.repos import batch
from bondline.store.repos.accounts import USER_COLUMNS, user_of
from bondline.store.tables import (
    attachments,
    comments,
    content,
    content_restriction_groups,
    content_restriction_users,
    group_members,
    groups,
    read_guards,
    users,
)

P = sa.bindparam
ru = content_restriction_users.c
rg = content_restriction_groups.c
rd = read_guards.c
gm = group_members.c


def names_user(content_id: sa.ColumnElement[Any], operation: str, user_id: sa.ColumnElement[Any]) -> \
        sa.ColumnElement[bool]:
    """`content_id`'s `operation` restriction names the user, directly or through a group of theirs."""
    direct = sa.select(ru.content_id).where(ru.content_id == content_id, ru.operation == operation,
                                            ru.user_id == user_id)
    through = sa.select(rg.content_id).select_from(
        content_restriction_groups.join(group_members, gm.group_id == rg.group_id)).where(
        rg.content_id == content_id, rg.operation == operation, gm.user_id == user_id)
    return sa.or_(direct.exists(), through.exists())


def _restricted(content_id: sa.ColumnElement[Any], operation: str) -> sa.ColumnElement[bool]:
    by_user = sa.select(ru.content_id).where(ru.content_id == content_id, ru.operation == operation)
    by_group = sa.select(rg.content_id).where(rg.content_id == content_id, rg.operation == operation)
    return sa.or_(by_user.exists(), by_group.exists())


def readable(content_id: sa.ColumnElement[Any], user_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """Every read restriction governing `content_id` names the user (true where none does). For a
    listing, put `content.read_guarded` before it: most rows are decided by that column alone."""
    guard = read_guards.alias("guard")
    unnamed = sa.select(guard.c.guard_id).where(
        guard.c.content_id == content_id, sa.not_(names_user(guard.c.guard_id, READ, user_id)))
    return sa.not_(unnamed.exists())


def updatable(content_id: sa.ColumnElement[Any], user_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """`content_id`'s own update restriction names the user, or it has none."""
    return sa.or_(sa.not_(_restricted(content_id, UPDATE)), names_user(content_id, UPDATE, user_id))


def _names_group(content_id: sa.ColumnElement[Any], operation: str) -> sa.ColumnElement[bool]:
    return sa.select(rg.content_id).where(rg.content_id == content_id, rg.operation == operation,
                                          rg.group_id == P("group_id")).exists()


def _group_named_stmt() -> sa.Select[Any]:
    guard = read_guards.alias("guard")
    unnamed = sa.select(guard.c.guard_id).where(guard.c.content_id == P("id"),
                                                sa.not_(_names_group(guard.c.guard_id, READ)))
    update_ok = sa.or_(sa.not_(_restricted(P("id"), UPDATE)), _names_group(P("id"), UPDATE))
    return sa.select(sa.not_(unnamed.exists()).label("read"), update_ok.label("update"))


_group_named = _group_named_stmt()
_users_of = sa.select(ru.operation, *USER_COLUMNS).join(users, users.c.id == ru.user_id).where(
    ru.content_id == P("id")).order_by(ru.operation, users.c.id)
_groups_of = sa.select(rg.operation, groups.c.id, groups.c.name).join(groups, groups.c.id == rg.group_id).where(
    rg.content_id == P("id")).order_by(rg.operation, groups.c.name)
_user_in = sa.select(ru.user_id).where(ru.content_id == P("id"), ru.operation == P("op"), ru.user_id == P("user_id"))
_group_in = sa.select(rg.group_id).where(rg.content_id == P("id"), rg.operation == P("op"),
                                         rg.group_id == P("group_id"))
_add_user = pg_insert(content_restriction_users).values(
    content_id=P("id"), operation=P("op"), user_id=P("user_id")).on_conflict_do_nothing()
_add_group = pg_insert(content_restriction_groups).values(
    content_id=P("id"), operation=P("op"), group_id=P("group_id")).on_conflict_do_nothing()
_drop_user = content_restriction_users.delete().where(ru.content_id == P("id"), ru.operation == P("op"),
                                                      ru.user_id == P("user_id"))
_drop_group = content_restriction_groups.delete().where(rg.content_id == P("id"), rg.operation == P("op"),
                                                        rg.group_id == P("group_id"))
_clear_users = content_restriction_users.delete().where(ru.content_id == P("id"), ru.operation == P("op"))
_clear_groups = content_restriction_groups.delete().where(rg.content_id == P("id"), rg.operation == P("op"))
_guards_of = sa.select(rd.guard_id).where(rd.content_id == P("id"))
# A new piece of content is governed by what governs its parent (or container).
_inherit_guards = read_guards.insert().from_select(
    ["content_id", "guard_id"], sa.select(P("id"), rd.guard_id).where(rd.content_id == P("from_id")))
_has_guards = sa.select(rd.content_id).where(rd.content_id == content.c.id).exists()
_sync_guarded = content.update().where(content.c.id == P("id")).values(read_guarded=_has_guards)
_sync_update_restricted = content.update().where(content.c.id == P("id")).values(
    update_restricted=_restricted(content.c.id, UPDATE))
# How the restrictions of one piece of content (flagged as restricted) stand for a user.
NAMED = sa.select(readable(P("id"), P("user_id")), updatable(P("id"), P("user_id")))
_add_guard = read_guards.insert().values(content_id=P("id"), guard_id=P("guard_id"))


@functools.lru_cache(maxsize=16)
def _restricted_in(n: int) -> sa.CompoundSelect[Any]:
    ids = batch.vals(n)
    return sa.union(
        sa.select(ru.content_id).where(ru.operation == READ, ru.content_id.in_(ids)),
        sa.select(rg.content_id).where(rg.operation == READ, rg.content_id.in_(ids)))


@functools.lru_cache(maxsize=16)
def _attached_in(n: int) -> sa.CompoundSelect[Any]:
    ids = batch.vals(n)
    return sa.union_all(
        sa.select(comments.c.content_id, comments.c.container_id).where(comments.c.container_id.in_(ids)),
        sa.select(attachments.c.content_id, attachments.c.container_id).where(attachments.c.container_id.in_(ids)))


@functools.lru_cache(maxsize=16)
def _drop_guards_in(n: int) -> sa.Delete:
    return read_guards.delete().where(rd.content_id.in_(batch.vals(n)))


@functools.lru_cache(maxsize=16)
def _sync_guarded_in(n: int) -> sa.Update:
    return content.update().where(content.c.id.in_(batch.vals(n))).values(read_guarded=_has_guards)


@batch.cached
def named_in(n: int) -> sa.Select[Any]:
    """`NAMED` for many pieces of content: (id, may read, may update)."""
    return sa.select(content.c.id, readable(content.c.id, P("user_id")), updatable(content.c.id, P("user_id"))).where(
        content.c.id.in_(batch.vals(n)))


async def inherit(conn: Conn, content_id: int, from_id: int) -> None:
    """New content `content_id` is governed by what governs `from_id` (its parent or container)."""
    await conn.execute(_inherit_guards, {"id": content_id, "from_id": from_id})
    await conn.execute(_sync_guarded, {"id": content_id})


async def named(conn: Conn, content_id: int, user_id: int, read_guarded: bool, update_restricted: bool) -> Named:
    """How a piece of content's restrictions stand for a user, from its two flags — and, only when
    one is set, from the restriction tables."""
    if not (read_guarded or update_restricted):
        return OPEN
    row = await conn.one(NAMED, {"id": content_id, "user_id": user_id})
    assert row is not None
    return Named(bool(row[0]), bool(row[1]))


class RestrictionRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def of(self, content_id: int) -> tuple[dict[str, list[User]], dict[str, list[Group]]]:
        """The users and the groups each operation of `content_id` is restricted to."""
        named_users: dict[str, list[User]] = {READ: [], UPDATE: []}
        named_groups: dict[str, list[Group]] = {READ: [], UPDATE: []}
        for row in await self.conn.all(_users_of, {"id": content_id}):
            named_users.setdefault(row[0], []).append(user_of(row[1:]))
        for row in await self.conn.all(_groups_of, {"id": content_id}):
            named_groups.setdefault(row[0], []).append(Group(row[1], row[2]))
        return named_users, named_groups

    async def names_user(self, content_id: int, operation: str, user_id: int) -> bool:
        return await self.conn.one(_user_in, {"id": content_id, "op": operation, "user_id": user_id}) is not None

    async def names_group(self, content_id: int, operation: str, group_id: str) -> bool:
        return await self.conn.one(_group_in, {"id": content_id, "op": operation, "group_id": group_id}) is not None

    async def named_for_group(self, content_id: int, group_id: str) -> Named:
        """How `content_id`'s restrictions stand for the group itself (POST …/permission/check)."""
        row = await self.conn.one(_group_named, {"id": content_id, "group_id": group_id})
        assert row is not None
        return Named(bool(row[0]), bool(row[1]))

    async def _changed(self, content_id: int, operation: str) -> None:
        # The read side's flag follows the guards (`replace_guards`); the update side's, the rows.
        if operation == UPDATE:
            await self.conn.execute(_sync_update_restricted, {"id": content_id})

    async def add_user(self, content_id: int, operation: str, user_id: int) -> None:
        await self.conn.execute(_add_user, {"id": content_id, "op": operation, "user_id": user_id})
        await self._changed(content_id, operation)

    async def add_group(self, content_id: int, operation: str, group_id: str) -> None:
        await self.conn.execute(_add_group, {"id": content_id, "op": operation, "group_id": group_id})
        await self._changed(content_id, operation)

    async def remove_user(self, content_id: int, operation: str, user_id: int) -> bool:
        removed = await self.conn.execute(_drop_user, {"id": content_id, "op": operation, "user_id": user_id}) > 0
        await self._changed(content_id, operation)
        return removed

    async def remove_group(self, content_id: int, operation: str, group_id: str) -> bool:
        removed = await self.conn.execute(_drop_group, {"id": content_id, "op": operation, "group_id": group_id}) > 0
        await self._changed(content_id, operation)
        return removed

    async def clear(self, content_id: int, operation: str) -> None:
        await self.conn.execute(_clear_users, {"id": content_id, "op": operation})
        await self.conn.execute(_clear_groups, {"id": content_id, "op": operation})
        await self._changed(content_id, operation)


    # --- read guards ------------------------------------------------------------------------------

    async def guards_of(self, content_id: int) -> frozenset[int]:
        return frozenset(r[0] for r in await self.conn.all(_guards_of, {"id": content_id}))


    async def read_restricted_among(self, ids: Iterable[int]) -> set[int]:
        return {r[0] for r in await batch.many(self.conn, _restricted_in, ids, {})}

    async def attached_to(self, ids: Iterable[int]) -> list[tuple[int, int]]:
        """The comments and attachments on any of `ids`: (id, container id)."""
        return [(r[0], r[1]) for r in await batch.many(self.conn, _attached_in, ids, {})]

    async def replace_guards(self, guards: dict[int, frozenset[int]]) -> None:
        """Make `guards` what governs each of its keys (and nothing else)."""
        for chunk in batch.chunks(sorted(guards)):
            size, params = batch.in_params(chunk)
            await self.conn.execute(_drop_guards_in(size), params)
        rows = [{"id": cid, "guard_id": g} for cid, governing in guards.items() for g in governing]
        if rows:
            await self.conn.executemany(_add_guard, rows)
        for chunk in batch.chunks(sorted(guards)):
            size, params = batch.in_params(chunk)
            await self.conn.execute(_sync_guarded_in(size), params)
