"""Staging writes in change requests, and the view of a change request clients get back.

A write that goes to a change request (`?changeRequestId=`, `?alwaysCreateDCR=true`, or a caller who
may only initiate) becomes items appended to the request; nothing else changes. The caller gets the
change request back with its changes and the information about the objects involved, the shape of
the seed's sample response.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain.events import change_request_moved
from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import objects as o
from bondline.domain.reltio import trail
from bondline.domain.reltio.errors import object_not_found
from bondline.domain.reltio.types import ENTITY_PREFIX, RELATION_PREFIX
from bondline.services.reltio import review_link
from bondline.services.reltio.tenants import TenantContext
from bondline.store.unit import Tx

MAX_ID = 16


@dataclasses.dataclass(frozen=True, slots=True)
class ChangeRequestView:
    request: ch.ChangeRequest
    items: list[ch.Item]
    objects_info: dict[str, dict[str, Any]] | None = None
    conflicts: dict[str, ch.ItemConflict] | None = None


async def load_request(tx: Tx, ctx: TenantContext, request_id: str, lock: bool = False) -> ch.ChangeRequest:
    if not o.OBJECT_ID.match(request_id):
        raise object_not_found(f"changeRequests/{request_id[:40]}")
    cr = await tx.change_requests.get(ctx.tenant, request_id, lock=lock)
    if cr is None:
        raise object_not_found(f"changeRequests/{request_id}")
    return cr


def new_request(ctx: TenantContext, now: int) -> ch.ChangeRequest:
    return ch.ChangeRequest(ctx.tenant, ids.reltio_id(), ch.AWAITING, ch.DEFAULT_TYPE, None, now, ctx.who, now,
                            ctx.who)


async def stage(tx: Tx, ctx: TenantContext, staged: list[ch.Staged], change_request_id: str | None, *,
                known: dict[str, o.ReltioRelation] | None = None,
                known_entities: dict[str, o.ReltioEntity] | None = None) -> ChangeRequestView:
    """Append `staged` to the named change request (which must await review) or to a new one.
    `known`, `known_entities`: relations and entities the caller has just loaded in this
    transaction (not read again)."""
    now = ids.now_ms()
    if change_request_id is None:
        # A new request is written once, already as it ends up (created and updated now, by the
        # caller), with exactly these items.
        cr = new_request(ctx, now)
        items = _items(ctx, cr, staged, 0, now)
        await tx.change_requests.insert(cr, items)
        created(tx, cr, items)
        return await view(tx, ctx, cr, objects_info=True, items=items, known=known, known_entities=known_entities)
    cr = await load_request(tx, ctx, change_request_id, lock=True)
    # Every staging path (entities, relations, attributes, _update, relation DELETE) ends here.
    access.reltio_require_add_to_change_request(ctx.perms, cr.created_by, ctx.who)
    ch.require_awaiting(cr, "changed")
    position = await tx.change_requests.next_position(ctx.tenant, cr.id)
    items = _items(ctx, cr, staged, position, now)
    await tx.change_requests.add_items(ctx.tenant, items)
    if items:
        tx.record(trail.items_staged(ctx.tenant, items))
    cr = await changed(tx, cr, dataclasses.replace(cr, updated_at=now, updated_by=ctx.who))
    return await view(tx, ctx, cr, objects_info=True, known=known, known_entities=known_entities)


def created(tx: Tx, cr: ch.ChangeRequest, items: list[ch.Item] | None = None) -> None:
    """What a new change request (written with `items`, if any) leaves: its audit entries and the
    `created` event."""
    tx.record(trail.request_created(cr), *([trail.items_staged(cr.tenant, items)] if items else []))
    _moved(tx, None, cr)


async def changed(tx: Tx, before: ch.ChangeRequest, after: ch.ChangeRequest) -> ch.ChangeRequest:
    """Store `after`, a change request that was `before`, with its audit entry and, if its state
    moved, the event; returns `after`."""
    await tx.change_requests.update(after)
    tx.record(trail.request_changed(before, after))
    _moved(tx, before.state, after)
    if before.state != after.state and after.state in (ch.APPLIED, ch.REJECTED):
        await review_link.close_tasks(tx, after.tenant, after.id, after.updated_by, after.updated_at)
    return after


def _moved(tx: Tx, before_state: str | None, cr: ch.ChangeRequest) -> None:
    assert tx.actor is not None
    event = change_request_moved(before_state, cr, tx.actor.account_id)
    if event is not None:
        tx.emit([event])


def _items(ctx: TenantContext, cr: ch.ChangeRequest, staged: list[ch.Staged], position: int, now: int) -> list[ch.Item]:
    return [ch.Item(ids.reltio_id(), cr.id, position + i, s.object_uri, s.type, s.body, s.base_version, now, ctx.who)
            for i, s in enumerate(staged)]


async def documents(tx: Tx, ctx: TenantContext, items: list[ch.Item], lock: bool = False,
                    known: dict[str, o.ReltioRelation] | None = None,
                    known_entities: dict[str, o.ReltioEntity] | None = None,
                    ) -> tuple[dict[str, dict[str, Any]], dict[str, o.ReltioEntity], dict[str, o.ReltioRelation]]:
    """The documents of every object the items touch, as stored now (batched lookups; `known`
    relations and `known_entities`, loaded earlier in the same transaction, are not read again)."""
    entity_ids, relation_ids = ch.object_uris(items)
    relations = {rid: rel for rid, rel in (known or {}).items() if rid in relation_ids}
    missing = set(relation_ids) - set(relations)
    if missing:
        relations.update(await tx.reltio_relations.get_many(ctx.tenant, missing, lock=lock))
    for rel in relations.values():
        entity_ids.update((rel.start_id, rel.end_id))
    entities = {eid: en for eid, en in (known_entities or {}).items() if eid in entity_ids}
    unread = set(entity_ids) - set(entities)
    if unread:
        entities.update(await tx.entities.get_many(ctx.tenant, unread, lock=lock))
    docs: dict[str, dict[str, Any]] = {}
    for en in entities.values():
        docs[en.uri] = ch.entity_doc(en)
    for rel in relations.values():
        docs[rel.uri] = ch.relation_doc(rel)
    return docs, entities, relations


def _creation(items: list[ch.Item], uri: str) -> dict[str, Any] | None:
    for item in items:
        if item.object_uri == uri and item.type in (ch.CREATE_ENTITY, ch.CREATE_RELATIONSHIP):
            return item.body.get("newValue")
    return None


def objects_info_of(items: list[ch.Item], entities: dict[str, o.ReltioEntity], relations: dict[str, o.ReltioRelation]
                 ) -> dict[str, dict[str, Any]]:
    """ObjectInfoTO of every object the items change: type and labels, and for relations their
    start and end; `isExist` false for objects the request would create (or that are gone)."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        uri = item.object_uri
        if uri in out:
            continue
        kind, _, object_id = uri.partition("/")
        if kind == "entities":
            en = entities.get(object_id)
            if en is not None:
                out[uri] = {"type": ENTITY_PREFIX + en.type, "label": en.label, "secondaryLabel": en.secondary_label,
                            "isExist": True}
                continue
            new = _creation(items, uri)
            out[uri] = ({"type": new.get("type", ""), "label": new.get("label", ""),
                         "secondaryLabel": new.get("secondaryLabel", ""), "isExist": False}
                        if new else {"isExist": False})
            continue
        rel = relations.get(object_id)
        if rel is not None:
            start, end = entities.get(rel.start_id), entities.get(rel.end_id)
            out[uri] = {"type": RELATION_PREFIX + rel.type, "startObjectUri": f"entities/{rel.start_id}",
                        "startObjectLabel": start.label if start else "", "endObjectUri": f"entities/{rel.end_id}",
                        "endObjectLabel": end.label if end else "", "isExist": True}
            continue
        new = _creation(items, uri)
        if new:
            s, e = new.get("startObject", {}), new.get("endObject", {})
            out[uri] = {"type": new.get("type", ""), "startObjectUri": s.get("objectURI", ""),
                        "startObjectLabel": s.get("label", ""), "endObjectUri": e.get("objectURI", ""),
                        "endObjectLabel": e.get("label", ""), "isExist": False}
        else:
            out[uri] = {"isExist": False}
    return out


async def view(tx: Tx, ctx: TenantContext, cr: ch.ChangeRequest, *, objects_info: bool = False,
               conflicts: bool = False, items: list[ch.Item] | None = None,
               known: dict[str, o.ReltioRelation] | None = None,
               known_entities: dict[str, o.ReltioEntity] | None = None) -> ChangeRequestView:
    if items is None:
        items = await tx.change_requests.items(ctx.tenant, cr.id)
    info = found = None
    if objects_info or conflicts:
        docs, entities, relations = await documents(tx, ctx, items, known=known, known_entities=known_entities)
        if objects_info:
            info = objects_info_of(items, entities, relations)
        if conflicts:
            _, met = ch.run(ctx.registry, items, docs, ignore_conflicts=False, now=ids.now_ms())
            found = {c.item.id: c for c in met}
    return ChangeRequestView(cr, items, info, found)

