"""Tenants: creating them (with the types of Reltio's documentation examples), granting roles,
declaring types, and the per-request context every other Reltio use case starts from."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from typing import Any

import msgspec

from bondline import ids
from bondline.domain import access
from bondline.domain.audit import OPERATOR_ACTOR, Actor
from bondline.domain.errors import Conflict, Invalid, NotFound
from bondline.domain.model import Caller
from bondline.domain.reltio import objects as o
from bondline.domain.reltio import roles as tenant_roles
from bondline.domain.reltio import trail
from bondline.domain.reltio import types as t
from bondline.store import IntegrityViolation, Store
from bondline.store.unit import Tx

# "reltio/" + the tenant id must fit the relations namespace column (64 characters).
TENANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,56}$")


def validate_tenant_id(tenant: str) -> str:
    if not TENANT_ID.match(tenant):
        raise Invalid(f"Invalid tenant id {tenant[:80]!r}: use 1-57 letters, digits, '_' or '-'")
    return tenant


def tenant_not_found(tenant: str) -> NotFound:
    return NotFound(f"Tenant {tenant[:80]} not found", reason="TENANT_NOT_FOUND", details={"tenant": tenant[:80]})


@dataclasses.dataclass(frozen=True, slots=True)
class TenantContext:
    """A request on a tenant: which tenant, its types, and what the caller may do there."""

    tenant: str
    registry: t.Registry
    perms: frozenset[str]
    caller: Caller

    @property
    def who(self) -> str:
        """How objects and change requests record their author (Reltio shows a user name)."""
        return self.caller.email


@functools.lru_cache(maxsize=128)
def _registry(tenant: str, rows: tuple[tuple[str, str, str], ...]) -> t.Registry:
    parsed = [t.parse_type(kind, msgspec.json.decode(definition)) for kind, _name, definition in rows]
    return t.build(tenant, parsed)


# Each worker keeps the types of the tenants it served, with the version they were read at. Every
# request reads the tenant's current version with the caller's roles (one statement it makes
# anyway), so a kept registry is used only while it is still the stored one: replacing the types
# in another worker (or another server) changes the version, and the next request here reloads
# them. No request ever sees types older than those committed when it read the version.
_KEPT: dict[str, tuple[int, t.Registry]] = {}
_KEEP_AT_MOST = 1024


async def _load(tx: Tx, tenant: str) -> t.Registry:
    found = await tx.tenants.versioned_types(tenant)
    if found is None:
        raise tenant_not_found(tenant)
    version, rows = found
    registry = _registry(tenant, tuple(rows))
    if len(_KEPT) >= _KEEP_AT_MOST:
        _KEPT.clear()
    _KEPT[tenant] = (version, registry)
    return registry


async def registry_of(tx: Tx, tenant: str, version: int | None = None) -> t.Registry:
    """The tenant's types: kept ones when `version` (just read from the store) is theirs."""
    if version is not None:
        kept = _KEPT.get(tenant)
        if kept is not None and kept[0] == version:
            return kept[1]
    return await _load(tx, tenant)


async def tenant_context(tx: Tx, caller: Caller, tenant: str) -> TenantContext:
    found = await tx.tenants.membership(tenant, caller.user_id) if TENANT_ID.match(tenant) else None
    if found is None:
        raise tenant_not_found(tenant)
    roles, version = found
    return await tenant_context_of(tx, caller, tenant, roles, version)


async def tenant_context_with_relation(
        tx: Tx, caller: Caller, tenant: str, relation_id: str,
) -> tuple[TenantContext, tuple[o.ReltioRelation, o.ReltioEntity | None, o.ReltioEntity | None] | None]:
    """`context` and the relation with both its ends (None if there is none), read in one statement.
    The relation is read before the caller's permissions are known: whoever uses it decides first
    whether the caller may see it."""
    read = (await tx.reltio_relations.with_membership(tenant, caller.user_id, relation_id)
            if TENANT_ID.match(tenant) else None)
    if read is None:
        raise tenant_not_found(tenant)
    roles, version, found = read
    return await tenant_context_of(tx, caller, tenant, roles, version), found


async def tenant_context_of(tx: Tx, caller: Caller, tenant: str, roles: Sequence[str], version: int) -> TenantContext:
    """The context of a caller whose roles on `tenant` and its types version were read (with other
    rows, in one statement) by the caller of this function; refused unless they are a member."""
    perms = tenant_roles.permissions(roles, caller.site_admin)
    access.reltio_require_member(perms)
    return TenantContext(tenant, await registry_of(tx, tenant, version), perms, caller)


def _rows(types: list[t.ObjectType]) -> list[tuple[str, str, str]]:
    return [(x.kind, x.name, msgspec.json.encode(x.definition).decode()) for x in types]


async def add(store: Store, tenant: str, *, by: Actor = OPERATOR_ACTOR) -> None:
    """A new tenant with the default types (the operator's command)."""
    validate_tenant_id(tenant)
    try:
        async with store.write(by) as tx:
            if await tx.tenants.exists(tenant):
                raise Conflict(f"Tenant {tenant} already exists")
            await tx.tenants.add(tenant, ids.now_ms())
            types = _rows(t.default_types())
            await tx.tenants.replace_types(tenant, types)
            tx.record(trail.tenant_created(tenant), trail.types_replaced(tenant, [], types))
    except IntegrityViolation:
        raise Conflict(f"Tenant {tenant} already exists") from None


async def tenants(store: Store) -> list[tuple[str, int, list[tuple[str, str]]]]:
    async with store.read() as tx:
        return [(tid, created, await tx.tenants.members(tid)) for tid, created in await tx.tenants.list_all()]


async def grant(store: Store, tenant: str, account_id: str, roles: list[str], replace: bool = False, *,
                by: Actor = OPERATOR_ACTOR) -> None:
    """Give a user roles on a tenant (the operator's command); `replace` drops the roles they had."""
    for role in roles:
        tenant_roles.validate_role(role)
    async with store.write(by) as tx:
        if not await tx.tenants.exists(tenant):
            raise tenant_not_found(tenant)
        user = await tx.users.by_account_id(account_id)
        if user is None:
            raise NotFound(f"No user with accountId {account_id}", reason="USER_NOT_FOUND")
        if replace:
            removed = await tx.tenants.revoke_all(tenant, user.id)
            if removed:
                tx.record(trail.roles_revoked(tenant, user.id, removed))
        for role in roles:
            if await tx.tenants.grant(tenant, user.id, role):
                tx.record(trail.role_granted(tenant, user.id, role))


async def configuration(store: Store, caller: Caller | None, tenant: str, inherited: bool = True) -> dict[str, Any]:
    """The tenant's configuration document; `inherited` False: without the inherited layer."""
    async with store.read() as tx:
        if caller is None:
            if not await tx.tenants.exists(tenant):
                raise tenant_not_found(tenant)
            registry = await registry_of(tx, tenant)
        else:
            ctx = await tenant_context(tx, caller, tenant)
            access.reltio_require_read(ctx.perms)
            registry = ctx.registry
    return t.configuration(registry, inherited)


async def set_types(store: Store, caller: Caller | None, tenant: str, document: Any) -> dict[str, Any]:
    """Replace the tenant's types with those of a configuration document. Objects of types that
    disappear stay stored; change request items on them become OBJECT_TYPE_NOT_FOUND conflicts.
    `caller` None is the operator at the CLI."""
    declared = t.parse_configuration(document)
    async with store.write(Actor.of(caller)) as tx:
        if caller is None:
            if not await tx.tenants.exists(tenant):
                raise tenant_not_found(tenant)
        else:
            ctx = await tenant_context(tx, caller, tenant)
            access.reltio_require_configure(ctx.perms)
        before, after = await tx.tenants.types(tenant), _rows(declared)
        await tx.tenants.replace_types(tenant, after)
        tx.record(trail.types_replaced(tenant, before, after))
    return t.configuration(t.build(tenant, declared))
