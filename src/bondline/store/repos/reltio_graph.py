"""Reltio's graph reads over `relations` (namespace "reltio/{tenant}"): an entity's connections, the
relations around a set of entities (one hop of `_hops`) and relation search, on both backends
(docs/decisions/0023-reltio-graph.md).

Which index serves what:

- an entity's out-relations: `ix_relations_forward` (namespace, source_type, source_key, name, …);
- its in-relations: `ix_relations_reverse` (namespace, target_type, target_key, name, …);
- the entity at the other end: the primary key of `entities` (tenant_id, id);
- a connection group's entity filter: the same subqueries as entity search (`reltio_search.where`,
  `ix_entity_values_text` / `_num`), restricted to the connected entity;
- relation search by startObject/endObject: the forward/reverse index; by type or uri alone: the
  tenant's relations (`uq_relations_key` leads with namespace, name); by attribute values:
  `relation_values` (`ix_relation_values_text` / `_num`), then `uq_relations_ext_id`;
- `_dbscan`: a range of the primary key within the tenant's namespace (keyset on `relations.id`);
- `_parents`: the forward index, one level of children's relations per statement.

Out and in are two SELECTs joined by UNION ALL so that each is answered by its own index (an OR of
both keys would make either database scan the tenant's relations).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa

from bondline.domain.reltio import filters as f
from bondline.domain.reltio.objects import ReltioEntity, ReltioRelation
from bondline.domain.reltio.types import RELATION_PREFIX
from bondline.store.base import Conn
from bondline.store.repos import batch, reltio_search
from bondline.store.repos.reltio import _entities_in, _entity_of, _rcols, _relation_of, namespace
from bondline.store.tables import entities, relation_values, relations

r = relations.c
e = entities.c
P = sa.bindparam
# a relation without its document: row id, ext id, type, start, end, version, created, updated
_light = (r.id, r.ext_id, r.name, r.source_key, r.target_key, r.version, r.created_at, r.updated_at)
Connection = tuple[ReltioRelation, ReltioEntity, str]  # relation, the entity at its other end, "out" | "in"


def _side(ns: str, tenant: str, entity_id: str, direction: str, types: tuple[str, ...] | None,
          entity_types: tuple[str, ...] | None, condition: f.Node | None, by_ov: bool,
          by_label: bool) -> sa.Select[Any]:
    """The keys of one direction's connections: relation row id, the other end's id, the direction
    (and the other end's label when the page is sorted by it). The entity is joined only when its
    type, filter or label is asked about (otherwise the index on the relations answers alone)."""
    mine, other = (r.source_key, r.target_key) if direction == "out" else (r.target_key, r.source_key)
    where = [r.namespace == ns, r.source_type == "entity", r.target_type == "entity", mine == entity_id]
    if types is not None:
        where.append(r.name.in_([sa.literal(t) for t in types]))
    columns = [r.id.label("r_id"), other.label("e_id"), sa.literal(direction).label("direction")]
    if entity_types is None and condition is None and not by_label:
        return sa.select(*columns).where(*where)
    where.append(reltio_search.where(tenant, condition, by_ov))
    if entity_types is not None:
        where.append(e.type.in_([sa.literal(t) for t in entity_types]))
    if by_label:
        columns.append(e.label.label("e_label"))
    joined = relations.join(entities, sa.and_(e.tenant_id == tenant, e.id == other))
    return sa.select(*columns).select_from(joined).where(*where)


HOP_CHUNK = 32  # entities per statement of a traversal level (a level that cannot fit stops early)


@functools.lru_cache(maxsize=64)
def _touching_stmt(direction: str, size: int, n_types: int | None) -> sa.Select[Any]:
    """The relations at one end of `size` entities (`ix_relations_forward` / `_reverse`), of
    `n_types` types (None: any), oldest first, at most :limit."""
    column = r.source_key if direction == "out" else r.target_key
    where = [r.namespace == P("ns"), r.source_type == "entity", r.target_type == "entity",
             column.in_(batch.vals(size))]
    if n_types is not None:
        where.append(r.name.in_([P(f"t{i}") for i in range(n_types)]))
    return sa.select(*_light).where(*where).order_by(r.id).limit(P("limit"))


@functools.lru_cache(maxsize=32)
def _degree_stmt(direction: str, size: int) -> sa.Select[Any]:
    column = r.source_key if direction == "out" else r.target_key
    return sa.select(column, sa.func.count()).where(
        r.namespace == P("ns"), r.source_type == "entity", r.target_type == "entity",
        column.in_(batch.vals(size))).group_by(column)


def _plain_side(direction: str, n_types: int | None) -> sa.Select[Any]:
    mine, other = (r.source_key, r.target_key) if direction == "out" else (r.target_key, r.source_key)
    where = [r.namespace == P("ns"), r.source_type == "entity", r.target_type == "entity", mine == P("entity")]
    if n_types is not None:
        where.append(r.name.in_([P(f"{direction}{i}") for i in range(n_types)]))
    return sa.select(r.id.label("r_id"), other.label("e_id"), sa.literal(direction).label("direction")).where(*where)


@functools.lru_cache(maxsize=64)
def _plain_connections(n_out: int | None, n_in: int | None, both_sides: tuple[bool, bool]
                       ) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The count and the page of a group with no entity types, filter or label sort, built once per
    shape (how many types each direction names; which directions): the statements most
    `_connections` calls run, compiled once per worker rather than on every request (compiling
    them was most of a request's time). Parameters: ns, entity, out{i}, in{i}, limit, offset."""
    sides = [_plain_side(d, n) for d, n, on in (("out", n_out, both_sides[0]), ("in", n_in, both_sides[1])) if on]
    both = sa.union_all(*sides).subquery("c") if len(sides) > 1 else sides[0].subquery("c")
    count = sa.select(sa.func.count()).select_from(both)
    page = sa.select(both.c.r_id, both.c.e_id, both.c.direction).order_by(
        both.c.r_id.asc(), both.c.direction.asc()).limit(P("limit")).offset(P("offset"))
    return count, page


@functools.lru_cache(maxsize=16)
def _relations_by_row(n: int) -> sa.Select[Any]:
    return sa.select(*_rcols).where(r.id.in_(batch.vals(n)))


class ReltioGraphRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def connections(self, tenant: str, entity_id: str, *, out_types: tuple[str, ...] | None,
                          in_types: tuple[str, ...] | None, entity_types: tuple[str, ...] | None,
                          condition: f.Node | None, by_ov: bool, by_label: bool, offset: int,
                          limit: int) -> tuple[int, list[Connection]]:
        """The total of the entity's connections matching the group, and one page of them (ordered by
        the connected entity's label when `by_label`, else by relation, oldest first)."""
        ns = namespace(tenant)
        if out_types == () and in_types == ():
            return 0, []
        if entity_types is None and condition is None and not by_label:
            count_stmt, page_stmt = _plain_connections(
                None if out_types is None else len(out_types), None if in_types is None else len(in_types),
                (out_types != (), in_types != ()))
            params: dict[str, Any] = {"ns": ns, "entity": entity_id}
            for d, types in (("out", out_types), ("in", in_types)):
                params.update({f"{d}{i}": t for i, t in enumerate(types or ())})
            total = int(await self.conn.scalar(count_stmt, params) or 0)
            if limit == 0 or offset >= total:
                return total, []
            page = await self.conn.all(page_stmt, {**params, "limit": limit, "offset": offset})
        else:
            sides = [_side(ns, tenant, entity_id, d, types, entity_types, condition, by_ov, by_label)
                     for d, types in (("out", out_types), ("in", in_types)) if types != ()]
            both = sa.union_all(*sides).subquery("c") if len(sides) > 1 else sides[0].subquery("c")
            total = int(await self.conn.scalar(sa.select(sa.func.count()).select_from(both)) or 0)
            if limit == 0 or offset >= total:
                return total, []
            # The page's keys first (sorting only keys), then its relations and entities by key.
            keys = ([both.c.e_label.asc()] if by_label else []) + [both.c.r_id.asc(), both.c.direction.asc()]
            page = await self.conn.all(sa.select(both.c.r_id, both.c.e_id, both.c.direction).order_by(*keys)
                                       .limit(limit).offset(offset))
        rels = {row[0]: _relation_of(row) for row in await batch.many(
            self.conn, _relations_by_row, [k[0] for k in page], {})}
        ends = {row[1]: _entity_of(row) for row in await batch.many(
            self.conn, _entities_in, [k[1] for k in page], {"tenant": tenant})}
        return total, [(rels[k[0]], ends[k[1]], k[2]) for k in page if k[0] in rels and k[1] in ends]

    async def touching(self, tenant: str, entity_ids: Iterable[str], types: tuple[str, ...] | None,
                       limit: int, *, known: Collection[str] = (), room: int | None = None
                       ) -> tuple[list[ReltioRelation], bool]:
        """Relations starting or ending at one of the entities (of the given types), at most
        `limit` + 1 of them (so the caller sees that there were more), and whether the read stopped
        because the relations found reach more than `room` entities not in `known` (a level of a
        traversal that cannot fit: no need to read the rest of it). Read in chunks of
        `HOP_CHUNK` entities, by statements cached per size (`batch`), without the relations'
        documents (attributes, crosswalks, flags are empty): a traversal and the hop answer need
        neither, and parsing up to 10,000 JSON payloads was most of a 3-hop request's time."""
        ids = sorted(set(entity_ids))
        if not ids or types == ():
            return [], False
        params: dict[str, Any] = {"ns": namespace(tenant)}
        if types is not None:
            params.update({f"t{i}": t for i, t in enumerate(types)})
        found: dict[str, ReltioRelation] = {}
        reached: set[str] = set()
        for direction in ("out", "in"):
            for start in range(0, len(ids), HOP_CHUNK):
                size, extra = batch.in_params(ids[start:start + HOP_CHUNK])
                stmt = _touching_stmt(direction, size, None if types is None else len(types))
                for row in await self.conn.all(stmt, {**params, **extra, "limit": limit + 1 - len(found)}):
                    if row[1] not in found:
                        found[row[1]] = ReltioRelation(tenant, row[1], row[2], row[3], row[4], {}, [], {}, row[5],
                                                       row[6], "", row[7], "", row[0])
                        if room is not None:
                            reached.update(x for x in (row[3], row[4]) if x not in known)
                if len(found) > limit:
                    return list(found.values()), False
                if room is not None and len(reached) > room:
                    return list(found.values()), True
        return list(found.values()), False

    async def upward(self, tenant: str, entity_ids: Iterable[str], types: tuple[str, ...],
                     limit: int) -> list[ReltioRelation]:
        """Relations of the given types starting at one of the entities (the child is a
        hierarchy relation's start object), at most `limit` + 1: `ix_relations_forward`."""
        ids = sorted(set(entity_ids))
        if not ids or not types:
            return []
        ns = namespace(tenant)
        found: list[ReltioRelation] = []
        for start in range(0, len(ids), 500):
            stmt = sa.select(*_rcols).where(
                r.namespace == ns, r.source_type == "entity", r.target_type == "entity",
                r.source_key.in_([sa.literal(i) for i in ids[start:start + 500]]),
                r.name.in_([sa.literal(t) for t in types])).order_by(r.id).limit(limit + 1 - len(found))
            found.extend(_relation_of(row) for row in await self.conn.all(stmt))
            if len(found) > limit:
                break
        return found

    async def degree(self, tenant: str, entity_ids: Iterable[str]) -> dict[str, int]:
        """How many relations each entity has (either end): a count per key on each direction's index."""
        ids = sorted(set(entity_ids))
        out: dict[str, int] = dict.fromkeys(ids, 0)
        for direction in ("out", "in"):
            for key, count in await batch.many(self.conn, lambda n, d=direction: _degree_stmt(d, n), ids,  # type: ignore[misc]
                                               {"ns": namespace(tenant)}):
                out[key] = out.get(key, 0) + int(count)
        return out

    async def search(self, tenant: str, condition: f.Node | None, *, descending: bool, offset: int,
                     limit: int) -> list[ReltioRelation]:
        stmt = sa.select(*_rcols).where(_relation_where(tenant, condition)).order_by(
            r.id.desc() if descending else r.id.asc()).limit(limit).offset(offset)
        return [_relation_of(row) for row in await self.conn.all(stmt)]

    async def scan(self, tenant: str, types: tuple[str, ...] | None, condition: f.Node | None, since: int | None,
                   after: int, limit: int) -> list[ReltioRelation]:
        """The next `limit` relations after row `after`, in row order (POST /relations/_dbscan): a
        range of the primary key, so a page costs the same wherever it is in the scan, and relations
        written while a client scans come after the position it holds."""
        where = [_relation_where(tenant, condition), r.id > after]
        if types is not None:
            where.append(r.name.in_([sa.literal(t) for t in types]))
        if since is not None:
            where.append(r.updated_at >= since)
        stmt = sa.select(*_rcols).where(*where).order_by(r.id).limit(limit)
        return [_relation_of(row) for row in await self.conn.all(stmt)]

    async def count(self, tenant: str, condition: f.Node | None) -> int:
        stmt = sa.select(sa.func.count()).select_from(relations).where(_relation_where(tenant, condition))
        return int(await self.conn.scalar(stmt) or 0)


_RELATION_COLUMNS = {("type", "relation"): r.name, ("uri", "relation"): r.ext_id, ("uri", "start"): r.source_key,
                     ("uri", "end"): r.target_key, ("created", ""): r.created_at, ("updated", ""): r.updated_at}


def _strip(c: f.Cond) -> f.Cond:
    prefix = {"type": RELATION_PREFIX, "uri": "relations/"}.get(c.field.kind) if c.field.path == "relation" else None
    if prefix is None:
        return c
    return f.Cond(c.op, c.field, tuple(v[len(prefix):] if isinstance(v, str) and v.startswith(prefix) else v
                                       for v in c.values))


def _relation_node(tenant: str, node: f.Node) -> Any:
    if isinstance(node, f.And):
        return sa.and_(sa.true(), *(_relation_node(tenant, p) for p in node.parts))
    if isinstance(node, f.Or):
        return sa.or_(sa.false(), *(_relation_node(tenant, p) for p in node.parts))
    if isinstance(node, f.Not):
        return sa.not_(_relation_node(tenant, node.part))
    if isinstance(node, f.Same):
        raise f.FilterError("Invalid filter: bondline does not take inSameAttributeValue on relations")
    if node.field.kind == "attr":
        # `ext_id IN (SELECT relation_id FROM relation_values WHERE tenant_id = … AND path = … AND
        # <value>)`: uncorrelated, answered by ix_relation_values_text|num, and the relations found
        # by uq_relations_ext_id (namespace, ext_id), as entity search does over entity_values.
        v = relation_values.alias("rv")
        rows = sa.select(v.c.relation_id).where(
            v.c.tenant_id == tenant, *reltio_search._Compiler(tenant, False)._row_where(node, v))
        return r.ext_id.in_(rows)
    column = _RELATION_COLUMNS[(node.field.kind, node.field.path)]
    return reltio_search._Compiler.column(_strip(node), column)


def _relation_where(tenant: str, node: f.Node | None) -> Any:
    base = sa.and_(r.namespace == namespace(tenant), r.source_type == "entity", r.target_type == "entity")
    return base if node is None else sa.and_(base, _relation_node(tenant, node))
