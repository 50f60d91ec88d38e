"""Entity and relation types, declared per tenant.

A tenant's types are written in a small subset of Reltio's own configuration format, so a type
copied from Reltio's documentation reads as written:

    {"entityTypes": [{"uri": "configuration/entityTypes/Individual",
                      "dataLabelPattern": "{FirstName} {LastName}",
                      "attributes": [{"name": "FirstName", "type": "String"},
                                     {"name": "Phone", "type": "Nested",
                                      "attributes": [{"name": "Number", "type": "String"}]},
                                     {"name": "Address", "type": "Reference",
                                      "referencedEntityTypeURI": "configuration/entityTypes/Location",
                                      "relationshipTypeURI": "configuration/relationTypes/HasAddress"}]}],
     "relationTypes": [{"uri": "configuration/relationTypes/HasAddress", "label": "Has address",
                        "startObject": {"objectTypeURI": ["configuration/entityTypes/Individual"],
                                        "directionalLabel": "has address"},
                        "endObject": {"objectTypeURI": "configuration/entityTypes/Location",
                                      "directionalLabel": "address of"},
                        "attributes": [{"name": "AddressRank", "type": "String"}]}]}

Why a registry at all: Reltio refuses objects of a type the tenant does not declare (error 119,
TYPE_IS_NOT_FOUND) and addresses attributes by type URI; both need the declared attributes.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bondline.domain.errors import Invalid
from bondline.domain.reltio.errors import type_not_found

ENTITY, RELATION = "entity", "relation"
SECTION = "section"  # a configuration section other than the entity and relation types (stored as one row)
ENTITY_PREFIX = "configuration/entityTypes/"
RELATION_PREFIX = "configuration/relationTypes/"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
SIMPLE_TYPES = ("String", "Int", "Integer", "Long", "Float", "Double", "Number", "Boolean", "Date", "Timestamp",
                "URL", "Image URL", "Blob")
KINDS = SIMPLE_TYPES + ("Nested", "Reference")
MAX_DEPTH = 3


@dataclasses.dataclass(frozen=True, slots=True)
class AttrDef:
    """One attribute of a type: simple (a string value), nested (sub-attributes) or a reference.

    A reference attribute is Reltio's view of related entities: each value is a relation of
    `relationship_type` from the entity to an entity of `referenced_type`, shown with that
    entity's attributes and the relation's. Its values are not stored in the entity."""

    name: str
    type: str  # one of KINDS
    attributes: dict[str, AttrDef]
    referenced_type: str | None = None  # short name of the referenced entity type
    relationship_type: str | None = None

    @property
    def kind(self) -> str:
        if self.type == "Nested":
            return "nested"
        if self.type == "Reference":
            return "reference"
        return "simple"


@dataclasses.dataclass(frozen=True, slots=True)
class ObjectType:
    kind: str  # ENTITY | RELATION
    name: str
    label: str
    attributes: dict[str, AttrDef]
    label_pattern: str = ""
    secondary_label_pattern: str = ""
    start_types: tuple[str, ...] = ()  # relations: allowed start entity types (empty: any)
    end_types: tuple[str, ...] = ()
    start_label: str = ""  # directional labels, from the start's and the end's point of view
    end_label: str = ""
    definition: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    @property
    def uri(self) -> str:
        return (ENTITY_PREFIX if self.kind == ENTITY else RELATION_PREFIX) + self.name


def short_name(uri_or_name: str, kind: str) -> str:
    prefix = ENTITY_PREFIX if kind == ENTITY else RELATION_PREFIX
    return uri_or_name[len(prefix):] if uri_or_name.startswith(prefix) else uri_or_name


@dataclasses.dataclass(frozen=True, slots=True)
class Registry:
    """The types of one tenant."""

    tenant: str
    entity_types: dict[str, ObjectType]
    relation_types: dict[str, ObjectType]
    # The tenant's own items of the other sections (SECTIONS), by section, as declared.
    sections: dict[str, tuple[dict[str, Any], ...]] = dataclasses.field(default_factory=dict)

    def entity(self, uri: Any) -> ObjectType:
        """The entity type a request names by URI (``configuration/entityTypes/X``); 119 otherwise."""
        return self._lookup(uri, ENTITY)

    def relation(self, uri: Any) -> ObjectType:
        return self._lookup(uri, RELATION)

    def _lookup(self, uri: Any, kind: str) -> ObjectType:
        prefix = ENTITY_PREFIX if kind == ENTITY else RELATION_PREFIX
        table = self.entity_types if kind == ENTITY else self.relation_types
        if not isinstance(uri, str) or not uri:
            raise Invalid(f"The object's 'type' is required: a {prefix}… URI", reason="TYPE_REQUIRED")
        found = table.get(uri[len(prefix):]) if uri.startswith(prefix) else None
        if found is None:
            raise type_not_found(uri[:300], self.tenant)
        return found

    def get(self, kind: str, name: str) -> ObjectType | None:
        return (self.entity_types if kind == ENTITY else self.relation_types).get(name)


# --- parsing and validating declarations --------------------------------------------------------

def _attr(raw: Any, where: str, depth: int) -> AttrDef:
    if not isinstance(raw, dict):
        raise Invalid(f"{where}: an attribute must be a JSON object")
    name = raw.get("name")
    if not isinstance(name, str) and isinstance(raw.get("uri"), str):
        name = raw["uri"].rsplit("/", 1)[-1]
    if not isinstance(name, str) or not NAME.match(name):
        raise Invalid(f"{where}: attribute name {str(name)[:80]!r} must be 1-64 letters, digits or '_'")
    kind = raw.get("type", "String")
    if kind not in KINDS:
        raise Invalid(f"{where}.{name}: unknown attribute type {str(kind)[:40]!r} (use one of {', '.join(KINDS)})")
    subs: dict[str, AttrDef] = {}
    ref = rel = None
    if kind == "Nested":
        if depth >= MAX_DEPTH:
            raise Invalid(f"{where}.{name}: nested attributes may be at most {MAX_DEPTH} levels deep")
        subs = _attrs(raw.get("attributes", []), f"{where}.{name}", depth + 1)
    elif kind == "Reference":
        if depth > 0 or where.startswith(RELATION_PREFIX):
            raise Invalid(f"{where}.{name}: Reference attributes belong at the top level of entity types")
        ref_uri = raw.get("referencedEntityTypeURI")
        if not isinstance(ref_uri, str) or not ref_uri.startswith(ENTITY_PREFIX):
            raise Invalid(f"{where}.{name}: a Reference needs referencedEntityTypeURI ({ENTITY_PREFIX}…)")
        ref = ref_uri[len(ENTITY_PREFIX):]
        rel_uri = raw.get("relationshipTypeURI")
        if not isinstance(rel_uri, str) or not rel_uri.startswith(RELATION_PREFIX):
            raise Invalid(f"{where}.{name}: a Reference needs relationshipTypeURI ({RELATION_PREFIX}…): its values "
                          "are relations of that type to entities of the referenced type")
        rel = rel_uri[len(RELATION_PREFIX):]
    return AttrDef(name, kind, subs, ref, rel)


def _attrs(raw: Any, where: str, depth: int = 0) -> dict[str, AttrDef]:
    if not isinstance(raw, list):
        raise Invalid(f"{where}: 'attributes' must be an array")
    out: dict[str, AttrDef] = {}
    for item in raw:
        attr = _attr(item, where, depth)
        if attr.name in out:
            raise Invalid(f"{where}: attribute {attr.name} is declared twice")
        out[attr.name] = attr
    return out


def _uris(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) and i.startswith(ENTITY_PREFIX) for i in items):
        raise Invalid(f"{where}: objectTypeURI must be an entity type URI or an array of them")
    return tuple(i[len(ENTITY_PREFIX):] for i in items)


def parse_type(kind: str, raw: Any) -> ObjectType:
    """One declared type, validated (or, for SECTION, one stored section: {"section", "items"})."""
    if kind == SECTION:
        return parse_section(raw.get("section") if isinstance(raw, dict) else None,
                             raw.get("items") if isinstance(raw, dict) else None)
    prefix = ENTITY_PREFIX if kind == ENTITY else RELATION_PREFIX
    if not isinstance(raw, dict):
        raise Invalid("Each type must be a JSON object")
    uri = raw.get("uri")
    name = raw.get("name")
    if isinstance(uri, str):
        if not uri.startswith(prefix):
            raise Invalid(f"Type URI {uri[:200]!r} must start with {prefix}")
        name = uri[len(prefix):]
    if not isinstance(name, str) or not NAME.match(name):
        raise Invalid(f"Type name {str(name)[:80]!r} must be 1-64 letters, digits or '_' (give 'uri' or 'name')")
    where = prefix + name
    attributes = _attrs(raw.get("attributes", []), where)
    label = raw.get("label", name)
    if not isinstance(label, str):
        raise Invalid(f"{where}: 'label' must be a string")
    patterns = [raw.get("dataLabelPattern", ""), raw.get("secondaryLabelPattern", "")]
    if not all(isinstance(p, str) for p in patterns):
        raise Invalid(f"{where}: label patterns must be strings")
    definition = {**raw, "uri": where}
    definition.pop("name", None)
    if kind == ENTITY:
        made = ObjectType(ENTITY, name, label, attributes, patterns[0], patterns[1], definition=definition)
        from bondline.domain.reltio.matching import rules_of  # match groups name the type's attributes

        rules_of(made)
        return made
    start, end = raw.get("startObject") or {}, raw.get("endObject") or {}
    if not isinstance(start, dict) or not isinstance(end, dict):
        raise Invalid(f"{where}: startObject and endObject must be objects")
    labels = [start.get("directionalLabel", label), end.get("directionalLabel", label)]
    if not all(isinstance(x, str) for x in labels):
        raise Invalid(f"{where}: directionalLabel must be a string")
    return ObjectType(RELATION, name, label, attributes, start_types=_uris(start.get("objectTypeURI"), where),
                      end_types=_uris(end.get("objectTypeURI"), where), start_label=labels[0],
                      end_label=labels[1], definition=definition)


def parse_configuration(raw: Any) -> list[ObjectType]:
    """A whole `{"entityTypes": [...], "relationTypes": [...]}` document, validated; references
    between types (referenced entity types, start/end types) must resolve within it."""
    if not isinstance(raw, dict):
        raise Invalid("The configuration must be a JSON object with 'entityTypes' and 'relationTypes'")
    unknown = set(raw) - {"entityTypes", "relationTypes"} - set(SECTIONS) - set(SCALARS)
    if unknown:
        raise Invalid(f"Unknown configuration sections: {', '.join(sorted(unknown))[:200]}")
    out: list[ObjectType] = []
    for key in SCALARS:
        if key in raw and not isinstance(raw[key], str):
            raise Invalid(f"'{key}' must be a string")
    scalars = {k: raw[k] for k in SCALARS[1:] if k in raw}
    if scalars:
        out.append(parse_section(DOCUMENT, [scalars]))
    for key, kind in (("entityTypes", ENTITY), ("relationTypes", RELATION)):
        items = raw.get(key, [])
        if not isinstance(items, list):
            raise Invalid(f"'{key}' must be an array")
        seen: set[str] = set()
        for item in items:
            t = parse_type(kind, item)
            if t.name in seen:
                raise Invalid(f"{t.uri} is declared twice")
            seen.add(t.name)
            out.append(t)
    registry = build("validation", out)
    for t in out:
        for end in t.start_types + t.end_types:
            if end not in registry.entity_types:
                raise Invalid(f"{t.uri}: start/end type {ENTITY_PREFIX}{end} is not declared")
        for attr in _walk(t.attributes):
            if attr.referenced_type and attr.referenced_type not in registry.entity_types:
                raise Invalid(f"{t.uri}: {attr.name} references undeclared {ENTITY_PREFIX}{attr.referenced_type}")
            if attr.relationship_type and attr.relationship_type not in registry.relation_types:
                raise Invalid(f"{t.uri}: {attr.name} uses undeclared {RELATION_PREFIX}{attr.relationship_type}")
    for key in SECTIONS:
        if key in raw:
            section = parse_section(key, raw[key])
            _check_member_types(section, registry)
            out.append(section)
    return out


def _walk(attrs: dict[str, AttrDef]) -> list[AttrDef]:
    out = []
    for a in attrs.values():
        out.append(a)
        out.extend(_walk(a.attributes))
    return out


def build(tenant: str, types: list[ObjectType]) -> Registry:
    sections = {x.name: tuple(x.definition["items"]) for x in types if x.kind == SECTION}
    types = [x for x in types if x.kind != SECTION]
    return Registry(tenant, {t.name: t for t in types if t.kind == ENTITY},
                    {t.name: t for t in types if t.kind == RELATION}, sections)


# --- the other sections of Reltio's configuration -------------------------------------------------

# The sections besides entityTypes and relationTypes that Reltio's configuration document has and
# its clients read; each is an array of objects named by `uri` (configuration/<section>/<Name>).
SECTIONS = ("changeRequestTypes", "interactionTypes", "graphTypes", "groupingTypes", "sources", "roles",
            "survivorshipStrategies", "categoryTypes")
# Top-level strings of the document a tenant may set (kept in the "document" section).
SCALARS = ("uri", "label", "description", "schemaVersion", "referenceConfigurationURI")
DOCUMENT = "document"
MAX_SECTION_ITEMS = 1000
SECTION_ITEM = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def parse_section(key: Any, raw: Any) -> ObjectType:
    """One section (`key`) of a configuration document: an array of objects, each named by `uri`
    (``configuration/<key>/<Name>``) or `name`, no name twice; interaction types' `memberTypes`
    are named below their type (``…/memberTypes/<Name>``)."""
    if key == DOCUMENT:  # the document's own strings, stored as one item
        if not (isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], dict)
                and all(k in SCALARS and isinstance(v, str) for k, v in raw[0].items())):
            raise Invalid("The configuration's label, description and versions must be strings")
        return ObjectType(SECTION, DOCUMENT, DOCUMENT, {}, definition={"section": DOCUMENT, "items": raw})
    if key not in SECTIONS:
        raise Invalid(f"Unknown configuration section {str(key)[:80]!r}")
    if not isinstance(raw, list):
        raise Invalid(f"'{key}' must be an array")
    if len(raw) > MAX_SECTION_ITEMS:
        raise Invalid(f"'{key}' has more than {MAX_SECTION_ITEMS} items")
    prefix = f"configuration/{key}/"
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in raw:
        uri = _item_uri(item, prefix, key)
        if uri in seen:
            raise Invalid(f"{uri[:200]} is declared twice")
        seen.add(uri)
        declared = {**item, "uri": uri}
        declared.pop("name", None)
        if key == "interactionTypes":
            declared["memberTypes"] = _member_types(declared.get("memberTypes", []), uri)
        items.append(declared)
    return ObjectType(SECTION, key, key, {}, definition={"section": key, "items": items})


def _item_uri(item: Any, prefix: str, where: str) -> str:
    if not isinstance(item, dict):
        raise Invalid(f"Each item of '{where}' must be a JSON object")
    uri, name = item.get("uri"), item.get("name")
    if isinstance(uri, str):
        if not uri.startswith(prefix):
            raise Invalid(f"URI {uri[:200]!r} in '{where}' must start with {prefix}")
        name = uri[len(prefix):]
    if not isinstance(name, str) or not SECTION_ITEM.match(name):
        raise Invalid(f"Name {str(name)[:80]!r} in '{where}' must be 1-128 letters, digits, '_', '.' or '-' "
                      "(give 'uri' or 'name')")
    return prefix + name


def _member_types(raw: Any, type_uri: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise Invalid(f"{type_uri}: 'memberTypes' must be an array")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for member in raw:
        uri = _item_uri(member, type_uri + "/memberTypes/", f"{type_uri} memberTypes")
        if uri in seen:
            raise Invalid(f"{uri[:200]} is declared twice")
        seen.add(uri)
        objects = member.get("objectTypeURI", [])
        if isinstance(objects, str):
            objects = [objects]
        if not isinstance(objects, list) or not all(isinstance(x, str) for x in objects):
            raise Invalid(f"{uri}: 'objectTypeURI' must be a URI or an array of URIs")
        # Reltio's member types carry their `name` with the uri (clients read it)
        out.append({**member, "uri": uri, "name": uri.rsplit("/", 1)[1]})
    return out


def _check_member_types(section: ObjectType, registry: Registry) -> None:
    if section.name != "interactionTypes":
        return
    for item in section.definition["items"]:
        for member in item["memberTypes"]:
            objects = member.get("objectTypeURI", [])
            for uri in [objects] if isinstance(objects, str) else objects:
                if not uri.startswith(ENTITY_PREFIX) or uri[len(ENTITY_PREFIX):] not in registry.entity_types:
                    raise Invalid(f"{member['uri']}: member type {uri[:200]} is not a declared entity type")


def member_type(registry: Registry, interaction_type: str, member: str) -> dict[str, Any] | None:
    """The declaration of a member type of an interaction type (both by URI), None if undeclared."""
    for item in registry.sections.get("interactionTypes", ()):
        if item["uri"] == interaction_type:
            for m in item["memberTypes"]:
                if m["uri"] == member:
                    found: dict[str, Any] = m
                    return found
    return None


# What every tenant inherits (Reltio's L1/L2 layers, which bondline keeps in code): the platform's
# own source, the default change request type every DCR names, and the survivorship strategies.
# A tenant's own item with the same uri replaces the inherited one.
INHERITED: dict[str, list[dict[str, Any]]] = {
    "sources": [
        {"uri": "configuration/sources/Reltio", "label": "Reltio", "abbreviation": "Reltio"},
        {"uri": "configuration/sources/ReltioCleanser", "label": "Reltio Cleanser", "abbreviation": "ReltioCleanser"},
    ],
    "changeRequestTypes": [
        {"uri": "configuration/changeRequestTypes/default", "label": "Default change request type",
         "description": "The type of every data change request that names no other"},
    ],
    "survivorshipStrategies": [
        {"uri": "configuration/survivorshipStrategies/LUD", "label": "Recency"},
        {"uri": "configuration/survivorshipStrategies/SRC_SYS", "label": "Source System"},
        {"uri": "configuration/survivorshipStrategies/Aggregation", "label": "Aggregation"},
        {"uri": "configuration/survivorshipStrategies/MinValue", "label": "Minimum value"},
        {"uri": "configuration/survivorshipStrategies/MaxValue", "label": "Maximum value"},
        {"uri": "configuration/survivorshipStrategies/OldestValue", "label": "Oldest value"},
    ],
    "roles": [{"uri": f"configuration/roles/{name}", "label": name} for name in
              ("ROLE_READONLY", "ROLE_USER", "ROLE_INITIATOR", "ROLE_REVIEWER", "ROLE_ADMIN_TENANT")],
}


def configuration(registry: Registry, inherited: bool = True) -> dict[str, Any]:
    """The tenant's configuration document: its own declarations (`inherited` False: what Reltio's
    GET /configuration/_noInheritance answers) or merged over the inherited layer (GET
    /configuration): every section present, the tenant's items replacing inherited ones by uri."""
    own = registry.sections
    doc: dict[str, Any] = {"uri": "configuration"}
    if DOCUMENT in own:
        doc.update(own[DOCUMENT][0])
    if inherited:
        doc.setdefault("label", registry.tenant)
        doc.setdefault("schemaVersion", "1")
        doc.setdefault("referenceConfigurationURI", "configuration/_vertical/bondline")
    doc["entityTypes"] = [t.definition for t in registry.entity_types.values()]
    doc["relationTypes"] = [t.definition for t in registry.relation_types.values()]
    for key in SECTIONS:
        items = list(own.get(key, ()))
        if inherited:
            mine = {x["uri"] for x in items}
            items = [x for x in INHERITED.get(key, []) if x["uri"] not in mine] + items
        if items or inherited:
            doc[key] = items
    return doc


def _s(*names: str) -> list[dict[str, str]]:
    return [{"name": n, "type": "String"} for n in names]


# The types Reltio's documentation examples use, so those examples run as written on a new tenant.
DEFAULT_CONFIGURATION: dict[str, Any] = {
    "entityTypes": [
        {"uri": "configuration/entityTypes/Individual", "label": "Individual",
         "dataLabelPattern": "{FirstName} {LastName}",
         "attributes": _s("FirstName", "LastName", "MiddleName", "Prefix", "Suffix", "Gender", "DoB", "Email",
                          "Title", "BirthCity") + [
             {"name": "Phone", "type": "Nested", "attributes": _s("Type", "Number", "Extension")},
             {"name": "Identifiers", "type": "Nested", "attributes": _s("Type", "ID")},
             {"name": "Education", "type": "Nested", "attributes": _s("SchoolName", "Degree", "YearOfGraduation")},
             {"name": "Address", "type": "Reference", "referencedEntityTypeURI": "configuration/entityTypes/Location",
              "relationshipTypeURI": "configuration/relationTypes/HasAddress"},
         ]},
        {"uri": "configuration/entityTypes/Organization", "label": "Organization", "dataLabelPattern": "{Name}",
         "attributes": _s("Name", "Type", "Website", "Email", "Description") + [
             {"name": "Phone", "type": "Nested", "attributes": _s("Type", "Number", "Extension")},
             {"name": "Address", "type": "Reference", "referencedEntityTypeURI": "configuration/entityTypes/Location",
              "relationshipTypeURI": "configuration/relationTypes/HasAddress"},
         ]},
        {"uri": "configuration/entityTypes/Location", "label": "Location", "dataLabelPattern": "{AddressLine1}",
         "attributes": _s("AddressLine1", "AddressLine2", "City", "StateProvince", "Country",
                          "SubAdministrativeArea", "VerificationStatus") + [
             {"name": "Zip", "type": "Nested", "attributes": _s("Zip5", "Zip4", "PostalCode")},
             {"name": "GeoLocation", "type": "Nested", "attributes": _s("Latitude", "Longitude")},
         ]},
    ],
    "relationTypes": [
        {"uri": "configuration/relationTypes/HasAddress", "label": "Has Address",
         "startObject": {"objectTypeURI": ["configuration/entityTypes/Individual",
                                           "configuration/entityTypes/Organization"],
                         "directionalLabel": "has address"},
         "endObject": {"objectTypeURI": "configuration/entityTypes/Location", "directionalLabel": "address of"},
         "attributes": _s("AddressType", "AddressRank")},
        {"uri": "configuration/relationTypes/Employment", "label": "Employment",
         "startObject": {"objectTypeURI": "configuration/entityTypes/Individual", "directionalLabel": "employee of"},
         "endObject": {"objectTypeURI": "configuration/entityTypes/Organization", "directionalLabel": "employer of"},
         "attributes": _s("Title", "Department", "StartDate", "EndDate")},
        {"uri": "configuration/relationTypes/affiliatedwith", "label": "Affiliated with",
         "startObject": {"directionalLabel": "affiliated with"},
         "endObject": {"directionalLabel": "affiliated with"},
         "attributes": _s("Title", "Role")},
    ],
    # The sources the documentation's crosswalks and the demo name, the change request type of the
    # seed's sample change request, and the interaction type of the documentation's POST
    # /interactions example.
    "changeRequestTypes": [
        {"uri": "configuration/changeRequestTypes/someChangeRequestType", "label": "Sample change request type"},
    ],
    "sources": [
        {"uri": "configuration/sources/LNKD", "label": "LinkedIn", "abbreviation": "LNKD"},
        {"uri": "configuration/sources/Demo", "label": "Demo", "abbreviation": "Demo"},
    ],
    "interactionTypes": [
        {"uri": "configuration/interactionTypes/Lunch", "label": "Lunch",
         "attributes": _s("Place", "Notes"),
         "memberTypes": [{"name": name, "label": name, "objectTypeURI": ["configuration/entityTypes/Individual"]}
                         for name in ("Organizers", "Chefs", "Participants")]},
    ],
}


def default_types() -> list[ObjectType]:
    return parse_configuration(DEFAULT_CONFIGURATION)
