"""Where a vendor's document contradicts itself, the smallest change that makes it agree.

The vendored files stay byte for byte as published; these repairs are applied when they are loaded
(`bondline.openapi.vendor`), for `/openapi.json` and for the test suite's response validation alike.
A repair is allowed only where the document's own example for an operation fails the document's own
schema for it — the example shows what the service answers, the schema was written wrong — and each
names that evidence; `tests/unit/test_vendor_contracts.py` proves, for every repair, that the example fails
without it and passes with it, and that no other example of an operation bondline serves fails.

Two structural defects make Reltio's documents invalid OpenAPI 3.0 (`structural`): parameters typed
"int" (OpenAPI says "integer") and an empty `requestBody: {}` (which must have `content`).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

_R = "/services/reltio/api/{tenantId}"


@dataclasses.dataclass(frozen=True)
class Repair:
    document: str  # "confluence" or "reltio"
    path: tuple[str, ...]  # keys from the document's root to the value replaced
    value: Any
    why: str
    # (method, path, status) whose response example shows it; or () when the replaced schema's own
    # `example` (a JSON text) is the evidence.
    evidence: tuple[tuple[str, str, str], ...] = ()


def _schema_at(path: str, method: str, status: str = "200") -> tuple[str, ...]:
    return ("paths", path, method, "responses", status, "content", "application/json", "schema")


_ANY_VALUES = {"type": "object", "additionalProperties": {},
               "description": "External information: any JSON values, by name"}
_CR = ("components", "schemas", "ChangeRequestTO", "properties", "externalInfo")

REPAIRS: tuple[Repair, ...] = (
    Repair(
        "reltio", ("components", "schemas", "AttributeValueTO", "properties", "value"),
        {"description": "Attribute value: a string for a simple attribute, an object of sub-attributes for a "
                        "nested or reference attribute (each subtype says which)"},
        "AttributeValueTO, which every attribute value type extends with allOf, types `value` as a string, "
        "while NestedAttributeValueTO and ReferenceAttributeValueTO type it as an object; no nested or "
        "reference value can satisfy both. The subtypes keep their own types.",
        (("get", f"{_R}/entities/{{id}}", "200"), ("post", f"{_R}/entities/{{id}}/_update", "200")),
    ),
    Repair(
        "reltio", _schema_at(f"{_R}/relations/{{id}}", "delete"),
        {"$ref": "#/components/schemas/Status"},
        "The schema says a bare string (\"Success\" or \"Error\"); the example, and Reltio, answer "
        "{\"status\": \"success\"} — the document's own Status object.",
        (("delete", f"{_R}/relations/{{id}}", "200"),),
    ),
    Repair(
        "reltio", _schema_at(f"{_R}/changeRequests/{{id}}/_externalInfo", "get"), _ANY_VALUES,
        "The schema allows only objects as values; the example holds strings beside an object.",
        (("get", f"{_R}/changeRequests/{{id}}/_externalInfo", "200"),),
    ),
    Repair(
        "reltio", _schema_at(f"{_R}/changeRequests/{{id}}/_externalInfo", "post"), _ANY_VALUES,
        "As for GET: the example holds strings.",
        (("post", f"{_R}/changeRequests/{{id}}/_externalInfo", "200"),),
    ),
    Repair(
        "reltio", ("paths", f"{_R}/changeRequests/{{id}}/_externalInfo", "post", "requestBody", "content",
                   "application/json", "schema"), _ANY_VALUES,
        "What is posted is what GET answers, whose example holds strings.",
        (("get", f"{_R}/changeRequests/{{id}}/_externalInfo", "200"),),
    ),
    Repair(
        "reltio", _CR,
        {"type": "object", "additionalProperties": {},
         "description": "Any external information that can be used in custom Workflow API processes. Inside "
                        "the 'externalInfo' structure, customers can maintain any additional fields they need "
                        "on the Data Change Request.",
         "example": "{\n  \"customProperty1\": \"custom property\",\n  \"anotherCustomProperty\": \"another "
                    "property\",\n  \"nestedCustomProperty\": {\n    \"integerValue\": 1,\n    "
                    "\"booleanValue\": false\n  }\n}"},
        "A change request's externalInfo allows only objects as values; its own example holds strings.",
    ),
    Repair(
        "reltio", _schema_at(f"{_R}/changeRequests/_byUris", "post") + ("items",),
        {"anyOf": [{"$ref": "#/components/schemas/ChangeRequestTO"}, {"type": "string", "enum": [""]}]},
        "The description says a URI without a change request the caller may see answers an empty string "
        "in its place, and the example has one; the schema allows only change requests.",
        (("post", f"{_R}/changeRequests/_byUris", "200"),),
    ),
    Repair(
        "reltio", ("components", "schemas", "InteractionTO", "properties", "members", "additionalProperties"),
        {"$ref": "#/components/schemas/InteractionMemberNode"},
        "InteractionTO's `members` maps a member type to an array of InteractionMemberNode, while both "
        "operations' examples map it to one InteractionMemberNode (`type`, `uri` and the `members` array) — "
        "each member type is one node holding its members.",
        (("post", f"{_R}/interactions", "200"), ("get", f"{_R}/entities/{{id}}/_interactions", "200")),
    ),
    Repair(
        "reltio", _schema_at(f"{_R}/entities/{{id}}/_notMatch", "post"),
        {"$ref": "#/components/schemas/Status"},
        "As DELETE /relations/{id}: the schema says a bare string, the example {\"status\": \"success\"}.",
        (("post", f"{_R}/entities/{{id}}/_notMatch", "200"),),
    ),
    Repair(
        "reltio", _schema_at(f"{_R}/entities/{{id}}/_notMatch", "delete"),
        {"$ref": "#/components/schemas/Status"},
        "The same for undoing the mark.",
        (("delete", f"{_R}/entities/{{id}}/_notMatch", "200"),),
    ),
    Repair(
        "reltio", ("paths", f"{_R}/entities/{{id}}/_matches", "get", "responses", "200", "content", "application/json",
                   "example"),
        {f"configuration/entityTypes/HCP/matchGroups/{group}": [
            {"object": {"uri": uri, "type": "configuration/entityTypes/HCP"}} for uri in uris]
         for group, uris in (("ExactName", ("entities/000001", "entities/000002", "entities/000003")),
                             ("FuzzyAddress", ("entities/000003",)))},
        "The example (this one is replaced, not the schema) lists matches as an array of {matchRules, object}, "
        "while the schema maps each match group to its PotentialMatchesResult list and Reltio's documentation "
        "(docs.reltio.com, 'Potential matches API': \"Returns all matches grouped by match groups\") shows that "
        "map; the replacement is the same matches grouped so.",
        (("get", f"{_R}/entities/{{id}}/_matches", "200"),),
    ),
    Repair(
        "reltio", ("components", "schemas", "ManualMarkedMatch", "properties", "object"),
        {"anyOf": [{"$ref": "#/components/schemas/EntityTOConnection"},
                   {"type": "object", "additionalProperties": {"type": "array",
                                                               "items": {"$ref": "#/components/schemas/EntityTO"}},
                    "description": "The marked entity, by the match group that matched the pair"}]},
        "ManualMarkedMatch types `object` as EntityTOConnection (which requires `crosswalks`), while the "
        "_notMatch and _setAMatch examples give a map from match group URI to the entity; both forms are "
        "accepted (bondline answers the EntityTOConnection, docs/decisions/0026).",
        (("get", f"{_R}/entities/{{id}}/_notMatch", "200"),),
    ),
    Repair(
        "reltio", ("components", "schemas", "TransitiveEntityMatchPathItem", "properties", "match"),
        {"type": "string", "description": "URI of the matched entity on the path", "example": "entities/000001"},
        "A transitive path item's `match` is typed as EntityURI, an object of Java URI internals (shortUri, "
        "isNew, uriCache, …); the _transitiveMatches example gives it as the entity's URI string.",
        (("get", f"{_R}/entities/{{id}}/_transitiveMatches", "200"),),
    ),
    Repair(
        "reltio", ("components", "schemas", "EntitiesHop", "required"), ["type", "uri"],
        "EntitiesHop requires `traversedRelations` and `untraversedRelations`, while the _hops example's "
        "entities carry `traversedRelationsCount` and `untraversedRelationsCount` instead (bondline answers "
        "both names, docs/decisions/0023); neither pair is required.",
        (("get", f"{_R}/entities/{{id}}/_hops", "200"),),
    ),
)


def structural(doc: dict[str, Any]) -> None:
    """Make Reltio's documents valid OpenAPI 3.0, in place (see the module docstring)."""
    for item in doc.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            if op.get("requestBody") == {}:
                del op["requestBody"]
            for param in op.get("parameters", []):
                schema = param.get("schema", {}) if isinstance(param, dict) else {}
                if schema.get("type") == "int":
                    schema["type"] = "integer"
                    if isinstance(schema.get("default"), str) and schema["default"].isdigit():
                        schema["default"] = int(schema["default"])


def apply(name: str, doc: dict[str, Any], repairs: tuple[Repair, ...] = REPAIRS) -> dict[str, Any]:
    """A copy of the document `name` with its repairs made."""
    doc = copy.deepcopy(doc)
    if name == "reltio":
        structural(doc)
    for repair in repairs:
        if repair.document != name:
            continue
        node = doc
        for key in repair.path[:-1]:
            node = node[key]  # a KeyError here means the document moved on: revisit the repair
        if repair.path[-1] not in node:
            raise KeyError(f"nothing to repair at {'/'.join(repair.path)}")
        node[repair.path[-1]] = copy.deepcopy(repair.value)
    return doc
