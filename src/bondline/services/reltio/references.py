"""Reference attributes, as Reltio has them: an Organization's `Address` is not stored in the
Organization but made of relations — each `HasAddress` relation from it to a `Location` is one value,
shown with the Location's attributes and the relation's.

`load` finds those relations for entities about to be rendered. `Planner` turns posted reference
values into the referenced entities (found by `objectURI` or crosswalk, or new) and the relations,
for POST /entities to write directly or stage in a change request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from bondline.domain.errors import Invalid
from bondline.domain.reltio import objects as o
from bondline.domain.reltio.errors import object_not_found
from bondline.domain.reltio.types import ENTITY, RELATION, ObjectType
from bondline.services.reltio.tenants import TenantContext
from bondline.store.unit import Tx


async def load(tx: Tx, ctx: TenantContext, entities: Iterable[o.ReltioEntity]) -> dict[str, o.References]:
    """For each entity (by id), its reference attributes' values: relations of each reference
    attribute's relationship type that start at it and end at an entity of the referenced type,
    oldest first."""
    plans: dict[str, list[tuple[str, str, str]]] = {}
    for e in entities:
        t = ctx.registry.get(ENTITY, e.type)
        refs = [(a.name, a.relationship_type or "", a.referenced_type or "")
                for a in (t.attributes.values() if t else ()) if a.kind == "reference"]
        if refs:
            plans[e.id] = refs
    if not plans:
        return {}
    relations = await tx.reltio_relations.from_entities(
        ctx.tenant, list(plans), types={rt for refs in plans.values() for _, rt, _ in refs})
    relevant = [r for r in relations if any(r.type == rt for _, rt, _ in plans.get(r.start_id, []))]
    targets = await tx.entities.get_many(ctx.tenant, {r.end_id for r in relevant})
    out: dict[str, o.References] = {}
    for rel in sorted(relevant, key=lambda r: (r.created_at, r.id)):
        target = targets.get(rel.end_id)
        for name, rel_type, ref_type in plans[rel.start_id]:
            if rel.type == rel_type and target is not None and target.type == ref_type:
                out.setdefault(rel.start_id, {}).setdefault(name, []).append((rel, target))
    return out


@dataclasses.dataclass(slots=True)
class RelationPlan:
    relation: o.ReltioRelation
    new: bool
    original: o.ReltioRelation | None
    start: o.ReltioEntity
    end: o.ReltioEntity


def split(ref: o.ReferenceValue, target: ObjectType, relation: ObjectType) -> tuple[dict[str, Any], dict[str, Any]]:
    """The posted sub-values that belong to the referenced entity, and those that belong to the
    relation (Reltio shows both inside the value); others are dropped like any undeclared attribute."""
    entity_part = {k: v for k, v in ref.content.items() if k in target.attributes}
    relation_part = {k: v for k, v in ref.content.items() if k in relation.attributes and k not in entity_part}
    return entity_part, relation_part


async def check(tx: Tx, ctx: TenantContext, owner_type: ObjectType, ref: o.ReferenceValue,
                batch_types: dict[tuple[str, str], str]) -> tuple[ObjectType, ObjectType]:
    """Everything that could make a reference value fail, checked before anything of its item is
    prepared (so a failing item leaves nothing behind): the types, the referenced entity, the
    crosswalks (`batch_types`: types of the entities earlier items of the batch hold them for), and
    the values themselves."""
    target = ctx.registry.get(ENTITY, ref.attr.referenced_type or "")
    relation = ctx.registry.get(RELATION, ref.attr.relationship_type or "")
    if target is None or relation is None:
        raise Invalid(f"{ref.where}: the reference's types are not declared", reason="TYPE_REQUIRED")
    if relation.start_types and owner_type.name not in relation.start_types:
        raise Invalid(f"{ref.where}: {relation.uri} cannot start at an entity of type {owner_type.uri}")
    if relation.end_types and target.name not in relation.end_types:
        raise Invalid(f"{ref.where}: {relation.uri} cannot end at an entity of type {target.uri}")
    if ref.object_uri is not None:
        found = await tx.entities.get(ctx.tenant, ref.object_uri[9:])
        if found is None:
            raise object_not_found(ref.object_uri)
        if found.type != target.name:
            raise Invalid(f"{ref.where}: {ref.object_uri} is not a {target.uri}")
    for kind, value in _keys(ref.entity_crosswalks, f"{ref.where}.refEntity"):
        owner_type_name = batch_types.get((kind, value))
        if owner_type_name is None:
            owner = await tx.entities.by_crosswalk(ctx.tenant, kind, value)
            found = await tx.entities.get(ctx.tenant, owner) if owner is not None else None
            owner_type_name = found.type if found is not None else None
        if owner_type_name is not None and owner_type_name != target.name:
            raise Invalid(f"{ref.where}: the refEntity crosswalk belongs to an entity that is not a {target.uri}")
    _keys(ref.relation_crosswalks, f"{ref.where}.refRelation")
    entity_part, relation_part = split(ref, target, relation)
    dry = o.Normalizer(ctx.registry, strict=False)
    dry.attributes(target.attributes, entity_part, ref.where, target.uri)
    dry.attributes(relation.attributes, relation_part, ref.where, relation.uri)
    return target, relation


def _keys(raw: Any, where: str) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise Invalid(f"{where}.crosswalks must be an array")
    return [o.crosswalk_key(x, f"{where}.crosswalks[{i}]") for i, x in enumerate(raw[:20])]


class Planner:
    """Plans the entities and relations behind the reference values of one POST /entities batch."""

    def __init__(self, tx: Tx, ctx: TenantContext, now: int) -> None:
        self.tx = tx
        self.ctx = ctx
        self.now = now
        self.relations: dict[tuple[str, str, str], RelationPlan] = {}

    async def target_raw(self, ref: o.ReferenceValue, target: ObjectType, entity_part: dict[str, Any]
                         ) -> dict[str, Any]:
        """The referenced entity as a POST /entities item (it is then saved like one)."""
        raw: dict[str, Any] = {"type": target.uri, "attributes": entity_part}
        if ref.object_uri is not None:
            found = await self.tx.entities.get(self.ctx.tenant, ref.object_uri[9:])
            if found is None:  # `check` found it earlier in this transaction
                raise object_not_found(ref.object_uri)
            raw["crosswalks"] = [{"type": found.crosswalks[0]["type"], "value": found.crosswalks[0]["value"]}]
        elif ref.entity_crosswalks:
            raw["crosswalks"] = ref.entity_crosswalks
        return raw

    async def relate(self, ref: o.ReferenceValue, relation_type: ObjectType, start: o.ReltioEntity, end: o.ReltioEntity,
                     relation_part: dict[str, Any]) -> None:
        key = (relation_type.name, start.id, end.id)
        earlier = self.relations.get(key)
        base = earlier.relation if earlier else await self.tx.reltio_relations.by_key(
            self.ctx.tenant, relation_type.name, start.id, end.id)
        xws = o.crosswalks(ref.relation_crosswalks, f"{ref.where}.refRelation", self.now)
        if base is None:
            relation_id = o.new_object_id()
            xws = xws or [o.default_crosswalk(relation_id, self.now)]
            attributes = o.Normalizer(self.ctx.registry, strict=False, crosswalk_id=xws[0]["id"]).attributes(
                relation_type.attributes, relation_part, ref.where, relation_type.uri)
            rel = o.ReltioRelation(self.ctx.tenant, relation_id, relation_type.name, start.id, end.id, attributes, xws,
                             {f: False for f in o.FLAGS}, 1, self.now, self.ctx.who, self.now, self.ctx.who)
            self.relations[key] = RelationPlan(rel, True, None, start, end)
            return
        owner = next((o.find_crosswalk(base.crosswalks, x["type"], x["value"]) for x in xws
                      if o.find_crosswalk(base.crosswalks, x["type"], x["value"])), None)
        added = [x for x in xws if o.find_crosswalk(base.crosswalks, x["type"], x["value"]) is None]
        owner = owner or (added[0] if added else base.crosswalks[0] if base.crosswalks else None)
        owner_id = owner["id"] if owner else ""
        posted = o.Normalizer(self.ctx.registry, strict=False, crosswalk_id=owner_id).attributes(
            relation_type.attributes, relation_part, ref.where, relation_type.uri)
        merged = o.merge_contribution(base.attributes, posted, owner_id, partial=True)
        rel = dataclasses.replace(base, attributes=merged, crosswalks=base.crosswalks + added,
                                  version=base.version + (0 if earlier and earlier.new else 1),
                                  updated_at=self.now, updated_by=self.ctx.who)
        if earlier is not None:
            earlier.relation = rel
            earlier.start, earlier.end = start, end
        else:
            self.relations[key] = RelationPlan(rel, False, base, start, end)

