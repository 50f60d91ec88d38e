"""Spaces: create, read, list, update, delete, and administrators."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from bondline import ids
from bondline.domain import access, spaces
from bondline.domain import watches as watch_rules
from bondline.domain.audit import Actor, Change, record_of
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.events import CONTENT_PURGED
from bondline.domain.model import Caller, Space, User
from bondline.domain.relations import CONFLUENCE, content_keys
from bondline.services import notify, tree
from bondline.store import IntegrityViolation, Store
from bondline.store.repos.accounts import users_by_ids
from bondline.store.repos.tasks import LongTask
from bondline.store.unit import Tx


@dataclasses.dataclass(slots=True)
class SpaceView:
    space: Space
    users: dict[int, User]
    homepage: Any = None  # its home page's ContentView, when read (services/tree.py)


async def load(tx: Tx, caller: Caller, key: str) -> tuple[Space, str | None]:
    """The space `key` and the caller's role in it (NotFound as Confluence answers a missing key)."""
    space = await tx.spaces.by_key(key)
    if space is None:
        raise NotFound(f"No space with key : {key}", reason="SPACE_NOT_FOUND")
    role = await tx.spaces.role_of(space.id, caller.user_id)
    return space, role


async def load_by_id(tx: Tx, caller: Caller, space_id: int) -> tuple[Space, str | None]:
    """`load`, for a space named by its numeric id (v2)."""
    space = await tx.spaces.by_id(space_id)
    if space is None:
        raise NotFound(f"No space with id : {space_id}", reason="SPACE_NOT_FOUND")
    role = await tx.spaces.role_of(space.id, caller.user_id)
    return space, role


async def create(store: Store, caller: Caller, key: str, name: str, description: str = "",
                 private: bool = False, *, roles: dict[str, str] | None = None,
                 copy_from: int | None = None) -> SpaceView:
    """A new space with its home page. Its roles: the creator as administrator; or exactly `roles`
    (account id → role, `domain.spaces.role_assignments`); or (`copy_from`, a space the caller may
    see) the creator as administrator and the roles of that space, its privacy with them. Giving
    anyone but oneself a role is a site administrator's (`access.require_grant_space_admin`)."""
    spaces.validate_key(key)
    name = spaces.validate_name(name)
    access.require_create_space(caller)
    if roles is not None and copy_from is not None:
        raise Invalid("Give roleAssignments or copySpaceAccessConfiguration, not both")
    try:
        async with store.write(Actor.of(caller)) as tx:
            granted: dict[int, str] = {caller.user_id: access.ADMIN}
            if roles is not None:
                found = await tx.users.by_account_ids(set(roles))
                missing = sorted(set(roles) - set(found))
                if missing:
                    raise Invalid(f"No user with accountId {missing[0][:128]}", reason="USER_NOT_FOUND")
                granted = {found[account].id: role for account, role in roles.items()}
                # "A private space is created if only the creator is assigned to a role and it's the Admin role."
                private = private or granted == {caller.user_id: access.ADMIN}
            elif copy_from is not None:
                source, role = await load_by_id(tx, caller, copy_from)
                access.require_view_space(caller, source, role)
                for held in await tx.spaces.roles(source.id):
                    granted.setdefault(held.user_id, held.role)
                private = private or source.private
            if set(granted) - {caller.user_id}:
                access.require_grant_space_admin(caller)
            if await tx.spaces.by_key(key) is not None:
                raise Invalid(f"A space already exists with key {key}", reason="SPACE_EXISTS")
            now = ids.now_ms()
            space = await tx.spaces.add(key, name, description, "global", private, caller.user_id, now)
            for user_id, given in sorted(granted.items()):
                await tx.spaces.set_role(space.id, user_id, given)
            home = await tree.create_homepage(tx, space, caller.user_id, now)
            space = dataclasses.replace(space, homepage_id=home.id)
            tx.record(Change("space.create", f"space/{key}", None, record_of(space)))  # its home page with it
            if granted != {caller.user_id: access.ADMIN}:
                tx.record(Change("space.roles", f"space/{key}/roles", None,
                                 {"roles": {str(u): r for u, r in sorted(granted.items())}}))
    except IntegrityViolation:
        raise Invalid(f"A space already exists with key {key}", reason="SPACE_EXISTS") from None
    return SpaceView(space, {caller.user_id: await _user(store, caller.user_id)})


async def _user(store: Store, user_id: int) -> User:
    async with store.read() as tx:
        user = await tx.users.by_id(user_id)
    assert user is not None
    return user


async def get(store: Store, caller: Caller, key: str, *, with_homepage: bool = False) -> SpaceView:
    async with store.read() as tx:
        space, role = await load(tx, caller, key)
        access.require_view_space(caller, space, role)
        users = await users_by_ids(tx.users, {space.created_by})
        home = await tree.homepage(tx, caller, space, role) if with_homepage else None
    return SpaceView(space, users, home)


async def get_by_id(store: Store, caller: Caller, space_id: int) -> SpaceView:
    """The space with this (numeric) id, as `get` reads one by key (v2 names spaces by id)."""
    async with store.read() as tx:  # (the read cache may answer: v2's listings of a space ask first)
        space = await tx.spaces.by_id_cached(space_id)
        if space is None:
            raise NotFound(f"No space with id : {space_id}", reason="SPACE_NOT_FOUND")
        role = await tx.spaces.role_of_cached(space.id, caller.user_id)
        access.require_view_space(caller, space, role)
        users = await users_by_ids(tx.users, {space.created_by}, cached=True)
    return SpaceView(space, users)


async def operations(store: Store, caller: Caller, space_id: int) -> list[tuple[str, str]]:
    """What the caller may do in the space (v2's `operations`): `access.space_operations`."""
    async with store.read() as tx:
        space, role = await load_by_id(tx, caller, space_id)
        access.require_view_space(caller, space, role)
        return access.space_operations(caller, space, role)


@dataclasses.dataclass(slots=True)
class Assignment:
    """One space permission a user holds through their role in the space."""

    user: User
    role: str
    operation: str
    target: str


async def permission_assignments(store: Store, caller: Caller, space_id: int) -> list[Assignment]:
    """The space permissions its roles grant (`access.role_operations`), user by user in the order
    they were given a role, for a caller who may see the space."""
    async with store.read() as tx:
        space, role = await load_by_id(tx, caller, space_id)
        access.require_view_space(caller, space, role)
        roles = await tx.spaces.roles(space.id)
        users = await users_by_ids(tx.users, {r.user_id for r in roles})
    return [Assignment(users[r.user_id], r.role, op, target) for r in roles if r.user_id in users
            for op, target in access.role_operations(r.role)]


async def list_spaces(store: Store, caller: Caller, *, keys: list[str], type: str | None, status: str | None,
                      start: int, limit: int, ids: list[int] | None = None, labels: list[str] | None = None,
                      favourite_of: str | None = None, order: str = "key") -> list[SpaceView]:
    """Spaces in `order` (`domain.spaces.ORDERS`: key order unless asked; the store's query sorts),
    filtered as Confluence's getSpaces: `keys` and `ids` name the spaces to return (either names one),
    `labels` those carrying a label (bondline's spaces carry none), `favourite_of` the favourites of that
    account (a caller's own, or anyone's for a site admin)."""
    if type is not None:
        spaces.validate_type(type)
    if status is not None:
        spaces.validate_status(status)
    if order not in spaces.ORDERS:
        raise Invalid(f"Spaces cannot be listed in order {order[:40]!r}")
    if favourite_of is not None:
        access.require_list_favourite_spaces(caller, favourite_of)
    if labels:
        return []
    async with store.read() as tx:
        wanted: set[str] | None = None
        if keys or ids:
            wanted = set(keys)
            for space_id in ids or ():
                space = await tx.spaces.by_id(space_id)
                if space is not None:
                    wanted.add(space.key)
        if favourite_of is not None:
            favourites = await _favourite_keys(tx, favourite_of)
            wanted = favourites if wanted is None else wanted & favourites
        if wanted is not None and not wanted:
            return []
        found = await tx.spaces.page(visible_to_user=access.listing_scope(caller), type=type, status=status,
                                     keys=sorted(wanted) if wanted is not None else [], offset=start, limit=limit,
                                     order=order)
        users = await users_by_ids(tx.users, {s.created_by for s in found})
    return [SpaceView(s, users) for s in found]


async def _favourite_keys(tx: Tx, account_id: str) -> set[str]:
    """The keys of the spaces `account_id` marked favourite (relation `favourite` from user to space)."""
    keys: set[str] = set()
    before = 2**62
    while True:
        rows = await tx.relations.listing(
            direction="forward", ns=CONFLUENCE, name="favourite", kind="user", key=account_id,
            other_type="space", viewer=None, before=before, limit=500)
        keys.update(r.target_key for r in rows)
        if len(rows) < 500:
            return keys
        before = rows[-1].id


async def update(store: Store, caller: Caller, key: str, *, name: str | None, description: str | None,
                 status: str | None, homepage_id: int | None = None) -> SpaceView:
    async with store.write(Actor.of(caller)) as tx:
        space, role = await load(tx, caller, key)
        access.require_update_space(caller, space, role)
        before = record_of(space)
        space = dataclasses.replace(
            space,
            name=space.name if name is None else spaces.validate_name(name),
            description=space.description if description is None else description,
            status=space.status if status is None else spaces.validate_status(status),
        )
        await tx.spaces.update(space)
        if homepage_id is not None and homepage_id != space.homepage_id:
            await tree.set_homepage(tx, caller, space, homepage_id)
            space = dataclasses.replace(space, homepage_id=homepage_id)
        tx.record(Change("space.update", f"space/{key}", before, record_of(space)))
        users = await users_by_ids(tx.users, {space.created_by})
    return SpaceView(space, users)


async def delete(store: Store, caller: Caller, key: str) -> LongTask:
    """Delete a space with its content and every relation (favourites, watches, …) touching
    either. Confluence does this in a long task; bondline finishes it in the same transaction and
    records a task that reports success."""
    async with store.write(Actor.of(caller)) as tx:
        space, role = await load(tx, caller, key)
        access.require_delete_space(caller, space, role)
        for content_id, version in await tx.content.in_space(space.id):
            # its watchers hear of it (content.purged), read before their watches go
            gone = await tx.content.by_id(content_id)
            watchers = await notify.watchers_before_purge(tx, gone, space) if gone is not None else None
            await tx.relations.purge_entity(CONFLUENCE, "content", content_keys(content_id, version))
            if watchers and gone is not None:
                await notify.content_changed(tx, CONTENT_PURGED, dataclasses.replace(gone, status="deleted"),
                                             space, watchers)
        await tx.relations.purge_entity(CONFLUENCE, "space", watch_rules.space_keys(space.key))
        await tx.spaces.delete(space.id)
        tx.record(Change("space.delete", f"space/{key}", record_of(space)))
        now = ids.now_ms()
        task = LongTask(ids.random_base62(16), "space.delete", msgspec.json.encode([key]).decode(),
                        caller.user_id, now, now, True)
        await tx.tasks.add(task)
    return task


async def task(store: Store, caller: Caller, task_id: str) -> LongTask:
    async with store.read() as tx:
        found = await tx.tasks.by_id(task_id)
    if found is None or found.user_id is None or not access.can_view_task(caller, found.user_id):
        raise NotFound(f"No long-running task with id {task_id}", reason="TASK_NOT_FOUND")
    return found


async def set_admin(store: Store, caller: Caller | None, key: str, account_id: str, admin: bool = True) -> Space:
    """Make a user an administrator of a space (or take it away). Only site admins may; `caller`
    None is the operator at the CLI."""
    access.require_grant_space_admin(caller)
    async with store.write(Actor.of(caller)) as tx:
        space = await tx.spaces.by_key(key)
        if space is None:
            raise NotFound(f"No space with key : {key}", reason="SPACE_NOT_FOUND")
        user = await tx.users.by_account_id(account_id)
        if user is None:
            raise NotFound(f"No user with accountId {account_id}", reason="USER_NOT_FOUND")
        await tx.spaces.set_role(space.id, user.id, access.ADMIN if admin else None)
        tx.record(Change("space.role", f"space/{key}/roles/{account_id}", None,
                              {"role": access.ADMIN if admin else None}))
    return space


async def set_member(store: Store, caller: Caller | None, key: str, account_id: str) -> Space:
    """Let a user see a private space."""
    access.require_grant_space_admin(caller)
    async with store.write(Actor.of(caller)) as tx:
        space = await tx.spaces.by_key(key)
        if space is None:
            raise NotFound(f"No space with key : {key}", reason="SPACE_NOT_FOUND")
        user = await tx.users.by_account_id(account_id)
        if user is None:
            raise NotFound(f"No user with accountId {account_id}", reason="USER_NOT_FOUND")
        if await tx.spaces.role_of(space.id, user.id) is None:
            await tx.spaces.set_role(space.id, user.id, access.MEMBER)
            tx.record(Change("space.role", f"space/{key}/roles/{account_id}", None, {"role": access.MEMBER}))
    return space
