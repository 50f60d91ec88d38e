"""Data change requests: create, read, search, delete, apply, reject; their items and external
info; and the preview of an object with requests applied (`_withChangeRequests`).

Applying is one transaction: the request row is locked (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite serializes writers) and its state re-checked inside it, so of two concurrent applies exactly
one succeeds and the other finds the request APPLIED. Every object the items touch is loaded in a
few batched queries (and locked), the items are applied in memory by `domain.reltio.changes.run`,
and the results are written with `executemany` — a request of 100,000 items applies in seconds.
Large requests run through `Store.run_long` (on SQLite: a thread with its own connection).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain.audit import Actor
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import objects as o
from bondline.domain.reltio import trail
from bondline.domain.reltio.errors import object_not_found
from bondline.domain.reltio.types import ENTITY, RELATION
from bondline.services.reltio import references, review_link, staging
from bondline.services.reltio.entities import EntityView
from bondline.services.reltio.relations import RelationView, view_of
from bondline.services.reltio.retry import retrying
from bondline.services.reltio.staging import ChangeRequestView, load_request
from bondline.services.reltio.tenants import TenantContext, tenant_context
from bondline.store import Store
from bondline.store.unit import Tx

MAX_FILTER = 8_000  # characters
MAX_DEPTH = 20  # nested parentheses in a filter
MAX_CONDITIONS = 50
LONG_APPLY = 2_000  # items above which apply runs as a long job
MAX_PAGE = 1_000


@retrying
async def create(store: Store, caller: Caller, tenant: str) -> ChangeRequestView:
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_initiate(ctx.perms)
        cr = staging.new_request(ctx, ids.now_ms())
        await tx.change_requests.insert(cr)
        staging.created(tx, cr)
    return ChangeRequestView(cr, [])


async def get(store: Store, caller: Caller, tenant: str, request_id: str, *, objects_info: bool = False,
              conflicts: bool = False) -> ChangeRequestView:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        cr = await load_request(tx, ctx, request_id)
        return await staging.view(tx, ctx, cr, objects_info=objects_info, conflicts=conflicts)


async def by_uris(store: Store, caller: Caller, tenant: str, uris: list[str], *, objects_info: bool = False,
                  conflicts: bool = False) -> list[ChangeRequestView | None]:
    """In the order asked; None where there is no such request."""
    if len(uris) > MAX_PAGE:
        raise Invalid(f"At most {MAX_PAGE} URIs per request")
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        wanted = [u[len("changeRequests/"):] if u.startswith("changeRequests/") else "" for u in uris]
        found = await tx.change_requests.get_many(ctx.tenant, [w for w in wanted if o.OBJECT_ID.match(w)])
        items = await tx.change_requests.items_of(ctx.tenant, list(found))
        out: list[ChangeRequestView | None] = []
        for w in wanted:
            cr = found.get(w)
            out.append(None if cr is None else await staging.view(
                tx, ctx, cr, objects_info=objects_info, conflicts=conflicts, items=items.get(cr.id, [])))
        return out


# --- search -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\()|(\))|(and|or)\b|"
                    r"(equals|in)\s*\(\s*(createdBy|objectURI)\s*,\s*'((?:[^'\\]|\\.)*)'\s*\))", re.IGNORECASE)


def _filter_error(filter_text: str) -> Invalid:
    return Invalid(f"Incorrect filter for change requests search: {filter_text[:300]!r}. The filter must consist of "
                   "equals(property,'value') or in(property,'v1,v2') conditions on createdBy or objectURI, joined "
                   "by and/or", reason="CHANGE_REQUEST_SEARCH_FILTER_INCORRECT")


def parse_filter(text: str) -> Any:
    """Reltio's filter syntax for change requests, as a tree: ("cond", property, values) or
    ("and"|"or", left, right). `and` binds tighter than `or`; parentheses group."""
    if not text or not text.strip() or len(text) > MAX_FILTER:
        raise _filter_error(text)
    tokens: list[tuple[str, Any]] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None or m.end() == pos:
            raise _filter_error(text)
        if m.group(1):
            tokens.append(("(", None))
        elif m.group(2):
            tokens.append((")", None))
        elif m.group(3):
            tokens.append((m.group(3).lower(), None))
        else:
            func, prop, raw = m.group(4).lower(), m.group(5), m.group(6).replace("\\'", "'")
            values = [v.strip() for v in raw.split(",") if v.strip()] if func == "in" else [raw]
            if not values or prop not in ("createdBy", "objectURI"):
                raise _filter_error(text)
            tokens.append(("cond", (prop, values)))
        pos = m.end()
    depth = 0
    for kind, _ in tokens:
        depth += 1 if kind == "(" else -1 if kind == ")" else 0
        if depth > MAX_DEPTH:
            raise _filter_error(text)
    if sum(kind == "cond" for kind, _ in tokens) > MAX_CONDITIONS:
        raise _filter_error(text)
    tree, rest = _or(tokens, text)
    if rest:
        raise _filter_error(text)
    return tree


def _or(tokens: list[tuple[str, Any]], text: str) -> tuple[Any, list[tuple[str, Any]]]:
    left, tokens = _and(tokens, text)
    while tokens and tokens[0][0] == "or":
        right, tokens = _and(tokens[1:], text)
        left = ("or", left, right)
    return left, tokens


def _and(tokens: list[tuple[str, Any]], text: str) -> tuple[Any, list[tuple[str, Any]]]:
    left, tokens = _atom(tokens, text)
    while tokens and tokens[0][0] == "and":
        right, tokens = _atom(tokens[1:], text)
        left = ("and", left, right)
    return left, tokens


def _atom(tokens: list[tuple[str, Any]], text: str) -> tuple[Any, list[tuple[str, Any]]]:
    if not tokens:
        raise _filter_error(text)
    kind, value = tokens[0]
    if kind == "cond":
        return ("cond", value[0], value[1]), tokens[1:]
    if kind == "(":
        inner, rest = _or(tokens[1:], text)
        if not rest or rest[0][0] != ")":
            raise _filter_error(text)
        return inner, rest[1:]
    raise _filter_error(text)


async def _evaluate(tx: Tx, tenant: str, tree: Any) -> set[str]:
    if tree[0] == "cond":
        if tree[1] == "createdBy":
            return await tx.change_requests.ids_created_by(tenant, tree[2])
        return await tx.change_requests.ids_touching(tenant, tree[2])
    left = await _evaluate(tx, tenant, tree[1])
    right = await _evaluate(tx, tenant, tree[2])
    return left & right if tree[0] == "and" else left | right


async def search(store: Store, caller: Caller, tenant: str, filter_text: str | None, offset: int,
                 limit: int) -> list[ChangeRequestView]:
    """Change requests matching the filter, newest first."""
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)  # before the filter: a caller without READ learns nothing
        tree = parse_filter(filter_text or "")
        matched = await _evaluate(tx, ctx.tenant, tree)
        requests = await tx.change_requests.get_many(ctx.tenant, matched)
        ordered = sorted(requests.values(), key=lambda cr: (-cr.created_at, cr.id))[offset:offset + limit]
        items = await tx.change_requests.items_of(ctx.tenant, [cr.id for cr in ordered])
        return [ChangeRequestView(cr, items.get(cr.id, [])) for cr in ordered]


LISTED_STATES = (ch.AWAITING, ch.APPLIED, ch.REJECTED)


def _listing_order(cr: ch.ChangeRequest) -> tuple[bool, int, str]:
    """Waiting ones first, newest first; then decided ones, most recently decided first."""
    waiting = cr.state == ch.AWAITING
    return (not waiting, -(cr.created_at if waiting else cr.updated_at), cr.id)


async def listing(store: Store, caller: Caller, tenant: str, states: tuple[str, ...], *,
                  created_by: str | None = None, object_uri: str | None = None, offset: int = 0,
                  limit: int = 10) -> list[ChangeRequestView]:
    """bondline's own listing (`GET /api/v1/reltio/{tenant}/changeRequests`, the CLI's `dcr list`):
    change requests in `states`, optionally only one creator's and/or those changing one object.
    Reltio's search needs a creator or object filter and knows no state, so it cannot answer "what
    awaits review?"."""
    for state in states:
        if state not in LISTED_STATES:
            raise Invalid(f"Unknown state {state[:40]!r}: use one of {', '.join(LISTED_STATES)} or all")
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if created_by is None and object_uri is None:
            found: list[ch.ChangeRequest] = []
            for state in states:  # each state's first offset+limit in its own order covers the page
                found += await tx.change_requests.page_in_state(ctx.tenant, state, 0, offset + limit)
        else:
            ids: set[str] | None = None
            if created_by is not None:
                ids = await tx.change_requests.ids_created_by(ctx.tenant, [created_by])
            if object_uri is not None:
                touching = await tx.change_requests.ids_touching(ctx.tenant, [object_uri])
                ids = touching if ids is None else ids & touching
            found = [cr for cr in (await tx.change_requests.get_many(ctx.tenant, ids or set())).values()
                     if cr.state in states]
        ordered = sorted(found, key=_listing_order)[offset:offset + limit]
        items = await tx.change_requests.items_of(ctx.tenant, [cr.id for cr in ordered])
        return [ChangeRequestView(cr, items.get(cr.id, [])) for cr in ordered]


# --- lifecycle ----------------------------------------------------------------------------------

async def delete(store: Store, caller: Caller, tenant: str, request_id: str) -> None:
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        cr = await load_request(tx, ctx, request_id, lock=True)
        access.reltio_require_manage_change_request(ctx.perms, cr.created_by, ctx.who)
        await review_link.close_tasks(tx, ctx.tenant, cr.id, ctx.who, ids.now_ms(), cancelled=True)
        await tx.change_requests.delete(ctx.tenant, cr.id)
        tx.record(trail.request_deleted(cr))


async def reject(store: Store, caller: Caller, tenant: str, request_id: str) -> ch.ChangeRequest:
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_accept(ctx.perms)
        return await reject_in(tx, ctx, request_id)


async def reject_in(tx: Tx, ctx: TenantContext, request_id: str) -> ch.ChangeRequest:
    """Reject in the caller's unit of work (a workflow task's Reject runs it after its own checks)."""
    cr = await load_request(tx, ctx, request_id, lock=True)
    ch.require_awaiting(cr, "rejected")
    now = ids.now_ms()
    return await staging.changed(tx, cr, dataclasses.replace(cr, state=ch.REJECTED, updated_at=now,
                                                             updated_by=ctx.who))


def _conflict_error(cr: ch.ChangeRequest, conflicts: list[ch.ItemConflict]) -> Invalid:
    listed = [{"objectURI": c.item.object_uri, "id": c.item.id, "type": c.item.type, "conflict": c.conflict,
               "conflictDetails": c.details} for c in conflicts]
    summary = "; ".join(f"{c.item.object_uri} item {c.item.id} ({c.item.type}): {c.conflict}" for c in conflicts[:20])
    more = f" and {len(conflicts) - 20} more" if len(conflicts) > 20 else ""
    return Invalid(f"Change request {cr.uri} has {len(conflicts)} conflicted item(s): {summary}{more}. Remove them, "
                   "or apply with ignoreConflicts=true", reason="CHANGE_REQUEST_HAS_CONFLICTS",
                   details={"conflicts": listed})


@retrying
async def apply(store: Store, caller: Caller, tenant: str, request_id: str, ignore_conflicts: bool = False
                ) -> ch.ChangeRequest:
    """Apply every item in one transaction, or none."""
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_accept(ctx.perms)
        cr = await load_request(tx, ctx, request_id)
        ch.require_awaiting(cr, "applied")
        size = await tx.change_requests.count_items(ctx.tenant, cr.id)

    async def job(tx: Tx) -> ch.ChangeRequest:
        return await _apply_in(tx, caller, tenant, request_id, ignore_conflicts)

    if size > LONG_APPLY:
        return await store.run_long(Actor.of(caller), job)
    async with store.write(Actor.of(caller)) as tx:
        return await job(tx)


async def _apply_in(tx: Tx, caller: Caller, tenant: str, request_id: str, ignore_conflicts: bool) -> ch.ChangeRequest:
    ctx = await tenant_context(tx, caller, tenant)
    access.reltio_require_accept(ctx.perms)
    return await apply_in(tx, ctx, request_id, ignore_conflicts)


async def apply_in(tx: Tx, ctx: TenantContext, request_id: str, ignore_conflicts: bool = False) -> ch.ChangeRequest:
    """Apply in the caller's unit of work (a workflow task's Approve runs it after its own checks)."""
    cr = await load_request(tx, ctx, request_id, lock=True)
    ch.require_awaiting(cr, "applied")
    items = await tx.change_requests.items(ctx.tenant, cr.id)
    docs, entities, relations = await staging.documents(tx, ctx, items, lock=True)
    now = ids.now_ms()
    result, conflicts = ch.run(ctx.registry, items, docs, ignore_conflicts=ignore_conflicts, now=now)
    if conflicts and not ignore_conflicts:
        raise _conflict_error(cr, conflicts)
    await _write(tx, ctx, result, entities, relations, now)
    return await staging.changed(tx, cr, dataclasses.replace(cr, state=ch.APPLIED, updated_at=now,
                                                             updated_by=ctx.who))


async def _write(tx: Tx, ctx: TenantContext, docs: dict[str, dict[str, Any]], entities: dict[str, o.ReltioEntity],
                 relations: dict[str, o.ReltioRelation], now: int) -> None:
    new_entities: list[o.ReltioEntity] = []
    changed_entities: list[o.ReltioEntity] = []
    new_relations: list[o.ReltioRelation] = []
    changed_relations: list[tuple[o.ReltioRelation, o.ReltioRelation]] = []  # (as it was, as it becomes)
    removed: list[o.ReltioRelation] = []
    added_xws: list[tuple[str, str, str, str]] = []
    for doc in docs.values():
        if not (doc.get("changed") or doc.get("created")):
            continue
        if doc["kind"] == ENTITY:
            base = entities.get(doc["id"])
            entity = o.entity_from_doc(doc, base, ctx.registry.get(ENTITY, doc["type"]), ctx.tenant, ctx.who, now)
            if base is None:
                new_entities.append(entity)
            else:
                changed_entities.append(entity)
                known = {(x["type"], x["value"]) for x in base.crosswalks}
                added_xws.extend((ctx.tenant, x["type"], x["value"], base.id) for x in entity.crosswalks
                                 if (x["type"], x["value"]) not in known)
            continue
        base_rel = relations.get(doc["id"])
        if not doc["exists"]:
            if base_rel is not None:
                removed.append(base_rel)
            continue
        if base_rel is None:
            twin = await tx.reltio_relations.by_key(ctx.tenant, doc["type"], doc["start_id"], doc["end_id"])
            if twin is not None:  # one relation per (type, start, end): the creation updates it
                changed_relations.append((twin, o.relation_from_doc({**doc, "crosswalks": twin.crosswalks + [
                    x for x in doc["crosswalks"] if not o.find_crosswalk(twin.crosswalks, x["type"], x["value"])],
                    "attributes": {**twin.attributes, **doc["attributes"]}}, twin, ctx.tenant, ctx.who, now)))
            else:
                new_relations.append(o.relation_from_doc(doc, None, ctx.tenant, ctx.who, now))
        else:
            changed_relations.append((base_rel, o.relation_from_doc(doc, base_rel, ctx.tenant, ctx.who, now)))
    for entity in new_entities:
        for xw in list(entity.crosswalks):
            if await tx.entities.by_crosswalk(ctx.tenant, xw["type"], xw["value"]) is not None:
                raise Invalid(f"Cannot create {entity.uri}: its crosswalk {xw['type']}/{xw['value']} now belongs to "
                              "another entity", reason="CROSSWALK_OF_ANOTHER_ENTITY")
    free = []
    for row in added_xws:
        if await tx.entities.by_crosswalk(row[0], row[1], row[2]) is None:
            free.append(row)
    await tx.entities.insert_many(new_entities)
    await tx.entities.update_many(changed_entities, free)
    await tx.reltio_relations.delete_many(removed)
    await tx.reltio_relations.insert_many(new_relations)
    await tx.reltio_relations.update_many([after for _, after in changed_relations])
    tx.record(*trail.entities_created(new_entities),
              *trail.entities_updated((entities.get(e.id), e) for e in changed_entities),
              *trail.relations_deleted(removed), *trail.relations_created(new_relations),
              *trail.relations_updated(changed_relations))


# --- items and external info --------------------------------------------------------------------

async def item(store: Store, caller: Caller, tenant: str, request_id: str, item_id: str,
               conflicts: bool = False) -> tuple[ch.Item, ch.ItemConflict | None]:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        cr = await load_request(tx, ctx, request_id)
        found = await tx.change_requests.item(ctx.tenant, cr.id, item_id) if o.OBJECT_ID.match(item_id) else None
        if found is None:
            raise object_not_found(f"changeRequests/{cr.id}/changes/{item_id[:40]}")
        conflict = None
        if conflicts:
            view = await staging.view(tx, ctx, cr, conflicts=True)
            conflict = (view.conflicts or {}).get(found.id)
        return found, conflict


async def delete_item(store: Store, caller: Caller, tenant: str, request_id: str, item_id: str) -> None:
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        cr = await load_request(tx, ctx, request_id, lock=True)
        access.reltio_require_manage_change_request(ctx.perms, cr.created_by, ctx.who)
        ch.require_awaiting(cr, "changed")
        found = await tx.change_requests.item(ctx.tenant, cr.id, item_id) if o.OBJECT_ID.match(item_id) else None
        if found is None or not await tx.change_requests.delete_item(ctx.tenant, cr.id, item_id):
            raise object_not_found(f"changeRequests/{cr.id}/changes/{item_id[:40]}")
        tx.record(trail.item_deleted(ctx.tenant, found))
        now = ids.now_ms()
        await staging.changed(tx, cr, dataclasses.replace(cr, updated_at=now, updated_by=ctx.who))


async def external_info(store: Store, caller: Caller, tenant: str, request_id: str) -> dict[str, Any]:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        cr = await load_request(tx, ctx, request_id)
        return cr.external_info or {}


async def set_external_info(store: Store, caller: Caller, tenant: str, request_id: str,
                            info: dict[str, Any] | None) -> dict[str, Any]:
    """Merge `info` into the request's external info (None deletes it all); returns the result."""
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        cr = await load_request(tx, ctx, request_id, lock=True)
        access.reltio_require_manage_change_request(ctx.perms, cr.created_by, ctx.who)
        merged = None if info is None else {**(cr.external_info or {}), **info}
        now = ids.now_ms()
        await staging.changed(tx, cr, dataclasses.replace(cr, external_info=merged, updated_at=now, updated_by=ctx.who))
        return merged or {}


# --- preview ------------------------------------------------------------------------------------

async def preview(store: Store, caller: Caller, tenant: str, collection: str, object_id: str,
                  request_ids: list[str]) -> EntityView | RelationView:
    """The object as it would be with the requests' items applied (as is); nothing is stored."""
    o.check_object_id(object_id, collection)
    if not request_ids:
        raise Invalid("changeRequestIds is required: one or more change request ids, comma-separated")
    uri = f"{collection}/{object_id}"
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        items: list[ch.Item] = []
        for request_id in request_ids[:50]:
            cr = await load_request(tx, ctx, request_id)
            ch.require_awaiting(cr, "previewed")
            items.extend(i for i in await tx.change_requests.items(ctx.tenant, cr.id)
                         if i.object_uri == uri or i.type == ch.CREATE_ENTITY)
        docs, entities, relations = await staging.documents(tx, ctx, items)
        if uri not in docs:
            stored = (await tx.entities.get(ctx.tenant, object_id) if collection == "entities"
                      else await tx.reltio_relations.get(ctx.tenant, object_id))
            if stored is not None:
                docs[uri] = ch.entity_doc(stored) if isinstance(stored, o.ReltioEntity) else ch.relation_doc(stored)
                if isinstance(stored, o.ReltioEntity):
                    entities[stored.id] = stored
                else:
                    relations[stored.id] = stored
        now = ids.now_ms()
        result, _ = ch.run(ctx.registry, items, docs, ignore_conflicts=True, now=now)
        doc = result.get(uri)
        if doc is None or not doc["exists"]:
            raise object_not_found(uri)
        if collection == "entities":
            base = entities.get(object_id)
            shown = base if base is not None and not (doc.get("changed") or doc.get("created")) else \
                o.entity_from_doc(doc, base, ctx.registry.get(ENTITY, doc["type"]), ctx.tenant, ctx.who, now)
            refs = await references.load(tx, ctx, [shown])
            return EntityView(shown, refs.get(shown.id, {}))
        base_rel = relations.get(object_id)
        rel = base_rel if base_rel is not None and not doc.get("changed") else \
            o.relation_from_doc(doc, base_rel, ctx.tenant, ctx.who, now)
        ends = {**entities}
        for side in (rel.start_id, rel.end_id):
            end_doc = result.get(f"entities/{side}")
            if side not in ends and end_doc is not None and end_doc["exists"]:
                ends[side] = o.entity_from_doc(end_doc, None, ctx.registry.get(ENTITY, end_doc["type"]), ctx.tenant,
                                               ctx.who, now)
        return RelationView(rel, ends.get(rel.start_id), ends.get(rel.end_id), ctx.registry.get(RELATION, rel.type))


__all__ = ["apply", "by_uris", "create", "delete", "delete_item", "external_info", "get", "item", "listing",
           "parse_filter", "preview", "reject", "search", "set_external_info", "view_of"]


async def counts_by_state(store: Store) -> list[tuple[str, str, int]]:
    """(tenant, state, count) for every tenant and every state, zeros included (for the metrics:
    a series that vanishes at zero would read as 'no data')."""
    async with store.read() as tx:
        tenant_ids = [tenant for tenant, _ in await tx.tenants.list_all()]
        found = {(tenant, state): count for tenant, state, count in await tx.change_requests.counts_by_state()}
    states = (ch.AWAITING, ch.APPLIED, ch.REJECTED)
    extra = sorted({key for key in found if key[1] not in states})
    return ([(tenant, state, found.get((tenant, state), 0)) for tenant in tenant_ids for state in states]
            + [(tenant, state, found[(tenant, state)]) for tenant, state in extra])
