"""The page tree: children and descendants, a space's content, moving and copying pages (one page,
or a hierarchy as a long task), home pages, and what trashing and restoring do to the tree."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import msgspec

from bondline import ids
from bondline.domain import access
from bondline.domain import content as content_rules
from bondline.domain import tree as rules
from bondline.domain.audit import Actor, Change, record_of
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.model import Caller, Content, Space
from bondline.domain.relations import CONFLUENCE, content_keys
from bondline.domain.watches import WATCH
from bondline.services import guards, links, notify
from bondline.services.content import ContentView, _ancestors, load
from bondline.store import Store
from bondline.store.repos.accounts import users_by_ids
from bondline.store.repos.content import Loaded
from bondline.store.repos.tasks import LongTask
from bondline.store.unit import Tx

# What a copy brings along besides the page, by the CopyPageRequest flag that asks for it:
# "attachments", "properties", "permissions" (restrictions) and "customContents" are registered by
# the modules that keep them (`register_copy`); labels are copied here.
CopyHook = Callable[[Tx, Content, Content, int, int], Awaitable[None]]
_COPY_HOOKS: dict[str, CopyHook] = {}


def register_copy(what: str, hook: CopyHook) -> None:
    """`hook(tx, source, copy, by, now)` runs for each copied page when a copy asks for `what`."""
    _COPY_HOOKS[what] = hook


@dataclasses.dataclass(slots=True)
class Listing:
    """Content under one parent or in one space, as the caller may see it, in tree order."""

    views: list[ContentView]
    has_more: bool
    depths: dict[int, int] = dataclasses.field(default_factory=dict)  # descendants: levels below the parent


# --- home pages ----------------------------------------------------------------------------------

async def create_homepage(tx: Tx, space: Space, by: int, now: int) -> Content:
    """The home page a new space is created with: a top-level page named after the space (the
    space's own audit entry, `space.create`, names it as `homepage_id`)."""
    page = await tx.content.add(type="page", status="current", space_id=space.id, parent_id=None,
                                title=rules.homepage_title(space.name), body="", representation="storage",
                                message="", by=by, now=now)
    await tx.tree.set_homepage(space.id, page.id)
    return page


async def set_homepage(tx: Tx, caller: Caller, space: Space, content_id: int) -> None:
    """Make a current page of the space its home page (updateSpace's `homepage`)."""
    found = await tx.content.with_space(content_id, caller.user_id)
    if found is None or not access.can_view_content(caller, *found):
        raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
    page = found[0]
    if page.type != "page" or page.status != "current" or page.space_id != space.id:
        raise Invalid(f"Content {content_id} cannot be the home page of space {space.key}: it must be a current "
                      "page in that space")
    await tx.tree.replace_homepage(space.id, page.id)


async def homepage(tx: Tx, caller: Caller, space: Space, role: str | None) -> ContentView | None:
    """The space's current home page as the caller sees it (None: it has none, or it is hidden)."""
    if space.homepage_id is None:
        return None
    found = await tx.content.with_space(space.homepage_id, caller.user_id)
    if found is None or not access.can_view_content(caller, *found):
        return None
    page = found[0]
    users = await users_by_ids(tx.users, {page.created_by, page.updated_by})
    return ContentView(page, space, users, page.status)


# --- reading the tree ----------------------------------------------------------------------------

async def _views(tx: Tx, items: list[Content], space: Space,
                 ancestors_of: Callable[[Content], tuple[Content, ...]]) -> list[ContentView]:
    """Views of content the caller may see (the listings below select only such content: current
    content in a space they see, under read restrictions that name them)."""
    users = await users_by_ids(tx.users, {u for c in items for u in (c.created_by, c.updated_by)} | {
        space.created_by}, cached=True)
    space = await tx.spaces.with_homepage(space)
    return [ContentView(c, space, users, c.status, None, ancestors_of(c)) for c in items]


async def _visible(tx: Tx, caller: Caller, content_id: int) -> tuple[Content, Space, str | None]:
    found = await tx.tree.with_space_cached(content_id, caller.user_id)  # (a read: the cache may answer)
    if found is None:
        raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
    access.require_view_content(caller, *found)
    content, space, role, _ = found
    if content.status not in ("current", "draft"):
        raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
    return content, space, role


async def visible(store: Store, caller: Caller, content_id: int) -> Content:
    """Content the caller may see (current, or their draft), or Confluence's 404."""
    async with store.read() as tx:
        content, _space, _role = await _visible(tx, caller, content_id)
    return content


async def children(store: Store, caller: Caller, content_id: int, type: str, start: int, limit: int, *,
                   bodies: bool = True, order: str = "position") -> Listing:
    """Direct children of one type (`page`; comments and attachments are listed by their modules);
    `bodies=False`: without their bodies; in tree order, or `order` (`domain.content.CHILD_ORDERS`,
    sorted by the store's query)."""
    if order not in content_rules.CHILD_ORDERS:
        raise Invalid(f"Children cannot be listed in order {order[:40]!r}")
    async with store.read() as tx:
        parent, space, role = await _visible(tx, caller, content_id)
        rules.require_child_type(parent.type, type)
        found = await tx.tree.children(parent.id, type, start, limit + 1, bodies=bodies,
                                       viewer=access.listing_scope(caller), order=order)
        views = await _views(tx, found[:limit], space, lambda _c: ())
        # The parent's ancestors last: the reads before may come from the read cache, which (on
        # PostgreSQL) a read stops using once it holds a connection.
        chain = access.visible_ancestors(caller, await _ancestors(tx, parent)) + (parent,)
        for view in views:
            view.ancestors = chain
    return Listing(views, len(found) > limit)


async def children_of_many(store: Store, caller: Caller, parents: list[ContentView], type: str,
                           limit: int) -> dict[int, Listing]:
    """The first `limit` children of each parent (for `expand=children.page`)."""
    out: dict[int, Listing] = {}
    async with store.read() as tx:
        for view in parents:
            parent = view.content
            if type not in rules.child_types(parent.type) or parent.status not in ("current", "draft"):
                out[parent.id] = Listing([], False)
                continue
            found = await tx.tree.children(parent.id, type, 0, limit + 1, viewer=access.listing_scope(caller))
            chain = tuple(view.ancestors) + (parent,)
            out[parent.id] = Listing(await _views(tx, found[:limit], view.space,
                                                  lambda _c, chain=chain: chain), len(found) > limit)  # type: ignore[misc]

    return out


async def _descendants(tx: Tx, caller: Caller, parent: Content, space: Space, role: str | None, type: str,
                       depth: int, start: int, limit: int) -> Listing:
    rows = await tx.tree.subtree(parent.id)
    meta = {r[0]: r for r in rows}
    order = [(cid, d) for cid, d in rules.preorder(parent.id, rows)
             if d <= depth and meta[cid][3] == type and meta[cid][4] == "current"]
    # Read restrictions inside the subtree may hide some: decide for every candidate before paging.
    loaded = await tx.content.with_space_many({cid for cid, _ in order}, caller.user_id)
    order = [(cid, d) for cid, d in order if cid in loaded and access.can_view_content(caller, *loaded[cid])]
    page_ids = [cid for cid, _ in order[start:start + limit]]
    chain = access.visible_ancestors(caller, await _ancestors(tx, parent)) + (parent,)
    by_id = {parent.id: parent} | {cid: found[0] for cid, found in loaded.items()}
    extra = [cid for cid in meta if cid not in by_id]

    async def content_of(cid: int) -> Content | None:
        if cid not in by_id and cid in extra:
            found = await tx.content.by_id(cid)
            if found is not None:
                by_id[cid] = found
        return by_id.get(cid)

    # Ancestors between `parent` and each listed page, read once each.
    ancestors: dict[int, tuple[Content, ...]] = {}
    for cid in page_ids:
        path: list[Content] = []
        up = meta[cid][1]
        while up != parent.id and up in meta:
            found = await content_of(up)
            if found is None:
                break
            path.append(found)
            up = meta[up][1]
        ancestors[cid] = chain + access.visible_ancestors(caller, list(reversed(path)))
    items = [by_id[cid] for cid in page_ids if cid in by_id]
    views = await _views(tx, items, space, lambda c: ancestors[c.id])
    depths = dict(order[start:start + limit])
    return Listing(views, start + limit < len(order), depths)


async def descendants(store: Store, caller: Caller, content_id: int, type: str, depth: int, start: int,
                      limit: int) -> Listing:
    """Descendants of one type at every level down to `depth`, in tree order."""
    async with store.read() as tx:
        parent, space, role = await _visible(tx, caller, content_id)
        rules.require_child_type(parent.type, type)
        return await _descendants(tx, caller, parent, space, role, type, depth, start, limit)


async def descendants_of_many(store: Store, caller: Caller, parents: list[ContentView], type: str,
                              limit: int) -> dict[int, Listing]:
    out: dict[int, Listing] = {}
    async with store.read() as tx:
        for view in parents:
            parent = view.content
            if type not in rules.child_types(parent.type) or parent.status not in ("current", "draft"):
                out[parent.id] = Listing([], False)
                continue
            role = await tx.spaces.role_of(view.space.id, caller.user_id)
            out[parent.id] = await _descendants(tx, caller, parent, view.space, role, type, rules.MAX_DEPTH, 0,
                                                limit)
    return out


async def space_content(store: Store, caller: Caller, key: str, type: str, depth: str | None, start: int,
                        limit: int) -> Listing:
    """A space's current content of one type, by id (Confluence's getContentForSpace); `depth=root`
    keeps its top-level content."""
    content_rules.validate_type(type)
    root_only = rules.parse_depth(depth, allowed_root_only=True) == 1
    async with store.read() as tx:
        space = await tx.spaces.by_key(key)
        role = await tx.spaces.role_of(space.id, caller.user_id) if space is not None else None
        if space is None or not access.can_view_space(caller, space, role):
            raise NotFound(f"No space with key : {key}", reason="SPACE_NOT_FOUND")
        if root_only:
            found = await tx.tree.top_level(space.id, type, start, limit + 1, viewer=access.listing_scope(caller))
        else:
            found = await tx.content.page(visible_to_user=access.listing_scope(caller), status="current",
                                          space_id=space.id, type=type, title=None, offset=start, limit=limit + 1)
        chains: dict[int, tuple[Content, ...]] = {}
        for item in found[:limit]:
            chains[item.id] = access.visible_ancestors(caller, await _ancestors(tx, item))
        views = await _views(tx, found[:limit], space, lambda c: chains[c.id])
    return Listing(views, len(found) > limit)


# --- moving --------------------------------------------------------------------------------------

async def move(store: Store, caller: Caller, page_id: int, position: str, target_id: int | None,
               top_of: str | None = None) -> int:
    """Move a page (with its subtree) before or after the target, or under it (`append`), into the
    target's space if that is another one; or (`target_id` None) to the top level of the space
    `top_of`, last."""
    rules.validate_move_position(position)
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        page, space, role, named = await load(tx, caller, page_id)
        if page.status != "current" or page.type != "page":
            raise NotFound(f"No content found with id : {page_id}", reason="CONTENT_NOT_FOUND")
        access.require_view_content(caller, page, space, role, named)
        if target_id is None:
            target_space = await tx.spaces.by_key(top_of or space.key)
            if target_space is None:
                raise NotFound(f"No space with key : {top_of}", reason="SPACE_NOT_FOUND")
            target_role = await tx.spaces.role_of(target_space.id, caller.user_id)
            target = None
        else:
            found = await tx.content.with_space(target_id, caller.user_id)
            if found is None or found[0].status != "current" or found[0].type != "page" or \
                    not access.can_view_content(caller, *found):
                raise NotFound(f"No content found with id : {target_id}", reason="CONTENT_NOT_FOUND")
            target, target_space, target_role, _ = found
        access.require_update_content(caller, page, space, role, named)
        subtree = await tx.tree.subtree(page.id)
        if target is None:
            parent_id, position = None, "append"
        else:
            parent_id = rules.move_parent(page.id, position, target.id, target.parent_id, {r[0] for r in subtree})
        if target_space.id != space.id:
            access.require_trash_content(caller, page, space, role, named)
            access.require_create_content(caller, target_space, target_role, target_space.key)
            await _require_titles_free(tx, target_space, [page.title] + [
                c.title for c in [await tx.content.by_id(r[0]) for r in subtree if r[4] == "current"]
                if c is not None])
            for moved_id in [page.id] + [r[0] for r in subtree]:
                moved = await tx.content.by_id(moved_id)
                if moved is not None:
                    await tx.tree.set_space(moved.id, target_space.id, content_keys(moved.id, moved.version),
                                            CONFLUENCE)
        siblings = await tx.tree.siblings(target_space.id, parent_id)
        order = rules.reorder(siblings, page.id, "append", page.id) if target is None else \
            rules.reorder(siblings, page.id, position, target.id)
        await tx.tree.place(order, parent_id, {page.id})
        # Read restrictions are inherited: the subtree is now governed by what governs its new parent.
        await guards.regovern(tx, dataclasses.replace(page, parent_id=parent_id))
        tx.record(Change("content.move", f"content/{page.id}",
                         {"parent": page.parent_id, "space": space.key},
                         {"parent": parent_id, "space": target_space.key, "position": position,
                          "target": target.id if target is not None else None, "at": now}))
    return page.id


async def _require_titles_free(tx: Tx, space: Space, titles: list[str], but: int | None = None) -> None:
    for title in titles:
        clash = await tx.content.page(visible_to_user=None, status="current", space_id=space.id, type="page",
                                      title=title, offset=0, limit=2)
        if any(c.id != but for c in clash):
            raise Invalid(f"A page with this title already exists: A page already exists with the same TITLE in"
                          f" this space ({title[:80]})", reason="TITLE_EXISTS")


# --- copying -------------------------------------------------------------------------------------

@dataclasses.dataclass(slots=True)
class CopyOptions:
    attachments: bool = False
    labels: bool = False
    permissions: bool = False
    properties: bool = False
    custom_contents: bool = False

    def wanted(self) -> list[str]:
        return [name for name, on in (("attachments", self.attachments), ("permissions", self.permissions),
                                      ("properties", self.properties), ("customContents", self.custom_contents))
                if on]


async def _copy_one(tx: Tx, caller: Caller, source: Content, space: Space, parent_id: int | None, title: str,
                    body: tuple[str, str] | None, options: CopyOptions, now: int) -> Content:
    value, representation = body if body is not None else (source.body or "", source.representation)
    copy = await tx.content.add(type=source.type, status="current", space_id=space.id, parent_id=parent_id,
                                title=title, body=value, representation=representation, message="",
                                by=caller.user_id, now=now)
    tx.record(Change("content.copy", f"content/{copy.id}", {"source": source.id}, record_of(copy)))
    await tx.relations.put(CONFLUENCE, WATCH, "user", caller.account_id, "content", str(copy.id),
                           source_scope=None, target_scope=space.id, by=caller.account_id, now=now)
    await _copy_extras(tx, source, copy, options, caller.user_id, now)
    await links.sync(tx, copy, caller.account_id, now)
    await notify.content_created(tx, copy, space)
    return copy


async def _copy_extras(tx: Tx, source: Content, copy: Content, options: CopyOptions, by: int, now: int) -> None:
    if options.labels:
        for label in await tx.labels.for_content(source.id, limit=10_000):
            await tx.labels.attach(copy.id, label.prefix, label.name, by, now)
    for what in options.wanted():
        hook = _COPY_HOOKS.get(what)
        if hook is not None:
            await hook(tx, source, copy, by, now)


async def _destination_parent(tx: Tx, caller: Caller, raw: str) -> Loaded:
    parent_id = content_rules.parse_id(raw)
    found = await tx.content.with_space(parent_id, caller.user_id, body=True)
    if found is None or found[0].status != "current" or not access.can_view_content(caller, *found):
        raise NotFound(f"No content found with id : {parent_id}", reason="CONTENT_NOT_FOUND")
    return found


async def copy(store: Store, caller: Caller, content_id: int, destination_type: str, destination_value: str,
               title: str | None, body: tuple[str, str] | None, options: CopyOptions) -> ContentView:
    """Copy one page (without its children) to a space's top level, under a parent, or over an
    existing page (which gets a new version)."""
    if destination_type not in rules.COPY_DESTINATIONS:
        raise Invalid(f"Invalid destination type {destination_type[:40]!r}: use space, parent_page, "
                      "parent_content or existing_page")
    if not destination_value:
        raise Invalid("The destination value is required (a space key, or a content id)")
    if title is not None:
        content_rules.validate_title(title)
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        source, source_space, source_role, named = await load(tx, caller, content_id)
        access.require_view_content(caller, source, source_space, source_role, named)
        if source.status != "current":
            raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
        if source.type != "page":
            raise Invalid(f"Content {content_id} is a {source.type}: only pages can be copied")
        if destination_type == "existing_page":
            existing, space, role, existing_named = await _destination_parent(tx, caller, destination_value)
            access.require_update_content(caller, existing, space, role, existing_named)
            new_title = title or source.title
            await _require_titles_free(tx, space, [new_title], but=existing.id)
            value, representation = body if body is not None else (source.body or "", source.representation)
            updated = dataclasses.replace(existing, title=new_title, body=value, representation=representation,
                                          version=existing.version + 1, version_message="", minor_edit=False,
                                          updated_by=caller.user_id, updated_at=now)
            await tx.content.save_version(updated)
            tx.record(Change("content.copy", f"content/{existing.id}", record_of(existing), record_of(updated)))
            await _copy_extras(tx, source, updated, options, caller.user_id, now)
            await links.sync(tx, updated, caller.account_id, now)
            await notify.content_changed(tx, "content.updated", updated, space)
            result = updated
        else:
            if destination_type == "space":
                target_space = await tx.spaces.by_key(destination_value)
                if target_space is None:
                    raise NotFound(f"No space with key : {destination_value}", reason="SPACE_NOT_FOUND")
                parent_id = None
            else:
                parent, target_space, _, _ = await _destination_parent(tx, caller, destination_value)
                if parent.type != "page":
                    raise Invalid(f"Parent {parent.id} is a {parent.type}; only pages can have child pages")
                parent_id = parent.id
            target_role = await tx.spaces.role_of(target_space.id, caller.user_id)
            access.require_create_content(caller, target_space, target_role, target_space.key)
            new_title = title or source.title
            await _require_titles_free(tx, target_space, [new_title])
            result = await _copy_one(tx, caller, source, target_space, parent_id, new_title, body, options, now)
            space = target_space
        users = await users_by_ids(tx.users, {result.created_by, result.updated_by, space.created_by})
        chain = access.visible_ancestors(caller, await _ancestors(tx, result))
        return ContentView(result, await tx.spaces.with_homepage(space), users, result.status, None, chain)


async def copy_hierarchy(store: Store, caller: Caller, content_id: int, destination_id: int, *,
                         descendants: bool, prefix: str | None, search: str | None, replace: str | None,
                         options: CopyOptions) -> LongTask:
    """Copy a page and (by default) its descendants under the destination page, renaming by the
    title options. Confluence runs this as a long task; bondline finishes it in the same transaction
    (all or nothing) and records a task that reports success."""
    if prefix is not None and prefix == "" and not search:
        raise Invalid("The title prefix cannot be empty")
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        source, source_space, source_role, named = await load(tx, caller, content_id)
        access.require_view_content(caller, source, source_space, source_role, named)
        if source.status != "current" or source.type != "page":
            raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
        destination, space, role, _ = await _destination_parent(tx, caller, str(destination_id))
        if destination.type != "page":
            raise Invalid(f"Parent {destination.id} is a {destination.type}; only pages can have child pages")
        access.require_create_content(caller, space, role, space.key)
        rows = await tx.tree.subtree(source.id) if descendants else []
        order = [cid for cid, _ in rules.preorder(source.id, rows)]
        parent_of = {r[0]: r[1] for r in rows}
        pages = [source] + [c for c in [await tx.content.by_id(cid) for cid in order]
                            if c is not None and c.status == "current" and c.type == "page"]
        titles = [content_rules.validate_title(rules.hierarchy_title(p.title, prefix, search, replace))
                  for p in pages]
        if len(set(titles)) != len(titles):
            raise Invalid("The copied pages' titles would not be unique")
        await _require_titles_free(tx, space, titles)
        copies: dict[int, int] = {}
        for page, title in zip(pages, titles, strict=True):
            loaded = await tx.content.with_space(page.id, caller.user_id, body=True)
            assert loaded is not None
            if not access.can_view_content(caller, *loaded):  # restricted from the caller: not copied
                continue
            parent_id = destination.id if page.id == source.id else copies.get(parent_of.get(page.id, -1))
            if parent_id is None:  # its parent is not copied (a draft, say): it is skipped as well
                continue
            made = await _copy_one(tx, caller, loaded[0], space, parent_id, title, None, options, now)
            copies[page.id] = made.id
        task = LongTask(ids.random_base62(16), "page.hierarchy.copy",
                        msgspec.json.encode([str(source.id), str(destination.id), str(copies[source.id]),
                                             len(copies)]).decode(), caller.user_id, now, now, True)
        await tx.tasks.add(task)
    return task


# --- long tasks ----------------------------------------------------------------------------------

async def tasks(store: Store, caller: Caller, start: int, limit: int) -> list[LongTask]:
    """The long tasks the caller started (every task, for a site admin), newest first."""
    async with store.read() as tx:
        return await tx.tasks.page(None if caller.site_admin else caller.user_id, start, limit)
