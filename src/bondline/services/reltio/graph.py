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
    # a connection's position in `connections` -> the pages of the group's nested requests
    nested: dict[int, list[ConnectionPage]] = dataclasses.field(default_factory=dict)


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
        return await _pages(tx, ctx, entity_id, groups, by_ov)


async def _pages(tx: Tx, ctx: TenantContext, entity_id: str, groups: list[graph.ConnectionGroup] |
                 tuple[graph.ConnectionGroup, ...], by_ov: bool) -> list[ConnectionPage]:
    """Each group's page of the entity's connections, and for a group with nested requests, theirs
    for each entity on the page (bounded by `graph.CONNECTIONS_MAX_LOOKUPS`)."""
    out = []
    for g in groups:
        total, page = await tx.reltio_graph.connections(
            ctx.tenant, entity_id, out_types=g.out_types, in_types=g.in_types, entity_types=g.entity_types,
            condition=g.condition, by_ov=by_ov, by_label=(g.sort_by or "").lower() in ("entities", "label"),
            offset=g.offset, limit=g.max)
        nested = {k: await _pages(tx, ctx, other.id, g.nested, by_ov)
                  for k, (_, other, _) in enumerate(page)} if g.nested else {}
        out.append(ConnectionPage(g.offset, total, page, _labels(ctx, {rel.type for rel, _, _ in page}), nested))
    return out


async def hops(store: Store, caller: Caller, tenant: str, entity_id: str, q: graph.HopQuery) -> Hops:
    """Breadth-first, one bounded query per direction per level: level by level the relations of the
    entities reached so far (of the asked types), until `deep` levels, `max` entities (a level that
    does not fit is left out whole, as Reltio does) or `HOPS_MAX_RELATIONS` relations read (then the
    answer says it is not complete)."""
    async with store.read() as tx:
        ctx, start = await _start(tx, caller, tenant, entity_id)
        relation_types = graph.hop_relation_types(q, ctx.registry.sections)
        reached: dict[str, int] = {start.id: 0}
        kept: dict[str, o.ReltioRelation] = {}
        frontier = {start.id}
        complete = True
        budget = graph.HOPS_MAX_RELATIONS
        for level in range(1, q.deep + 1):
            if not frontier:
                break
            found, overflow = await tx.reltio_graph.touching(ctx.tenant, frontier, relation_types, budget,
                                                             known=reached.keys(), room=q.max - len(reached))
            if overflow:  # this level's new entities do not fit: it is left out whole
                complete = False
                break
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


async def dbscan(store: Store, caller: Caller, tenant: str, body: object) -> tuple[list[RelationView], str, bool]:
    """One page of POST /relations/_dbscan: the relations, the cursor of the next page, and whether
    whole objects are asked for. The cursor names the tenant it was made for (another tenant's is
    a 400) and the last row read; once the relations are all read the page is empty."""
    scan = graph.dbscan_request(tenant, body)
    condition = scan.condition()
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        found = await tx.reltio_graph.scan(ctx.tenant, scan.types, condition, scan.since, scan.after, scan.page_size)
        after = max((r.row_id or 0 for r in found), default=scan.after)
        ends = await tx.entities.get_many(ctx.tenant, {x for r in found for x in (r.start_id, r.end_id)})
        views = [RelationView(r, ends.get(r.start_id), ends.get(r.end_id), ctx.registry.get("relation", r.type))
                 for r in found]
        return views, scan.cursor(after), scan.return_objects


@dataclasses.dataclass(frozen=True, slots=True)
class Parents:
    paths: list[list[graph.Step]]
    entities: dict[str, o.ReltioEntity]
    relations: list[RelationView]


async def parents(store: Store, caller: Caller, tenant: str, entity_id: str, graph_types: list[str]) -> Parents:
    """GET /entities/{id}/_parents: level by level up the relations of the named graph types (one
    indexed query per level, at most PARENTS_MAX_LEVELS levels and PARENTS_MAX_RELATIONS relations),
    then every path from the entity to a root."""
    if not graph_types:
        raise Invalid("Parameter 'graphTypeURIs' is required: the graph types whose relations are walked")
    async with store.read() as tx:
        ctx, start = await _start(tx, caller, tenant, entity_id)
        types = graph.graph_relation_types(ctx.registry.sections, graph_types)
        up: dict[str, list[tuple[str, str]]] = {}
        selfs: dict[str, list[str]] = {}
        kept: dict[str, o.ReltioRelation] = {}
        seen = {start.id}
        frontier = {start.id}
        budget = graph.PARENTS_MAX_RELATIONS
        for _ in range(graph.PARENTS_MAX_LEVELS + 1):
            if not frontier or budget <= 0:
                break
            found = (await tx.reltio_graph.upward(ctx.tenant, frontier, types, budget))[:budget]
            budget -= len(found)
            for rel in found:
                kept[rel.id] = rel
                if rel.end_id == rel.start_id:
                    selfs.setdefault(rel.start_id, []).append(rel.id)
                else:
                    up.setdefault(rel.start_id, []).append((rel.id, rel.end_id))
            frontier = {rel.end_id for rel in found} - seen
            seen |= frontier
        paths, _ = graph.parent_paths(start.id, up, selfs)
        on_paths = {s.entity_id for path in paths for s in path}
        used = {rid for path in paths for s in path for rid in s.relation_ids}
        loaded = await tx.entities.get_many(ctx.tenant, on_paths)
        rels = [kept[rid] for rid in sorted(used) if rid in kept]
        views = [RelationView(r, loaded.get(r.start_id), loaded.get(r.end_id), ctx.registry.get("relation", r.type))
                 for r in rels]
        return Parents(paths, loaded, views)
