"""Entities: save a batch (POST /entities), read one, delete one (with its relations).

Saving follows Reltio: an entity whose crosswalk matches an existing entity updates that entity (the
values that crosswalk contributed are replaced by the posted ones); otherwise a new entity is
created. Each item of the batch succeeds or fails on its own (the response lists both), and all
successful items are committed together. A batch routed to a change request (see
`domain.reltio.access.write_route`) stages CREATE_ENTITY items for new entities and
INSERT_ATTRIBUTE items for values an existing entity does not have yet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain.audit import Actor
from bondline.domain.errors import DomainError, Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import objects as o
from bondline.domain.reltio import roles, trail
from bondline.domain.reltio.errors import object_not_found
from bondline.services.reltio import references, staging
from bondline.services.reltio.retry import retrying
from bondline.services.reltio.staging import ChangeRequestView
from bondline.services.reltio.tenants import TenantContext, tenant_context
from bondline.store import Store
from bondline.store.unit import Tx

MAX_BATCH = 1000


@dataclasses.dataclass(frozen=True, slots=True)
class EntityView:
    """An entity with the relations behind its reference attributes (what EntityTO shows)."""

    entity: o.ReltioEntity
    references: o.References = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True)
class Saved:
    index: int
    entity: o.ReltioEntity | None = None
    error: DomainError | None = None
    references: o.References = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(slots=True)
class _Pending:
    index: int
    entity: o.ReltioEntity
    new: bool
    added_crosswalks: list[dict[str, Any]]
    original: o.ReltioEntity | None = None


async def view(tx: Tx, ctx: TenantContext, entity: o.ReltioEntity) -> EntityView:
    found = await references.load(tx, ctx, [entity])
    return EntityView(entity, found.get(entity.id, {}))


def _options(options: list[str]) -> bool:
    allowed = {"partialOverride", "partialOverrideForReference", "updateAttributeUpdateDates", "ovOnly", "nonOvOnly",
               "preserveURIs", "preserveHidden"}
    for option in options:
        if option not in allowed:
            raise Invalid(f"Unknown option {option[:60]!r}")
    return "partialOverride" in options


@retrying
async def save(store: Store, caller: Caller, tenant: str, body: Any, *, options: Sequence[str] = (),
               change_request_id: str | None = None, always_create_dcr: bool = False
               ) -> list[Saved] | ChangeRequestView:
    if not isinstance(body, list):
        raise Invalid("The request body must be a JSON array of entities", reason="INVALID_BODY")
    if len(body) > MAX_BATCH:
        raise Invalid(f"At most {MAX_BATCH} entities per request")
    partial = _options(list(options))
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        route = access.reltio_write_route(ctx.perms, roles.CREATE, change_request_id, always_create_dcr)
        now = ids.now_ms()
        by_crosswalk: dict[tuple[str, str], _Pending] = {}
        pending: list[_Pending] = []
        results: list[Saved] = []
        planner = references.Planner(tx, ctx, now)

        def remember(item: _Pending) -> None:
            if not any(p is item for p in pending):
                pending.append(item)
            for xw in item.entity.crosswalks:
                by_crosswalk[(xw["type"], xw["value"])] = item

        for index, raw in enumerate(body):
            try:
                item, refs = await _prepare(tx, ctx, index, raw, now, by_crosswalk, partial, route)
                owner_type = ctx.registry.entity(raw["type"])
                batch_types = {key: p.entity.type for key, p in by_crosswalk.items()}
                checked = [(ref, *await references.check(tx, ctx, owner_type, ref, batch_types)) for ref in refs]
                remember(item)
                for ref, target_type, relation_type in checked:
                    entity_part, relation_part = references.split(ref, target_type, relation_type)
                    target_raw = await planner.target_raw(ref, target_type, entity_part)
                    target, _ = await _prepare(tx, ctx, index, target_raw, now, by_crosswalk, True, route)
                    remember(target)
                    await planner.relate(ref, relation_type, item.entity, target.entity, relation_part)
            except DomainError as err:
                results.append(Saved(index, error=err))
                continue
            results.append(Saved(index, entity=item.entity))
        final = {p.entity.id: p.entity for p in pending}
        plans = list(planner.relations.values())
        if route == access.RELTIO_STAGE:
            failed = [r.error for r in results if r.error is not None]
            if failed:  # a change request answers as a whole: stage all items or none
                raise failed[0]
            return await _stage(tx, ctx, pending, plans, final, change_request_id)
        created, updated = [p.entity for p in pending if p.new], [p for p in pending if not p.new]
        await tx.entities.insert_many(created)
        await tx.entities.update_many([p.entity for p in updated], [
            (ctx.tenant, xw["type"], xw["value"], p.entity.id) for p in updated for xw in p.added_crosswalks])
        await tx.reltio_relations.insert_many([plan.relation for plan in plans if plan.new])
        await tx.reltio_relations.update_many([plan.relation for plan in plans if not plan.new])
        tx.record(*trail.entities_created(created), *trail.entities_updated((p.original, p.entity) for p in updated),
                  *trail.relations_created(plan.relation for plan in plans if plan.new),
                  *trail.relations_updated((plan.original, plan.relation) for plan in plans if not plan.new))
        from bondline.services.reltio import merge  # merge uses this module's views

        await merge.auto_merge(tx, ctx, [p.entity for p in pending], now)
        shown = await references.load(tx, ctx, [final[r.entity.id] for r in results if r.entity])
        return [Saved(r.index, entity=final[r.entity.id], references=shown.get(r.entity.id, {})) if r.entity else r
                for r in results]


async def _prepare(tx: Tx, ctx: TenantContext, index: int, raw: Any, now: int,
                   by_crosswalk: dict[tuple[str, str], _Pending], partial: bool,
                   route: str) -> tuple[_Pending, list[o.ReferenceValue]]:
    """One posted entity, new or merged into the entity holding its crosswalk; and its reference
    values, which the caller turns into entities and relations."""
    where = f"[{index}]"
    if not isinstance(raw, dict):
        raise Invalid(f"{where}: each entity must be a JSON object", reason="INVALID_BODY")
    t = ctx.registry.entity(raw.get("type"))
    o.no_nulls(raw, ("crosswalks", "tags", "roles"), where)
    xws = o.crosswalks(raw.get("crosswalks"), where, now)
    refs: list[o.ReferenceValue] = []
    existing: _Pending | None = None
    stored: o.ReltioEntity | None = None
    for xw in xws:
        existing = by_crosswalk.get((xw["type"], xw["value"]))
        if existing is not None:
            break
        owner = await tx.entities.by_crosswalk(ctx.tenant, xw["type"], xw["value"])
        if owner is not None:
            stored = await tx.entities.get(ctx.tenant, owner, lock=True)
            break
    base = existing.entity if existing is not None else stored
    if base is not None and base.type != t.name:
        raise Invalid(f"{where}: the crosswalk belongs to {base.uri}, an entity of type "
                      f"configuration/entityTypes/{base.type}")
    if base is None:
        entity_id = o.new_object_id()
        if not xws:
            xws = [o.default_crosswalk(entity_id, now)]
        attributes = o.Normalizer(ctx.registry, strict=False, crosswalk_id=xws[0]["id"], references=refs).attributes(
            t.attributes, raw.get("attributes"), where, t.uri)
        label, secondary = o.labels(t, attributes)
        entity = o.ReltioEntity(ctx.tenant, entity_id, t.name, attributes, xws, o.tags(raw.get("tags"), where),
                          o.tags(raw.get("roles"), where, "roles"), label, secondary, 1, now, ctx.who, now, ctx.who)
        return _Pending(index, entity, True, []), refs
    access.reltio_require_update_existing(ctx.perms, route)
    matched = next(found for x in xws if (found := o.find_crosswalk(base.crosswalks, x["type"], x["value"])))
    added = [x for x in xws if o.find_crosswalk(base.crosswalks, x["type"], x["value"]) is None]
    posted = o.Normalizer(ctx.registry, strict=False, crosswalk_id=matched["id"], references=refs).attributes(
        t.attributes, raw.get("attributes"), where, t.uri)
    merged = o.merge_contribution(base.attributes, posted, matched["id"], partial)
    touched = [{**x, "updated": now} if x["id"] == matched["id"] else x for x in base.crosswalks] + added
    label, secondary = o.labels(t, merged)
    entity = dataclasses.replace(
        base, attributes=merged, crosswalks=touched,
        tags=o.tags(raw["tags"], where) if "tags" in raw else base.tags,
        roles=o.tags(raw["roles"], where, "roles") if "roles" in raw else base.roles,
        label=label, secondary_label=secondary, version=base.version + (0 if existing and existing.new else 1),
        updated_at=now, updated_by=ctx.who)
    if existing is not None:
        existing.entity = entity
        existing.added_crosswalks.extend(added)
        return existing, refs
    return _Pending(index, entity, False, added, original=base), refs


async def _stage(tx: Tx, ctx: TenantContext, pending: list[_Pending], plans: list[references.RelationPlan],
                 final: dict[str, o.ReltioEntity], change_request_id: str | None) -> ChangeRequestView:
    """CREATE_ENTITY for new entities and INSERT_ATTRIBUTE for values existing ones lack; then the
    same for the relations behind reference values (after the entities they connect)."""
    staged: list[ch.Staged] = []
    for p in pending:
        if p.new:
            staged.append(ch.stage_create(ch.CREATE_ENTITY, o.entity_view(p.entity)))
            continue
        base = p.original
        assert base is not None
        t = ctx.registry.entity("configuration/entityTypes/" + base.type)
        for name, value in o.missing_values(base.attributes, p.entity.attributes):
            staged.append(ch.stage_insert(ctx.registry, t, base.uri, base.attributes, base.version, name,
                                          o.wire_value(value)))
    for plan in plans:
        rt = ctx.registry.get("relation", plan.relation.type)
        assert rt is not None
        if plan.new:
            start, end = final.get(plan.start.id, plan.start), final.get(plan.end.id, plan.end)
            staged.append(ch.stage_create(ch.CREATE_RELATIONSHIP, o.relation_view(plan.relation, start, end, rt)))
            continue
        base_rel = plan.original
        assert base_rel is not None
        for name, value in o.missing_values(base_rel.attributes, plan.relation.attributes):
            staged.append(ch.stage_insert(ctx.registry, rt, base_rel.uri, base_rel.attributes, base_rel.version, name,
                                          o.wire_value(value)))
    return await staging.stage(tx, ctx, staged, change_request_id)


async def get(store: Store, caller: Caller, tenant: str, entity_id: str) -> EntityView:
    o.check_object_id(entity_id, "entities")
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        found = await tx.entities.get(ctx.tenant, entity_id)
        if found is None:  # a merge's loser answers with the winner, as in Reltio
            winner = await tx.merges.resolve(ctx.tenant, entity_id)
            found = await tx.entities.get(ctx.tenant, winner) if winner is not None else None
        if found is None:
            raise object_not_found(f"entities/{entity_id}")
        return await view(tx, ctx, found)


async def delete(store: Store, caller: Caller, tenant: str, entity_id: str) -> None:
    """Delete an entity and every relation from or to it."""
    o.check_object_id(entity_id, "entities")
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        access.reltio_require(ctx.perms, roles.DELETE)
        found = await tx.entities.get(ctx.tenant, entity_id, lock=True)
        if found is None:
            raise object_not_found(f"entities/{entity_id}")
        related = [r for r in await tx.reltio_relations.of_entity(ctx.tenant, entity_id) if r.row_id is not None]
        await tx.reltio_relations.delete_many(related)
        await tx.entities.delete(ctx.tenant, entity_id)
        tx.record(*trail.relations_deleted(related), trail.entity_deleted(found))
