"""Attribute changes on one entity or relation: insert, update, delete, pin and ignore values,
one at a time (bondline's attribute endpoints) or several at once (POST /entities/{id}/_update,
Reltio's cumulative update).

Either way a change is first built as change request items (`domain.reltio.changes.stage_*`). A
caller who may update the object gets them applied at once, through the same `changes.run` that
applies a change request; otherwise (or when asked to) they are staged in a change request.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain.audit import Actor
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import objects as o
from bondline.domain.reltio import roles, trail
from bondline.domain.reltio.errors import object_not_found, type_not_found
from bondline.domain.reltio.types import (
    ENTITY,
    ENTITY_PREFIX,
    RELATION,
    RELATION_PREFIX,
    ObjectType,
)
from bondline.services.reltio import entities, staging
from bondline.services.reltio.relations import RelationView, view_of
from bondline.services.reltio.retry import retrying
from bondline.services.reltio.staging import ChangeRequestView
from bondline.services.reltio.tenants import TenantContext, tenant_context
from bondline.store import Store
from bondline.store.unit import Tx

MAX_CHANGES = 1000
CROSSWALK_TAKEN = "Cumulative update request should not contain crosswalk of already existing entity"


@dataclasses.dataclass(frozen=True, slots=True)
class Op:
    """One requested change: `path` is ``A`` (insert) or ``A/{valueId}`` (… or nested deeper)."""

    type: str
    path: str
    value: Any = None
    crosswalk: Any = None
    flag: bool = False


def _build(ctx: TenantContext, t: ObjectType, obj: o.ReltioEntity | o.ReltioRelation, op: Op) -> ch.Staged:
    args = (ctx.registry, t, obj.uri, obj.attributes, obj.version, op.path)
    if op.type == ch.INSERT:
        return ch.stage_insert(*args, op.value, op.crosswalk)
    if op.type == ch.UPDATE:
        return ch.stage_update(*args, op.value, op.crosswalk)
    if op.type == ch.DELETE:
        return ch.stage_delete(*args, op.crosswalk)
    if op.type in (ch.PIN, ch.IGNORE):
        return ch.stage_flag(op.type, *args, op.flag)
    raise Invalid(f"Unsupported change type {op.type[:60]!r}: use one of {', '.join(ch.ATTRIBUTE_ITEMS)}")


async def _check_crosswalks(tx: Tx, ctx: TenantContext, obj: o.ReltioEntity | o.ReltioRelation, ops: list[Op]) -> None:
    """A change may bring a new crosswalk to an entity, but not one another entity holds."""
    if not isinstance(obj, o.ReltioEntity):
        return
    for op in ops:
        if op.crosswalk is None:
            continue
        kind, value = o.crosswalk_key(op.crosswalk, "crosswalk")
        owner = await tx.entities.by_crosswalk(ctx.tenant, kind, value)
        if owner is not None and owner != obj.id:
            raise Invalid(CROSSWALK_TAKEN, reason="CROSSWALK_OF_ANOTHER_ENTITY")


@retrying
async def change(store: Store, caller: Caller, tenant: str, collection: str, object_id: str, ops: list[Op], *,
                 change_request_id: str | None = None, always_create_dcr: bool = False
                 ) -> entities.EntityView | RelationView | ChangeRequestView:
    o.check_object_id(object_id, collection)
    if not ops:
        raise Invalid("No changes were given")
    if len(ops) > MAX_CHANGES:
        raise Invalid(f"At most {MAX_CHANGES} changes per request")
    kind = ENTITY if collection == "entities" else RELATION
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        route = access.reltio_write_route(ctx.perms, roles.UPDATE, change_request_id, always_create_dcr)
        direct = route == access.RELTIO_DIRECT
        obj: o.ReltioEntity | o.ReltioRelation | None
        if kind == ENTITY:
            obj = await tx.entities.get(ctx.tenant, object_id, lock=direct)
        else:
            obj = await tx.reltio_relations.get(ctx.tenant, object_id, lock=direct)
        if obj is None:
            raise object_not_found(f"{collection}/{object_id}")
        t = ctx.registry.get(kind, obj.type)
        if t is None:
            raise type_not_found((ENTITY_PREFIX if kind == ENTITY else RELATION_PREFIX) + obj.type, ctx.tenant)
        staged = [_build(ctx, t, obj, op) for op in ops]
        await _check_crosswalks(tx, ctx, obj, ops)
        if not direct:
            return await staging.stage(tx, ctx, staged, change_request_id)
        return await apply_now(tx, ctx, obj, staged)


async def apply_now(tx: Tx, ctx: TenantContext, obj: o.ReltioEntity | o.ReltioRelation, staged: list[ch.Staged]
                    ) -> entities.EntityView | RelationView:
    now = ids.now_ms()
    items = [ch.Item(ids.reltio_id(), "", i, s.object_uri, s.type, s.body, s.base_version, now, ctx.who)
             for i, s in enumerate(staged)]
    doc = ch.entity_doc(obj) if isinstance(obj, o.ReltioEntity) else ch.relation_doc(obj)
    docs, conflicts = ch.run(ctx.registry, items, {obj.uri: doc}, ignore_conflicts=False, now=now)
    if conflicts:
        first = conflicts[0]
        raise Invalid(f"{first.item.body.get('attributePath', obj.uri)}: {first.details}", reason=first.conflict)
    new = docs[obj.uri]
    if isinstance(obj, o.ReltioEntity):
        entity = o.entity_from_doc(new, obj, ctx.registry.get(ENTITY, obj.type), ctx.tenant, ctx.who, now)
        known = {(x["type"], x["value"]) for x in obj.crosswalks}
        added = [(ctx.tenant, x["type"], x["value"], obj.id) for x in entity.crosswalks
                 if (x["type"], x["value"]) not in known]
        await tx.entities.update_many([entity], added)
        tx.record(*trail.entities_updated([(obj, entity)]))
        return await entities.view(tx, ctx, entity)
    relation = o.relation_from_doc(new, obj, ctx.tenant, ctx.who, now)
    await tx.reltio_relations.update_many([relation])
    tx.record(*trail.relations_updated([(obj, relation)]))
    return await view_of(tx, ctx, relation)


def cumulative_ops(object_uri: str, body: Any) -> list[Op]:
    """The changes of a cumulative update (POST /entities/{id}/_update): Reltio's example names each
    value by its URI and gives `newValue` as an array; `attributePath` and a single `newValue`
    object are accepted too."""
    if not isinstance(body, list):
        raise Invalid("The request body must be a JSON array of changes", reason="INVALID_BODY")
    ops: list[Op] = []
    prefix = f"{object_uri}/attributes/"
    for i, raw in enumerate(body):
        where = f"[{i}]"
        if not isinstance(raw, dict):
            raise Invalid(f"{where}: each change must be a JSON object", reason="INVALID_BODY")
        kind = raw.get("type")
        if kind not in ch.ATTRIBUTE_ITEMS:
            raise Invalid(f"{where}: unsupported change type {str(kind)[:60]!r}; use one of "
                          f"{', '.join(ch.ATTRIBUTE_ITEMS)}")
        path = raw.get("attributePath")
        uri = raw.get("uri")
        if path is None:
            if not isinstance(uri, str) or not uri.startswith(prefix):
                raise Invalid(f"{where}: 'uri' must be an attribute URI of {object_uri} ({prefix}…)")
            path = uri[len(prefix):]
        if not isinstance(path, str):
            raise Invalid(f"{where}: 'attributePath' must be a string")
        if kind in (ch.PIN, ch.IGNORE):
            flag = raw.get("newPinOrIgnoreValue", raw.get("newValue", True))
            ops.append(Op(kind, path, flag=flag_of(flag, where)))
            continue
        values = raw.get("newValue")
        if kind == ch.DELETE:
            ops.append(Op(kind, path, crosswalk=raw.get("crosswalk")))
            continue
        if values is None:
            raise Invalid(f"{where}: 'newValue' is required for {kind}")
        listed = values if isinstance(values, list) else [values]
        if not listed or (kind == ch.UPDATE and len(listed) != 1):
            raise Invalid(f"{where}: {kind} takes exactly one new value" if kind == ch.UPDATE
                          else f"{where}: 'newValue' is empty")
        ops.extend(Op(kind, path, value, raw.get("crosswalk")) for value in listed)
    return ops


def flag_of(raw: Any, where: str) -> bool:
    if isinstance(raw, dict):
        raw = raw.get("value")
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "false"):
        return bool(raw == "true")
    raise Invalid(f"{where}: the flag must be true or false")

