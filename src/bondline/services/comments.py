"""Comments: create (footer, inline, replies), list a container's comments, read one with where it
sits. A new comment is an event for the watchers of what it is on (`content.comment_created`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline import ids
from bondline.domain import access, adf
from bondline.domain import comments as rules
from bondline.domain import events as ev
from bondline.domain.audit import Actor, Change, record_of
from bondline.domain.comments import CommentMeta
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.model import Caller, Content, Space
from bondline.domain.relations import CONFLUENCE, content_keys
from bondline.services import content as content_service
from bondline.services import notify
from bondline.services.content import ContentView, _view
from bondline.store import Store
from bondline.store.repos.accounts import users_by_ids
from bondline.store.repos.content import Loaded
from bondline.store.unit import Tx


@dataclasses.dataclass(slots=True)
class CommentView:
    view: ContentView
    meta: CommentMeta
    container: Content
    parents: list[Content]  # the comments above it, the root first


@dataclasses.dataclass(slots=True)
class NewComment:
    container_id: int | None  # None: the container of the comment answered (`parent_id`), as v2 names a reply
    body: str
    representation: str
    parent_id: int | None = None
    location: str | None = None
    inline_properties: dict[str, Any] | None = None
    status: str = "current"
    container_type: str | None = None  # the type the request says the container is (v2's pageId/blogPostId)
    strict_location: bool = False  # a reply must sit where `location` says (v2's footer and inline endpoints)
    missing_container_invalid: bool = True  # a container not found is bad input (v1), or not found (v2: 404)
    # (textSelection, textSelectionMatchIndex) to find in the container's body (v2's inline comments)
    selection: tuple[str, int | None] | None = None


async def _container(tx: Tx, caller: Caller, container_id: int) -> Loaded:
    found = await tx.tree.with_space_cached(container_id, caller.user_id)  # (the cache may answer a read)
    return _visible_container(caller, container_id, found)


def _visible_container(caller: Caller, container_id: int, found: Loaded | None) -> Loaded:
    """`found` (content `container_id` as read), if it is a page or blog post the caller may see."""
    if found is None or found[0].type not in rules.CONTAINER_TYPES or found[0].status != "current" \
            or not access.can_view_content(caller, *found):
        raise NotFound(f"No content found with id : {container_id}", reason="CONTENT_NOT_FOUND")
    return found


async def _parents(tx: Tx, meta: CommentMeta) -> list[Content]:
    chain: list[Content] = []
    parent_id = meta.parent_id
    while parent_id is not None and len(chain) < rules.MAX_DEPTH:
        parent = await tx.content.by_id(parent_id)
        above = await tx.comments.meta(parent_id)
        if parent is None or above is None:
            break
        chain.append(parent)
        parent_id = above.parent_id
    return list(reversed(chain))


async def create(store: Store, caller: Caller, new: NewComment) -> CommentView:
    if new.status != "current":
        raise Invalid("Comments are created as 'current'")
    body, representation = adf.to_stored(new.body, new.representation)  # ADF is stored as storage
    new = dataclasses.replace(new, body=body, representation=representation)
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        container_id = new.container_id
        if container_id is None:
            answered = await tx.comments.meta(new.parent_id) if new.parent_id is not None else None
            if answered is None or not await _visible_comment(tx, caller, answered):
                raise NotFound(f"No comment found with id : {new.parent_id}", reason="CONTENT_NOT_FOUND")
            container_id = answered.container_id
        try:
            container, space, _, _ = await _container(tx, caller, container_id)
            if new.container_type is not None and container.type != new.container_type:
                raise NotFound(f"No {new.container_type} found with id : {container_id}")
        except NotFound as exc:
            # POST /content names a container it cannot find as it does a missing parent: bad input
            # (createContent declares no 404); v2's createFooterComment answers 404.
            if not new.missing_container_invalid:
                raise
            raise Invalid(exc.message, reason="CONTAINER_NOT_FOUND") from None
        # Whoever may read a page may comment on it: an update restriction limits editing the page,
        # not commenting (Confluence's "Add comments" is a space permission, not a page restriction).
        location = rules.validate_location(new.location)
        parent_meta = None
        if new.parent_id is not None:
            parent_meta = await tx.comments.meta(new.parent_id)
            parent = await tx.content.by_id(new.parent_id) if parent_meta is not None else None
            if parent_meta is None or parent is None or parent_meta.container_id != container.id \
                    or parent.status != "current":
                raise Invalid(f"The comment {new.parent_id} to reply to is not a comment on content {container.id}")
            if new.strict_location and parent_meta.location != location:
                raise Invalid(f"The comment {new.parent_id} is an {parent_meta.location} comment: reply to it as one")
            location = parent_meta.location  # a reply sits where what it answers does
        rules.check_container(container.type, location)
        if new.selection is not None and location == "inline" and new.parent_id is None:
            stored = await tx.content.by_id(container.id)
            rules.check_selection(stored.body or "" if stored is not None else "", *new.selection)
        content = await tx.content.add(
            type=rules.TYPE, status="current", space_id=space.id, parent_id=None,
            title=rules.title_for(container.title), body=new.body, representation=new.representation, message="",
            by=caller.user_id, now=now)
        inline = location == "inline"
        meta = CommentMeta(content.id, container.id, new.parent_id, location,
                           (new.inline_properties or {}) if inline else None, "open" if inline else None)
        await tx.comments.add(meta)
        tx.record(Change("comment.create", f"content/{content.id}", None,
                         {**(record_of(content) or {}), "container": container.id, "parent": new.parent_id,
                          "location": location}))
        await notify.content_changed(tx, ev.CONTENT_COMMENT_CREATED, container, space,
                                     comment=ev.content_doc(content, space.key))
        view = await _view(tx, caller, content, space, content.status)
        return CommentView(view, meta, container, await _parents(tx, meta))


async def _visible_comment(tx: Tx, caller: Caller, meta: CommentMeta) -> bool:
    """Whether the comment (`meta`) is current and on a container the caller may see."""
    comment = await tx.content.by_id(meta.content_id)
    if comment is None or comment.status != "current":
        return False
    try:
        await _container(tx, caller, meta.container_id)
    except NotFound:
        return False
    return True


async def set_resolution(store: Store, caller: Caller, comment_id: int, resolved: bool) -> None:
    """Resolve an inline comment (`resolved`) or reopen it: whoever may see the page may, as whoever
    may comment. Asking for the state it is in changes nothing; a dangling comment (its selection
    gone from the page) or a footer comment cannot be resolved. Who changed the state, and when, is
    kept (v2's `resolutionLastModifierId`/`At`)."""
    async with store.write(Actor.of(caller)) as tx:
        meta = await tx.comments.meta(comment_id)
        if meta is None or not await _visible_comment(tx, caller, meta):
            raise NotFound(f"No comment found with id : {comment_id}", reason="CONTENT_NOT_FOUND")
        after = rules.resolve(meta, resolved)
        if after == meta.resolution:
            return
        await tx.comments.set_resolution(comment_id, after, caller.user_id, ids.now_ms())
        tx.record(Change("comment.resolve" if resolved else "comment.reopen", f"content/{comment_id}",
                         {"resolution": meta.resolution}, {"resolution": after}))


async def list_everywhere(store: Store, caller: Caller, location: str, start: int, limit: int,
                          order: str = "id") -> list[CommentView]:
    """Every current comment of one location (`footer` or `inline`) on content the caller may see,
    in `order` (`domain.content.ORDERS`; oldest first by default: v2's `GET /footer-comments` and
    `/inline-comments`)."""
    location = rules.validate_location(location)
    wanted = start + limit
    while True:
        views = await content_service.list_content(store, caller, type=rules.TYPE, space_key=None, title=None,
                                                   statuses=["current"], start=0, limit=wanted, order=order)
        described = [cv for cv in await describe(store, views) if cv.meta.location == location]
        if len(described) >= start + limit or len(views) < wanted:
            return described[start:start + limit]
        wanted *= 2


async def get(store: Store, caller: Caller, content_id: int, view: ContentView) -> CommentView:
    """Where a comment (already read, as `view`) sits."""
    async with store.read() as tx:
        meta = await tx.comments.meta(content_id)
        container = await tx.content.by_id(meta.container_id) if meta is not None else None
        if meta is None or container is None:
            raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
        await _with_resolvers(tx, [view], [meta])
        return CommentView(view, meta, container, await _parents(tx, meta))


async def _with_resolvers(tx: Tx, views: list[ContentView], metas: list[CommentMeta]) -> None:
    """Put who last resolved each comment into its view's users (read once for them all)."""
    known = {u for v in views for u in v.users}
    wanted: set[int | None] = {m.resolved_by for m in metas if m.resolved_by is not None and m.resolved_by not in known}
    if not wanted:
        return
    found = await users_by_ids(tx.users, wanted, cached=True)
    for view in views:
        view.users = {**view.users, **found}


async def describe(store: Store, views: list[ContentView]) -> list[CommentView]:
    """Where each of these comments (listed by `content.list_content`, which showed only those the
    caller may see) sits: its container and the comments above it."""
    out = []
    async with store.read() as tx:
        for view in views:
            meta = await tx.comments.meta(view.content.id)
            container = await tx.content.by_id(meta.container_id) if meta is not None else None
            if meta is None or container is None:  # purged in between: no longer listed
                continue
            out.append(CommentView(view, meta, container, await _parents(tx, meta) if meta.parent_id else []))
        await _with_resolvers(tx, [cv.view for cv in out], [cv.meta for cv in out])
    return out


async def list_comments(store: Store, caller: Caller, container_id: int, *, depth: str | None,
                        locations: list[str], start: int, limit: int, bodies: bool = True,
                        resolutions: list[str] | None = None, order: str = "id") -> tuple[Content, list[CommentView]]:
    """A container's comments (`bodies=False`: without their bodies); or, for a comment, its replies
    (Confluence lists them as the comment's children: `depth` root, those that answer it; all, the
    whole thread below it). `resolutions`: only the inline comments in one of these states. In
    `order` (`domain.content.ORDERS`), inside the query."""
    if resolutions:
        container, every = await list_comments(store, caller, container_id, depth=depth, locations=locations,
                                               start=0, limit=rules.MAX_THREAD, bodies=bodies, order=order)
        wanted = [cv for cv in every if cv.meta.location == "inline"
                  and (cv.meta.resolution or "open") in resolutions]
        return container, wanted[start:start + limit]
    root_only = rules.depth_filter(depth)
    footer, inline, resolved = rules.location_filter(locations)
    async with store.read() as tx:
        found_content = await tx.tree.with_space_cached(container_id, caller.user_id)
        if found_content is not None and found_content[0].type == rules.TYPE:
            return await _replies(tx, caller, found_content[0], root_only, (footer, inline, resolved), start, limit,
                                  bodies, order)
        container, space, _, _ = _visible_container(caller, container_id, found_content)
        found = await tx.comments.on_container(container_id, root_only=root_only, footer=footer, inline=inline,
                                               resolved=resolved, offset=start, limit=limit, bodies=bodies,
                                               order=order)
        return container, await _comment_views(tx, space, container, found)


async def _replies(tx: Tx, caller: Caller, comment: Content, direct_only: bool, where: tuple[bool, bool, bool],
                   start: int, limit: int, bodies: bool, order: str = "id") -> tuple[Content, list[CommentView]]:
    meta = await tx.comments.meta(comment.id)
    if meta is None or comment.status != "current":
        raise NotFound(f"No content found with id : {comment.id}", reason="CONTENT_NOT_FOUND")
    container, space, _, _ = await _container(tx, caller, meta.container_id)  # whoever may see the page
    footer, inline, resolved = where
    thread = await tx.comments.on_container(container.id, root_only=False, footer=footer, inline=inline,
                                            resolved=resolved, offset=0, limit=rules.MAX_THREAD, bodies=bodies,
                                            order=order)
    wanted = rules.replies_under(comment.id, [m for _, m in thread], direct_only)
    found = [(c, m) for c, m in thread if c.id in wanted][start:start + limit]
    return comment, await _comment_views(tx, space, container, found)


async def _comment_views(tx: Tx, space: Space, container: Content,
                         found: list[tuple[Content, CommentMeta]]) -> list[CommentView]:
    # The authors and editors of the whole page of comments, read once (not per comment).
    wanted: set[int | None] = {u for content, meta in found for u in (
        content.created_by, content.updated_by, meta.resolved_by)} | {space.created_by}
    users = await users_by_ids(tx.users, wanted, cached=True)
    space = await tx.spaces.with_homepage(space)
    out = []
    for content, meta in found:
        # A comment has no parent page (`parent_id` is None): the comments it answers are its
        # ancestors, read by `_parents`.
        view = ContentView(content, space, users, content.status)
        out.append(CommentView(view, meta, container, await _parents(tx, meta) if meta.parent_id else []))
    return out


async def delete(store: Store, caller: Caller, comment_id: int) -> None:
    """Delete a comment for good with the replies below it (v2's DELETE: no trash for comments), for
    whoever may trash it (its author, an administrator of the space, a site admin)."""
    async with store.write(Actor.of(caller)) as tx:
        meta = await tx.comments.meta(comment_id)
        if meta is None or not await _visible_comment(tx, caller, meta):
            raise NotFound(f"No comment found with id : {comment_id}", reason="CONTENT_NOT_FOUND")
        comment, space, role, named = await content_service.load(tx, caller, comment_id)
        access.require_trash_content(caller, comment, space, role, named)
        thread = await tx.comments.on_container(meta.container_id, root_only=False, footer=True, inline=True,
                                                resolved=False, offset=0, limit=rules.MAX_THREAD, bodies=False)
        replies = rules.replies_under(comment_id, [m for _, m in thread], direct_only=False)
        for content_id in [*sorted(replies, reverse=True), comment_id]:
            await _purge_comment(tx, await tx.content.by_id(content_id))


async def _purge_comment(tx: Tx, comment: Content | None) -> None:
    if comment is None:
        return
    await tx.relations.purge_entity(CONFLUENCE, "content", content_keys(comment.id, comment.version))
    await tx.content.purge(comment.id)
    tx.record(Change("content.purge", f"content/{comment.id}", {"type": comment.type, "title": comment.title}))


async def purge_on(tx: Tx, container: Content) -> None:
    """Before a page or blog post is purged: purge the comments on it."""
    for comment_id in await tx.comments.ids_on(container.id):
        await _purge_comment(tx, await tx.content.by_id(comment_id))
