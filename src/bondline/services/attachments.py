"""Attachments: upload (new attachments, new versions by name or by id), list, read a version's
data, update the metadata, delete old versions; and the blob store's housekeeping.

An upload's data is written to the blob store while the request streams in, before the transaction
that records it: a failed transaction leaves only blobs no row refers to, which are removed at once
when this upload made them (and by the sweep otherwise)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from typing import TYPE_CHECKING

from bondline import ids
from bondline.domain import access
from bondline.domain import attachments as rules
from bondline.domain.attachments import AttachmentVersion, Upload
from bondline.domain.audit import Actor, Change
from bondline.domain.errors import Conflict, Invalid, NotFound
from bondline.domain.model import Caller, Content, Space, User
from bondline.domain.relations import CONFLUENCE, content_keys
from bondline.store import Store
from bondline.store.blobs import GRACE_SECONDS, BlobStore
from bondline.store.repos.accounts import users_by_ids
from bondline.store.repos.content import Loaded
from bondline.store.unit import Tx

if TYPE_CHECKING:  # services.content imports this module
    from bondline.services.content import ContentView

log = logging.getLogger("bondline.attachments")


@dataclasses.dataclass(slots=True)
class AttachmentView:
    """An attachment as of one of its versions (the current one unless `historical`)."""

    content: Content
    data: AttachmentVersion
    container: Content
    space: Space
    users: dict[int, User]
    historical: bool = False


@dataclasses.dataclass(slots=True)
class Download:
    filename: str
    media_type: str
    sha256: str
    size: int
    container_id: int
    number: int
    modified_at: int


def _record(content: Content, data: AttachmentVersion, container_id: int) -> dict[str, object]:
    return {"id": content.id, "title": content.title, "status": content.status, "version": content.version,
            "container": container_id, "mediaType": data.media_type, "fileSize": data.file_size,
            "sha256": data.sha256, "comment": data.comment}


async def _container(tx: Tx, caller: Caller, container_id: int, statuses: tuple[str, ...] = ("current",),
                     ) -> Loaded:
    """A page or blog post the caller may see, in one of `statuses`; anything else is 'not found'."""
    found = await tx.content.with_space(container_id, caller.user_id)
    if found is None or found[0].type not in rules.CONTAINER_TYPES or found[0].status not in statuses \
            or not access.can_view_content(caller, *found):
        raise NotFound(f"No content found with id : {container_id}", reason="CONTENT_NOT_FOUND")
    return found


async def _attachment(tx: Tx, caller: Caller, container_id: int | None, attachment_id: int,
                      ) -> tuple[Content, Space, str | None, int]:
    """An attachment the caller may see (of `container_id`, when given): its content, space, the
    caller's role there, and its container's id."""
    holder = await tx.attachments.container_of(attachment_id)
    found = await tx.content.with_space(attachment_id, caller.user_id) if holder is not None else None
    if found is None or holder is None or (container_id is not None and holder != container_id) \
            or not access.can_view_content(caller, *found):
        raise NotFound(f"No attachment found with id : {rules.wire_id(attachment_id)}", reason="ATTACHMENT_NOT_FOUND")
    return found[0], found[1], found[2], holder


async def _views(tx: Tx, rows: list[tuple[Content, AttachmentVersion]], container: Content, space: Space,
                 ) -> list[AttachmentView]:
    users = await users_by_ids(tx.users, {c.created_by for c, _ in rows} | {c.updated_by for c, _ in rows})
    space = await tx.spaces.with_homepage(space)
    return [AttachmentView(c, d, container, space, users) for c, d in rows]


async def _new_version(tx: Tx, content: Content, data: AttachmentVersion, *, title: str, comment: str,
                       minor_edit: bool, by: int, now: int) -> tuple[Content, AttachmentVersion]:
    updated = dataclasses.replace(content, status="current", title=title, body="", version=content.version + 1,
                                  version_message=comment, minor_edit=minor_edit, updated_by=by, updated_at=now)
    await tx.content.save_version(updated)
    new_data = dataclasses.replace(data, content_id=content.id, number=updated.version, comment=comment)
    await tx.attachments.add_version(new_data)
    return updated, new_data


async def upload(store: Store, caller: Caller, container_id: int, uploads: list[Upload], *, replace: bool,
                 status: str = "current") -> list[AttachmentView]:
    """Attach files to a container: new attachments, or (`replace`) new versions of those of the same
    name. Without `replace` a name already attached is refused (400), as Confluence's POST does."""
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        container, space, role, named = await _container(tx, caller, container_id, (status,))
        access.require_update_content(caller, container, space, role, named)
        out: list[tuple[Content, AttachmentVersion]] = []
        for item in uploads:
            data = AttachmentVersion(0, 1, item.media_type, item.size, item.sha256, item.comment)
            existing = await tx.attachments.of_container(container_id, title=item.filename, limit=1)
            if existing and not replace:
                raise Invalid("Cannot add a new attachment with same file name as an existing attachment: "
                              f"{item.filename}", reason="ATTACHMENT_EXISTS")
            if existing:
                before, before_data = existing[0]
                after, after_data = await _new_version(tx, before, data, title=before.title, comment=item.comment,
                                                       minor_edit=item.minor_edit, by=caller.user_id, now=now)
                tx.record(Change("attachment.update", f"content/{after.id}", _record(before, before_data, container_id),
                                 _record(after, after_data, container_id)))
            else:
                after = await tx.content.add(
                    type=rules.TYPE, status="current", space_id=space.id, parent_id=None, title=item.filename,
                    body="", representation="storage", message=item.comment, by=caller.user_id, now=now)
                await tx.attachments.add(after.id, container_id)
                after_data = dataclasses.replace(data, content_id=after.id)
                await tx.attachments.add_version(after_data)
                tx.record(Change("attachment.create", f"content/{after.id}", None,
                                 _record(after, after_data, container_id)))
            out.append((after, after_data))
        return await _views(tx, out, container, space)


async def update_data(store: Store, caller: Caller, container_id: int, attachment_id: int, item: Upload,
                      ) -> AttachmentView:
    """A new version of one attachment's data (its name stays)."""
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        container, space, role, named = await _container(tx, caller, container_id)
        access.require_update_content(caller, container, space, role, named)
        before, _space, _role, _ = await _attachment(tx, caller, container_id, attachment_id)
        if before.status != "current":
            raise NotFound(f"No attachment found with id : {rules.wire_id(attachment_id)}",
                           reason="ATTACHMENT_NOT_FOUND")
        before_data = await tx.attachments.version(before.id, before.version)
        assert before_data is not None  # every version has its data row (one transaction writes both)
        data = AttachmentVersion(before.id, 0, item.media_type, item.size, item.sha256, item.comment)
        after, after_data = await _new_version(tx, before, data, title=before.title, comment=item.comment,
                                               minor_edit=item.minor_edit, by=caller.user_id, now=now)
        tx.record(Change("attachment.update", f"content/{after.id}", _record(before, before_data, container_id),
                         _record(after, after_data, container_id)))
        return (await _views(tx, [(after, after_data)], container, space))[0]


@dataclasses.dataclass(slots=True)
class PropertiesEdit:
    """What `PUT …/child/attachment/{attachmentId}` asks for (None: unchanged)."""

    id: str
    type: str
    version: int
    title: str | None = None
    media_type: str | None = None
    comment: str | None = None
    container_id: int | None = None
    minor_edit: bool = False


async def update_properties(store: Store, caller: Caller, container_id: int, attachment_id: int,
                            edit: PropertiesEdit) -> AttachmentView:
    """The non-binary data of an attachment: its name, media type, comment, or container. As with
    content, `version.number` must be the current one plus one (else 409); the data stays."""
    if edit.type != rules.TYPE:
        raise Invalid(f"The content type must be 'attachment', not {edit.type[:40]!r}")
    if rules.parse_attachment_id(edit.id) != attachment_id:
        raise Invalid(f"The attachment id in the body ({edit.id[:40]}) is not the one in the path")
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        container, space, role, named = await _container(tx, caller, container_id)
        access.require_update_content(caller, container, space, role, named)
        before, _space, _role, _ = await _attachment(tx, caller, container_id, attachment_id)
        if edit.version != before.version + 1:
            raise Conflict(f"Version must be incremented on update. Current version is: {before.version}")
        before_data = await tx.attachments.version(before.id, before.version)
        assert before_data is not None
        target, target_space = container, space
        if edit.container_id is not None and edit.container_id != container_id:
            target, target_space, target_role, target_named = await _container(tx, caller, edit.container_id)
            access.require_update_content(caller, target, target_space, target_role, target_named)
        title = rules.validate_filename(edit.title) if edit.title is not None else before.title
        if title != before.title or target.id != container.id:
            clash = await tx.attachments.of_container(target.id, title=title, limit=1)
            if clash and clash[0][0].id != before.id:
                raise Invalid("Cannot add a new attachment with same file name as an existing attachment: "
                              f"{title}", reason="ATTACHMENT_EXISTS")
        data = dataclasses.replace(before_data, media_type=rules.validate_media_type(edit.media_type)
                                   if edit.media_type is not None else before_data.media_type)
        comment = rules.validate_comment(edit.comment) if edit.comment is not None else before_data.comment
        after, after_data = await _new_version(tx, before, data, title=title, comment=comment,
                                               minor_edit=edit.minor_edit, by=caller.user_id, now=now)
        if target.id != container.id:
            await tx.attachments.move(after.id, target.id, target_space.id)
            after = dataclasses.replace(after, space_id=target_space.id)
        tx.record(Change("attachment.update", f"content/{after.id}", _record(before, before_data, container_id),
                         _record(after, after_data, target.id)))
        return (await _views(tx, [(after, after_data)], target, target_space))[0]


async def get(store: Store, caller: Caller, attachment_id: int, version: int | None = None) -> AttachmentView:
    """One attachment (as `GET /content/{id}` shows it), as of `version` when given."""
    async with store.read() as tx:
        content, space, _role, container_id = await _attachment(tx, caller, None, attachment_id)
        container = await tx.content.by_id(container_id)
        assert container is not None  # the container's purge takes its attachments with it
        number = content.version if version is None else version
        data = await tx.attachments.version(content.id, number)
        old = await tx.content.version(content.id, number) if number != content.version else None
        if data is None or (number != content.version and old is None):
            raise NotFound(f"No content found with id : {rules.wire_id(attachment_id)} and version {number}",
                           reason="VERSION_NOT_FOUND")
        if old is not None:
            content = dataclasses.replace(content, title=old.title, version=number, updated_by=old.by,
                                          updated_at=old.at, minor_edit=old.minor_edit)
        users = await users_by_ids(tx.users, {content.created_by, content.updated_by})
        return AttachmentView(content, data, container, await tx.spaces.with_homepage(space), users,
                              historical=old is not None)


async def describe(store: Store, views: list[ContentView]) -> list[AttachmentView]:
    """These attachments (listed by `content.list_content`, which showed only those the caller may
    see) with their current data and their container."""
    out = []
    async with store.read() as tx:
        for view in views:
            holder = await tx.attachments.container_of(view.content.id)
            container = await tx.content.by_id(holder) if holder is not None else None
            data = await tx.attachments.version(view.content.id, view.content.version)
            if container is None or data is None:  # purged in between: no longer listed
                continue
            out.append(AttachmentView(view.content, data, container, view.space, view.users))
    return out


async def list_attachments(store: Store, caller: Caller, container_id: int, *, filename: str | None,
                           media_type: str | None, start: int, limit: int,
                           statuses: tuple[str, ...] = ("current",), order: str = "-id") -> list[AttachmentView]:
    """A container's attachments, in `order` (`domain.content.ORDERS`: newest first by default)."""
    async with store.read() as tx:
        container, space, _role, _ = await _container(tx, caller, container_id, ("current", "draft"))
        if container.status == "draft" and container.created_by != caller.user_id:
            raise NotFound(f"No content found with id : {container_id}", reason="CONTENT_NOT_FOUND")
        rows = await tx.attachments.of_container(container_id, title=filename, media_type=media_type,
                                                 offset=start, limit=limit, statuses=statuses, order=order)
        return await _views(tx, rows, container, space)


async def list_everywhere(store: Store, caller: Caller, *, filename: str | None, media_type: str | None,
                          statuses: list[str], start: int, limit: int, order: str = "id") -> list[AttachmentView]:
    """The attachments on pages and blog posts the caller may see (v2's `GET /attachments`), in
    `order` (`domain.content.ORDERS`: by id by default), of one file name and media type when given."""
    from bondline.services import content  # (it builds on this module)

    wanted = start + limit
    while True:
        views = await content.list_content(store, caller, type=rules.TYPE, space_key=None, title=filename,
                                           statuses=statuses, start=0, limit=wanted, order=order)
        found = [a for a in await describe(store, views) if media_type is None or a.data.media_type == media_type]
        if len(found) >= start + limit or len(views) < wanted:
            return found[start:start + limit]
        wanted *= 2


async def download(store: Store, caller: Caller, container_id: int, *, attachment_id: int | None = None,
                   filename: str | None = None, version: int | None = None) -> Download:
    """What to send for one version (default: the current one) of an attachment, found by id or,
    as the download URL names it, by its container and file name."""
    async with store.read() as tx:
        await _container(tx, caller, container_id, ("current", "draft"))
        if attachment_id is None:
            found = await tx.attachments.of_container(container_id, title=filename, limit=1)
            if not found:
                raise NotFound(f"No attachment named {str(filename)[:255]!r} on content {container_id}",
                               reason="ATTACHMENT_NOT_FOUND")
            attachment_id = found[0][0].id
        content, _space, _role, _ = await _attachment(tx, caller, container_id, attachment_id)
        number = content.version if version is None else version
        if number < 1 or number > content.version:
            raise Invalid(f"Version {number} of attachment {rules.wire_id(attachment_id)} does not exist: its "
                          f"latest version is {content.version}")
        data = await tx.attachments.version(content.id, number)
        old = await tx.content.version(content.id, number) if number != content.version else None
        if data is None or (number != content.version and old is None):
            raise NotFound(f"Version {number} of attachment {rules.wire_id(attachment_id)} was deleted",
                           reason="VERSION_NOT_FOUND")
        title = old.title if old is not None else content.title
        when = old.at if old is not None else content.updated_at
        return Download(title, data.media_type, data.sha256, data.file_size, container_id, number, when)


async def delete_version(store: Store, blobs: BlobStore, caller: Caller, attachment_id: int, number: int) -> None:
    """Delete one older version of an attachment (its data goes with it once no version refers to it)."""
    async with store.write(Actor.of(caller)) as tx:
        content, space, role, container_id = await _attachment(tx, caller, None, attachment_id)
        # An attachment is edited as its container is: under the container's update restriction.
        access.require_update_content(caller, *await _container(tx, caller, container_id, ("current", "draft")))
        data = await tx.attachments.version(content.id, number)
        if data is None:
            raise NotFound(f"No version {number} of attachment {rules.wire_id(attachment_id)}",
                           reason="VERSION_NOT_FOUND")
        if number == content.version:
            raise Invalid("The current version of an attachment cannot be deleted; delete the attachment instead")
        await tx.attachments.delete_version(content.id, number)
        await tx.relations.purge_entity(CONFLUENCE, "content", [f"{content.id}@{number}"])
        tx.record(Change("attachment.version.delete", f"content/{content.id}",
                         {"version": number, "sha256": data.sha256, "container": container_id}, None))
    await sweep(store, blobs, [data.sha256])


async def purge_held_by(tx: Tx, container: Content) -> None:
    """Before a page or blog post is purged: purge the attachments it holds (their blobs go at the
    next sweep), and the comments on them."""
    from bondline.services import comments  # (it builds on this module)

    for content, _ in await tx.attachments.of_container(container.id, statuses=("current", "trashed", "draft"),
                                                        limit=1_000_000):
        await comments.purge_on(tx, content)
        await tx.relations.purge_entity(CONFLUENCE, "content", content_keys(content.id, content.version))
        await tx.content.purge(content.id)
        tx.record(Change("content.purge", f"content/{content.id}", {"type": content.type, "title": content.title}))


async def sweep(store: Store, blobs: BlobStore, candidates: list[str] | None = None,
                grace: float = GRACE_SECONDS) -> int:
    """Remove the blobs (all, or `candidates`) no attachment version refers to, once older than
    `grace` seconds (an upload in flight writes its blob before it commits); returns how many."""
    names = await asyncio.to_thread(blobs.older_than, grace, candidates)
    removed = 0
    for name in names:
        async with store.read() as tx:
            used = await tx.attachments.is_referenced(name)
        if not used:
            blobs.remove(name)
            removed += 1
    if candidates is None:
        await asyncio.to_thread(blobs.clean_tmp, grace)
    if removed:
        log.info("removed %d attachment blob(s) no longer referenced", removed)
    return removed


async def forget_blobs(store: Store, blobs: BlobStore, shas: list[str]) -> None:
    """After a failed upload: remove the blobs it wrote that nothing refers to (at once: they are its own)."""
    for sha in shas:
        with contextlib.suppress(Exception):  # best effort; the sweep gets what this misses
            async with store.read() as tx:
                used = await tx.attachments.is_referenced(sha)
            if not used:
                blobs.remove(sha)
