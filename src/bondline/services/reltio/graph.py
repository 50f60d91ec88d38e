"""Reltio's graph reads: an entity's connections (POST /entities/{id}/_connections), N hops around
it (GET /entities/{id}/_hops) and relation search (GET /relations, GET|POST /relations/_search)
(docs/decisions/0023-reltio-graph.md).

Only stored objects are read, so what a pending change request would create, change or delete
never shows. Reading needs READ on the tenant, as GET /relations/{id}; the entity the graph starts
from must exist (Reltio's OBJECT_NOT_FOUND otherwise).
"""

from __future__ import annotations

import dataclasses

from bondline.domain import access
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import filters, graph
from bondline.domain.reltio import objects as o
from bondline.domain.reltio.errors import object_not_found
from bondline.services.reltio.relations import RelationView
from bondline.services.reltio.tenants import TenantContext, tenant_context
from bondline.store import Store
from bondline.store.repos.reltio_graph import Connection
from bondline.store.unit import Tx

MAX_PAGE = 200
MAX_WINDOW = 10_000


@dataclasses.dataclass(frozen=True, slots=True)
class ConnectionPage:
    index: int
    total: int
    connections: list[Connection]
    labels: dict[str, tuple[str, str]]  # relation type -> its directional labels (start's, end's)


@dataclasses.dataclass(frozen=True, slots=True)
class Hops:
    entities: list[o.ReltioEntity]
    relations: list[o.ReltioRelation]
    traversed: dict[str, int]
    degree: dict[str, int]
    complete: bool
    labels: dict[str, tuple[str, str]]


def _labels(ctx: TenantContext, type_names: set[str]) -> dict[str, tuple[str, str]]:
    out = {}
    for name in type_names:
        t = ctx.registry.get("relation", name)
        out[name] = (t.start_label, t.end_label) if t is not None else ("", "")
    return out


async def _start(tx: Tx, caller: Caller, tenant: str, entity_id: str) -> tuple[TenantContext, o.ReltioEntity]:
    o.check_object_id(entity_id, "entities")
    ctx = await tenant_context(tx, caller, tenant)
    access.reltio_require_read(ctx.perms)
    found = await tx.entities.get(ctx.tenant, entity_id)
    if found is None:
        raise object_not_found(f"entities/{entity_id}")
    return ctx, found


async def connections(store: Store, caller: Caller, tenant: str, entity_id: str, body: object, *,
                      by_ov: bool = False) -> list[ConnectionPage]:
    groups = graph.connection_groups(body)
    async with store.read() as tx:
        ctx, _ = await _start(tx, caller, tenant, entity_id)
        out = []
        for g in groups:
            total, page = await tx.reltio_graph.connections(
                ctx.tenant, entity_id, out_types=g.out_types, in_types=g.in_types, entity_types=g.entity_types,
                condition=g.condition, by_ov=by_ov, by_label=(g.sort_by or "").lower() in ("entities", "label"),
                offset=g.offset, limit=g.max)
            out.append(ConnectionPage(g.offset, total, page, _labels(ctx, {rel.type for rel, _, _ in page})))
        return out


async def hops(store: Store, caller: Caller, tenant: str, entity_id: str, q: graph.HopQuery) -> Hops:
    """Breadth-first, one bounded query per direction per level: level by level the relations of the
    entities reached so far (of the asked types), until `deep` levels, `max` entities (a level that
    does not fit is left out whole, as Reltio does) or `HOPS_MAX_RELATIONS` relations read (then the
    answer says it is not complete)."""
    async with store.read() as tx:
        ctx, start = await _start(tx, caller, tenant, entity_id)
        reached: dict[str, int] = {start.id: 0}
        kept: dict[str, o.ReltioRelation] = {}
        frontier = {start.id}
        complete = True
        budget = graph.HOPS_MAX_RELATIONS
        for level in range(1, q.deep + 1):
            if not frontier:
                break
            found = await tx.reltio_graph.touching(ctx.tenant, frontier, q.relation_types, budget)
            if len(found) > budget:
                complete = False
                found = found[:budget]
            budget -= len(found)
            new_rels = [r for r in found if r.id not in kept]
            new_ids = {x for r in new_rels for x in (r.start_id, r.end_id)} - reached.keys()
            if len(reached) + len(new_ids) > q.max:
                complete = False
                break
            for r in new_rels:
                kept[r.id] = r
            for x in new_ids:
                reached[x] = level
            frontier = new_ids
            if budget <= 0:
                complete = complete and not frontier
                break
        loaded = await tx.entities.get_many(ctx.tenant, reached)
        relations = [r for r in kept.values() if r.start_id in loaded and r.end_id in loaded]
        traversed: dict[str, int] = dict.fromkeys(loaded, 0)
        for r in relations:
            traversed[r.start_id] += 1
            traversed[r.end_id] += 1
        degree = await tx.reltio_graph.degree(ctx.tenant, loaded)
        ordered = sorted(loaded.values(), key=lambda en: (reached[en.id], en.id))
        return Hops(ordered, relations, traversed, degree, complete, _labels(ctx, {r.type for r in relations}))


@dataclasses.dataclass(frozen=True, slots=True)
class RelationQuery:
    filter: str | None = None
    offset: int = 0
    max: int = 50
    order: str = "asc"
    activeness: str = "active"


async def search_relations(store: Store, caller: Caller, tenant: str, q: RelationQuery) -> list[RelationView]:
    if q.offset < 0:
        raise Invalid("Parameter 'offset' must not be negative")
    if not 1 <= q.max <= MAX_PAGE:
        raise Invalid(f"Parameter 'max' must be between 1 and {MAX_PAGE}, got {q.max}")
    if q.offset + q.max > MAX_WINDOW:
        raise Invalid(f"The sum of 'max' and 'offset' must not exceed {MAX_WINDOW}")
    if q.order.lower() not in ("asc", "desc"):
        raise Invalid(f"Parameter 'order' must be asc or desc, got {q.order[:20]!r}")
    if q.activeness not in ("active", "all", "not_active"):
        raise Invalid(f"Parameter 'activeness' must be one of active, all, not_active, got {q.activeness[:20]!r}")
    condition: filters.Node | None = graph.relation_filter(q.filter)
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if q.activeness == "not_active":  # bondline keeps no end-dated relations
            return []
        found = await tx.reltio_graph.search(ctx.tenant, condition, descending=q.order.lower() == "desc",
                                             offset=q.offset, limit=q.max)
        ends = await tx.entities.get_many(ctx.tenant, {x for r in found for x in (r.start_id, r.end_id)})
        return [RelationView(r, ends.get(r.start_id), ends.get(r.end_id), ctx.registry.get("relation", r.type))
                for r in found]
