"""Tenants: creating them (with the types of Reltio's documentation examples), granting roles,
declaring types, and the per-request context every other Reltio use case starts from."""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

import msgspec

from bondline import ids
from bondline.domain import access
from bondline.domain.errors import Conflict, Invalid, NotFound
from bondline.domain.model import Caller
from bondline.domain.reltio import roles as tenant_roles
from bondline.domain.reltio import types as t
from bondline.store import IntegrityViolation, Store

# "reltio/" + the tenant id must fit the relations namespace column (64 characters).
TENANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,56}$")


def validate_tenant_id(tenant: str) -> str:
    if not TENANT_ID.match(tenant):
        raise Invalid(f"Invalid tenant id {tenant[:80]!r}: use 1-57 letters, digits, '_' or '-'")
    return tenant


def tenant_not_found(tenant: str) -> NotFound:
    return NotFound(f"Tenant {tenant[:80]} not found", reason="TENANT_NOT_FOUND", details={"tenant": tenant[:80]})


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
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


async def registry_of(tx: Any, tenant: str) -> t.Registry:
    return _registry(tenant, tuple(await tx.tenants.types(tenant)))


async def context(tx: Any, caller: Caller, tenant: str) -> Context:
    roles = await tx.tenants.membership(tenant, caller.user_id) if TENANT_ID.match(tenant) else None
    if roles is None:
        raise tenant_not_found(tenant)
    perms = tenant_roles.permissions(roles, caller.site_admin)
    access.reltio_require_member(perms)
    return Context(tenant, await registry_of(tx, tenant), perms, caller)


def _rows(types: list[t.ObjectType]) -> list[tuple[str, str, str]]:
    return [(x.kind, x.name, msgspec.json.encode(x.definition).decode()) for x in types]


async def add(store: Store, tenant: str) -> None:
    validate_tenant_id(tenant)
    try:
        async with store.write() as tx:
            if await tx.tenants.exists(tenant):
                raise Conflict(f"Tenant {tenant} already exists")
            await tx.tenants.add(tenant, ids.now_ms())
            await tx.tenants.replace_types(tenant, _rows(t.default_types()))
    except IntegrityViolation:
        raise Conflict(f"Tenant {tenant} already exists") from None


async def tenants(store: Store) -> list[tuple[str, int, list[tuple[str, str]]]]:
    async with store.read() as tx:
        return [(tid, created, await tx.tenants.members(tid)) for tid, created in await tx.tenants.list()]


async def grant(store: Store, tenant: str, account_id: str, roles: list[str], replace: bool = False) -> None:
    """Give a user roles on a tenant (the operator's command); `replace` drops the roles they had."""
    for role in roles:
        tenant_roles.validate_role(role)
    async with store.write() as tx:
        if not await tx.tenants.exists(tenant):
            raise tenant_not_found(tenant)
        user = await tx.users.by_account_id(account_id)
        if user is None:
            raise NotFound(f"No user with accountId {account_id}", reason="USER_NOT_FOUND")
        if replace:
            await tx.tenants.revoke_all(tenant, user.id)
        for role in roles:
            await tx.tenants.grant(tenant, user.id, role)


async def configuration(store: Store, caller: Caller | None, tenant: str) -> dict[str, Any]:
    async with store.read() as tx:
        if caller is None:
            if not await tx.tenants.exists(tenant):
                raise tenant_not_found(tenant)
            registry = await registry_of(tx, tenant)
        else:
            ctx = await context(tx, caller, tenant)
            access.reltio_require_read(ctx.perms)
            registry = ctx.registry
    return t.configuration(registry)


async def set_types(store: Store, caller: Caller | None, tenant: str, document: Any) -> dict[str, Any]:
    """Replace the tenant's types with those of a configuration document. Objects of types that
    disappear stay stored; change request items on them become OBJECT_TYPE_NOT_FOUND conflicts.
    `caller` None is the operator at the CLI."""
    declared = t.parse_configuration(document)
    async with store.write() as tx:
        if caller is None:
            if not await tx.tenants.exists(tenant):
                raise tenant_not_found(tenant)
        else:
            ctx = await context(tx, caller, tenant)
            access.reltio_require_configure(ctx.perms)
        await tx.tenants.replace_types(tenant, _rows(declared))
    return t.configuration(t.build(tenant, declared))
