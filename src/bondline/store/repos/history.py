"""A piece of content's versions beyond reading one: its neighbours, its authors, deleting one.

The versions themselves live in `content_versions` (written by `ContentRepo.save_version`)."""

from __future__ import annotations

import sqlalchemy as sa

from bondline.domain.model import ContentVersion
from bondline.store.base import Conn
from bondline.store.repos.content import _vcols, _version_of
from bondline.store.tables import content_versions

P = sa.bindparam
v = content_versions.c

_previous = sa.select(*_vcols).where(v.content_id == P("id"), v.number < P("number")).order_by(
    v.number.desc()).limit(1)
_next = sa.select(*_vcols).where(v.content_id == P("id"), v.number > P("number")).order_by(
    v.number.asc()).limit(1)
_authors = sa.select(v.by).where(v.content_id == P("id"), v.number <= P("number")).order_by(v.number)
_delete = content_versions.delete().where(v.content_id == P("id"), v.number == P("number"))


class HistoryRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def previous(self, content_id: int, number: int) -> ContentVersion | None:
        """The newest version kept before `number` (None for the first one kept)."""
        row = await self.conn.one(_previous, {"id": content_id, "number": number})
        return _version_of(row) if row else None

    async def next(self, content_id: int, number: int) -> ContentVersion | None:
        """The oldest version kept after `number` (None after the current one)."""
        row = await self.conn.one(_next, {"id": content_id, "number": number})
        return _version_of(row) if row else None

    async def authors(self, content_id: int, up_to: int) -> list[int | None]:
        """Who made each version kept up to `up_to`, oldest first (None: a deleted user)."""
        return [r[0] for r in await self.conn.all(_authors, {"id": content_id, "number": up_to})]

    async def delete_version(self, content_id: int, number: int) -> bool:
        """Delete one version; whether there was one."""
        return await self.conn.execute(_delete, {"id": content_id, "number": number}) > 0
