"""Reltio's graph reads, as data: the groups of POST /entities/{id}/_connections, the limits of
GET /entities/{id}/_hops, and the relation filter of GET /relations (docs/decisions/0023-reltio-graph.md).

Everything here is parsing and checking; the store runs the queries (bounded: one page per
connection group, one query per direction per hop, at most `HOPS_MAX_RELATIONS` relations read).
"""

from __future__ import annotations

import base64
import dataclasses
import json
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
    # The group's own `connections`: connections at a distance greater than one, asked of each
    # entity this group returns ("request entities with a first connection, then request all
    # connections for entities returned at step 1 using a second connection", Reltio's documentation).
    nested: tuple[ConnectionGroup, ...] = ()


CONNECTIONS_MAX_DEPTH = 3  # levels of nested groups
CONNECTIONS_MAX_LOOKUPS = 500  # connection groups asked of connected entities in one request, at most


def _lookups(groups: list[ConnectionGroup] | tuple[ConnectionGroup, ...]) -> int:
    """How many nested group lookups the groups can cost at most (each connection of a group with
    nested groups asks each of them)."""
    return sum(g.max * (len(g.nested) + _lookups(g.nested)) for g in groups)


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
    """The request body of POST /entities/{id}/_connections: an array of EntityConnectionsRequest,
    each with its own nested `connections` (at most CONNECTIONS_MAX_DEPTH levels, and at most
    CONNECTIONS_MAX_LOOKUPS nested lookups that the pages could cost)."""
    groups = _groups(body, "", 1)
    if _lookups(groups) > CONNECTIONS_MAX_LOOKUPS:
        raise Invalid(f"Nested connection requests could ask for the connections of {_lookups(groups)} entities; "
                      f"at most {CONNECTIONS_MAX_LOOKUPS} (lower 'max' of the groups with nested 'connections')")
    return groups


def _groups(body: Any, prefix: str, depth: int) -> list[ConnectionGroup]:
    if not isinstance(body, list):
        raise Invalid(f"'{prefix}' must be an array of connection requests" if prefix
                      else "The request body must be an array of connection requests")
    if len(body) > CONNECTIONS_MAX_GROUPS:
        raise Invalid(f"At most {CONNECTIONS_MAX_GROUPS} connection requests in one call, got {len(body)}")
    groups = []
    for i, raw in enumerate(body):
        where = f"{prefix}[{i}]"
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
        nested: tuple[ConnectionGroup, ...] = ()
        if "connections" in raw:
            if depth >= CONNECTIONS_MAX_DEPTH:
                raise Invalid(f"'{where}.connections': at most {CONNECTIONS_MAX_DEPTH} levels of nested connections")
            nested = tuple(_groups(raw["connections"], where + ".connections", depth + 1))
        groups.append(ConnectionGroup(out_types, in_types, entity_types, filters.parse(text), sort_by, offset, size,
                                      nested))
    return groups


@dataclasses.dataclass(frozen=True, slots=True)
class HopQuery:
    deep: int
    max: int
    relation_types: tuple[str, ...] | None
    entity_fields: tuple[str, ...]
    graph_types: tuple[str, ...] = ()  # graphTypeURIs: only their relation types are walked


def hop_query(deep: int, max_entities: int | None, relation_types: list[str], select: list[str],
              graph_types: list[str] | None = None) -> HopQuery:
    if not 1 <= deep <= HOPS_MAX_DEEP:
        raise Invalid(f"Parameter 'deep' must be between 1 and {HOPS_MAX_DEEP}, got {deep}")
    size = HOPS_MAX_ENTITIES if max_entities is None else max_entities
    if not 1 <= size <= HOPS_MAX_ENTITIES:
        raise Invalid(f"Parameter 'max' must be between 1 and {HOPS_MAX_ENTITIES}, got {size}")
    types = tuple(t[len(RELATION_PREFIX):] if t.startswith(RELATION_PREFIX) else t for t in relation_types) or None
    return HopQuery(deep, size, types, tuple(select), tuple(graph_types or ()))


def hop_relation_types(q: HopQuery, sections: dict[str, tuple[dict[str, Any], ...]]) -> tuple[str, ...] | None:
    """The relation types a traversal walks: `relationTypeURIs`, narrowed to the relation types of
    the `graphTypeURIs` when both are given (None: every type)."""
    if not q.graph_types:
        return q.relation_types
    of_graphs = graph_relation_types(sections, list(q.graph_types))
    return of_graphs if q.relation_types is None else tuple(t for t in q.relation_types if t in of_graphs)


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


# --- POST /relations/_dbscan: relations in a stable order, page by page ------------------------------

DBSCAN_DEFAULT_PAGE = 10
DBSCAN_MAX_PAGE = 150  # "no more than 150 relations" per request (Reltio's documentation)
CURSOR_MAX = 20_000  # characters of a cursor (it carries the filter)


@dataclasses.dataclass(frozen=True, slots=True)
class Scan:
    """One _dbscan request: the relation types, filter text and start date of the first request
    (kept in the cursor), the page size, whether whole objects are returned, and the row after
    which this page starts (0: the beginning)."""

    tenant: str
    types: tuple[str, ...] | None
    filter: str | None
    since: int | None
    page_size: int
    return_objects: bool
    after: int = 0

    def condition(self) -> filters.Node | None:
        return relation_filter(self.filter)

    def cursor(self, after: int) -> str:
        """The next request's cursor: opaque to the client, the same for the same position."""
        state = {"v": 1, "t": self.tenant, "types": list(self.types) if self.types is not None else None,
                 "f": self.filter, "s": self.since, "p": self.page_size, "o": self.return_objects, "a": after}
        return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":"), sort_keys=True).encode()).decode()


def _bad_cursor() -> Invalid:
    return Invalid("The cursor is not one this tenant's _dbscan returned", reason="INVALID_CURSOR")


def _from_cursor(tenant: str, raw: Any) -> Scan:
    if isinstance(raw, dict):  # (the cursor as an object, {"cursor": "…"}, is taken too)
        raw = raw.get("cursor")
    if not isinstance(raw, str) or not raw or len(raw) > CURSOR_MAX:
        raise _bad_cursor()
    try:
        state = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
    except (ValueError, UnicodeError):
        raise _bad_cursor() from None
    if not isinstance(state, dict) or state.get("v") != 1 or state.get("t") != tenant:
        raise _bad_cursor()
    types, text, since, size, objects, after = (state.get(k) for k in ("types", "f", "s", "p", "o", "a"))
    if not (types is None or (isinstance(types, list) and all(isinstance(t, str) for t in types))) \
            or not (text is None or isinstance(text, str)) \
            or not (since is None or (isinstance(since, int) and not isinstance(since, bool))) \
            or not (isinstance(size, int) and 1 <= size <= DBSCAN_MAX_PAGE) or not isinstance(objects, bool) \
            or not (isinstance(after, int) and not isinstance(after, bool) and after >= 0):
        raise _bad_cursor()
    scan = Scan(tenant, tuple(types) if types is not None else None, text, since, size, objects, after)
    scan.condition()  # (a cursor's filter was checked when it was made; a forged one is a 400 too)
    return scan


def dbscan_request(tenant: str, body: Any) -> Scan:
    """The body of POST /relations/_dbscan: the first request names `type` (a relation type URI or
    a list of them), and may give `filter`, `startDate` (ms: relations changed since), `pageSize`
    (default 10, at most 150) and `returnObjects`; every later one gives the `cursor` it was handed."""
    if not isinstance(body, dict):
        raise Invalid("The request body must be a JSON object")
    if body.get("cursor") is not None:
        return _from_cursor(tenant, body["cursor"])
    unknown = sorted(set(body) - {"type", "filter", "startDate", "pageSize", "returnObjects", "timeLimit",
                                  "options", "cursor"})
    if unknown:
        raise Invalid(f"Unknown property {str(unknown[0])[:60]!r} in the request body")
    raw = body.get("type")
    if raw is None:
        types = None
    else:
        items = raw if isinstance(raw, list) else [raw]
        if not items or len(items) > 100 or not all(isinstance(t, str) and t for t in items):
            raise Invalid("'type' must be a relation type URI or a list of them")
        types = tuple(t[len(RELATION_PREFIX):] if t.startswith(RELATION_PREFIX) else t for t in items)
    text = body.get("filter")
    if text is not None and not isinstance(text, str):
        raise Invalid("'filter' must be a string")
    since = body.get("startDate")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
        raise Invalid("'startDate' must be a time in milliseconds since the epoch")
    size = body.get("pageSize", DBSCAN_DEFAULT_PAGE)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= DBSCAN_MAX_PAGE:
        raise Invalid(f"'pageSize' must be an integer between 1 and {DBSCAN_MAX_PAGE}")
    objects = body.get("returnObjects", True)
    if not isinstance(objects, bool):
        raise Invalid("'returnObjects' must be true or false")
    limit = body.get("timeLimit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise Invalid("'timeLimit' must be a non-negative integer")
    scan = Scan(tenant, types, text or None, since, size, objects)
    scan.condition()
    return scan


# --- graph types: GET /entities/{id}/_parents, graphTypeURIs of _hops --------------------------------

GRAPH_TYPES = "configuration/graphTypes/"
PARENTS_MAX_LEVELS = 20  # levels walked up from the entity
PARENTS_MAX_PATHS = 100  # paths in one answer
PARENTS_MAX_RELATIONS = 10_000  # relations read by one walk


def graph_relation_types(sections: dict[str, tuple[dict[str, Any], ...]], uris: list[str]) -> tuple[str, ...]:
    """The relation types (short names) of the named graph types (their `relationshipTypeURIs`, in
    the tenant's `graphTypes` configuration section); a graph type the tenant does not declare is a 400."""
    declared: dict[str, dict[str, Any]] = {}
    for item in sections.get("graphTypes", ()):
        name = str(item.get("uri") or item.get("name") or "")
        declared[name[len(GRAPH_TYPES):] if name.startswith(GRAPH_TYPES) else name] = item
    out: list[str] = []
    for uri in uris:
        name = uri[len(GRAPH_TYPES):] if uri.startswith(GRAPH_TYPES) else uri
        graph_type = declared.get(name)
        if graph_type is None:
            raise Invalid(f"Unknown graph type {uri[:80]!r}: the tenant's configuration declares "
                          f"{', '.join(sorted(GRAPH_TYPES + k for k in declared))[:300] or 'no graph types'}")
        raw = graph_type.get("relationshipTypeURIs") or []
        for rel in raw if isinstance(raw, list) else []:
            if isinstance(rel, str):
                short = rel[len(RELATION_PREFIX):] if rel.startswith(RELATION_PREFIX) else rel
                if short not in out:
                    out.append(short)
    return tuple(out)


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """One element of a parent path: the entity, the relations from it to the entity before it in
    the path (and its own self relations), and whether it has a self relation."""

    entity_id: str
    relation_ids: tuple[str, ...] = ()
    self_relation: bool = False


def parent_paths(start: str, up: dict[str, list[tuple[str, str]]], self_relations: dict[str, list[str]]
                 ) -> tuple[list[list[Step]], bool]:
    """Every path from `start` to a root (an entity without parents) over `up` (child -> [(relation
    id, parent)]), no entity twice in a path (a cycle ends the path where it would repeat), at most
    PARENTS_MAX_PATHS paths of at most PARENTS_MAX_LEVELS steps up. Also whether none was cut."""
    paths: list[list[Step]] = []
    complete = True

    def walk(path: list[Step], seen: set[str]) -> None:
        nonlocal complete
        if len(paths) >= PARENTS_MAX_PATHS:
            complete = False
            return
        here = path[-1].entity_id
        by_parent: dict[str, list[str]] = {}
        for rel_id, parent in up.get(here, []):
            if parent != here:
                by_parent.setdefault(parent, []).append(rel_id)
        fresh = {p: rels for p, rels in by_parent.items() if p not in seen}
        if not fresh or len(path) > PARENTS_MAX_LEVELS:
            if fresh:
                complete = False
            paths.append(path)
            return
        for parent in sorted(fresh):
            own = self_relations.get(parent, [])
            step = Step(parent, tuple(sorted(fresh[parent])) + tuple(sorted(own)), bool(own))
            walk([*path, step], seen | {parent})

    own = self_relations.get(start, [])
    walk([Step(start, tuple(sorted(own)), bool(own))], {start})
    return paths, complete
