"""Relations between entities: save a batch (POST /relations), read one, delete one.

Start and end are named by `objectURI` or by a crosswalk of the entity. bondline keeps one relation
per (type, start, end) — the key of the shared relations table — so saving a relation that exists
updates it (the posting crosswalk's values are replaced, new crosswalks are added) and answers with
its URI. A deletion routed to a change request stages DELETE_RELATIONSHIP: the relation stays until
the request is applied (the seed).
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
from bondline.domain.reltio.types import ENTITY_PREFIX, ObjectType
from bondline.services.reltio import staging
from bondline.services.reltio.retry import retrying
from bondline.services.reltio.staging import ChangeRequestView
from bondline.services.reltio.tenants import TenantContext, tenant_context, tenant_context_with_relation
from bondline.store import Store
from bondline.store.unit import Tx

MAX_BATCH = 1000


@dataclasses.dataclass(frozen=True, slots=True)
class RelationView:
    relation: o.ReltioRelation
    start: o.ReltioEntity | None
    end: o.ReltioEntity | None
    type: ObjectType | None


@dataclasses.dataclass(frozen=True, slots=True)
class Saved:
    index: int
    view: RelationView | None = None
    error: DomainError | None = None


@dataclasses.dataclass(slots=True)
class _Pending:
    index: int
    relation: o.ReltioRelation
    new: bool
    original: o.ReltioRelation | None
    start: o.ReltioEntity
    end: o.ReltioEntity


async def resolve_end(tx: Tx, ctx: TenantContext, raw: Any, where: str) -> o.ReltioEntity:
    """The entity a relation's startObject/endObject names (objectURI or a crosswalk)."""
    if not isinstance(raw, dict):
        raise Invalid(f"{where} is required: an object with 'objectURI' or 'crosswalks'")
    uri = raw.get("objectURI")
    if uri is not None:
        if not isinstance(uri, str) or not uri.startswith("entities/") or not o.OBJECT_ID.match(uri[9:]):
            raise Invalid(f"{where}.objectURI must be an entity URI (entities/{{id}})")
        found = await tx.entities.get(ctx.tenant, uri[9:])
        if found is None:
            raise object_not_found(uri)
        return found
    xws = raw.get("crosswalks")
    if not isinstance(xws, list) or not xws:
        raise Invalid(f"{where} needs 'objectURI' or 'crosswalks'")
    for i, xw in enumerate(xws[:20]):
        kind, value = o.crosswalk_key(xw, f"{where}.crosswalks[{i}]")
        owner = await tx.entities.by_crosswalk(ctx.tenant, kind, value)
        if owner is not None:
            found = await tx.entities.get(ctx.tenant, owner)
            if found is not None:
                return found
    kind, value = o.crosswalk_key(xws[0], f"{where}.crosswalks[0]")
    raise object_not_found(f"entities/crosswalk:{kind}/{value}"[:200])


def _check_ends(t: ObjectType, start: o.ReltioEntity, end: o.ReltioEntity) -> None:
    if t.start_types and start.type not in t.start_types:
        raise Invalid(f"{t.uri} cannot start at {start.uri}, an entity of type {ENTITY_PREFIX}{start.type}")
    if t.end_types and end.type not in t.end_types:
        raise Invalid(f"{t.uri} cannot end at {end.uri}, an entity of type {ENTITY_PREFIX}{end.type}")


@retrying
async def save(store: Store, caller: Caller, tenant: str, body: Any, *, options: Sequence[str] = (),
               change_request_id: str | None = None, always_create_dcr: bool = False
               ) -> list[Saved] | ChangeRequestView:
    if not isinstance(body, list):
        raise Invalid("The request body must be a JSON array of relations", reason="INVALID_BODY")
    if len(body) > MAX_BATCH:
        raise Invalid(f"At most {MAX_BATCH} relations per request")
    allowed = {"partialOverride", "updateAttributeUpdateDates", "ignoreOverrideIgnorePinSetting",
               "rejectRelationsToInactiveObjects"}
    for option in options:
        if option not in allowed:
            raise Invalid(f"Unknown option {option[:60]!r}")
    partial = "partialOverride" in options
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        route = access.reltio_write_route(ctx.perms, roles.CREATE, change_request_id, always_create_dcr)
        now = ids.now_ms()
        pending: dict[tuple[str, str, str], _Pending] = {}
        results: list[tuple[int, _Pending | DomainError]] = []
        for index, raw in enumerate(body):
            try:
                item = await _prepare(tx, ctx, index, raw, now, pending, partial, route)
            except DomainError as err:
                results.append((index, err))
                continue
            pending[(item.relation.type, item.relation.start_id, item.relation.end_id)] = item
            results.append((index, item))
        if route == access.RELTIO_STAGE:
            failed = [r for _, r in results if isinstance(r, DomainError)]
            if failed:  # a change request answers as a whole: stage all items or none
                raise failed[0]
            return await _stage(tx, ctx, list(pending.values()), change_request_id)
        await tx.reltio_relations.insert_many([p.relation for p in pending.values() if p.new])
        await tx.reltio_relations.update_many([p.relation for p in pending.values() if not p.new])
        tx.record(*trail.relations_created(p.relation for p in pending.values() if p.new),
                  *trail.relations_updated((p.original, p.relation) for p in pending.values() if not p.new))
        out: list[Saved] = []
        for index, result in results:
            if isinstance(result, DomainError):
                out.append(Saved(index, error=result))
            else:
                rel = result.relation
                final = pending[(rel.type, rel.start_id, rel.end_id)]
                out.append(Saved(index, view=RelationView(final.relation, final.start, final.end,
                                                          ctx.registry.get("relation", rel.type))))
        return out


async def _prepare(tx: Tx, ctx: TenantContext, index: int, raw: Any, now: int,
                   pending: dict[tuple[str, str, str], _Pending], partial: bool, route: str) -> _Pending:
    where = f"[{index}]"
    if not isinstance(raw, dict):
        raise Invalid(f"{where}: each relation must be a JSON object", reason="INVALID_BODY")
    t = ctx.registry.relation(raw.get("type"))
    o.no_nulls(raw, ("crosswalks",), where)
    o.check_flags(raw, where)
    start = await resolve_end(tx, ctx, raw.get("startObject"), f"{where}.startObject")
    end = await resolve_end(tx, ctx, raw.get("endObject"), f"{where}.endObject")
    _check_ends(t, start, end)
    xws = o.crosswalks(raw.get("crosswalks"), where, now)
    key = (t.name, start.id, end.id)
    earlier = pending.get(key)
    base = earlier.relation if earlier else await tx.reltio_relations.by_key(ctx.tenant, t.name, start.id, end.id)
    if base is None:
        relation_id = o.new_object_id()
        if not xws:
            xws = [o.default_crosswalk(relation_id, now)]
        attributes = o.Normalizer(ctx.registry, strict=False, crosswalk_id=xws[0]["id"]).attributes(
            t.attributes, raw.get("attributes"), where, t.uri)
        flags = {f: raw.get(f, False) for f in o.FLAGS}
        rel = o.ReltioRelation(ctx.tenant, relation_id, t.name, start.id, end.id, attributes, xws, flags, 1, now,
                               ctx.who, now, ctx.who)
        return _Pending(index, rel, True, None, start, end)
    access.reltio_require_update_existing(ctx.perms, route)
    matched = None
    for x in xws:
        matched = o.find_crosswalk(base.crosswalks, x["type"], x["value"])
        if matched:
            break
    added = [x for x in xws if o.find_crosswalk(base.crosswalks, x["type"], x["value"]) is None]
    owner = matched or (added[0] if added else base.crosswalks[0] if base.crosswalks else None)
    owner_id = owner["id"] if owner else None
    posted = o.Normalizer(ctx.registry, strict=False, crosswalk_id=owner_id).attributes(
        t.attributes, raw.get("attributes"), where, t.uri)
    merged = o.merge_contribution(base.attributes, posted, owner_id or "", partial)
    flags = {f: raw[f] if f in raw else base.flags.get(f, False) for f in o.FLAGS}
    rel = dataclasses.replace(base, attributes=merged, crosswalks=base.crosswalks + added, flags=flags,
                              version=base.version + (0 if earlier and earlier.new else 1), updated_at=now,
                              updated_by=ctx.who)
    if earlier is not None:
        earlier.relation = rel
        return earlier
    return _Pending(index, rel, False, base, start, end)


async def _stage(tx: Tx, ctx: TenantContext, pending: list[_Pending],
                 change_request_id: str | None) -> ChangeRequestView:
    staged: list[ch.Staged] = []
    for p in pending:
        t = ctx.registry.get("relation", p.relation.type)
        if p.new:
            staged.append(ch.stage_create(ch.CREATE_RELATIONSHIP, o.relation_view(p.relation, p.start, p.end, t)))
            continue
        base = p.original
        assert base is not None and t is not None
        for name, value in o.missing_values(base.attributes, p.relation.attributes):
            staged.append(ch.stage_insert(ctx.registry, t, base.uri, base.attributes, base.version, name,
                                          o.wire_value(value)))
    return await staging.stage(tx, ctx, staged, change_request_id)


async def view_of(tx: Tx, ctx: TenantContext, rel: o.ReltioRelation) -> RelationView:
    ends = await tx.entities.get_many(ctx.tenant, {rel.start_id, rel.end_id})
    return RelationView(rel, ends.get(rel.start_id), ends.get(rel.end_id), ctx.registry.get("relation", rel.type))


async def get(store: Store, caller: Caller, tenant: str, relation_id: str) -> RelationView:
    o.check_object_id(relation_id, "relations")
    async with store.read() as tx:
        ctx, found = await tenant_context_with_relation(tx, caller, tenant, relation_id)
        access.reltio_require_read(ctx.perms)
        if found is None:
            raise object_not_found(f"relations/{relation_id}")
        rel, start, end = found
        return RelationView(rel, start, end, ctx.registry.get("relation", rel.type))


@retrying
async def delete(store: Store, caller: Caller, tenant: str, relation_id: str, *, change_request_id: str | None = None,
                 always_create_dcr: bool = False) -> ChangeRequestView | None:
    """Delete a relation now (returns None), or stage its deletion (returns the change request)."""
    o.check_object_id(relation_id, "relations")
    async with store.write(Actor.of(caller)) as tx:
        asked_to_stage = change_request_id is not None or always_create_dcr
        if asked_to_stage:
            # The context and the relation with its ends (the change request's objects info needs
            # them) in one statement.
            ctx, with_ends = await tenant_context_with_relation(tx, caller, tenant, relation_id)
        else:
            ctx, with_ends = await tenant_context(tx, caller, tenant), None
        route = access.reltio_write_route(ctx.perms, roles.DELETE, change_request_id, always_create_dcr)
        if route == access.RELTIO_STAGE:
            if not asked_to_stage:  # staged because the caller may only initiate changes
                with_ends = await tx.reltio_relations.get_with_ends(ctx.tenant, relation_id)
            if with_ends is None:
                raise object_not_found(f"relations/{relation_id}")
            rel, start, end = with_ends
            return await staging.stage(tx, ctx, [ch.stage_delete_relation(rel.uri, rel.version)], change_request_id,
                                       known={rel.id: rel}, known_entities={e.id: e for e in (start, end) if e})
        found = await tx.reltio_relations.get(ctx.tenant, relation_id, lock=True)
        if found is None:
            raise object_not_found(f"relations/{relation_id}")
        await tx.reltio_relations.delete_many([found])
        tx.record(*trail.relations_deleted([found]))
        return None
