"""Content restrictions: read them, replace or add to them, name or drop one user or group, and
check what a user or a group may do with a piece of content (POST /content/{id}/permission/check).

Every write names its subjects first (an unknown user or group is refused before anything is
written) and keeps the read guards true in the same unit of work (`guards.regovern`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from bondline.domain import access
from bondline.domain import restrictions as rules
from bondline.domain.audit import Actor, Change
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.groups import Group
from bondline.domain.groups import validate_name as group_name
from bondline.domain.model import Caller, Content, Space, User
from bondline.domain.restrictions import Grant
from bondline.services import guards
from bondline.services.content import load, visible
from bondline.services.tree import register_copy
from bondline.store import Store
from bondline.store.unit import Tx


@dataclasses.dataclass(slots=True)
class RestrictionsView:
    """A piece of content's restrictions: the users and the groups each operation names."""

    content: Content
    space: Space
    users: dict[str, list[User]]
    groups: dict[str, list[Group]]


async def _view(tx: Tx, content: Content, space: Space) -> RestrictionsView:
    users, groups = await tx.restrictions.of(content.id)
    return RestrictionsView(content, space, users, groups)


async def _editable(tx: Tx, caller: Caller, content_id: int) -> tuple[Content, Space]:
    found = await load(tx, caller, content_id, body=False)
    access.require_change_restrictions(caller, *found)
    return found[0], found[1]


def _state(view: RestrictionsView) -> dict[str, dict[str, list[str]]]:
    """For the audit trail: who each operation names."""
    return {op: {"users": [u.account_id for u in view.users.get(op, [])],
                 "groups": [g.name for g in view.groups.get(op, [])]} for op in rules.OPERATIONS}


async def _user(tx: Tx, account_id: str | None) -> User:
    if not account_id:
        raise Invalid("A user in a restriction must be named by accountId")
    user = await tx.users.by_account_id(account_id)
    if user is None:
        raise Invalid(f"No user found with accountId : {account_id[:80]}", reason="USER_NOT_FOUND")
    return user


async def _group(tx: Tx, *, group_id: str | None = None, name: str | None = None) -> Group:
    found = await tx.groups.by_id(group_id) if group_id is not None else \
        await tx.groups.by_name(group_name(name))
    if found is None:
        what = f"id : {group_id}" if group_id is not None else f"name : {name}"
        raise Invalid(f"No group found with {what[:120]}", reason="GROUP_NOT_FOUND")
    return found


async def _subjects(tx: Tx, grant: Grant) -> tuple[list[User], list[Group]]:
    """The users and groups a grant names, every one looked up before anything is written."""
    users = {u.id: u for u in [await _user(tx, a) for a in dict.fromkeys(grant.account_ids)]}
    named = [await _group(tx, group_id=g) for g in dict.fromkeys(grant.group_ids)] + \
        [await _group(tx, name=n) for n in dict.fromkeys(grant.group_names)]
    return list(users.values()), list({g.id: g for g in named}.values())


async def get(store: Store, caller: Caller, content_id: int) -> RestrictionsView:
    async with store.read() as tx:
        content, space, _, _ = await visible(tx, caller, content_id)
        return await _view(tx, content, space)


async def of_shown(store: Store, shown: Iterable[tuple[Content, Space]]) -> list[RestrictionsView]:
    """The restrictions of content the caller has just been shown (`expand=restrictions`): seeing a
    piece of content is permission enough to see who its restrictions name."""
    async with store.read() as tx:
        return [await _view(tx, content, space) for content, space in shown]


async def _write(store: Store, caller: Caller, content_id: int, grants: Iterable[Grant], *,
                 replace: bool) -> RestrictionsView:
    by_op = rules.merge(grants)
    async with store.write(Actor.of(caller)) as tx:
        content, space = await _editable(tx, caller, content_id)
        before = await _view(tx, content, space)
        resolved = {op: await _subjects(tx, grant) for op, grant in by_op.items()}
        for op in rules.OPERATIONS:
            if replace:
                await tx.restrictions.clear(content.id, op)
            users, groups = resolved.get(op, ([], []))
            for user in users:
                await tx.restrictions.add_user(content.id, op, user.id)
            for group in groups:
                await tx.restrictions.add_group(content.id, op, group.id)
        await guards.regovern(tx, content)
        after = await _view(tx, content, space)
        tx.record(Change("content.restrictions", f"content/{content.id}", _state(before), _state(after)))
        return after


async def replace(store: Store, caller: Caller, content_id: int, grants: Iterable[Grant]) -> RestrictionsView:
    """PUT: the restrictions become exactly those of the request (an operation it leaves out is no
    longer restricted)."""
    return await _write(store, caller, content_id, grants, replace=True)


async def add(store: Store, caller: Caller, content_id: int, grants: Iterable[Grant]) -> RestrictionsView:
    """POST: the request's users and groups are added to what each operation names."""
    return await _write(store, caller, content_id, grants, replace=False)


async def remove_all(store: Store, caller: Caller, content_id: int) -> RestrictionsView:
    return await _write(store, caller, content_id, [], replace=True)


async def names(store: Store, caller: Caller, content_id: int, operation: str, *, account_id: str | None = None,
                group_id: str | None = None, group: str | None = None) -> bool:
    """Whether the operation's restriction names the user or the group (the byOperation/… GETs)."""
    rules.operation_in_path(operation)
    async with store.read() as tx:
        await visible(tx, caller, content_id)
        try:
            if account_id is not None or (group_id is None and group is None):
                user = await _user(tx, account_id)
                return await tx.restrictions.names_user(content_id, operation, user.id)
            found = await _group(tx, group_id=group_id, name=group)
        except Invalid as exc:  # these GETs answer 404 for a user or a group that does not exist
            raise NotFound(exc.message, reason=exc.reason) from None
        return await tx.restrictions.names_group(content_id, operation, found.id)


async def name(store: Store, caller: Caller, content_id: int, operation: str, *, add: bool,
               account_id: str | None = None, group_id: str | None = None, group: str | None = None) -> None:
    """Add the user or the group to the operation's restriction, or (`add=False`) take them off it;
    taking off someone it does not name is a 404 (the document's)."""
    rules.operation_in_path(operation)
    async with store.write(Actor.of(caller)) as tx:
        content, space = await _editable(tx, caller, content_id)
        before = await _view(tx, content, space)
        if account_id is not None or (group_id is None and group is None):
            user = await _user(tx, account_id)
            if add:
                await tx.restrictions.add_user(content.id, operation, user.id)
            elif not await tx.restrictions.remove_user(content.id, operation, user.id):
                raise NotFound(f"The {operation} restriction of content {content.id} does not name user"
                               f" {user.account_id}", reason="RESTRICTION_NOT_FOUND")
        else:
            found = await _group(tx, group_id=group_id, name=group)
            if add:
                await tx.restrictions.add_group(content.id, operation, found.id)
            elif not await tx.restrictions.remove_group(content.id, operation, found.id):
                raise NotFound(f"The {operation} restriction of content {content.id} does not name group"
                               f" {found.name}", reason="RESTRICTION_NOT_FOUND")
        if operation == rules.READ:
            await guards.regovern(tx, content)
        after = await _view(tx, content, space)
        tx.record(Change("content.restrictions", f"content/{content.id}", _state(before), _state(after)))


async def check(store: Store, caller: Caller, content_id: int, subject_type: str, identifier: str,
                operation: str) -> list[str]:
    """Why the subject may not perform `operation` on the content (empty: it may)."""
    if operation not in rules.CHECKABLE:
        raise Invalid(f"Invalid operation {operation[:40]!r}: it must be one of read, update, delete")
    if subject_type not in ("user", "group"):
        raise Invalid(f"Invalid subject type {subject_type[:40]!r}: it must be user or group")
    if not identifier:
        raise Invalid("The subject's identifier is required")
    async with store.read() as tx:
        found = await visible(tx, caller, content_id)
        content, space = found[0], found[1]
        if subject_type == "group":
            access.require_check_permission_for(caller, None)
            group = await _group(tx, group_id=identifier)
            named = await tx.restrictions.named_for_group(content.id, group.id)
            return access.group_permission_errors(content, space, named, operation)
        if identifier == "anonymous":
            access.require_check_permission_for(caller, None)
            return ["Anonymous users are not allowed to use Confluence"]
        access.require_check_permission_for(caller, identifier)
        user = await _user(tx, identifier)
        subject = Caller.of(user)
        seen = await tx.content.with_space(content.id, user.id)
        assert seen is not None
        return access.user_permission_errors(subject, *seen, operation)


async def _copy_restrictions(tx: Tx, source: Content, copy: Content, by: int, now: int) -> None:
    """A copy made with `copyPermissions` takes the source's restrictions."""
    users, groups = await tx.restrictions.of(source.id)
    for op, named_users in users.items():
        for user in named_users:
            await tx.restrictions.add_user(copy.id, op, user.id)
    for op, named_groups in groups.items():
        for group in named_groups:
            await tx.restrictions.add_group(copy.id, op, group.id)
    await guards.regovern(tx, copy)


register_copy("permissions", _copy_restrictions)


async def operations(store: Store, caller: Caller, content_id: int, types: tuple[str, ...] | None = None,
                     location: str | None = None) -> list[tuple[str, str]]:
    """What the caller may do to the content (v2's `operations`), decided by the rules that decide
    /permission/check and the restriction writes (`access.content_operations`); content of another
    type than `types` (when given), or a comment elsewhere than `location` (footer or inline, when
    given), is not found, as content the caller may not see."""
    missing = NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
    async with store.read() as tx:
        found = await visible(tx, caller, content_id)
        if types is not None and found[0].type not in types:
            raise missing
        if location is not None:
            meta = await tx.comments.meta(content_id)
            if meta is None or meta.location != location:
                raise missing
        return access.content_operations(caller, *found)
