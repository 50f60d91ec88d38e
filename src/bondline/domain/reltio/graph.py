"""Reltio's graph reads, as data: the groups of POST /entities/{id}/_connections, the limits of
GET /entities/{id}/_hops, and the relation filter of GET /relations (docs/decisions/0023-reltio-graph.md).

Everything here is parsing and checking; the store runs the queries (bounded: one page per
connection group, one query per direction per hop, at most `HOPS_MAX_RELATIONS` relations read).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline.domain.errors import Invalid
from bondline.domain.reltio import filters
from bondline.domain.reltio.types import ENTITY_PREFIX, RELATION_PREFIX

CONNECTIONS_MAX_GROUPS = 20  # groups in one request
CONNECTIONS_MAX_PAGE = 200  # connections of one group in one answer
CONNECTIONS_DEFAULT_PAGE = 10
CONNECTIONS_MAX_WINDOW = 10_000  # offset + max
HOPS_MAX_DEEP = 5
HOPS_MAX_ENTITIES = 1_500  # "There is a limit of 1,500 entities that can be returned per API call"
HOPS_MAX_RELATIONS = 10_000  # relations read by one traversal: beyond it the answer is not complete


@dataclasses.dataclass(frozen=True, slots=True)
class ConnectionGroup:
    """One group: relation types by direction (None: every type in that direction; an empty
    tuple: none), the connected entities' types (None: any) and filter, and the page."""

    out_types: tuple[str, ...] | None
    in_types: tuple[str, ...] | None
    entity_types: tuple[str, ...] | None
    condition: filters.Node | None
    sort_by: str | None
    offset: int
    max: int


def _type_names(raw: Any, where: str, prefix: str, keyed: bool) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise Invalid(f"'{where}' must be an array")
    out = []
    for i, item in enumerate(raw[:100]):
        if keyed and not isinstance(item, dict):
            raise Invalid(f"'{where}[{i}]' must be an object with 'uri'")
        uri = item.get("uri") if keyed else item
        if not isinstance(uri, str) or not uri:
            want = "an object with 'uri'" if keyed else "a type URI"
            raise Invalid(f"'{where}[{i}]' must be {want}")
        if keyed and any(not isinstance(value, str) for value in item.values()):  # uri and label: strings
            raise Invalid(f"'{where}[{i}]': 'uri' and 'label' are strings")
        out.append(uri[len(prefix):] if uri.startswith(prefix) else uri)
    return tuple(out)


def _int(raw: dict[str, Any], name: str, default: int, where: str) -> int:
    value = raw.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"'{where}.{name}' must be an integer")
    return value


def connection_groups(body: Any) -> list[ConnectionGroup]:
    """The request body of POST /entities/{id}/_connections: an array of EntityConnectionsRequest."""
    if not isinstance(body, list):
        raise Invalid("The request body must be an array of connection requests")
    if len(body) > CONNECTIONS_MAX_GROUPS:
        raise Invalid(f"At most {CONNECTIONS_MAX_GROUPS} connection requests in one call, got {len(body)}")
    groups = []
    for i, raw in enumerate(body):
        where = f"[{i}]"
        if not isinstance(raw, dict):
            raise Invalid(f"Connection request {where} must be an object")
        nulls = sorted(key for key, value in raw.items() if value is None)
        if nulls:  # (no field of an EntityConnectionsRequest is nullable)
            raise Invalid(f"'{where}.{str(nulls[0])[:40]}' must not be null")
        outs = raw.get("outRelations")
        ins = raw.get("inRelations")
        out_types = None if outs is None else _type_names(outs, where + ".outRelations", RELATION_PREFIX, True)
        in_types = None if ins is None else _type_names(ins, where + ".inRelations", RELATION_PREFIX, True)
        if out_types is not None and in_types is None:
            in_types = ()  # only the directions asked for
        elif in_types is not None and out_types is None:
            out_types = ()
        kinds = raw.get("entityTypes")
        # (an empty list names no type to keep: every type, as no list does)
        entity_types = (None if kinds is None else _type_names(kinds, where + ".entityTypes", ENTITY_PREFIX, False)
                        ) or None
        for flag in ("returnObjects", "returnDates"):
            if flag in raw and not isinstance(raw[flag], bool):
                raise Invalid(f"'{where}.{flag}' must be true or false")
        text = raw.get("filter")
        if text is not None and not isinstance(text, str):
            raise Invalid(f"'{where}.filter' must be a string")
        sort_by = raw.get("sortBy")
        if sort_by is not None and not isinstance(sort_by, str):
            raise Invalid(f"'{where}.sortBy' must be a string")
        offset = _int(raw, "offset", 0, where)
        size = _int(raw, "max", CONNECTIONS_DEFAULT_PAGE, where)
        if offset < 0:
            raise Invalid(f"'{where}.offset' must not be negative")
        if not 0 <= size <= CONNECTIONS_MAX_PAGE:
            raise Invalid(f"'{where}.max' must be between 0 and {CONNECTIONS_MAX_PAGE}, got {size}")
        if offset + size > CONNECTIONS_MAX_WINDOW:
            raise Invalid(f"The sum of '{where}.max' and '{where}.offset' must not exceed {CONNECTIONS_MAX_WINDOW}")
        groups.append(ConnectionGroup(out_types, in_types, entity_types, filters.parse(text), sort_by, offset, size))
    return groups


@dataclasses.dataclass(frozen=True, slots=True)
class HopQuery:
    deep: int
    max: int
    relation_types: tuple[str, ...] | None
    entity_fields: tuple[str, ...]


def hop_query(deep: int, max_entities: int | None, relation_types: list[str], select: list[str]) -> HopQuery:
    if not 1 <= deep <= HOPS_MAX_DEEP:
        raise Invalid(f"Parameter 'deep' must be between 1 and {HOPS_MAX_DEEP}, got {deep}")
    size = HOPS_MAX_ENTITIES if max_entities is None else max_entities
    if not 1 <= size <= HOPS_MAX_ENTITIES:
        raise Invalid(f"Parameter 'max' must be between 1 and {HOPS_MAX_ENTITIES}, got {size}")
    types = tuple(t[len(RELATION_PREFIX):] if t.startswith(RELATION_PREFIX) else t for t in relation_types) or None
    return HopQuery(deep, size, types, tuple(select))


# --- the relation filter (GET /relations) ------------------------------------------------------------

def relation_field(name: str) -> filters.Field:
    """A relation's properties in Reltio's filter language: `type` (relation type), `uri`,
    `startObject`/`endObject` (the entity URIs), `createdTime`, `updatedTime` and
    `attributes.<name>` (nested: `attributes.<name>.<sub>`). The kinds reuse the
    entity model's so the parser resolves values the same way; the path says which column."""
    lowered = name.lower()
    simple = {"type": filters.Field("type", "relation"), "uri": filters.Field("uri", "relation"),
              "startobject": filters.Field("uri", "start"), "startobject.objecturi": filters.Field("uri", "start"),
              "endobject": filters.Field("uri", "end"), "endobject.objecturi": filters.Field("uri", "end"),
              "createdtime": filters.Field("created"), "updatedtime": filters.Field("updated")}
    if lowered in simple:
        return simple[lowered]
    if name == "attributes" or name.startswith("attributes."):
        return filters.field_of(name)  # the relation's attribute values (`relation_values`)
    raise filters.FilterError(f"Invalid filter: unknown property {name[:80]!r}; use type, uri, startObject, "
                              "endObject, createdTime, updatedTime or attributes.<name>")


def relation_filter(text: str | None) -> filters.Node | None:
    return filters.parse(text, relation_field)
