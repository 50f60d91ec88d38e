"""Content and space properties: list, read, create, update (with the next version), delete."""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain import properties as rules
from bondline.domain.audit import Actor, Change
from bondline.domain.errors import Conflict, Invalid, NotFound
from bondline.domain.model import Caller, Space, User
from bondline.domain.properties import Property
from bondline.services import spaces
from bondline.services.content import ContentView, _view, visible
from bondline.store import Store
from bondline.store.repos.accounts import users_by_ids
from bondline.store.unit import Tx


@dataclasses.dataclass(slots=True)
class PropertyView:
    """A property, with whom its version names, and what it is stored against (the content as a
    view, to expand it; or the space)."""

    prop: Property
    users: dict[int, User]
    content: ContentView | None = None
    space: Space | None = None


@dataclasses.dataclass(slots=True)
class Write:
    """What a create or an update asks for."""

    key: str
    value: Any
    number: int = 1  # the version an update names
    minor_edit: bool = False
    message: str = ""
    id: int | None = None  # the property an update names by id (v2), not by key: it must exist


# --- whose properties ---------------------------------------------------------------------------------

CONTENT_STATUSES = ("any", "archived", "current", "deleted", "draft", "trashed")


async def _content(tx: Tx, caller: Caller, content_id: int, *, write: bool,
                   statuses: list[str] | None = None) -> ContentView:
    content, space, _, _ = await visible(tx, caller, content_id, edit=write)
    if statuses is not None and "any" not in statuses and content.status not in statuses:
        raise NotFound(f"No content found with id : {content_id} and status {','.join(statuses)}",
                       reason="CONTENT_NOT_FOUND")
    return await _view(tx, caller, content, space, content.status)


async def _space(tx: Tx, caller: Caller, ref: str, *, write: bool, by_id: bool = False) -> Space:
    space, role = await (spaces.load_by_id(tx, caller, int(ref)) if by_id else spaces.load(tx, caller, ref))
    if write:
        access.require_edit_space_properties(caller, space, role)
    else:
        access.require_view_space(caller, space, role)
    return space


@dataclasses.dataclass(slots=True)
class Owner:
    """What properties are stored against: a piece of content (`ref` its id) or a space (its key)."""

    kind: str  # "content" | "space"
    ref: str
    statuses: list[str] | None = None  # content statuses a read accepts (None: any)
    types: tuple[str, ...] | None = None  # content types the owner may be (None: any); else 404
    by_id: bool = False  # a space named by its numeric id (v2), not its key

    @classmethod
    def content(cls, content_id: int, statuses: list[str] | None = None,
                types: tuple[str, ...] | None = None) -> Owner:
        for status in statuses or ():
            if status not in CONTENT_STATUSES:
                raise Invalid(f"Invalid content status {status[:40]!r}")
        return cls("content", str(content_id), statuses, types)

    @classmethod
    def space(cls, key: str) -> Owner:
        return cls("space", key)

    @classmethod
    def space_by_id(cls, space_id: int) -> Owner:
        return cls("space", str(space_id), by_id=True)

    async def load(self, tx: Tx, caller: Caller, *, write: bool) -> tuple[int, ContentView | None, Space]:
        """The owner's id, its view (content) and its space, for a caller allowed to read (or write)."""
        if self.kind == "content":
            view = await _content(tx, caller, int(self.ref), write=write, statuses=None if write else self.statuses)
            if self.types is not None and view.content.type not in self.types:
                raise NotFound(f"No {' or '.join(self.types)} found with id : {self.ref}", reason="CONTENT_NOT_FOUND")
            return view.content.id, view, view.space
        space = await _space(tx, caller, self.ref, write=write, by_id=self.by_id)
        return space.id, None, space


async def _views(tx: Tx, props: list[Property], content: ContentView | None, space: Space) -> list[PropertyView]:
    users = await users_by_ids(tx.users, {p.by for p in props})
    return [PropertyView(p, users, content, space) for p in props]


def _object(owner: Owner, key: str) -> str:
    return f"{owner.kind}/{owner.ref}/property/{key}"


def _doc(prop: Property) -> dict[str, Any]:
    return {"key": prop.key, "value": prop.value, "version": prop.version}


# --- use cases ----------------------------------------------------------------------------------------

async def list_properties(store: Store, caller: Caller, owner: Owner, *, keys: list[str], start: int,
                          limit: int, descending: bool = False) -> list[PropertyView]:
    """The owner's properties by key (`descending`: from the last), inside the query."""
    async with store.read() as tx:
        owner_id, content, space = await owner.load(tx, caller, write=False)
        found = await tx.properties.page(owner.kind, owner_id, keys=keys, offset=start, limit=limit,
                                         descending=descending)
        return await _views(tx, found, content, space)


async def _find(tx: Tx, owner: Owner, owner_id: int, key: str | int) -> Property:
    """The owner's property by key, or by id when `key` is an int (v2); NotFound when it has none."""
    found = await (tx.properties.by_id(owner.kind, owner_id, key) if isinstance(key, int)
                   else tx.properties.get(owner.kind, owner_id, key))
    if found is None:
        raise rules.not_found(owner.kind, owner.ref, str(key))
    return found


async def get(store: Store, caller: Caller, owner: Owner, key: str | int) -> PropertyView:
    """A property by key (or by id: an int)."""
    async with store.read() as tx:
        owner_id, content, space = await owner.load(tx, caller, write=False)
        found = await _find(tx, owner, owner_id, key)
        return (await _views(tx, [found], content, space))[0]


async def create(store: Store, caller: Caller, owner: Owner, write: Write) -> PropertyView:
    key = rules.check_key(write.key)
    value = rules.encode(owner.kind, key, write.value)
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        owner_id, content, space = await owner.load(tx, caller, write=True)
        made = await tx.properties.add(owner.kind, owner_id, key, value, by=caller.user_id, now=now,
                                       minor_edit=write.minor_edit, message=write.message)
        if made is None:
            raise rules.exists(owner.kind, owner.ref, key)
        prop = Property(made, owner.kind, owner_id, key, write.value, 1, write.minor_edit, write.message,
                        caller.user_id, now)
        tx.record(Change(f"{owner.kind}.property.create", _object(owner, key), None, _doc(prop)))
        return PropertyView(prop, {caller.user_id: caller.as_user()}, content, space)


async def update(store: Store, caller: Caller, owner: Owner, write: Write) -> PropertyView:
    """Write the next version of a property (or its first, for a key not there yet and version 1).
    Named by id (`write.id`, v2), the property must exist and keep its key."""
    key = rules.check_key(write.key)
    value = rules.encode(owner.kind, key, write.value)
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        owner_id, content, space = await owner.load(tx, caller, write=True)
        if write.id is not None:
            existing: Property | None = await _find(tx, owner, owner_id, write.id)
            assert existing is not None
            if existing.key != key:
                raise Invalid(f"The property's key is '{existing.key[:80]}': a key cannot be changed")
        else:
            existing = await tx.properties.get(owner.kind, owner_id, key)
        number = rules.next_version(existing, write.number, owner.kind, owner.ref, key)
        if existing is None:
            made = await tx.properties.add(owner.kind, owner_id, key, value, by=caller.user_id, now=now,
                                           minor_edit=write.minor_edit, message=write.message)
            written = made is not None
            prop_id = made or 0
        else:
            written = await tx.properties.update(owner.kind, owner_id, key, value, number, by=caller.user_id,
                                                 now=now, minor_edit=write.minor_edit, message=write.message)
            prop_id = existing.id
        if not written:  # another writer got there between the read and the write: theirs is current
            rules.next_version(await tx.properties.get(owner.kind, owner_id, key), write.number, owner.kind,
                               owner.ref, key)
            raise Conflict(f"Property '{key[:80]}' changed while it was being updated", reason="STALE_VERSION")
        prop = Property(prop_id, owner.kind, owner_id, key, write.value, number, write.minor_edit, write.message,
                        caller.user_id, now)
        tx.record(Change(f"{owner.kind}.property.update", _object(owner, key),
                         _doc(existing) if existing else None, _doc(prop)))
        return PropertyView(prop, {caller.user_id: caller.as_user()}, content, space)


async def delete(store: Store, caller: Caller, owner: Owner, key: str | int) -> None:
    """Delete a property by key (or by id: an int)."""
    async with store.write(Actor.of(caller)) as tx:
        owner_id, _content, _space = await owner.load(tx, caller, write=True)
        existing = await _find(tx, owner, owner_id, key)
        key = existing.key
        if not await tx.properties.delete(owner.kind, owner_id, key):
            raise rules.not_found(owner.kind, owner.ref, key)
        tx.record(Change(f"{owner.kind}.property.delete", _object(owner, key), _doc(existing), None))


async def put_on_content(tx: Tx, content_id: int, entries: dict[str, tuple[Any, int | None]], by: int,
                         now: int) -> None:
    """Write the properties a content create or update carries in `metadata.properties` (key ->
    value and the version asked for, if any: without one, the next), in that unit of work."""
    for key, (value, number) in entries.items():
        rules.check_key(key)
        text = rules.encode("content", key, value)
        existing = await tx.properties.get("content", content_id, key)
        ref = str(content_id)
        version = rules.next_version(existing, number, "content", ref, key) if number is not None else (
            existing.version + 1 if existing else 1)
        if existing is None:
            written = await tx.properties.add("content", content_id, key, text, by=by, now=now) is not None
        else:
            written = await tx.properties.update("content", content_id, key, text, version, by=by, now=now)
        if not written:
            raise Conflict(f"Property '{key[:80]}' changed while it was being written", reason="STALE_VERSION")
        after = {"key": key, "value": value, "version": version}
        tx.record(Change("content.property.update" if existing else "content.property.create",
                         f"content/{content_id}/property/{key}", _doc(existing) if existing else None, after))


async def for_content(store: Store, views: list[ContentView], keys: list[str]) -> dict[int, list[Property]]:
    """The properties `keys` of each piece of content in `views` (already read and allowed), for
    `expand=metadata.properties.<key>`."""
    out: dict[int, list[Property]] = {}
    async with store.read() as tx:
        for view in views:
            out[view.content.id] = await tx.properties.page("content", view.content.id, keys=keys)
    return out
