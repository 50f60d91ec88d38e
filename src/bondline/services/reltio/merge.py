"""Match and merge (docs/decisions/0026-reltio-match-merge.md): potential matches by the tenant's
match rules, merging two entities (the loser's relations follow the winner), unmerging a
contributor, and not-match marks.

Each merge and unmerge is one unit of work: both entities are locked (in id order, so two servers
merging the same pair over one PostgreSQL wait for each other rather than deadlock), the plan is
made by the domain (`domain.reltio.merging`) and written with the merge record in one commit. The
second of two concurrent merges of one pair finds the loser gone (answered by the winner) and is
refused as a merge of an entity with itself; nothing is half-applied.

Potential matches are evaluated when read (as Reltio's `forceMatch=true`), from the value index
that every write keeps in the same transaction; see decision 0026 for why.
"""

from __future__ import annotations

import dataclasses
from collections import deque

from bondline import ids
from bondline.domain import access
from bondline.domain.audit import Actor, Change, record_of
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import matching, merging, trail
from bondline.domain.reltio import objects as o
from bondline.domain.reltio.errors import object_not_found
from bondline.services.reltio.entities import EntityView, view
from bondline.services.reltio.retry import retrying
from bondline.services.reltio.tenants import TenantContext, tenant_context
from bondline.store import Store
from bondline.store.repos.reltio_merge import Merge
from bondline.store.unit import Tx

MAX_CANDIDATES = 1000  # per rule: candidates read from the value index for one entity
MAX_MATCHES = 200
MAX_DEEP = 10


def entity_id_of(raw: str | None, name: str) -> str:
    """An entity named by id or URI in a query parameter."""
    if not raw:
        raise Invalid(f"The query parameter '{name}' is required: an entity URI (entities/{{id}})")
    tail = raw[len("entities/"):] if raw.startswith("entities/") else raw
    return o.check_object_id(tail, "entities")


async def resolve(tx: Tx, ctx: TenantContext, entity_id: str, lock: bool = False) -> o.ReltioEntity:
    """The entity `entity_id` names: itself, or the entity it was merged into (as Reltio answers a
    loser's URI); OBJECT_NOT_FOUND otherwise."""
    o.check_object_id(entity_id, "entities")
    found = await tx.entities.get(ctx.tenant, entity_id, lock=lock)
    if found is None:
        winner = await tx.merges.resolve(ctx.tenant, entity_id)
        if winner is not None:
            found = await tx.entities.get(ctx.tenant, winner, lock=lock)
    if found is None:
        raise object_not_found(f"entities/{entity_id}")
    return found


# --- matching -------------------------------------------------------------------------------------

async def find_matches(tx: Tx, ctx: TenantContext, e: o.ReltioEntity,
                       only_automatic: bool = False) -> list[matching.Match]:
    t = ctx.registry.get("entity", e.type)
    rules = matching.rules_of(t) if t is not None else ()
    if only_automatic:
        rules = tuple(r for r in rules if r.type == matching.AUTOMATIC)
    if not rules:
        return []
    wanted: set[str] = set()
    for rule in rules:
        path, prefix, keys = matching.candidate_keys(rule, e)
        wanted.update(await tx.merges.candidates(ctx.tenant, path, prefix, keys, MAX_CANDIDATES))
    wanted.discard(e.id)
    if not wanted:
        return []
    candidates = await tx.entities.get_many(ctx.tenant, wanted)
    excluded = {other for other, _, _ in await tx.merges.not_matches(ctx.tenant, e.id)}
    return matching.evaluate(rules, e, candidates.values(), excluded)[:MAX_MATCHES]


@dataclasses.dataclass(frozen=True, slots=True)
class Found:
    entity: o.ReltioEntity
    matches: list[matching.Match]


async def matches(store: Store, caller: Caller, tenant: str, entity_id: str) -> Found:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        e = await resolve(tx, ctx, entity_id)
        return Found(e, await find_matches(tx, ctx, e))


@dataclasses.dataclass(frozen=True, slots=True)
class Transitive:
    match: matching.Match
    path: list[matching.Match]  # from the first direct match to this one


async def transitive_matches(store: Store, caller: Caller, tenant: str, entity_id: str, deep: int) -> list[Transitive]:
    """Matches of matches, breadth first (the shortest path to each), at most `deep` steps away."""
    if deep < 1 or deep > MAX_DEEP:
        raise Invalid(f"'deep' must be between 1 and {MAX_DEEP}")
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        start = await resolve(tx, ctx, entity_id)
        out: list[Transitive] = []
        seen = {start.id}
        queue: deque[tuple[o.ReltioEntity, list[matching.Match]]] = deque([(start, [])])
        while queue and len(out) < MAX_MATCHES:
            current, path = queue.popleft()
            if len(path) >= deep:
                continue
            for found in await find_matches(tx, ctx, current):
                if found.entity.id in seen:
                    continue
                seen.add(found.entity.id)
                step = path + [found]
                out.append(Transitive(found, step))
                queue.append((found.entity, step))
        return out[:MAX_MATCHES]


async def auto_merge(tx: Tx, ctx: TenantContext, written: list[o.ReltioEntity], now: int) -> int:
    """Merge each written entity with the entities an `automatic` match group finds for it, in the
    write's own unit of work (decision 0026); how many merges were made. Only the automatic groups
    are evaluated (suspect matches are found when read); types without any cost nothing here."""
    merged = 0
    gone: set[str] = set()
    for e in written:
        t = ctx.registry.get("entity", e.type)
        if t is None or not any(r.type == matching.AUTOMATIC for r in matching.rules_of(t)) or e.id in gone:
            continue
        current = await tx.entities.get(ctx.tenant, e.id, lock=True)
        if current is None:
            continue
        for found in await find_matches(tx, ctx, current, only_automatic=True):
            if found.entity.id in gone:
                continue
            other = await tx.entities.get(ctx.tenant, found.entity.id, lock=True)
            if other is None:
                continue
            winner, loser = merging.choose_winner(current, other)
            current = await _merge_in(tx, ctx, winner, loser, now)
            gone.add(loser.id)
            merged += 1
    return merged


# --- not a match ----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class NotMatch:
    entity: o.ReltioEntity | None
    uri: str
    updated_at: int
    updated_by: str


async def not_matches(store: Store, caller: Caller, tenant: str, entity_id: str) -> list[NotMatch]:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        e = await resolve(tx, ctx, entity_id)
        marks = await tx.merges.not_matches(ctx.tenant, e.id)
        found = await tx.entities.get_many(ctx.tenant, [m[0] for m in marks])
        return [NotMatch(found.get(other), f"entities/{other}", at, by) for other, at, by in marks]


async def mark_not_match(store: Store, caller: Caller, tenant: str, entity_id: str, other_uri: str | None,
                         mark: bool) -> None:
    other_id = entity_id_of(other_uri, "uri")
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_mark_match(ctx.perms)
        a = await resolve(tx, ctx, entity_id)
        b = await resolve(tx, ctx, other_id)
        merging.check_pair(a, b)
        if mark:
            await tx.merges.mark_not_match(ctx.tenant, a.id, b.id, ids.now_ms(), ctx.who)
        else:
            await tx.merges.unmark_not_match(ctx.tenant, a.id, b.id)
        tx.record(Change("entity.notmatch" if mark else "entity.notmatch.undo", f"reltio/{ctx.tenant}/{a.uri}",
                         None, {"other": b.uri}))


# --- merge and unmerge ----------------------------------------------------------------------------

async def _merge_in(tx: Tx, ctx: TenantContext, winner: o.ReltioEntity, loser: o.ReltioEntity,
                    now: int) -> o.ReltioEntity:
    """Merge `loser` into `winner` (both locked) in this unit of work; the winner as it is after."""
    t = ctx.registry.get("entity", winner.type)
    winner_rels = await tx.reltio_relations.of_entity(ctx.tenant, winner.id)
    loser_rels = await tx.reltio_relations.of_entity(ctx.tenant, loser.id)
    plan = merging.plan_merge(t, winner, loser, winner_rels, loser_rels, ctx.who, now)
    await tx.merges.delete_relations(plan.removed)
    await tx.reltio_relations.update_many([after for _, after in plan.absorbing])
    await tx.merges.move_all(ctx.tenant, loser.id, winner.id, now, ctx.who)  # what remains is plan.moved
    await tx.entities.delete(ctx.tenant, loser.id)
    await tx.merges.forget_entity(ctx.tenant, loser.id)
    await tx.entities.update_many([plan.winner], [(ctx.tenant, x["type"], x["value"], plan.winner.id)
                                                  for x in loser.crosswalks])
    await tx.merges.insert(Merge(ctx.tenant, loser.id, winner.id, plan.snapshot, now, ctx.who))
    # The loser's entry names the relations that moved to the winner (one entry, not one per
    # relation: a merge moves thousands); removed and absorbing relations have their own.
    tx.record(Change("entity.merge", f"reltio/{ctx.tenant}/{winner.uri}", record_of(winner), record_of(plan.winner)),
              Change("entity.lost_merge", f"reltio/{ctx.tenant}/{loser.uri}", record_of(loser),
                     {"winner": winner.uri, "movedRelations": [r.uri for r in plan.moved]}),
              *trail.relations_deleted(plan.removed),
              *trail.relations_updated(plan.absorbing))
    return plan.winner


async def _unmerge_in(tx: Tx, ctx: TenantContext, origin: o.ReltioEntity, contributor_id: str,
                      now: int) -> tuple[o.ReltioEntity, o.ReltioEntity]:
    """Take the contributor (with everything merged into it before) out of `origin` (locked); the
    origin and the contributor as they are after."""
    record = await tx.merges.get(ctx.tenant, contributor_id)
    if record is None or record.winner_id != origin.id:
        raise merging.not_a_contributor(origin.uri, f"entities/{contributor_id}")
    t = ctx.registry.get("entity", origin.type)
    current = await tx.reltio_relations.get_many(ctx.tenant, merging.relation_ids(record.snapshot), lock=True)
    plan = merging.plan_unmerge(t, origin, record.snapshot, current, ctx.who, now)
    await tx.merges.release_crosswalks(ctx.tenant, plan.spawn.crosswalks)
    await tx.entities.update_many([plan.origin])
    await tx.entities.insert_many([plan.spawn])
    await tx.merges.move_relations(plan.moved_back)
    await tx.reltio_relations.insert_many(plan.restored)
    await tx.reltio_relations.update_many([after for _, after in plan.unabsorbed])
    await tx.merges.delete(ctx.tenant, contributor_id)
    tx.record(Change("entity.unmerge", f"reltio/{ctx.tenant}/{origin.uri}", record_of(origin),
                     record_of(plan.origin)),
              *trail.entities_created([plan.spawn]),
              *trail.relations_moved((current[r.id], r) for r in plan.moved_back),
              *trail.relations_created(plan.restored),
              *trail.relations_updated(plan.unabsorbed))
    return plan.origin, plan.spawn


async def _locked_pair(tx: Tx, ctx: TenantContext, a_id: str, b_id: str) -> tuple[o.ReltioEntity, o.ReltioEntity]:
    """Both entities, locked in id order (resolved to their winners if they lost a merge)."""
    first, second = sorted((a_id, b_id))
    x = await resolve(tx, ctx, first, lock=True)
    y = await resolve(tx, ctx, second, lock=True)
    return (x, y) if first == a_id else (y, x)


@retrying
async def merge(store: Store, caller: Caller, tenant: str, entity_id: str, other_uri: str | None,
                explicit_winner: str | None = None) -> EntityView:
    """POST /entities/{id}/_sameAs?uri=…: the merged entity (the winner)."""
    o.check_object_id(entity_id, "entities")
    other_id = entity_id_of(other_uri, "uri")
    explicit = entity_id_of(explicit_winner, "explicitWinner") if explicit_winner else None
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_merge(ctx.perms)
        a, b = await _locked_pair(tx, ctx, entity_id, other_id)
        merging.check_pair(a, b)
        if explicit is not None and explicit not in (a.id, b.id):
            explicit = None  # Reltio: "other values will be ignored"
        winner, loser = merging.choose_winner(a, b, explicit)
        merged = await _merge_in(tx, ctx, winner, loser, ids.now_ms())
        return await view(tx, ctx, merged)


@dataclasses.dataclass(frozen=True, slots=True)
class Unmerged:
    origin: EntityView
    spawn: EntityView


@retrying
async def unmerge(store: Store, caller: Caller, tenant: str, entity_id: str, contributor_uri: str | None,
                  tree: bool) -> Unmerged:
    """POST /entities/{id}/_unmerge (the contributor alone: what was merged into it before stays in
    the origin) or _treeUnmerge (the contributor with everything merged into it)."""
    o.check_object_id(entity_id, "entities")
    contributor_id = entity_id_of(contributor_uri, "contributorURI")
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_merge(ctx.perms)
        origin = await resolve(tx, ctx, entity_id, lock=True)
        if contributor_id == origin.id:
            raise merging.not_a_contributor(origin.uri, f"entities/{contributor_id}")
        now = ids.now_ms()
        origin, spawn = await _unmerge_in(tx, ctx, origin, contributor_id, now)
        if not tree:
            # What had been merged into the contributor stays in the origin.
            for sub in await tx.merges.contributors(ctx.tenant, spawn.id):
                spawn, sub_entity = await _unmerge_in(tx, ctx, spawn, sub.loser_id, now)
                origin = await _merge_in(tx, ctx, origin, sub_entity, now)
        return Unmerged(await view(tx, ctx, origin), await view(tx, ctx, spawn))


# --- the crosswalk tree ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class Tree:
    entity_id: str
    crosswalks: list[dict[str, object]]
    merged: list[Tree]
    merged_at: int | None = None
    merged_by: str | None = None


async def crosswalk_tree(store: Store, caller: Caller, tenant: str, entity_id: str) -> Tree:
    """Which crosswalks came into the entity with which merge, as a tree of its contributors."""
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        e = await resolve(tx, ctx, entity_id)

        async def node(eid: str, xws: list[dict[str, object]], record: Merge | None, depth: int) -> Tree:
            subs = await tx.merges.contributors(ctx.tenant, eid) if depth < merging_depth() else []
            taken = {str(x["id"]) for s in subs for x in s.snapshot["entity"]["crosswalks"]}
            children = [await node(s.loser_id, s.snapshot["entity"]["crosswalks"], s, depth + 1) for s in subs]
            own = [x for x in xws if str(x["id"]) not in taken]
            return Tree(eid, own, children, record.merged_at if record else None,
                        record.merged_by if record else None)

        return await node(e.id, e.crosswalks, None, 0)


def merging_depth() -> int:
    return 64
