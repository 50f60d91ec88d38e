"""Pages and blog posts: create, read (any version), list, update, trash, restore and purge."""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline import ids
from bondline.domain import access, adf
from bondline.domain import content as rules
from bondline.domain import events as ev
from bondline.domain.audit import Actor, Change, record_of
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.model import Caller, Content, ContentVersion, Space, User
from bondline.domain.relations import CONFLUENCE, content_keys
from bondline.domain.watches import WATCH
from bondline.services import attachments, links, notify, positions
from bondline.store import Store
from bondline.store.repos.accounts import users_by_ids
from bondline.store.repos.content import Loaded
from bondline.store.unit import Tx


@dataclasses.dataclass(slots=True)
class ContentView:
    """A piece of content as of one version, with what rendering it needs."""

    content: Content
    space: Space
    users: dict[int, User]
    status: str  # the status shown: the content's own, or "historical" for an old version
    version: ContentVersion | None = None  # set when an old version is shown
    ancestors: tuple[Content, ...] = ()
    history: Any = None  # services.history.History, when loaded (the history resource, its expansions)

    @property
    def title(self) -> str:
        return self.version.title if self.version else self.content.title

    @property
    def body(self) -> tuple[str | None, str]:
        """The body and its representation (the body None when it was not loaded)."""
        if self.version:
            return self.version.body, self.version.representation
        return self.content.body, self.content.representation

    @property
    def number(self) -> int:
        return self.version.number if self.version else self.content.version

    @property
    def when(self) -> int:
        return self.version.at if self.version else self.content.updated_at

    @property
    def by(self) -> int | None:
        return self.version.by if self.version else self.content.updated_by

    @property
    def message(self) -> str:
        return self.version.message if self.version else self.content.version_message


@dataclasses.dataclass(slots=True)
class NewContent:
    type: str
    title: str
    space_key: str
    status: str = "current"
    body: str = ""
    representation: str = "storage"
    parent_id: int | None = None
    space_id: int | None = None  # the space by its id (v2), instead of `space_key`
    under_homepage: bool = False  # with no parent given, under the space's home page (v2's default)


async def _ancestors(tx: Tx, content: Content) -> list[Content]:
    """Parents from the root down (bounded, in case of a corrupt cycle)."""
    chain: list[Content] = []
    parent_id = content.parent_id
    while parent_id is not None and len(chain) < 100:
        parent = await tx.content.by_id(parent_id)
        if parent is None:
            break
        chain.append(parent)
        parent_id = parent.parent_id
    return list(reversed(chain))


async def _view(tx: Tx, caller: Caller, content: Content, space: Space, status: str,
                version: ContentVersion | None = None) -> ContentView:
    users = await users_by_ids(tx.users, {content.created_by, content.updated_by,
                                          version.by if version else None, space.created_by})
    ancestors = access.visible_ancestors(caller, await _ancestors(tx, content))
    return ContentView(content, await tx.spaces.with_homepage(space), users, status, version, ancestors)


async def view_of(tx: Tx, caller: Caller, content: Content, space: Space) -> ContentView:
    """A piece of content another use case found (search), as this module shows it."""
    return await _view(tx, caller, content, space, content.status)


async def _parent(tx: Tx, caller: Caller, parent_id: int) -> Content | None:
    """The parent a create or an update names, or None when there is none or the caller may not see
    it: a parent they cannot see is refused exactly as a missing one (its title, type or space
    never shows in the answer)."""
    found = await tx.content.with_space(parent_id, caller.user_id)
    if found is None:
        return None
    return found[0] if access.can_view_content(caller, *found) else None


async def load(tx: Tx, caller: Caller, content_id: int, *, body: bool = True) -> Loaded:
    """The content (with its body, unless not wanted), its space, the caller's role there and how
    its restrictions stand for them; NotFound when there is no such content. Whether the caller may
    see or change it is for the use case to ask `access` (`visible` asks the usual questions)."""
    found = await tx.content.with_space(content_id, caller.user_id, body=body)
    if found is None:
        raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
    return found


async def visible(tx: Tx, caller: Caller, content_id: int, *, edit: bool = False, body: bool = False) -> Loaded:
    """`load`, for a caller who may see the content (and with `edit=True`, edit it): anything else is
    answered as Confluence answers it (`access.require_view_content` / `require_update_content`)."""
    found = await load(tx, caller, content_id, body=body)
    if edit:
        access.require_update_content(caller, *found)
    else:
        access.require_view_content(caller, *found)
    return found


async def create(store: Store, caller: Caller, new: NewContent,
                 properties: dict[str, tuple[Any, int | None]] | None = None) -> ContentView:
    """Create content (with the content properties `properties`, from `metadata.properties`)."""
    rules.validate_type(new.type)
    title = rules.validate_title(new.title)
    if new.status not in ("current", "draft"):
        raise Invalid(f"Content can be created as 'current' or 'draft', not {new.status[:40]!r}")
    body, representation = adf.to_stored(new.body, new.representation)  # ADF is stored as storage
    new = dataclasses.replace(new, body=body, representation=representation)
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        if new.space_id is not None:
            space = await tx.spaces.by_id(new.space_id)
        else:
            space = await tx.spaces.by_key(new.space_key)
        role = await tx.spaces.role_of(space.id, caller.user_id) if space is not None else None
        access.require_create_content(caller, space, role, new.space_key or str(new.space_id))
        assert space is not None  # refused above when it is missing
        if new.parent_id is None and new.under_homepage and new.type == "page":
            new = dataclasses.replace(new, parent_id=space.homepage_id)
        if new.parent_id is not None:
            parent = await _parent(tx, caller, new.parent_id)
            rules.validate_parent(space.id, parent, new.parent_id, None, [])
        if new.type == "page" and new.status == "current":
            clash = await tx.content.page(visible_to_user=None, status="current", space_id=space.id, type="page",
                                          title=title, offset=0, limit=1)
            if clash:
                raise Invalid("A page with this title already exists: A page already exists with the same"
                              " TITLE in this space", reason="TITLE_EXISTS")
        content = await tx.content.add(
            type=new.type, status=new.status, space_id=space.id, parent_id=new.parent_id, title=title,
            body=new.body, representation=new.representation, message="", by=caller.user_id, now=now)
        tx.record(Change("content.create", f"content/{content.id}", None, record_of(content)))
        if properties:
            from bondline.services.properties import put_on_content  # it builds on this module

            await put_on_content(tx, content.id, properties, caller.user_id, now)
        # As in Confluence Cloud, the author watches what they create.
        await tx.relations.put(CONFLUENCE, WATCH, "user", caller.account_id, "content", str(content.id),
                               source_scope=None, target_scope=space.id, by=caller.account_id, now=now)
        await links.sync(tx, content, caller.account_id, now)
        await notify.content_created(tx, content, space)
        return await _view(tx, caller, content, space, content.status)


async def type_of(store: Store, caller: Caller, content_id: int) -> str | None:
    """The type of a piece of content the caller may see (None: none, or not theirs to see), for a
    route Confluence shares between types (`DELETE /content/{id}/version/{n}`)."""
    async with store.read() as tx:
        found = await tx.content.with_space(content_id, caller.user_id)
    if found is None or not access.can_view_content(caller, *found):
        return None
    return found[0].type


def _shown_status(content: Content, wanted: list[str]) -> bool:
    return "any" in wanted or content.status in wanted


async def get(store: Store, caller: Caller, content_id: int, *, statuses: list[str] | None = None,
              version: int | None = None) -> ContentView:
    """One piece of content; `statuses` filters like Confluence's `status` (default current);
    `version` picks an older version, shown with status 'historical'."""
    wanted = statuses or ["current"]
    for status in wanted:
        if status not in ("current", "trashed", "deleted", "historical", "draft", "any"):
            raise Invalid(f"Invalid content status {status[:40]!r}")
    async with store.read() as tx:
        content, space, _, _ = await visible(tx, caller, content_id, body=True)
        if version is not None and version != content.version:
            if version < 1 or version > content.version:
                raise NotFound(f"No content found with id : {content_id} and version {version}",
                               reason="VERSION_NOT_FOUND")
            if not ("historical" in wanted or "any" in wanted or wanted == ["current"]):
                raise NotFound(f"No content found with id : {content_id} and status {','.join(wanted)}")
            old = await tx.content.version(content_id, version)
            if old is None:
                raise NotFound(f"No content found with id : {content_id} and version {version}",
                               reason="VERSION_NOT_FOUND")
            return await _view(tx, caller, content, space, "historical", old)
        # status=historical&version=<current> asks for the current version as one of the page's
        # versions (a diff between it and an older one): it is the current content.
        as_version = version == content.version and content.status == "current" and "historical" in wanted
        if not (_shown_status(content, wanted) or as_version):
            raise NotFound(f"No content found with id : {content_id} and status {','.join(wanted)}",
                           reason="CONTENT_NOT_FOUND")
        return await _view(tx, caller, content, space, content.status)


async def list_content(store: Store, caller: Caller, *, type: str | None, space_key: str | None,
                       title: str | None, statuses: list[str], start: int, limit: int,
                       space_ids: list[int] | None = None, order: str = "id",
                       ids: list[int] | None = None, bodies: bool = True,
                       ancestors: bool = True) -> list[ContentView]:
    """getContent: content of one type by id, in one space (`space_key`), in any of `space_ids` (v2's
    `space-id`) or everywhere the caller may see (`type` comment or attachment: those on a page or
    blog post the caller may see), in `order` (`domain.content.ORDERS`, read in that order by the
    store's query, so that successive pages are stable); `ids` (v2's `id`, up to 250): only those.
    `bodies=False`: without their bodies (None; the read cache may then answer the rows);
    `ancestors=False`: without their ancestors (empty), for a caller that shows none (v2's lists)."""
    if type is not None:
        rules.validate_listed_type(type)
    order_key, descending = rules.order_key(order)
    async with store.read() as tx:
        in_spaces: list[int | None] = [None]
        if space_key is not None:
            space = await tx.spaces.by_key(space_key)
            if space is None:
                return []
            in_spaces = [space.id]
        elif space_ids:
            in_spaces = list(dict.fromkeys(space_ids))
        for status in statuses or ["current"]:
            if status not in ("current", "trashed", "draft", "any", "historical", "deleted"):
                raise Invalid(f"Invalid content status {status[:40]!r}")
        shown = ["current", "trashed", "draft"] if "any" in statuses else [
            s for s in (statuses or ["current"]) if s in ("current", "trashed", "draft")]
        wanted = start + limit
        while not ids:
            found: list[Content] = []
            more = False  # whether a status may have more rows than were read
            for status in shown:
                for space_id in in_spaces:
                    rows = await tx.content.page(visible_to_user=access.listing_scope(caller), status=status,
                                                 space_id=space_id, type=type, title=title, offset=0, limit=wanted,
                                                 order=order, bodies=bodies)
                    more = more or len(rows) == wanted
                    found += rows
            if type in rules.HELD_TYPES:
                # A comment or an attachment is seen by whoever may see what it is on: rows on other
                # content are left out, and more are read until the page is full or none are left.
                found = await _on_visible_containers(tx, caller, found)
                if len(found) < start + limit and more:
                    wanted *= 2
                    continue
            break
        if ids:
            found = await _among(tx, caller, ids, type=type, statuses=shown, title=title,
                                 space_ids=None if in_spaces == [None] else set(in_spaces))
        found.sort(key=order_key, reverse=descending)
        page = found[start:start + limit]
        if bodies:
            page = [item if item.body is not None else await tx.content.by_id(item.id) or item for item in page]
        # Each space, its home page and the authors once per listing (the authors in one statement,
        # which the read cache may answer); each parent's chain once.
        in_space: dict[int, Space] = {}
        for space_id in dict.fromkeys(item.space_id for item in page):
            space = await tx.spaces.by_id_cached(space_id)
            assert space is not None  # content belongs to a space (a foreign key)
            in_space[space_id] = space
        users = await users_by_ids(tx.users, {u for item in page for u in (item.created_by, item.updated_by)}
                                   | {s.created_by for s in in_space.values()}, cached=True)
        for space_id, space in in_space.items():
            in_space[space_id] = await tx.spaces.with_homepage(space)
        chains: dict[int | None, tuple[Content, ...]] = {None: ()}
        views = []
        for item in page:
            if ancestors and item.parent_id not in chains:
                chains[item.parent_id] = access.visible_ancestors(caller, await _ancestors(tx, item))
            views.append(ContentView(item, in_space[item.space_id], users, item.status, None,
                                     chains[item.parent_id] if ancestors else ()))
    return views


async def _among(tx: Tx, caller: Caller, ids: list[int], *, type: str | None, statuses: list[str],
                 title: str | None, space_ids: set[int | None] | None) -> list[Content]:
    """The content of `ids` a listing with these filters shows the caller."""
    found = []
    for content, space, role, named in (await tx.content.with_space_many(set(ids), caller.user_id)).values():
        if ((type is None or content.type == type) and content.status in statuses
                and (space_ids is None or content.space_id in space_ids)
                and (title is None or content.title == title)
                and access.can_view_content(caller, content, space, role, named)):
            found.append(content)
    if type in rules.HELD_TYPES:
        found = await _on_visible_containers(tx, caller, found)
    return found


async def _on_visible_containers(tx: Tx, caller: Caller, held: list[Content]) -> list[Content]:
    """The comments and attachments of `held` that are on a page or blog post the caller may see
    (current, or their own draft)."""
    holders: dict[int, int | None] = {}
    for item in held:
        if item.type == "attachment":
            holders[item.id] = await tx.attachments.container_of(item.id)
        else:
            meta = await tx.comments.meta(item.id)
            holders[item.id] = meta.container_id if meta is not None else None
    containers = await tx.content.with_space_many({h for h in holders.values() if h is not None}, caller.user_id)
    visible = {cid for cid, found in containers.items()
               if found[0].status in ("current", "draft") and access.can_view_content(caller, *found)}
    return [item for item in held if holders[item.id] in visible]


async def update(store: Store, caller: Caller, content_id: int, edit: rules.Edit,
                 properties: dict[str, tuple[Any, int | None]] | None = None, *,
                 next_version: bool = False) -> ContentView:
    """Update content (and write the content properties `properties`, from `metadata.properties`);
    `next_version`: as the next version, whatever `edit.version` says (v2's title update names none)."""
    if edit.body is not None and edit.representation is not None:  # ADF is stored as storage
        body, representation = adf.to_stored(edit.body, edit.representation)
        edit = dataclasses.replace(edit, body=body, representation=representation)
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        content, space, _, _ = await visible(tx, caller, content_id, edit=True, body=True)
        if next_version:
            edit = dataclasses.replace(edit, version=content.version + (content.status != "draft"))
        if edit.parent_given and edit.parent_id is not None:
            parent = await _parent(tx, caller, edit.parent_id)
            chain = [c.id for c in await _ancestors(tx, parent)] if parent else []
            rules.validate_parent(space.id, parent, edit.parent_id, content.id, chain)
        updated = rules.apply_edit(content, edit, caller.user_id, now)
        await tx.content.save_version(updated)
        if content.status == "trashed":
            updated = await positions.restored(tx, updated)
        elif updated.parent_id != content.parent_id:
            updated = await positions.reparented(tx, updated)  # (and governed by its new parent's restrictions)
        if properties:
            from bondline.services.properties import put_on_content  # it builds on this module

            await put_on_content(tx, content.id, properties, caller.user_id, now)
        await links.sync(tx, updated, caller.account_id, now)
        action = {"trashed": "content.restore", "draft": "content.publish"}.get(content.status, "content.update")
        tx.record(Change(action, f"content/{content.id}", record_of(content), record_of(updated)))
        change = ev.content_change_type(content.status, updated.status)
        if change == ev.SPACE_CONTENT_CREATED:
            await notify.content_created(tx, updated, space)
        else:
            await notify.content_changed(tx, change, updated, space)
        return await _view(tx, caller, updated, space, updated.status)


async def delete(store: Store, caller: Caller, content_id: int, status: str | None) -> str:
    """Trash current content, or purge trashed content (with status=trashed); returns which."""
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        content, space, role, named = await load(tx, caller, content_id)
        action = rules.deletion(content, status)
        if action == "trash":
            access.require_trash_content(caller, content, space, role, named)
            await tx.content.set_status(content.id, "trashed", now)
            await positions.trashed(tx, content)
            await links.sync(tx, dataclasses.replace(content, status="trashed"), caller.account_id, now)
            tx.record(Change("content.trash", f"content/{content.id}", {"status": content.status},
                                  {"status": "trashed"}))
            await notify.content_changed(tx, ev.CONTENT_TRASHED, dataclasses.replace(content, status="trashed"),
                                         space)
        else:
            if content.status == "draft":
                access.require_trash_content(caller, content, space, role, named)
            else:
                access.require_purge_content(caller, content, space, role)
            await purge(tx, content, space)
    return action


async def purge(tx: Tx, content: Content, space: Space) -> None:
    """Delete content for good, with every relation to or from it or any of its versions."""
    watchers = await notify.watchers_before_purge(tx, content, space)
    await attachments.purge_held_by(tx, content)  # an attachment is content only with its container
    from bondline.services import comments  # (it builds on this module)

    await comments.purge_on(tx, content)  # so is a comment
    await tx.relations.purge_entity(CONFLUENCE, "content", content_keys(content.id, content.version))
    await tx.content.purge(content.id)
    tx.record(Change("content.purge", f"content/{content.id}", record_of(content)))
    if watchers is not None:
        await notify.content_changed(tx, ev.CONTENT_PURGED, dataclasses.replace(content, status="deleted"),
                                     space, watchers)


async def versions(store: Store, caller: Caller, content_id: int, start: int, limit: int, *,
                   oldest_first: bool = False) -> tuple[ContentView, list[ContentVersion], dict[int, User]]:
    """Its versions, newest first (`oldest_first`: the other way, v2's `sort=modified-date`)."""
    async with store.read() as tx:
        content, space, _, _ = await visible(tx, caller, content_id)
        found = await tx.content.versions(content_id, start, limit, oldest_first=oldest_first)
        view = await _view(tx, caller, content, space, content.status)
        users = await users_by_ids(tx.users, {v.by for v in found})
    return view, found, users


async def types_of(store: Store, caller: Caller, content_ids: list[int]) -> dict[int, str]:
    """The type of each of `content_ids` the caller may see (v2's convert-ids-to-types): page,
    blogpost, attachment, or footer-comment / inline-comment; ids of content that is missing or
    hidden from them are left out, as Confluence answers for those."""
    async with store.read() as tx:
        found = await tx.content.with_space_many(set(content_ids), caller.user_id)
        seen = [loaded[0] for loaded in found.values() if access.can_view_content(caller, *loaded)]
        held = await _on_visible_containers(tx, caller, [c for c in seen if c.type in rules.HELD_TYPES])
        out: dict[int, str] = {c.id: c.type for c in seen if c.type not in rules.HELD_TYPES}
        for item in held:
            if item.type == "comment":
                meta = await tx.comments.meta(item.id)
                out[item.id] = f"{meta.location if meta is not None else 'footer'}-comment"
            else:
                out[item.id] = item.type
    return {cid: out[cid] for cid in dict.fromkeys(content_ids) if cid in out}
