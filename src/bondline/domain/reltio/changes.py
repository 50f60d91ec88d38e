"""Data change requests: the items a staged write becomes, how items apply to objects, and when an
item conflicts with what happened to its object since it was staged.

An item is kept with the wire fields Reltio shows for it (`attributePath`, `oldValue`, `newValue`,
`crosswalk`, `attributeType`, `newPinOrIgnoreValue`; `newValue` = the whole object for creations)
and the version its object had when it was staged (`base_version`, None for creations).

Conflicts (Reltio's names): an item conflicts when its object is gone (OBJECT_NOT_FOUND), its type
or attribute type is no longer declared (OBJECT_TYPE_NOT_FOUND, ATTRIBUTE_TYPE_NOT_FOUND), the value
it targets is gone (ATTRIBUTE_NOT_FOUND), or the object changed since the item was staged
(ATTRIBUTE_WAS_CHANGED: its version moved on). Applying with `ignoreConflicts` applies "as is":
items whose object changed are applied anyway, items that have nothing left to apply to are skipped.

Applying is a pure function of the items and the objects' documents (`run`): it copies the
documents it is given once, applies every item in order, and returns the new documents and the
conflicts it met, so the same code serves `_apply` and the `_withChangeRequests` preview.
"""

from __future__ import annotations

import copy
import dataclasses
import random
from collections.abc import Callable
from typing import Any

from bondline.domain.errors import Invalid
from bondline.domain.reltio import objects as o
from bondline.domain.reltio.errors import attribute_type_not_found, object_not_found
from bondline.domain.reltio.types import ENTITY, ENTITY_PREFIX, RELATION_PREFIX, AttrDef, ObjectType, Registry
from bondline.ids import ALPHABET

INSERT, UPDATE, DELETE = "INSERT_ATTRIBUTE", "UPDATE_ATTRIBUTE", "DELETE_ATTRIBUTE"
PIN, IGNORE = "PIN_ATTRIBUTE", "IGNORE_ATTRIBUTE"
CREATE_ENTITY, CREATE_RELATIONSHIP, DELETE_RELATIONSHIP = "CREATE_ENTITY", "CREATE_RELATIONSHIP", "DELETE_RELATIONSHIP"
ATTRIBUTE_ITEMS = (INSERT, UPDATE, DELETE, PIN, IGNORE)
ITEM_TYPES = ATTRIBUTE_ITEMS + (CREATE_ENTITY, CREATE_RELATIONSHIP, DELETE_RELATIONSHIP)
FLAG = {PIN: "pin", IGNORE: "ignored"}

AWAITING, APPLIED, REJECTED = "AWAITING_REVIEW", "APPLIED", "REJECTED"
DEFAULT_TYPE = "configuration/changeRequestTypes/default"

OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND"
OBJECT_TYPE_NOT_FOUND = "OBJECT_TYPE_NOT_FOUND"
ATTRIBUTE_TYPE_NOT_FOUND = "ATTRIBUTE_TYPE_NOT_FOUND"
ATTRIBUTE_NOT_FOUND = "ATTRIBUTE_NOT_FOUND"
ATTRIBUTE_WAS_CHANGED = "ATTRIBUTE_WAS_CHANGED"
# Conflicts that leave an item nothing to apply to: skipped even when conflicts are ignored.
UNAPPLICABLE = (OBJECT_NOT_FOUND, OBJECT_TYPE_NOT_FOUND, ATTRIBUTE_TYPE_NOT_FOUND, ATTRIBUTE_NOT_FOUND)


@dataclasses.dataclass(frozen=True, slots=True)
class ChangeRequest:
    tenant: str
    id: str
    state: str
    type: str
    external_info: dict[str, Any] | None
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str

    @property
    def uri(self) -> str:
        return f"changeRequests/{self.id}"


@dataclasses.dataclass(frozen=True, slots=True)
class Staged:
    """An item before it is stored (no id or position yet)."""

    object_uri: str
    type: str
    body: dict[str, Any]
    base_version: int | None


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    id: str
    request_id: str
    position: int
    object_uri: str
    type: str
    body: dict[str, Any]
    base_version: int | None
    created_at: int
    created_by: str


@dataclasses.dataclass(frozen=True, slots=True)
class ItemConflict:
    item: Item
    conflict: str
    details: str


def require_awaiting(cr: ChangeRequest, action: str) -> None:
    """A change request that was applied or rejected takes no more changes: Reltio answers 400
    (its documents declare no 409 for change requests), with a message that names the state."""
    if cr.state != AWAITING:
        raise Invalid(f"Change request {cr.uri} is in state {cr.state}; only a change request in state "
                      f"{AWAITING} can be {action}", reason="CHANGE_REQUEST_STATE_INVALID",
                      details={"uri": cr.uri, "state": cr.state})


# --- attribute paths ----------------------------------------------------------------------------

def split_path(path: str) -> list[str]:
    segs = path.split("/")
    if not path or any(not s for s in segs) or len(segs) > 8:
        raise Invalid(f"Invalid attribute path {path[:200]!r}")
    return segs


def attr_def(registry: Registry, t: ObjectType, names: list[str]) -> AttrDef | None:
    """The declaration of the attribute a path names (names at even positions: A, A/id/B, …)."""
    declared = t.attributes
    attr = None
    for name in names:
        attr = declared.get(name)
        if attr is None:
            return None
        if attr.kind == "reference":
            ref = registry.entity_types.get(attr.referenced_type or "")
            declared = ref.attributes if ref else {}
        else:
            declared = attr.attributes
    return attr


def type_uri_of(t: ObjectType, names: list[str]) -> str:
    return t.uri + "".join(f"/attributes/{n}" for n in names)


def locate(attributes: dict[str, Any], segs: list[str]) -> tuple[list[dict[str, Any]], int] | None:
    """The list holding the value a path names (``A/id`` or ``A/id/B/id``) and its index."""
    container: dict[str, Any] = attributes
    for depth in range(0, len(segs), 2):
        values = container.get(segs[depth])
        if not isinstance(values, list):
            return None
        index = next((i for i, v in enumerate(values) if v["id"] == segs[depth + 1]), None)
        if index is None:
            return None
        if depth + 2 == len(segs):
            return values, index
        container = values[index]["value"]
        if not isinstance(container, dict):
            return None
    return None


def parent_of(attributes: dict[str, Any], segs: list[str]) -> dict[str, Any] | None:
    """The attribute map a new value for ``A`` or ``A/id/B`` goes into."""
    if len(segs) == 1:
        return attributes
    found = locate(attributes, segs[:-1])
    if found is None:
        return None
    content = found[0][found[1]]["value"]
    return content if isinstance(content, dict) else None


def names_of(segs: list[str]) -> list[str]:
    return segs[0::2]


# --- building items (staging) -------------------------------------------------------------------

def _normalized(registry: Registry, attr: AttrDef, raw: Any, where: str, owner: str) -> dict[str, Any]:
    return o.Normalizer(registry, strict=True).value(attr, raw, where, owner)


def _crosswalk(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    kind, value = o.crosswalk_key(raw, "crosswalk")
    return {"type": kind, "value": value}


def _declared(registry: Registry, t: ObjectType, names: list[str]) -> AttrDef:
    top = t.attributes.get(names[0])
    if top is not None and top.kind == "reference":
        raise o.reference_not_here(t.uri, names[0])
    attr = attr_def(registry, t, names)
    if attr is None:
        raise attribute_type_not_found(type_uri_of(t, names[:-1]), names[-1])
    return attr


def stage_insert(registry: Registry, t: ObjectType, object_uri: str, attributes: dict[str, Any], version: int,
                 path: str, raw_value: Any, crosswalk: Any = None) -> Staged:
    """INSERT_ATTRIBUTE: `path` is ``A`` or ``A/{valueId}/B`` (a new value of B inside A's value)."""
    segs = split_path(path)
    if len(segs) % 2 == 0:
        raise Invalid(f"An inserted value's path names an attribute, not a value: {path[:200]!r}")
    attr = _declared(registry, t, names_of(segs))
    if parent_of(attributes, segs) is None:
        raise object_not_found(f"{object_uri}/attributes/{'/'.join(segs[:-1])}")
    value = _normalized(registry, attr, raw_value, path, t.uri)
    body: dict[str, Any] = {"attributePath": path, "newValue": o.wire_value(value)}
    xw = _crosswalk(crosswalk)
    if xw:
        body["crosswalk"] = xw
    body["attributeType"] = type_uri_of(t, names_of(segs))
    return Staged(object_uri, INSERT, body, version)


def _existing(attributes: dict[str, Any], object_uri: str, segs: list[str]) -> dict[str, Any]:
    found = locate(attributes, segs)
    if found is None:
        raise object_not_found(f"{object_uri}/attributes/{'/'.join(segs)}")
    return found[0][found[1]]


def _value_path(path: str) -> list[str]:
    segs = split_path(path)
    if len(segs) % 2:
        raise Invalid(f"The path must name a value (attribute/valueId): {path[:200]!r}")
    return segs


def stage_update(registry: Registry, t: ObjectType, object_uri: str, attributes: dict[str, Any], version: int,
                 path: str, raw_value: Any, crosswalk: Any = None) -> Staged:
    segs = _value_path(path)
    attr = _declared(registry, t, names_of(segs))
    current = _existing(attributes, object_uri, segs)
    value = _normalized(registry, attr, raw_value, path, t.uri)
    body: dict[str, Any] = {"attributePath": path, "oldValue": o.wire_value(current), "newValue": o.wire_value(value)}
    xw = _crosswalk(crosswalk)
    if xw:
        body["crosswalk"] = xw
    body["attributeType"] = type_uri_of(t, names_of(segs))
    return Staged(object_uri, UPDATE, body, version)


def stage_delete(registry: Registry, t: ObjectType, object_uri: str, attributes: dict[str, Any], version: int,
                 path: str, crosswalk: Any = None) -> Staged:
    segs = _value_path(path)
    _declared(registry, t, names_of(segs))
    current = _existing(attributes, object_uri, segs)
    body: dict[str, Any] = {"attributePath": path, "oldValue": o.wire_value(current)}
    xw = _crosswalk(crosswalk)
    if xw:
        body["crosswalk"] = xw
    body["attributeType"] = type_uri_of(t, names_of(segs))
    return Staged(object_uri, DELETE, body, version)


def stage_flag(kind: str, registry: Registry, t: ObjectType, object_uri: str, attributes: dict[str, Any],
               version: int, path: str, flag: bool) -> Staged:
    """PIN_ATTRIBUTE / IGNORE_ATTRIBUTE: `oldValue` carries the flag as it is now."""
    segs = _value_path(path)
    _declared(registry, t, names_of(segs))
    current = _existing(attributes, object_uri, segs)
    old = o.wire_value(current)
    old[FLAG[kind]] = bool(current.get(FLAG[kind], False))
    body = {"attributePath": path, "oldValue": old, "newPinOrIgnoreValue": flag,
            "attributeType": type_uri_of(t, names_of(segs))}
    return Staged(object_uri, kind, body, version)


def stage_create(kind: str, view: dict[str, Any]) -> Staged:
    """CREATE_ENTITY / CREATE_RELATIONSHIP: `newValue` is the object as it will be (its URI is the
    one it gets when the change request is applied)."""
    return Staged(view["uri"], kind, {"newValue": view}, None)


def stage_delete_relation(relation_uri: str, version: int) -> Staged:
    return Staged(relation_uri, DELETE_RELATIONSHIP, {}, version)


# --- documents items apply to -------------------------------------------------------------------

def entity_doc(e: o.ReltioEntity) -> dict[str, Any]:
    return {"kind": ENTITY, "id": e.id, "type": e.type, "attributes": e.attributes, "crosswalks": e.crosswalks,
            "tags": e.tags, "roles": e.roles, "version": e.version, "exists": True}


def relation_doc(r: o.ReltioRelation) -> dict[str, Any]:
    return {"kind": "relation", "id": r.id, "type": r.type, "attributes": r.attributes, "crosswalks": r.crosswalks,
            "flags": r.flags, "start_id": r.start_id, "end_id": r.end_id, "version": r.version, "exists": True}


def _doc_from_view(registry: Registry, view: dict[str, Any], t: ObjectType, now: int) -> dict[str, Any]:
    """The document of an object a creation item will create, keeping the ids its preview showed."""
    object_uri = view["uri"]
    attributes = o.Normalizer(registry, strict=False, preserve=True).attributes(
        t.attributes, view.get("attributes"), "newValue", t.uri)
    xws = []
    owners: dict[str, str] = {}
    for raw in view.get("crosswalks") or []:
        kind, value = o.crosswalk_key(raw, "newValue.crosswalks")
        xw_id = str(raw.get("uri", "")).rsplit("/", 1)[-1] or o.new_value_id()
        xws.append({"id": xw_id, "type": kind, "value": value, "created": now, "updated": now})
        for uri in raw.get("attributes") or []:
            owners[uri] = xw_id
    _assign_owners(attributes, f"{object_uri}/attributes", owners)
    kind_, _, object_id = object_uri.partition("/")
    doc: dict[str, Any] = {"kind": t.kind, "id": object_id, "type": t.name, "attributes": attributes,
                           "crosswalks": xws, "version": None, "exists": True, "created": True}
    if t.kind == ENTITY:
        doc["tags"] = list(view.get("tags") or [])
        doc["roles"] = list(view.get("roles") or [])
    else:
        doc["start_id"] = str(view["startObject"]["objectURI"]).partition("/")[2]
        doc["end_id"] = str(view["endObject"]["objectURI"]).partition("/")[2]
        doc["flags"] = {f: bool(view.get(f, False)) for f in o.FLAGS}
    return doc


def _assign_owners(attributes: dict[str, Any], base: str, owners: dict[str, str]) -> None:
    for name, values in attributes.items():
        for v in values:
            uri = f"{base}/{name}/{v['id']}"
            if uri in owners:
                v["x"] = owners[uri]
            if isinstance(v["value"], dict):
                _assign_owners(v["value"], uri, owners)


def value_ids(item: Item) -> Callable[[], str]:
    """Ids for the values an item creates, drawn from the item's own id: applying an item gives its
    values the ids its preview showed."""
    rng = random.Random(f"{item.request_id}/{item.id}")
    return lambda: "".join(rng.choice(ALPHABET) for _ in range(o.VALUE_ID_LEN))


def _owner(doc: dict[str, Any], crosswalk: dict[str, Any] | None, now: int, new_id: Callable[[], str]) -> str | None:
    if not crosswalk:
        return None
    found = o.find_crosswalk(doc["crosswalks"], crosswalk["type"], crosswalk["value"])
    if found is None:
        found = {"id": new_id(), "type": crosswalk["type"], "value": crosswalk["value"], "created": now,
                 "updated": now}
        doc["crosswalks"].append(found)
    owner: str = found["id"]
    return owner


def _type_of(registry: Registry, doc: dict[str, Any]) -> ObjectType | None:
    return registry.get(doc["kind"], doc["type"])


def _creation_type(registry: Registry, item: Item) -> tuple[ObjectType | None, str]:
    uri = item.body.get("newValue", {}).get("type", "")
    prefix = ENTITY_PREFIX if item.type == CREATE_ENTITY else RELATION_PREFIX
    name = uri[len(prefix):] if isinstance(uri, str) and uri.startswith(prefix) else ""
    return registry.get(ENTITY if item.type == CREATE_ENTITY else "relation", name), str(uri)


def conflict_of(registry: Registry, item: Item, docs: dict[str, dict[str, Any]]) -> tuple[str, str] | None:
    """Why `item` cannot be applied to the documents as they are now (None: it can)."""
    tenant = registry.tenant
    if item.type in (CREATE_ENTITY, CREATE_RELATIONSHIP):
        t, type_uri = _creation_type(registry, item)
        if t is None:
            return OBJECT_TYPE_NOT_FOUND, f"Code: TYPE_IS_NOT_FOUND; Message parameters: [{type_uri}, {tenant}]"
        if item.type == CREATE_RELATIONSHIP:
            view = item.body["newValue"]
            for side in ("startObject", "endObject"):
                uri = str(view.get(side, {}).get("objectURI", ""))
                end = docs.get(uri)
                if end is None or not end["exists"]:
                    return OBJECT_NOT_FOUND, f"Code: OBJECT_NOT_FOUND; Message parameters: [{uri}]"
        return None
    doc = docs.get(item.object_uri)
    if doc is None or not doc["exists"]:
        return OBJECT_NOT_FOUND, f"Code: OBJECT_NOT_FOUND; Message parameters: [{item.object_uri}]"
    t = _type_of(registry, doc)
    if t is None:
        prefix = ENTITY_PREFIX if doc["kind"] == ENTITY else RELATION_PREFIX
        return OBJECT_TYPE_NOT_FOUND, f"Code: TYPE_IS_NOT_FOUND; Message parameters: [{prefix}{doc['type']}, {tenant}]"
    if item.type in ATTRIBUTE_ITEMS:
        segs = split_path(item.body["attributePath"])
        names = names_of(segs)
        if attr_def(registry, t, names) is None:
            return ATTRIBUTE_TYPE_NOT_FOUND, f"Attribute type {type_uri_of(t, names)} is not found"
        if item.type == INSERT:
            if parent_of(doc["attributes"], segs) is None:
                return ATTRIBUTE_NOT_FOUND, f"{item.object_uri}/attributes/{'/'.join(segs[:-1])} not found"
        elif locate(doc["attributes"], segs) is None:
            return ATTRIBUTE_NOT_FOUND, f"{item.object_uri}/attributes/{'/'.join(segs)} not found"
    if item.base_version is not None and doc.get("version") is not None and doc["version"] != item.base_version:
        return ATTRIBUTE_WAS_CHANGED, (f"{item.object_uri} was changed after the item was added "
                                       f"(version {item.base_version}, now {doc['version']})")
    return None


def _apply_one(registry: Registry, item: Item, docs: dict[str, dict[str, Any]], now: int) -> None:
    if item.type in (CREATE_ENTITY, CREATE_RELATIONSHIP):
        t, _ = _creation_type(registry, item)
        assert t is not None
        docs[item.object_uri] = _doc_from_view(registry, item.body["newValue"], t, now)
        return
    doc = docs[item.object_uri]
    doc["changed"] = True
    if item.type == DELETE_RELATIONSHIP:
        doc["exists"] = False
        return
    t = _type_of(registry, doc)
    assert t is not None
    segs = split_path(item.body["attributePath"])
    new_id = value_ids(item)
    if item.type == INSERT:
        attr = attr_def(registry, t, names_of(segs))
        assert attr is not None
        owner = _owner(doc, item.body.get("crosswalk"), now, new_id)
        normalizer = o.Normalizer(registry, strict=False, crosswalk_id=owner, new_id=new_id)
        value = normalizer.value(attr, item.body["newValue"], item.body["attributePath"], t.uri)
        parent = parent_of(doc["attributes"], segs)
        assert parent is not None
        parent.setdefault(segs[-1], []).append(value)
        return
    found = locate(doc["attributes"], segs)
    assert found is not None
    values, index = found
    if item.type == UPDATE:
        attr = attr_def(registry, t, names_of(segs))
        assert attr is not None
        owner = _owner(doc, item.body.get("crosswalk"), now, new_id)
        fresh = o.Normalizer(registry, strict=False, new_id=new_id).value(attr, item.body["newValue"],
                                                                          item.body["attributePath"], t.uri)
        old = values[index]
        fresh["id"] = old["id"]
        for keep in ("pin", "ignored", "x"):
            if keep in old:
                fresh[keep] = old[keep]
        if owner is not None:
            fresh["x"] = owner
        values[index] = fresh
    elif item.type == DELETE:
        del values[index]
        if not values:
            parent = parent_of(doc["attributes"], segs[:-1])
            if parent is not None and not parent.get(segs[-2]):
                parent.pop(segs[-2], None)
    else:
        flag = FLAG[item.type]
        if item.body.get("newPinOrIgnoreValue"):
            values[index][flag] = True
        else:
            values[index].pop(flag, None)


def run(registry: Registry, items: list[Item], docs: dict[str, dict[str, Any]], *, ignore_conflicts: bool,
        now: int) -> tuple[dict[str, dict[str, Any]], list[ItemConflict]]:
    """Apply `items` in order to (a copy of) `docs`; returns the new documents (changed ones marked
    ``changed``, created ones ``created``, deleted relations ``exists: False``) and every conflict met.
    Without `ignore_conflicts` a conflicted item is not applied; with it, only items with nothing to
    apply to are skipped."""
    work = copy.deepcopy(docs)
    conflicts: list[ItemConflict] = []
    for item in items:
        found = conflict_of(registry, item, work)
        if found is not None:
            conflicts.append(ItemConflict(item, found[0], found[1]))
            if not ignore_conflicts or found[0] in UNAPPLICABLE:
                continue
        _apply_one(registry, item, work, now)
    return work, conflicts


def object_uris(items: list[Item]) -> tuple[set[str], set[str]]:
    """Entity ids and relation ids the items touch (creations' start and end entities included)."""
    entities: set[str] = set()
    relations: set[str] = set()
    for item in items:
        kind, _, object_id = item.object_uri.partition("/")
        (entities if kind == "entities" else relations).add(object_id)
        if item.type == CREATE_RELATIONSHIP:
            view = item.body.get("newValue", {})
            for side in ("startObject", "endObject"):
                uri = str(view.get(side, {}).get("objectURI", ""))
                if uri.startswith("entities/"):
                    entities.add(uri[9:])
    return entities, relations
