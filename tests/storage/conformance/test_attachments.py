"""The attachment and comment repositories on every backend. Attachments: containers, versions' data
rows, listings by name and media type, moves, deleting a version, which blobs are still referenced,
and what cascades.
Comments: by container, depth and location, inline properties and resolution, replies purged with
what they answer."""

from __future__ import annotations

import dataclasses

from bondline.domain.attachments import AttachmentVersion
from bondline.domain.audit import Actor
from bondline.domain.comments import CommentMeta
from bondline.domain.model import Content
from bondline.store import Store
from bondline.store.unit import Tx
from tests.storage.conformance.conftest import NOW, add_user

ADA = Actor("acc-ada")
SHA = [f"{n:064x}" for n in range(1, 6)]


async def _attach(tx: Tx, page: Content, title: str, sha: str, media: str = "text/plain") -> Content:
    att = await tx.content.add(type="attachment", status="current", space_id=page.space_id, parent_id=None,
                               title=title, body="", representation="storage", message="", by=page.created_by or 0,
                               now=NOW)
    await tx.attachments.add(att.id, page.id)
    await tx.attachments.add_version(AttachmentVersion(att.id, 1, media, 10, sha, "first"))
    return att


async def _site(store: Store) -> tuple[Content, Content]:
    async with store.write(ADA) as tx:
        ada = await add_user(tx, "ada")
        space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
        pages = [await tx.content.add(type="page", status="current", space_id=space.id, parent_id=None, title=t,
                                      body="", representation="storage", message="", by=ada.id, now=NOW)
                 for t in ("One", "Two")]
    return pages[0], pages[1]


async def test_attachments_are_listed_by_container_name_and_media_type(store: Store) -> None:
    one, two = await _site(store)
    async with store.write(ADA) as tx:
        a = await _attach(tx, one, "a.txt", SHA[0])
        b = await _attach(tx, one, "b.png", SHA[1], "image/png")
        await _attach(tx, two, "a.txt", SHA[2])
    async with store.read() as tx:
        assert [c.id for c, _ in await tx.attachments.of_container(one.id)] == [b.id, a.id]  # newest first
        found = await tx.attachments.of_container(one.id, title="a.txt")
        assert [(c.title, d.sha256, d.comment, d.file_size) for c, d in found] == [("a.txt", SHA[0], "first", 10)]
        assert [c.id for c, _ in await tx.attachments.of_container(one.id, media_type="image/png")] == [b.id]
        assert [c.id for c, _ in await tx.attachments.of_container(one.id, offset=1, limit=1)] == [a.id]
        assert await tx.attachments.container_of(a.id) == one.id
        assert await tx.attachments.container_of(one.id) is None  # a page is no attachment
    async with store.write(ADA) as tx:
        await tx.content.set_status(a.id, "trashed", NOW)
    async with store.read() as tx:
        assert [c.id for c, _ in await tx.attachments.of_container(one.id)] == [b.id]
        assert len(await tx.attachments.of_container(one.id, statuses=("current", "trashed"))) == 2


async def test_versions_moves_and_references(store: Store) -> None:
    one, two = await _site(store)
    async with store.write(ADA) as tx:
        a = await _attach(tx, one, "a.txt", SHA[0])
        await tx.content.save_version(dataclasses.replace(a, version=2, body=""))
        await tx.attachments.add_version(AttachmentVersion(a.id, 2, "text/plain", 12, SHA[1], "second"))
    async with store.read() as tx:
        assert (await tx.attachments.of_container(one.id))[0][1].number == 2
        v1 = await tx.attachments.version(a.id, 1)
        assert v1 is not None and v1.sha256 == SHA[0]
        assert await tx.attachments.is_referenced(SHA[0]) and not await tx.attachments.is_referenced(SHA[4])
        assert await tx.attachments.shas_of(a.id) == {SHA[0], SHA[1]}
        assert await tx.attachments.shas_of(one.id) == {SHA[0], SHA[1]}
    async with store.write(ADA) as tx:
        await tx.attachments.delete_version(a.id, 1)
        await tx.attachments.move(a.id, two.id, two.space_id)
    async with store.read() as tx:
        assert await tx.attachments.version(a.id, 1) is None and await tx.content.version(a.id, 1) is None
        assert not await tx.attachments.is_referenced(SHA[0])
        assert await tx.attachments.of_container(one.id) == []
        assert [c.id for c, _ in await tx.attachments.of_container(two.id)] == [a.id]


async def test_purging_the_attachment_takes_its_rows(store: Store) -> None:
    one, _ = await _site(store)
    async with store.write(ADA) as tx:
        a = await _attach(tx, one, "a.txt", SHA[0])
    async with store.write(ADA) as tx:
        await tx.content.purge(a.id)
    async with store.read() as tx:
        assert await tx.attachments.container_of(a.id) is None
        assert not await tx.attachments.is_referenced(SHA[0])


async def test_comments_by_container_depth_and_location(store: Store) -> None:
    one, two = await _site(store)

    async def comment(tx: Tx, on: Content, parent: int | None, location: str, resolution: str | None = None,
                      ) -> Content:
        note = await tx.content.add(type="comment", status="current", space_id=on.space_id, parent_id=None,
                                    title="Re: x", body="<p>x</p>", representation="storage", message="",
                                    by=on.created_by or 0, now=NOW)
        props = {"markerRef": f"m{note.id}"} if location == "inline" else None
        await tx.comments.add(CommentMeta(note.id, on.id, parent, location, props, resolution))
        return note

    async with store.write(ADA) as tx:
        root = await comment(tx, one, None, "footer")
        reply = await comment(tx, one, root.id, "footer")
        inline = await comment(tx, one, None, "inline", "open")
        done = await comment(tx, one, None, "inline", "resolved")
        await comment(tx, two, None, "footer")
    async with store.read() as tx:
        ids = [c.id for c, _ in await tx.comments.on_container(one.id, root_only=True)]
        assert ids == [root.id, inline.id, done.id]
        assert [c.id for c, _ in await tx.comments.on_container(one.id, root_only=False)] == [
            root.id, reply.id, inline.id, done.id]
        assert [c.id for c, _ in await tx.comments.on_container(one.id, root_only=False, inline=False)] == [
            root.id, reply.id]
        assert [c.id for c, _ in await tx.comments.on_container(one.id, root_only=False, footer=False, inline=False,
                                                                resolved=True)] == [done.id]
        meta = await tx.comments.meta(inline.id)
        assert meta is not None and (meta.location, meta.inline_properties, meta.resolution) == (
            "inline", {"markerRef": f"m{inline.id}"}, "open")
        assert await tx.comments.meta(one.id) is None
        assert sorted(await tx.comments.ids_on(one.id)) == sorted([root.id, reply.id, inline.id, done.id])
    async with store.write(ADA) as tx:
        assert (meta.resolved_by, meta.resolved_at) == (None, None)  # nobody has resolved it yet
        await tx.comments.set_resolution(inline.id, "resolved", one.created_by, NOW + 5)
        await tx.content.purge(root.id)  # a reply goes with what it answers
    async with store.read() as tx:
        resolved = await tx.comments.meta(inline.id)
        assert resolved is not None
        assert (resolved.resolution, resolved.resolved_by, resolved.resolved_at) == (
            "resolved", one.created_by, NOW + 5)
        assert [m.resolved_by for _, m in await tx.comments.on_container(one.id, root_only=True, footer=False)] == [
            one.created_by, None]
        assert await tx.comments.meta(reply.id) is None
        assert [c.id for c, _ in await tx.comments.on_container(one.id, root_only=True, footer=False, inline=False,
                                                                resolved=True)] == [inline.id, done.id]
