"""Entities and relations as documents: attribute values, crosswalks, labels, and their wire form.

Stored form (what the store keeps as JSON, compact and independent of the object's URI):

    attributes = {"FirstName": [{"id": "3Z3Tq6BBE", "value": "William", "x": "3Z3Tq6SEG"}],
                  "Phone": [{"id": "…", "value": {"Number": [{"id": "…", "value": "555"}]}}]}
    crosswalks = [{"id": "3Z3Tq6SEG", "type": "configuration/sources/LNKD", "value": "LNKD.123456",
                   "created": 1609325607520, "updated": 1609325607520}]

`x` names the crosswalk a value came from (rendered as the crosswalk's `attributes` list), `pin` and
`ignored` are the value's flags. Value ids are 9 base62 characters as in Reltio
(`entities/1jc0x5UK/attributes/FirstName/3Z3Tq6BBE`).

Reference attributes (Organization's `Address`) are not stored in the entity: as in Reltio, each value
is a relation of the attribute's relationship type to an entity of the referenced type, rendered
from that entity's attributes and the relation's (`render_reference`).

Wire form (Reltio's EntityTO/RelationTO) is computed on the way out: `type` and `uri` of every
value, `ov` for the winning value of each attribute, labels.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import msgspec

from bondline import ids
from bondline.domain.errors import Invalid
from bondline.domain.reltio.errors import attribute_type_not_found
from bondline.domain.reltio.types import ENTITY_PREFIX, RELATION_PREFIX, AttrDef, ObjectType, Registry

VALUE_ID_LEN = 9
OBJECT_ID = re.compile(r"^[0-9A-Za-z]{1,16}$")
SOURCE_PREFIX = "configuration/sources/"
RELTIO_SOURCE = SOURCE_PREFIX + "Reltio"
MAX_VALUE = 16_384
MAX_VALUES = 1_000
MAX_CROSSWALK = 255


def new_value_id() -> str:
    return ids.random_base62(VALUE_ID_LEN)


def new_object_id() -> str:
    """Entity and relation ids: 8 base62 characters, as Reltio's newer ids (`1Gwx4bXN`)."""
    return ids.random_base62(8)


def check_object_id(raw: str, collection: str) -> str:
    """Ids in paths are short base62 strings; anything else cannot name an object."""
    if not OBJECT_ID.match(raw):
        from bondline.domain.reltio.errors import object_not_found

        raise object_not_found(f"{collection}/{raw[:40]}")
    return raw


@dataclasses.dataclass(frozen=True, slots=True)
class ReltioEntity:
    tenant: str
    id: str
    type: str  # short type name, e.g. "Individual"
    attributes: dict[str, Any]
    crosswalks: list[dict[str, Any]]
    tags: list[str]
    roles: list[str]
    label: str
    secondary_label: str
    version: int
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str

    @property
    def uri(self) -> str:
        return f"entities/{self.id}"


FLAGS = ("startRefPinned", "startRefIgnored", "endRefPinned", "endRefIgnored")


@dataclasses.dataclass(frozen=True, slots=True)
class ReltioRelation:
    tenant: str
    id: str
    type: str  # short type name, e.g. "HasAddress"
    start_id: str
    end_id: str
    attributes: dict[str, Any]
    crosswalks: list[dict[str, Any]]
    flags: dict[str, bool]
    version: int
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str
    row_id: int | None = None

    @property
    def uri(self) -> str:
        return f"relations/{self.id}"


# --- reading values from requests ---------------------------------------------------------------

def _as_list(raw: Any, where: str) -> list[Any]:
    """Reltio's examples give an attribute's values as an array, or (loosely) as one object."""
    if isinstance(raw, list):
        if len(raw) > MAX_VALUES:
            raise Invalid(f"{where}: at most {MAX_VALUES} values")
        return raw
    if isinstance(raw, dict):
        return [raw]
    raise Invalid(f"{where}: expected an array of values, got {type(raw).__name__}")


def scalar(raw: Any, where: str) -> str:
    """A simple value is a string on the wire; numbers and booleans are accepted and kept as text."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, float)):
        return str(raw)
    if not isinstance(raw, str):
        raise Invalid(f"{where}: a simple attribute's value must be a string, got {type(raw).__name__}")
    if len(raw) > MAX_VALUE:
        raise Invalid(f"{where}: the value is longer than {MAX_VALUE} characters")
    return raw


def _preserved_id(raw: dict[str, Any]) -> str | None:
    uri = raw.get("uri")
    if isinstance(uri, str):
        tail = uri.rsplit("/", 1)[-1]
        if OBJECT_ID.match(tail):
            return tail
    return None


class Normalizer:
    """Turns wire attribute values into the stored form, checked against the declared types.

    `strict`: unknown attribute names are errors (attribute endpoints, change items); otherwise they
    are dropped, as Reltio's POST /entities does (its documented example sends `BithCity`, which the
    response leaves out). `preserve`: keep value ids given in `uri`s (staged creations keep the ids
    their preview showed)."""

    def __init__(self, registry: Registry, *, strict: bool, crosswalk_id: str | None = None,
                 preserve: bool = False, new_id: Callable[[], str] | None = None,
                 references: list[ReferenceValue] | None = None) -> None:
        self.registry = registry
        self.strict = strict
        self.xw = crosswalk_id
        self.preserve = preserve
        self.new_id = new_id or new_value_id
        # Where reference values go (POST /entities makes entities and relations of them); None:
        # they are refused (strict) or dropped.
        self.references = references

    def attributes(self, declared: dict[str, AttrDef], raw: Any, where: str, owner_uri: str) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise Invalid(f"{where}: 'attributes' must be a JSON object")
        out: dict[str, Any] = {}
        for name, values in raw.items():
            attr = declared.get(name)
            if attr is None:
                if self.strict:
                    raise attribute_type_not_found(owner_uri, name)
                continue
            if attr.kind == "reference":
                if self.references is None:
                    if self.strict:
                        raise reference_not_here(owner_uri, name)
                    continue
                self.references.extend(parse_reference(attr, v, f"{where}.{name}")
                                       for v in _as_list(values, f"{where}.{name}"))
                continue
            normalized = [self.value(attr, v, f"{where}.{name}", owner_uri)
                          for v in _as_list(values, f"{where}.{name}")]
            if normalized:
                out[name] = normalized
        return out

    def value(self, attr: AttrDef, raw: Any, where: str, owner_uri: str) -> dict[str, Any]:
        if isinstance(raw, dict):
            if "value" not in raw:
                raise Invalid(f"{where}: each value needs a 'value'")
            content = raw["value"]
        else:
            content, raw = raw, {}
        stored: dict[str, Any] = {"id": (self.preserve and _preserved_id(raw)) or self.new_id()}
        if attr.kind == "simple":
            stored["value"] = scalar(content, where)
        else:
            if not isinstance(content, dict):
                raise Invalid(f"{where}: a {attr.type} attribute's value must be an object of sub-attributes")
            stored["value"] = self.attributes(attr.attributes, content, where, f"{owner_uri}/attributes/{attr.name}")
        for flag in ("pin", "ignored"):
            if raw.get(flag) is True:
                stored[flag] = True
        if self.xw is not None:
            stored["x"] = self.xw
        return stored


def reference_not_here(owner_uri: str, name: str) -> Invalid:
    return Invalid(f"{owner_uri}/attributes/{name} is a reference attribute: its values are relations, changed "
                   "through POST /entities (with refEntity) or the relation itself", reason="REFERENCE_ATTRIBUTE")


@dataclasses.dataclass(frozen=True, slots=True)
class ReferenceValue:
    """A reference attribute's value as posted: the referenced entity (by `objectURI`, by crosswalks,
    or a new one), the values for it and for the relation, and the relation's crosswalks."""

    attr: AttrDef
    content: dict[str, Any]
    object_uri: str | None
    entity_crosswalks: Any
    relation_crosswalks: Any
    where: str


def parse_reference(attr: AttrDef, raw: Any, where: str) -> ReferenceValue:
    if not isinstance(raw, dict):
        raise Invalid(f"{where}: a reference value must be an object with 'value' (and 'refEntity')")
    content = raw.get("value", {})
    if not isinstance(content, dict):
        raise Invalid(f"{where}: a Reference attribute's value must be an object of sub-attributes")
    ref_entity = raw.get("refEntity") or {}
    ref_relation = raw.get("refRelation") or {}
    if not isinstance(ref_entity, dict) or not isinstance(ref_relation, dict):
        raise Invalid(f"{where}: refEntity and refRelation must be objects")
    uri = ref_entity.get("objectURI")
    if uri is not None and (not isinstance(uri, str) or not uri.startswith("entities/")
                            or not OBJECT_ID.match(uri[9:])):
        raise Invalid(f"{where}: refEntity.objectURI must be an entity URI (entities/{{id}})")
    return ReferenceValue(attr, content, uri, ref_entity.get("crosswalks"), ref_relation.get("crosswalks"), where)


# --- crosswalks ---------------------------------------------------------------------------------

def crosswalk_key(raw: Any, where: str) -> tuple[str, str]:
    """(type, value) of a crosswalk as a request gives it."""
    if not isinstance(raw, dict):
        raise Invalid(f"{where}: a crosswalk must be an object with 'type' and 'value'")
    kind, value = raw.get("type"), raw.get("value")
    if not isinstance(kind, str) or not kind.startswith(SOURCE_PREFIX) or len(kind) > MAX_CROSSWALK:
        raise Invalid(f"{where}: crosswalk 'type' must be a {SOURCE_PREFIX}… URI")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > MAX_CROSSWALK:
        raise Invalid(f"{where}: crosswalk 'value' must be a string of 1-{MAX_CROSSWALK} characters")
    return kind, value


def crosswalks(raw: Any, where: str, now: int) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise Invalid(f"{where}: 'crosswalks' must be an array")
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(raw[:100]):
        kind, value = crosswalk_key(item, f"{where}.crosswalks[{i}]")
        if (kind, value) in seen:
            continue
        seen.add((kind, value))
        stored: dict[str, Any] = {"id": new_value_id(), "type": kind, "value": value, "created": now, "updated": now}
        for extra in ("sourceTable", "url"):
            if isinstance(item.get(extra), str):
                stored[extra] = item[extra][:MAX_CROSSWALK]
        out.append(stored)
    return out


def find_crosswalk(xws: list[dict[str, Any]], kind: str, value: str) -> dict[str, Any] | None:
    for xw in xws:
        if xw["type"] == kind and xw["value"] == value:
            return xw
    return None


def default_crosswalk(object_id: str, now: int) -> dict[str, Any]:
    """An object created without crosswalks gets Reltio's own one, valued with the object's id."""
    return {"id": new_value_id(), "type": RELTIO_SOURCE, "value": object_id, "created": now, "updated": now}


def tags(raw: Any, where: str, name: str = "tags") -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(t, str) and len(t) <= 255 for t in raw):
        raise Invalid(f"{where}: '{name}' must be an array of strings")
    return list(dict.fromkeys(raw))[:100]


def check_flags(raw: dict[str, Any], where: str) -> None:
    """A posted relation's `startRefPinned`, … are JSON booleans (bool("false") would pin)."""
    for flag in FLAGS:
        if flag in raw and not isinstance(raw[flag], bool):
            raise Invalid(f"{where}: '{flag}' must be true or false")


def no_nulls(raw: dict[str, Any], names: tuple[str, ...], where: str) -> None:
    """Properties a posted object may leave out but not give as null (EntityTO and RelationTO do not
    make them nullable): `"crosswalks": null` is refused, not read as no crosswalks."""
    for name in names:
        if name in raw and raw[name] is None:
            raise Invalid(f"{where}: '{name}' must not be null: leave it out instead")


# --- survivorship and labels --------------------------------------------------------------------

def winner(values: list[dict[str, Any]]) -> int | None:
    """Index of the operational value (ov) of one attribute: a pinned value wins; otherwise the
    most recently added value that is not ignored (Reltio's default "last update" strategy, with
    insertion order standing for update time). Ignored values never win."""
    best = None
    for i, v in enumerate(values):
        if v.get("ignored"):
            continue
        if v.get("pin"):
            return i
        best = i
    return best


def ov_value(attributes: dict[str, Any], name: str) -> str | None:
    values = attributes.get(name) or []
    i = winner(values)
    value = None if i is None else values[i]["value"]
    return value if isinstance(value, str) else None


_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


def label(pattern: str, attributes: dict[str, Any]) -> str:
    """A label from a pattern such as ``{FirstName} {LastName}`` and the operational values."""
    if not pattern:
        return ""
    text = _PLACEHOLDER.sub(lambda m: ov_value(attributes, m.group(1)) or "", pattern)
    return " ".join(text.split())


def labels(t: ObjectType | None, attributes: dict[str, Any]) -> tuple[str, str]:
    if t is None:
        return "", ""
    return label(t.label_pattern, attributes), label(t.secondary_label_pattern, attributes)


# --- wire form ----------------------------------------------------------------------------------

def render_values(values: list[dict[str, Any]], name: str, type_base: str, uri_base: str) -> list[dict[str, Any]]:
    """`type_base` is the attribute's type URI without `/attributes/{name}`, `uri_base` the URI of
    the value's container without `/attributes` for sub-values."""
    won = winner(values)
    out = []
    for i, v in enumerate(values):
        t = f"{type_base}/attributes/{name}"
        uri = f"{uri_base}/{name}/{v['id']}"
        content = v["value"]
        item: dict[str, Any]
        if isinstance(content, dict):
            rendered = {k: render_values(vs, k, t, uri) for k, vs in content.items()}
            item = {"type": t, "label": _nested_label(content), "value": rendered, "ov": i == won, "uri": uri}
        else:
            item = {"type": t, "ov": i == won, "value": content, "uri": uri}
        if v.get("pin"):
            item["pin"] = True
        if v.get("ignored"):
            item["ignored"] = True
        out.append(item)
    return out


def _nested_label(content: dict[str, Any]) -> str:
    parts = []
    for values in content.values():
        i = winner(values)
        if i is not None and isinstance(values[i]["value"], str):
            parts.append(values[i]["value"])
    return " ".join(parts)


def render_attributes(attributes: dict[str, Any], type_uri: str, object_uri: str,
                      ov_filter: str | None = None) -> dict[str, Any]:
    out = {}
    for name, values in attributes.items():
        rendered = render_values(values, name, type_uri, f"{object_uri}/attributes")
        if ov_filter == "ovOnly":
            rendered = [v for v in rendered if v["ov"]]
        elif ov_filter == "nonOvOnly":
            rendered = [v for v in rendered if not v["ov"]]
        if rendered:
            out[name] = rendered
    return out


def _contributed(attributes: dict[str, Any], uri_base: str, xw_id: str, out: list[str]) -> None:
    for name, values in attributes.items():
        for v in values:
            uri = f"{uri_base}/{name}/{v['id']}"
            if v.get("x") == xw_id:
                out.append(uri)
            if isinstance(v["value"], dict):
                _contributed(v["value"], uri, xw_id, out)


def render_crosswalks(xws: list[dict[str, Any]], attributes: dict[str, Any], object_uri: str) -> list[dict[str, Any]]:
    out = []
    for xw in xws:
        contributed: list[str] = []
        _contributed(attributes, f"{object_uri}/attributes", xw["id"], contributed)
        item: dict[str, Any] = {"uri": f"{object_uri}/crosswalks/{xw['id']}", "type": xw["type"], "value": xw["value"]}
        for extra in ("sourceTable", "url"):
            if extra in xw:
                item[extra] = xw[extra]
        item.update({"reltioLoadDate": ids.iso(xw["created"]), "createDate": ids.iso(xw["created"]),
                     "updateDate": ids.iso(xw["updated"]), "attributes": contributed, "singleAttributeUpdateDates": {}})
        out.append(item)
    return out


References = dict[str, list[tuple["ReltioRelation", "ReltioEntity | None"]]]


def render_reference(e: ReltioEntity, name: str, rel: ReltioRelation, target: ReltioEntity | None) -> dict[str, Any]:
    """One value of a reference attribute: the relation `rel` from `e` to `target`, shown with the
    target's attributes and the relation's (ReferenceAttributeValueTO)."""
    uri = f"{e.uri}/attributes/{name}/{rel.id}"
    value: dict[str, Any] = {}
    if target is not None:
        value.update({k: render_values(vs, k, ENTITY_PREFIX + target.type, uri) for k, vs in target.attributes.items()})
    value.update({k: render_values(vs, k, RELATION_PREFIX + rel.type, uri) for k, vs in rel.attributes.items()})
    item: dict[str, Any] = {
        "type": f"{ENTITY_PREFIX}{e.type}/attributes/{name}", "label": target.label if target else "",
        "relationshipLabel": "", "value": value, "ov": not rel.flags.get("startRefIgnored", False), "uri": uri,
    }
    ref_entity: dict[str, Any] = {"objectURI": f"entities/{rel.end_id}"}
    if target is not None:
        crosswalks = []
        for x in target.crosswalks:
            contributed: list[str] = []
            _contributed(target.attributes, uri, x["id"], contributed)
            crosswalks.append({"uri": f"{e.uri}/crosswalks/{target.id}.{x['id']}", "type": x["type"],
                               "value": x["value"], "attributeURIs": contributed + [uri]})
        ref_entity = {"type": ENTITY_PREFIX + target.type, "crosswalks": crosswalks, "objectURI": target.uri}
    item["refEntity"] = ref_entity
    item["refRelation"] = {
        "type": RELATION_PREFIX + rel.type,
        "crosswalks": [{"uri": f"{e.uri}/crosswalks/{rel.id}.{x['id']}", "type": x["type"], "value": x["value"]}
                       for x in rel.crosswalks],
        **{flag: bool(rel.flags.get(flag, False)) for flag in FLAGS},
        "objectURI": rel.uri,
    }
    item["startObjectCrosswalks"] = [{"type": x["type"], "value": x["value"]} for x in e.crosswalks]
    if rel.flags.get("startRefPinned"):
        item["pin"] = True
    if rel.flags.get("startRefIgnored"):
        item["ignored"] = True
    return item


def entity_view(e: ReltioEntity, ov_filter: str | None = None, references: References | None = None) -> dict[str, Any]:
    """EntityTO, keys in the order of Reltio's examples; `references` are the relations (and their
    end entities) behind the entity's reference attributes."""
    type_uri = ENTITY_PREFIX + e.type
    attributes = render_attributes(e.attributes, type_uri, e.uri, ov_filter)
    for name, pairs in (references or {}).items():
        values = [render_reference(e, name, rel, target) for rel, target in pairs]
        if ov_filter == "ovOnly":
            values = [v for v in values if v["ov"]]
        elif ov_filter == "nonOvOnly":
            values = [v for v in values if not v["ov"]]
        if values:
            attributes[name] = values
    body: dict[str, Any] = {
        "uri": e.uri, "type": type_uri, "createdBy": e.created_by, "createdTime": e.created_at,
        "updatedBy": e.updated_by, "updatedTime": e.updated_at,
        "attributes": attributes,
        "isFavorite": False,
        "crosswalks": render_crosswalks(e.crosswalks, e.attributes, e.uri),
        "analyticsAttributes": {},
        "tags": list(e.tags),
    }
    if e.roles:
        body["roles"] = list(e.roles)
    body["label"] = e.label
    body["secondaryLabel"] = e.secondary_label
    return body


def connection(e: ReltioEntity | None, uri: str, directional: str) -> dict[str, Any]:
    """startObject/endObject of a relation (EntityTOConnection)."""
    if e is None:
        return {"objectURI": uri, "label": "", "directionalLabel": directional, "crosswalks": []}
    return {"type": ENTITY_PREFIX + e.type, "objectURI": e.uri, "label": e.label, "directionalLabel": directional,
            "crosswalks": render_crosswalks(e.crosswalks, e.attributes, e.uri)}


def relation_view(r: ReltioRelation, start: ReltioEntity | None, end: ReltioEntity | None, t: ObjectType | None,
                  ov_filter: str | None = None) -> dict[str, Any]:
    """RelationTO, keys in the order of Reltio's examples."""
    type_uri = RELATION_PREFIX + r.type
    body: dict[str, Any] = {
        "uri": r.uri, "type": type_uri, "createdBy": r.created_by, "createdTime": r.created_at,
        "updatedBy": r.updated_by, "updatedTime": r.updated_at,
    }
    for flag in FLAGS:
        body[flag] = bool(r.flags.get(flag, False))
    body["attributes"] = render_attributes(r.attributes, type_uri, r.uri, ov_filter)
    body["crosswalks"] = render_crosswalks(r.crosswalks, r.attributes, r.uri)
    body["startObject"] = connection(start, f"entities/{r.start_id}", t.start_label if t else "")
    body["endObject"] = connection(end, f"entities/{r.end_id}", t.end_label if t else "")
    return body


def wire_value(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored value as change items carry it: ``{"value": …}`` without ids."""
    content = stored["value"]
    if isinstance(content, dict):
        return {"value": {k: [wire_value(v) for v in vs] for k, vs in content.items()}}
    return {"value": content}


# --- building and merging objects ---------------------------------------------------------------

def merge_contribution(existing: dict[str, Any], posted: dict[str, Any], crosswalk_id: str,
                       partial: bool) -> dict[str, Any]:
    """The attributes after a crosswalk posts its data again: the values that crosswalk contributed
    are replaced by the posted ones (all of them, or with `partial` — Reltio's `partialOverride` —
    only those of the attributes posted); other crosswalks' values stay. A re-posted value equal
    to one it replaces keeps its id and flags."""
    out: dict[str, Any] = {}
    names = list(existing) + [n for n in posted if n not in existing]
    for name in names:
        values = existing.get(name, [])
        if partial and name not in posted:
            out[name] = values
            continue
        kept = [v for v in values if v.get("x") != crosswalk_id]
        replaced = {_fingerprint(v): v for v in values if v.get("x") == crosswalk_id}
        for v in posted.get(name, []):
            old = replaced.pop(_fingerprint(v), None)
            if old is not None:
                v = {**v, "id": old["id"], **{f: old[f] for f in ("pin", "ignored") if f in old}}
            kept.append(v)
        if kept:
            out[name] = kept
    return out


def _fingerprint(value: dict[str, Any]) -> str:
    return msgspec.json.encode(wire_value(value)).decode()


def missing_values(existing: dict[str, Any], posted: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Posted (name, value) pairs not already present: what a staged POST of an existing object
    proposes to insert."""
    out = []
    for name, values in posted.items():
        have = {_fingerprint(v) for v in existing.get(name, [])}
        for v in values:
            if _fingerprint(v) not in have:
                out.append((name, v))
    return out


def entity_from_doc(doc: dict[str, Any], base: ReltioEntity | None, t: ObjectType | None, tenant: str, who: str,
                    now: int) -> ReltioEntity:
    """The entity a changed (or created) document describes, labels recomputed, version moved on."""
    label_, secondary = labels(t, doc["attributes"])
    if base is None:
        return ReltioEntity(tenant, doc["id"], doc["type"], doc["attributes"], doc["crosswalks"], doc.get("tags", []),
                      doc.get("roles", []), label_, secondary, 1, now, who, now, who)
    return dataclasses.replace(base, attributes=doc["attributes"], crosswalks=doc["crosswalks"],
                               tags=doc.get("tags", base.tags), roles=doc.get("roles", base.roles), label=label_,
                               secondary_label=secondary, version=base.version + 1, updated_at=now, updated_by=who)


def relation_from_doc(doc: dict[str, Any], base: ReltioRelation | None, tenant: str, who: str,
                      now: int) -> ReltioRelation:
    if base is None:
        return ReltioRelation(tenant, doc["id"], doc["type"], doc["start_id"], doc["end_id"], doc["attributes"],
                        doc["crosswalks"], doc.get("flags", {}), 1, now, who, now, who)
    return dataclasses.replace(base, attributes=doc["attributes"], crosswalks=doc["crosswalks"],
                               flags=doc.get("flags", base.flags), version=base.version + 1, updated_at=now,
                               updated_by=who)
