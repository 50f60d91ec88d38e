"""Watches: status, add and remove for content, spaces and labels, and watcher lists.

Watches are relations (`watch` from a user) in the same store as the relation API. The watch API
has its own error rules: a target that does not exist, or that the caller cannot see, is 403.
"""

from __future__ import annotations

import dataclasses

from bondline import ids
from bondline.domain import access
from bondline.domain import labels as label_rules
from bondline.domain import watches as rules
from bondline.domain.audit import Actor, Change, record_of, relation_object
from bondline.domain.errors import Forbidden, Invalid, NotFound, is_decimal
from bondline.domain.model import Caller, User
from bondline.domain.relations import CONFLUENCE, EntityRef, RelationEnd
from bondline.store import Store
from bondline.store.repos.content import Loaded
from bondline.store.unit import Tx

NS = CONFLUENCE


@dataclasses.dataclass(slots=True)
class Watcher:
    user: User
    target_key: str  # content id, space key or label name


async def _watcher(tx: Tx, caller: Caller, account_id: str | None) -> User:
    """The user whose watch this is: the caller, or (site admins only) the one named by accountId."""
    if not account_id or account_id == caller.account_id:
        return caller.as_user()
    access.require_act_for(caller, account_id)
    user = await tx.users.by_account_id(account_id)
    if user is None:
        raise Forbidden("No user exists for the specified accountId")
    return user


def _watchable_content(caller: Caller, found: Loaded | None) -> RelationEnd:
    """The content `ContentRepo.with_space` found, if the caller may watch it; 403 otherwise."""
    if found is None or found[0].status == "trashed":
        raise Forbidden("No content exists for the specified contentId")
    content, space, role, named = found
    entity = RelationEnd(EntityRef("content", str(content.id), content.status), space=space, content=content, role=role,
                         named=named)
    access.require_watchable(caller, entity)
    return entity


async def _target(tx: Tx, caller: Caller, kind: str, key: str,
                  content_type: str | None = None) -> tuple[RelationEnd, str]:
    """The watched entity and the key its watch is stored under; 403 if missing or hidden."""
    if kind == "content":
        if not is_decimal(key) or len(key) > 18:
            raise Forbidden("No content exists for the specified contentId")
        # Through the read cache when this is a read (a write's connection asks the database).
        entity = _watchable_content(caller, await tx.content.with_space_cached(int(key), caller.user_id))
        assert entity.content is not None  # a content entity
        return entity, str(entity.content.id)
    if kind == "space":
        space = await tx.spaces.by_key(key)
        if space is None:
            raise Forbidden("No space exists for the specified spaceKey")
        role = await tx.spaces.role_of(space.id, caller.user_id)
        entity = RelationEnd(EntityRef("space", space.key), space=space, role=role)
        access.require_watchable(caller, entity)
        return entity, rules.space_key(space.key, content_type)
    try:
        prefix, name = label_rules.validate(key)
    except Invalid:
        raise Forbidden("No label exists for the specified labelName") from None
    if prefix != "global" or not await _label_visible(tx, caller, name):
        raise Forbidden("No label exists for the specified labelName")
    return RelationEnd(EntityRef("label", name), label=name), name


LABEL_CHUNK = 500  # carriers of a label looked at per statement, until one the caller sees


async def _label_visible(tx: Tx, caller: Caller, name: str) -> bool:
    """Whether content the caller can see carries the global label `name` (a label on hidden
    content only is answered as missing). Usually the first carriers decide."""
    if not await tx.labels.carried(name):
        return False
    if access.listing_scope(caller) is None:  # the caller sees all content
        return True
    carriers = await tx.labels.carriers(name)
    for start in range(0, len(carriers), LABEL_CHUNK):
        found = await tx.content.with_space_many(set(carriers[start:start + LABEL_CHUNK]),
                                                 caller.user_id)
        if access.can_see_label(caller, found.values()):
            return True
    return False


async def status(store: Store, caller: Caller, kind: str, key: str, account_id: str | None,
                 content_type: str | None = None) -> bool:
    async with store.read() as tx:
        user = await _watcher(tx, caller, account_id)
        if kind == "content" and is_decimal(key) and len(key) <= 18:
            # One round trip: the page, its space, the caller's role and the watch (used only once
            # the page is known to be watchable by the caller).
            row, watch = await tx.relations.get_with_content(int(key), caller.user_id, NS, rules.WATCH, "user",
                                                             user.account_id, "content", str(int(key)))
            _watchable_content(caller, row)
            return watch is not None
        entity, stored = await _target(tx, caller, kind, key, content_type)
        return await tx.relations.exists(NS, rules.WATCH, "user", user.account_id, entity.ref.type, stored)


async def add(store: Store, caller: Caller, kind: str, key: str, account_id: str | None,
              content_type: str | None = None) -> None:
    """Watch; watching twice leaves one watch."""
    async with store.write(Actor.of(caller)) as tx:
        user = await _watcher(tx, caller, account_id)
        entity, stored = await _target(tx, caller, kind, key, content_type)
        made, new = await tx.relations.put(NS, rules.WATCH, "user", user.account_id, entity.ref.type, stored,
                                           source_scope=None, target_scope=entity.scope, by=caller.account_id,
                                           now=ids.now_ms())
        if new:
            tx.record(Change("watch.add", relation_object(NS, rules.WATCH, "user", user.account_id,
                                                               entity.ref.type, stored), None, record_of(made)))


async def remove(store: Store, caller: Caller, kind: str, key: str, account_id: str | None,
                 content_type: str | None = None) -> None:
    """Stop watching; removing a watch that does not exist succeeds."""
    async with store.write(Actor.of(caller)) as tx:
        user = await _watcher(tx, caller, account_id)
        entity, stored = await _target(tx, caller, kind, key, content_type)
        gone = await tx.relations.delete_returning(NS, rules.WATCH, "user", user.account_id, entity.ref.type,
                                                   stored)
        if gone is not None:
            tx.record(Change("watch.remove", relation_object(NS, rules.WATCH, "user", user.account_id,
                                                                  entity.ref.type, stored), record_of(gone)))


async def _watchers_of(tx: Tx, kind: str, keys: list[str], start: int, limit: int) -> list[Watcher]:
    rows = []
    for key in keys:
        rows += await tx.relations.listing(
            direction="reverse", ns=NS, name=rules.WATCH, kind=kind, key=key, other_type="user", viewer=None,
            offset=0, limit=start + limit)
    rows.sort(key=lambda r: r.id, reverse=True)
    page = rows[start:start + limit]
    users = await tx.users.by_account_ids({row.source_key for row in page})  # one statement, not one a row
    return [Watcher(users[row.source_key], row.target_key.split("@")[0]) for row in page if row.source_key in users]


async def _visible_content(tx: Tx, caller: Caller, content_id: str) -> RelationEnd:
    try:
        entity, _ = await _target(tx, caller, "content", content_id)
    except Forbidden:
        raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND") from None
    return entity


async def content_watchers(store: Store, caller: Caller, content_id: str, start: int, limit: int) -> list[Watcher]:
    """Who watches a page (getWatchesForPage)."""
    async with store.read() as tx:
        entity = await _visible_content(tx, caller, content_id)
        return await _watchers_of(tx, "content", [entity.ref.key], start, limit)


async def space_watchers_of_content(store: Store, caller: Caller, content_id: str, start: int,
                                    limit: int) -> list[Watcher]:
    """Who watches the space a page is in (getWatchesForSpace)."""
    async with store.read() as tx:
        entity = await _visible_content(tx, caller, content_id)
        assert entity.space is not None  # content is in a space
        return await _watchers_of(tx, "space", rules.space_keys(entity.space.key), start, limit)


async def space_watchers(store: Store, caller: Caller, space_key: str, start: int, limit: int) -> list[Watcher]:
    """Who watches a space (getWatchersForSpace); 404 for an unknown space."""
    async with store.read() as tx:
        space = await tx.spaces.by_key(space_key)
        if space is None:
            raise NotFound(f"No space with key : {space_key}", reason="SPACE_NOT_FOUND")
        role = await tx.spaces.role_of(space.id, caller.user_id)
        access.require_view_space(caller, space, role)
        return await _watchers_of(tx, "space", rules.space_keys(space.key), start, limit)
