"""Interactions: create a batch (POST /interactions), read an entity's (GET
/entities/{id}/_interactions). Members must be entities of the tenant."""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain.audit import Actor, Change, record_of
from bondline.domain.errors import DomainError, Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import interactions as ix
from bondline.domain.reltio import objects as o
from bondline.domain.reltio.errors import object_not_found
from bondline.services.reltio.tenants import tenant_context
from bondline.store import Store
from bondline.store.unit import Tx


@dataclasses.dataclass(frozen=True, slots=True)
class Created:
    index: int
    interaction: dict[str, Any] | None = None
    error: DomainError | None = None


async def _members(tx: Tx, tenant: str, wanted: set[str]) -> dict[str, tuple[str, str]]:
    found = await tx.entities.get_many(tenant, wanted) if wanted else {}
    return {eid: (f"configuration/entityTypes/{e.type}", e.label) for eid, e in found.items()}


async def create(store: Store, caller: Caller, tenant: str, body: Any) -> list[Created]:
    """Each interaction is created or answered with its error (Reltio's per-item result)."""
    if not isinstance(body, list):
        raise Invalid("The request body must be a JSON array of interactions")
    if len(body) > ix.MAX_BATCH:
        raise Invalid(f"At most {ix.MAX_BATCH} interactions per request")
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_create_interaction(ctx.perms)
        parsed: list[ix.Interaction | DomainError] = []
        for raw in body:
            try:
                parsed.append(ix.parse(raw, ctx.registry, tenant=tenant, new_id=ids.reltio_id(), now=now, by=ctx.who))
            except DomainError as e:
                parsed.append(e)
        wanted = {eid for x in parsed if isinstance(x, ix.Interaction) for eid in ix.member_ids(x)}
        members = await _members(tx, tenant, wanted)
        out: list[Created] = []
        good: list[ix.Interaction] = []
        for index, x in enumerate(parsed):
            if isinstance(x, DomainError):
                out.append(Created(index, error=x))
                continue
            missing = sorted(ix.member_ids(x) - set(members))
            if missing:
                out.append(Created(index, error=object_not_found(f"entities/{missing[0]}")))
                continue
            try:
                ix.check_member_types(x, ctx.registry, {eid: kind for eid, (kind, _label) in members.items()})
            except DomainError as e:
                out.append(Created(index, error=e))
                continue
            good.append(x)
            out.append(Created(index, interaction=ix.render(x, members)))
        await tx.interactions.insert_many(good)
        tx.record(*(Change("reltio.interaction.create", f"reltio/{tenant}/{x.uri}", None, record_of(x))
                    for x in good))
    return out


async def of_entity(store: Store, caller: Caller, tenant: str, entity_id: str, *, offset: int, max: int,
                    ascending: bool) -> dict[str, Any]:
    o.check_object_id(entity_id, "entities")
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if await tx.entities.get(tenant, entity_id) is None:
            raise object_not_found(f"entities/{entity_id}")
        found, total = await tx.interactions.of_entity(tenant, entity_id, ascending=ascending, offset=offset,
                                                       limit=max)
        members = await _members(tx, tenant, {eid for x in found for eid in ix.member_ids(x)})
    return {"interactions": [ix.render(x, members) for x in found], "totalFetched": len(found),
            "fetchedAll": offset + len(found) >= total}
