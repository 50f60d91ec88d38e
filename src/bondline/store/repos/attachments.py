"""Attachments: which container holds each, and what each version's data is. The attachment itself
is a `content` row (type "attachment") with its versions in `content_versions` (`ContentRepo`)."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from bondline.domain.attachments import AttachmentVersion
from bondline.domain.model import Content
from bondline.store.base import Conn, Row
from bondline.store.repos.content import _cols as content_cols
from bondline.store.repos.content import _content, order_by
from bondline.store.repos.restrictions import inherit
from bondline.store.tables import attachment_versions, attachments, content, content_versions, read_guards

P = sa.bindparam
a = attachments.c
av = attachment_versions.c
c = content.c

_avcols = (av.content_id, av.number, av.media_type, av.file_size, av.sha256, av.comment)
_insert = attachments.insert().values(content_id=P("id"), container_id=P("container_id"))
_insert_version = attachment_versions.insert().values(
    content_id=P("id"), number=P("number"), media_type=P("media_type"), file_size=P("file_size"),
    sha256=P("sha256"), comment=P("comment"))
_version = sa.select(*_avcols).where(av.content_id == P("id"), av.number == P("number"))
_container = sa.select(a.container_id).where(a.content_id == P("id"))
_move = attachments.update().where(a.content_id == P("id")).values(container_id=P("container_id"))
_drop_guards = read_guards.delete().where(read_guards.c.content_id == P("id"))
_move_space = content.update().where(c.id == P("id")).values(space_id=P("space_id"))
_delete_version = attachment_versions.delete().where(av.content_id == P("id"), av.number == P("number"))
_delete_content_version = content_versions.delete().where(
    content_versions.c.content_id == P("id"), content_versions.c.number == P("number"))
_referenced = sa.select(sa.literal(1)).where(av.sha256 == P("sha256")).limit(1)
_shas_of_content = sa.select(av.sha256).where(av.content_id == P("id"))
_shas_in_container = sa.select(av.sha256).select_from(attachment_versions.join(
    attachments, a.content_id == av.content_id)).where(a.container_id == P("id"))


@functools.lru_cache(maxsize=32)
def _list_stmt(by_name: bool, by_media_type: bool, statuses: int, order: str = "-id") -> sa.Select[Any]:
    stmt = sa.select(*content_cols, *_avcols).select_from(
        content.join(attachments, a.content_id == c.id).join(
            attachment_versions, sa.and_(av.content_id == c.id, av.number == c.version))
    ).where(a.container_id == P("container_id"), c.status.in_([P(f"status{i}") for i in range(statuses)]))
    if by_name:
        stmt = stmt.where(c.title == P("title"))
    if by_media_type:
        stmt = stmt.where(av.media_type == P("media_type"))
    return stmt.order_by(*order_by(order)).limit(P("limit")).offset(P("offset"))


def _version_of(r: Row) -> AttachmentVersion:
    return AttachmentVersion(r[0], r[1], r[2], int(r[3]), r[4], r[5])


class AttachmentRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, content_id: int, container_id: int) -> None:
        await self.conn.execute(_insert, {"id": content_id, "container_id": container_id})
        # An attachment is governed by what governs its container.
        await inherit(self.conn, content_id, container_id)

    async def add_version(self, version: AttachmentVersion) -> None:
        await self.conn.execute(_insert_version, {
            "id": version.content_id, "number": version.number, "media_type": version.media_type,
            "file_size": version.file_size, "sha256": version.sha256, "comment": version.comment})

    async def container_of(self, content_id: int) -> int | None:
        """The container of attachment `content_id` (None: it is no attachment)."""
        return await self.conn.scalar(_container, {"id": content_id})

    async def version(self, content_id: int, number: int) -> AttachmentVersion | None:
        row = await self.conn.one(_version, {"id": content_id, "number": number})
        return _version_of(row) if row else None

    async def of_container(self, container_id: int, *, statuses: tuple[str, ...] = ("current",),
                           title: str | None = None, media_type: str | None = None, offset: int = 0,
                           limit: int = 25, order: str = "-id") -> list[tuple[Content, AttachmentVersion]]:
        """The container's attachments in `statuses`, in `order` (`domain.content.ORDERS`: newest
        first by default), each with its current version."""
        params: dict[str, Any] = {"container_id": container_id, "title": title, "media_type": media_type,
                                  "offset": offset, "limit": limit}
        params.update({f"status{i}": s for i, s in enumerate(statuses)})
        rows = await self.conn.all(_list_stmt(title is not None, media_type is not None, len(statuses), order), params)
        n = len(content_cols)
        return [(_content(tuple(r)[:n]), _version_of(tuple(r)[n:])) for r in rows]

    async def move(self, content_id: int, container_id: int, space_id: int) -> None:
        await self.conn.execute(_move, {"id": content_id, "container_id": container_id})
        await self.conn.execute(_move_space, {"id": content_id, "space_id": space_id})
        await self.conn.execute(_drop_guards, {"id": content_id})  # now governed as its new container is
        await inherit(self.conn, content_id, container_id)

    async def delete_version(self, content_id: int, number: int) -> None:
        """Delete one (not current) version: its data row and its content version."""
        await self.conn.execute(_delete_version, {"id": content_id, "number": number})
        await self.conn.execute(_delete_content_version, {"id": content_id, "number": number})

    async def is_referenced(self, sha256: str) -> bool:
        """Whether any attachment version's data is the blob `sha256`."""
        return await self.conn.scalar(_referenced, {"sha256": sha256}) is not None

    async def shas_of(self, content_id: int) -> set[str]:
        """The blobs of every version of an attachment, or of every attachment a container holds."""
        found = {r[0] for r in await self.conn.all(_shas_of_content, {"id": content_id})}
        found |= {r[0] for r in await self.conn.all(_shas_in_container, {"id": content_id})}
        return found
