"""Reltio's activity log, read from bondline's audit trail.

Every change bondline makes on a tenant leaves an audit entry (`trail`); GET /activities shows each
as one Reltio activity with one item whose `data.type` is Reltio's item type (ENTITY_CREATED,
RELATIONSHIP_CHANGED, …). Activities clients log themselves (POST /activities: a label, a
description, optional items) are audit entries too (action ``reltio.activity``), so one
append-only log serves both.

The `filter` parameter is Reltio's filter language over the activity fields clients filter on:
``equals``/``startsWith`` on `user`, `items.data.type`, `items.objectUri`, and ``equals`` on
`items.objectType`; ``gt``/``lt``/``gte``/``lte``/``equals`` on `timestamp`; combined with
``and``, ``or``, ``not`` and parentheses. The text is read by the same lark grammar as entity
search (`filters.parse_raw`) and resolved here into a tree of column conditions (`Cond`, `All`,
`AnyOf`, `Not`) that the audit repository turns into SQL.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline.domain.errors import Invalid
from bondline.domain.reltio import filters

ACTIVITY_ACTION = "reltio.activity"  # an activity a client logged

# bondline's audit actions and Reltio's activity item types.
ITEM_TYPES: dict[str, str] = {
    "entity.create": "ENTITY_CREATED",
    "entity.update": "ENTITY_CHANGED",
    "entity.delete": "ENTITY_REMOVED",
    "entity.merge": "ENTITIES_MERGED_MANUALLY",
    "entity.lost_merge": "ENTITY_LOST_MERGE",
    "entity.unmerge": "ENTITIES_SPLITTED",
    "entity.notmatch": "ENTITIES_MARKED_AS_NOT_MATCH",
    "entity.notmatch.undo": "ENTITIES_UNMARKED_AS_NOT_MATCH",
    "reltio.relation.create": "RELATIONSHIP_CREATED",
    "reltio.relation.update": "RELATIONSHIP_CHANGED",
    "reltio.relation.delete": "RELATIONSHIP_REMOVED",
    "reltio.interaction.create": "INTERACTION_CREATED",
    "dcr.create": "CHANGE_REQUEST_CREATED",
    "dcr.update": "CHANGE_REQUEST_CHANGED",
    "dcr.stage": "CHANGE_REQUEST_CHANGED",
    "dcr.item.delete": "CHANGE_REQUEST_CHANGED",
    "dcr.applied": "CHANGE_REQUEST_CHANGED",
    "dcr.rejected": "CHANGE_REQUEST_CHANGED",
    "dcr.delete": "CHANGE_REQUEST_REMOVED",
    "tenant.types": "CONFIGURATION_CHANGED",
    ACTIVITY_ACTION: "USER_ACTIVITY",
}
ACTIONS = tuple(ITEM_TYPES)

MAX_FILTER = 4000
MAX_LABEL, MAX_DESCRIPTION, MAX_ITEMS, MAX_ITEM_TEXT = 256, 4000, 100, 1000


# --- the condition tree the repository compiles --------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class Cond:
    """`column` (at, actor, action, object, object_type) `op` (eq, prefix, gt, lt, gte, lte, in)
    `value`. `actor` values are user names (emails) or accountIds; `object` values are
    paths below the tenant; `object_type` is (path kind, short type name)."""

    column: str
    op: str
    value: Any


@dataclasses.dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Any, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Any, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Not:
    part: Any


Node = Cond | All | AnyOf | Not

NOTHING = Cond("action", "in", ())  # matches no entry


# --- parsing ---------------------------------------------------------------------------------------
# The text is read by entity search's lark grammar (`filters.parse_raw`: one grammar for Reltio's
# filter language); only the vocabulary — the fields and what each condition means on the audit
# trail — is the activity log's.


def bad_filter(why: str) -> Invalid:
    return Invalid(f"Invalid filter: {why}", reason="INVALID_FILTER")


def parse_filter(text: str | None) -> Node | None:
    """The condition tree of a `filter` parameter (None: no filter); Reltio's 400 if malformed."""
    raw = filters.parse_raw(text, MAX_FILTER)
    return None if raw is None else _node(raw)


def _node(raw: Any) -> Node:
    kind = raw[0]
    if kind == "and":
        return All(tuple(_node(p) for p in raw[1]))
    if kind == "or":
        return AnyOf(tuple(_node(p) for p in raw[1]))
    if kind == "not":
        return Not(_node(raw[1]))
    if kind == "same":
        raise bad_filter("inSameAttributeValue does not apply to activities")
    _, name, args = raw
    if not args:
        raise bad_filter(f"{name[:40]}() needs a field")
    return condition(name, args[0][1], [value for _, value in args[1:]])


_COMPARE = {"gt": "gt", "lt": "lt", "gte": "gte", "lte": "lte"}


def _one(name: str, field: str, values: list[str]) -> str:
    if len(values) != 1:
        raise bad_filter(f"{name}({field}, …) takes one value")
    return values[0]


def _timestamp(value: str) -> int:
    try:
        ms = int(value)
    except ValueError:
        raise bad_filter(f"timestamp {value[:40]!r} is not milliseconds since the epoch") from None
    if not -(2**62) < ms < 2**62:
        raise bad_filter(f"timestamp {value[:40]!r} is out of range")
    return ms


def condition(name: str, field: str, values: list[str]) -> Node:
    lowered = name.lower()
    if field == "timestamp":
        if lowered == "equals":
            return Cond("at", "eq", _timestamp(_one(name, field, values)))
        if lowered in _COMPARE:
            return Cond("at", _COMPARE[lowered], _timestamp(_one(name, field, values)))
        if lowered == "range":
            if len(values) != 2:
                raise bad_filter("range(timestamp, from, to) takes two values")
            return All((Cond("at", "gte", _timestamp(values[0])), Cond("at", "lte", _timestamp(values[1]))))
        raise bad_filter(f"{name}() does not apply to timestamp")
    if lowered not in ("equals", "startswith"):
        raise bad_filter(f"unsupported condition {name[:40]!r} (equals, startsWith, gt, lt, gte, lte, range)")
    if not values:
        raise bad_filter(f"{name}({field}) needs a value")
    prefix = lowered == "startswith"
    parts = [_field(field, value, prefix) for value in values]
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


def _field(field: str, value: str, prefix: bool) -> Node:
    op = "prefix" if prefix else "eq"
    if field == "user":
        return Cond("actor", op, value)
    if field == "items.data.type":
        matching = tuple(a for a, t in ITEM_TYPES.items() if (t.startswith(value) if prefix else t == value))
        return Cond("action", "in", matching)
    if field == "items.objectUri":
        return Cond("object", op, value)
    if field == "items.objectType":
        for kind, section in (("entities", "configuration/entityTypes/"),
                              ("relations", "configuration/relationTypes/"),
                              ("interactions", "configuration/interactionTypes/")):
            if value.startswith(section) and not prefix:
                return Cond("object_type", "eq", (kind, value[len(section):]))
        return NOTHING
    raise bad_filter(f"unknown field {field[:80]!r} (timestamp, user, items.data.type, items.objectUri, "
                     "items.objectType)")


# --- activities clients log -------------------------------------------------------------------------

def _text(raw: Any, key: str, limit: int) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"'{key}' must be a string")
    if len(value) > limit:
        raise Invalid(f"'{key}' is longer than {limit} characters")
    return value


def parse_logged(raw: Any) -> dict[str, Any]:
    """The body of POST /activities: `label`, `description` and optional `items` (each with
    `objectUri`, `objectType`, `objectLabel` strings and a `data` object)."""
    if not isinstance(raw, dict):
        raise Invalid("The activity must be a JSON object with 'label' and 'description'")
    unknown = set(raw) - {"label", "description", "items", "timestamp", "user", "uri", "itemsTotal"}
    if unknown:
        raise Invalid(f"Unknown activity fields: {', '.join(sorted(unknown))[:200]}")
    out: dict[str, Any] = {"label": _text(raw, "label", MAX_LABEL) or "USER_ACTIVITY",
                           "description": _text(raw, "description", MAX_DESCRIPTION) or ""}
    items = raw.get("items", [])
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise Invalid(f"'items' must be an array of at most {MAX_ITEMS} objects")
    parsed: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            raise Invalid("Each activity item must be a JSON object")
        one: dict[str, Any] = {}
        for key in ("objectUri", "objectType", "objectLabel"):
            text = _text(item, key, MAX_ITEM_TEXT)
            if text is not None:
                one[key] = text
        data = item.get("data", {})
        if not isinstance(data, dict) or not all(isinstance(v, str | int | float | bool) for v in data.values()):
            raise Invalid("An activity item's 'data' must be an object of strings, numbers or booleans")
        one["data"] = {k[:100]: (v[:MAX_ITEM_TEXT] if isinstance(v, str) else v) for k, v in data.items()}
        one["data"].setdefault("type", "USER_ACTIVITY")
        parsed.append(one)
    out["items"] = parsed
    return out


# --- rendering ------------------------------------------------------------------------------------

def _object_type(path: str, doc: Any) -> str | None:
    kind = path.split("/", 1)[0]
    name = doc.get("type") if isinstance(doc, dict) else None
    if not isinstance(name, str):
        return None
    if kind == "entities":
        return f"configuration/entityTypes/{name}"
    if kind == "relations":
        return f"configuration/relationTypes/{name}"
    if kind == "interactions":
        return f"configuration/interactionTypes/{name}"
    if kind == "changeRequests":
        return name if name.startswith("configuration/") else "configuration/changeRequestTypes/default"
    return None


def activity(entry_id: int, at: int, user: str, action: str, path: str, before: Any, after: Any) -> dict[str, Any]:
    """The Reltio activity of one audit entry on a tenant (`path`: the object below the tenant)."""
    if action == ACTIVITY_ACTION and isinstance(after, dict):
        items = [{"id": f"{entry_id}.{i}", **item} for i, item in enumerate(after.get("items", []))]
        return {"uri": path, "user": user, "label": after.get("label", "USER_ACTIVITY"),
                "description": after.get("description", ""), "timestamp": at, "items": items,
                "itemsTotal": len(items)}
    item_type = ITEM_TYPES.get(action, action.upper())
    doc = after if after is not None else before
    item: dict[str, Any] = {"id": str(entry_id), "objectUri": path, "data": {"type": item_type}}
    object_type = _object_type(path, doc)
    if object_type is not None:
        item["objectType"] = object_type
    if isinstance(doc, dict) and isinstance(doc.get("label"), str) and doc["label"]:
        item["objectLabel"] = doc["label"]
    return {"uri": f"activities/{entry_id}", "user": user, "label": item_type,
            "description": f"{item_type} {path}", "timestamp": at, "items": [item], "itemsTotal": 1}
