"""Groups of users: list, search, create, delete, and who belongs to them."""

from __future__ import annotations

import uuid

from bondline import ids
from bondline.domain import access
from bondline.domain import groups as rules
from bondline.domain.audit import Actor, Change
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.groups import Group
from bondline.domain.model import Caller, User
from bondline.store import Store
from bondline.store.unit import Tx


def _not_found(what: str) -> NotFound:
    return NotFound(f"No group found with {what}", reason="GROUP_NOT_FOUND")


async def _group(tx: Tx, *, group_id: str | None = None, name: str | None = None) -> Group:
    if group_id is not None:
        found = await tx.groups.by_id(group_id)
        if found is None:
            raise _not_found(f"id : {group_id}")
        return found
    assert name is not None
    found = await tx.groups.by_name(rules.validate_name(name))
    if found is None:
        raise _not_found(f"name : {name}")
    return found


async def _user(tx: Tx, account_id: str | None) -> User:
    if not account_id:
        raise Invalid("The accountId is required")
    user = await tx.users.by_account_id(account_id)
    if user is None:
        raise NotFound(f"No user found with accountId : {account_id}", reason="USER_NOT_FOUND")
    return user


async def list_groups(store: Store, caller: Caller, start: int, limit: int, *,
                      containing: str | None = None) -> list[Group]:
    async with store.read() as tx:
        return await tx.groups.page(start, limit, containing=containing)


async def get(store: Store, caller: Caller, *, group_id: str | None = None, name: str | None = None) -> Group:
    async with store.read() as tx:
        return await _group(tx, group_id=group_id, name=name)


async def create(store: Store, caller: Caller, name: str | None) -> Group:
    access.require_manage_groups(caller)
    group = Group(str(uuid.uuid4()), rules.validate_name(name))
    async with store.write(Actor.of(caller)) as tx:
        if not await tx.groups.add(group, ids.now_ms()):
            raise Invalid(f"A group with name '{group.name}' already exists", reason="GROUP_EXISTS")
        tx.record(Change("group.create", f"group/{group.id}", None, {"name": group.name}))
    return group


async def delete(store: Store, caller: Caller, *, group_id: str | None = None, name: str | None = None) -> None:
    access.require_manage_groups(caller)
    async with store.write(Actor.of(caller)) as tx:
        group = await _group(tx, group_id=group_id, name=name)
        await tx.groups.delete(group.id)
        tx.record(Change("group.delete", f"group/{group.id}", {"name": group.name}))


async def members(store: Store, caller: Caller, start: int, limit: int, *, group_id: str | None = None,
                  name: str | None = None) -> list[User]:
    async with store.read() as tx:
        group = await _group(tx, group_id=group_id, name=name)
        return await tx.groups.members(group.id, start, limit)


async def add_member(store: Store, caller: Caller, account_id: str | None, *, group_id: str | None = None,
                     name: str | None = None) -> None:
    access.require_manage_groups(caller)
    async with store.write(Actor.of(caller)) as tx:
        group = await _group(tx, group_id=group_id, name=name)
        user = await _user(tx, account_id)
        if await tx.groups.add_member(group.id, user.id, ids.now_ms()):
            tx.record(Change("group.member.add", f"group/{group.id}/members/{user.account_id}", None,
                             {"group": group.name, "accountId": user.account_id}))


async def remove_member(store: Store, caller: Caller, account_id: str | None, *, group_id: str | None = None,
                        name: str | None = None) -> None:
    """Remove a member; a user who is not one is a 204 all the same, as the document says."""
    access.require_manage_groups(caller)
    async with store.write(Actor.of(caller)) as tx:
        group = await _group(tx, group_id=group_id, name=name)
        user = await _user(tx, account_id)
        if await tx.groups.remove_member(group.id, user.id):
            tx.record(Change("group.member.remove", f"group/{group.id}/members/{user.account_id}",
                             {"group": group.name, "accountId": user.account_id}))


async def of_user(store: Store, caller: Caller, account_id: str | None, start: int, limit: int) -> list[Group]:
    async with store.read() as tx:
        user = await _user(tx, account_id)
        return await tx.groups.of_user(user.id, start, limit)
