"""Reltio tenants: tenants with their roles and types, entities and their crosswalks, relations (in
the shared `relations` table, namespace ``reltio/{tenant}``), change requests and their items.

Documents are JSON text encoded with msgspec. Lookups of many ids at once (applying a change request
of 100,000 items) go through `_in_stmt`, whose IN lists are padded to a power of two so that only a
handful of statements is ever compiled.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from bondline.domain.reltio import filters
from bondline.domain.reltio.changes import ChangeRequest, Item
from bondline.domain.reltio.objects import ReltioEntity, ReltioRelation
from bondline.store.base import Conn
from bondline.store.repos import batch, reltio_search
from bondline.store.tables import (
    change_items,
    change_requests,
    entities,
    entity_crosswalks,
    entity_values,
    relation_values,
    relations,
    tenant_roles,
    tenant_types,
    tenants,
    users,
)

# A relation with the entities at its start and end (None for one that is gone).
RelationWithEnds = tuple[ReltioRelation, ReltioEntity | None, ReltioEntity | None]

P = sa.bindparam
_enc = msgspec.json.Encoder().encode
_dec = msgspec.json.decode


def dumps(value: Any) -> str:
    return _enc(value).decode()


def loads(text: str | None) -> Any:
    return None if text is None else _dec(text)


def namespace(tenant: str) -> str:
    return f"reltio/{tenant}"


# --- tenants --------------------------------------------------------------------------------------

_tenant = sa.select(tenants.c.id, tenants.c.created_at).where(tenants.c.id == P("id"))
_tenant_insert = tenants.insert().values(id=P("id"), created_at=P("now"))
_tenant_list = sa.select(tenants.c.id, tenants.c.created_at).order_by(tenants.c.id)
_roles_of = sa.select(tenant_roles.c.role).where(tenant_roles.c.tenant_id == P("tenant"),
                                                 tenant_roles.c.user_id == P("user_id")).order_by(tenant_roles.c.role)
# Whether the tenant exists and the user's roles there, in one round trip (every Reltio request).
_membership = sa.select(tenants.c.types_version, tenant_roles.c.role).select_from(tenants.outerjoin(
    tenant_roles, sa.and_(tenant_roles.c.tenant_id == tenants.c.id, tenant_roles.c.user_id == P("user_id")))
).where(tenants.c.id == P("tenant")).order_by(tenant_roles.c.role)
_role_exists = sa.select(tenant_roles.c.role).where(tenant_roles.c.tenant_id == P("tenant"),
                                                    tenant_roles.c.user_id == P("user_id"),
                                                    tenant_roles.c.role == P("role"))
_role_insert = tenant_roles.insert().values(tenant_id=P("tenant"), user_id=P("user_id"), role=P("role"))
_role_delete = tenant_roles.delete().where(tenant_roles.c.tenant_id == P("tenant"),
                                           tenant_roles.c.user_id == P("user_id"))
_members = sa.select(users.c.account_id, tenant_roles.c.role).join(users, users.c.id == tenant_roles.c.user_id).where(
    tenant_roles.c.tenant_id == P("tenant")).order_by(users.c.account_id, tenant_roles.c.role)
_roles_of_user = sa.select(tenant_roles.c.tenant_id, tenant_roles.c.role).where(
    tenant_roles.c.user_id == P("user_id")).order_by(tenant_roles.c.tenant_id, tenant_roles.c.role)
_types = sa.select(tenant_types.c.kind, tenant_types.c.name, tenant_types.c.definition).where(
    tenant_types.c.tenant_id == P("tenant")).order_by(tenant_types.c.kind, tenant_types.c.name)
# The types with the version they are at, read in one statement (so never a mix of two versions).
_versioned_types = sa.select(tenants.c.types_version, tenant_types.c.kind, tenant_types.c.name,
                             tenant_types.c.definition).select_from(tenants.outerjoin(
    tenant_types, tenant_types.c.tenant_id == tenants.c.id)).where(tenants.c.id == P("tenant")).order_by(
    tenant_types.c.kind, tenant_types.c.name)
_types_bump = tenants.update().where(tenants.c.id == P("tenant")).values(types_version=P("version"))
_types_delete = tenant_types.delete().where(tenant_types.c.tenant_id == P("tenant"))
_type_insert = tenant_types.insert().values(tenant_id=P("tenant"), kind=P("kind"), name=P("name"),
                                            definition=P("definition"))


class TenantRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def exists(self, tenant: str) -> bool:
        return await self.conn.one(_tenant, {"id": tenant}) is not None

    async def add(self, tenant: str, now: int) -> None:
        await self.conn.execute(_tenant_insert, {"id": tenant, "now": now})

    async def list_all(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in await self.conn.all(_tenant_list)]

    async def roles_of(self, tenant: str, user_id: int) -> list[str]:
        return [r[0] for r in await self.conn.all(_roles_of, {"tenant": tenant, "user_id": user_id})]

    async def membership(self, tenant: str, user_id: int) -> tuple[list[str], int] | None:
        """The user's roles on the tenant and the version of its types, or None when there is no
        such tenant."""
        rows = await self.conn.all(_membership, {"tenant": tenant, "user_id": user_id})
        if not rows:
            return None
        return [r[1] for r in rows if r[1] is not None], rows[0][0]

    async def roles_of_user(self, user_id: int) -> dict[str, list[str]]:
        """A user's roles on every tenant where they hold one."""
        out: dict[str, list[str]] = {}
        for tenant, role in await self.conn.all(_roles_of_user, {"user_id": user_id}):
            out.setdefault(tenant, []).append(role)
        return out

    async def grant(self, tenant: str, user_id: int, role: str) -> bool:
        """Give the user the role (True), unless they hold it already (False)."""
        params = {"tenant": tenant, "user_id": user_id, "role": role}
        if await self.conn.one(_role_exists, params) is not None:
            return False
        await self.conn.execute(_role_insert, params)
        return True

    async def revoke_all(self, tenant: str, user_id: int) -> int:
        """Take every role of the user on the tenant; how many there were."""
        return await self.conn.execute(_role_delete, {"tenant": tenant, "user_id": user_id})

    async def members(self, tenant: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in await self.conn.all(_members, {"tenant": tenant})]

    async def types(self, tenant: str) -> list[tuple[str, str, str]]:
        return [(r[0], r[1], r[2]) for r in await self.conn.all(_types, {"tenant": tenant})]

    async def versioned_types(self, tenant: str) -> tuple[int, list[tuple[str, str, str]]] | None:
        """(version, types) of the tenant, or None when there is no such tenant."""
        rows = await self.conn.all(_versioned_types, {"tenant": tenant})
        if not rows:
            return None
        return rows[0][0], [(r[1], r[2], r[3]) for r in rows if r[1] is not None]

    async def replace_types(self, tenant: str, rows: list[tuple[str, str, str]]) -> None:
        await self.conn.execute(_types_delete, {"tenant": tenant})
        # A new random version, not a count: a tenant emptied by a test server's reset and made
        # again must not meet its old types in some worker's cache under a restarted count.
        await self.conn.execute(_types_bump, {"tenant": tenant, "version": secrets.randbits(62)})
        if rows:
            await self.conn.executemany(_type_insert, [
                {"tenant": tenant, "kind": k, "name": n, "definition": d} for k, n, d in rows])


# --- entities -------------------------------------------------------------------------------------

e = entities.c
_ecols = (e.tenant_id, e.id, e.type, e.attributes, e.crosswalks, e.tags, e.roles, e.label, e.secondary_label,
          e.version, e.created_at, e.created_by, e.updated_at, e.updated_by)
_entity = sa.select(*_ecols).where(e.tenant_id == P("tenant"), e.id == P("id"))
_entity_locked = _entity.with_for_update()
_entity_insert = entities.insert().values(
    tenant_id=P("tenant"), id=P("id"), type=P("type"), attributes=P("attributes"), crosswalks=P("crosswalks"),
    tags=P("tags"), roles=P("roles"), label=P("label"), secondary_label=P("secondary_label"), version=P("version"),
    created_at=P("created_at"), created_by=P("created_by"), updated_at=P("updated_at"), updated_by=P("updated_by"))
_entity_update = entities.update().where(e.tenant_id == P("tenant"), e.id == P("id")).values(
    attributes=P("attributes"), crosswalks=P("crosswalks"), tags=P("tags"), roles=P("roles"), label=P("label"),
    secondary_label=P("secondary_label"), version=P("version"), updated_at=P("updated_at"),
    updated_by=P("updated_by"))
_entity_delete = entities.delete().where(e.tenant_id == P("tenant"), e.id == P("id"))
x = entity_crosswalks.c
_xw_owner = sa.select(x.entity_id).where(x.tenant_id == P("tenant"), x.type == P("type"), x.value == P("value"))
_xw_insert = entity_crosswalks.insert().values(tenant_id=P("tenant"), type=P("type"), value=P("value"),
                                               entity_id=P("entity_id"))
_xw_delete_entity = entity_crosswalks.delete().where(x.tenant_id == P("tenant"), x.entity_id == P("entity_id"))

ev = entity_values.c
_values_insert = entity_values.insert().values(
    tenant_id=P("tenant"), entity_id=P("entity_id"), position=P("position"), path=P("path"), grp=P("grp"),
    value=P("value"), lvalue=P("lvalue"), words=P("words"), num=P("num"), ov=P("ov"))
_values_delete = entity_values.delete().where(ev.tenant_id == P("tenant"), ev.entity_id == P("entity_id"))


def _value_rows(items: Iterable[ReltioEntity]) -> list[dict[str, Any]]:
    """The rows Reltio's search finds each entity by (`filters.index_rows`)."""
    return [{"tenant": i.tenant, "entity_id": i.id, "position": k, "path": row.path, "grp": row.group,
             "value": row.value, "lvalue": row.lowered, "words": row.words, "num": row.number, "ov": row.ov}
            for i in items for k, row in enumerate(filters.index_rows(i))]


@functools.lru_cache(maxsize=32)
def _entities_in(n: int, lock: bool = False) -> sa.Select[Any]:
    stmt = sa.select(*_ecols).where(e.tenant_id == P("tenant"), e.id.in_(batch.vals(n)))
    return stmt.with_for_update() if lock else stmt


def _entity_of(r: Any) -> ReltioEntity:
    return ReltioEntity(r[0], r[1], r[2], loads(r[3]), loads(r[4]), loads(r[5]), loads(r[6]), r[7], r[8], r[9], r[10],
                  r[11], r[12], r[13])


def entity_params(en: ReltioEntity) -> dict[str, Any]:
    return {"tenant": en.tenant, "id": en.id, "type": en.type, "attributes": dumps(en.attributes),
            "crosswalks": dumps(en.crosswalks), "tags": dumps(en.tags), "roles": dumps(en.roles), "label": en.label,
            "secondary_label": en.secondary_label, "version": en.version, "created_at": en.created_at,
            "created_by": en.created_by, "updated_at": en.updated_at, "updated_by": en.updated_by}


class EntityRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, tenant: str, entity_id: str, lock: bool = False) -> ReltioEntity | None:
        row = await self.conn.one(_entity_locked if lock else _entity, {"tenant": tenant, "id": entity_id})
        return _entity_of(row) if row else None

    async def get_many(self, tenant: str, entity_ids: Iterable[str], lock: bool = False) -> dict[str, ReltioEntity]:
        rows = await batch.many(self.conn, lambda n: _entities_in(n, lock), entity_ids, {"tenant": tenant})
        return {r[1]: _entity_of(r) for r in rows}

    async def insert_many(self, items: list[ReltioEntity]) -> None:
        if items:
            await self.conn.executemany(_entity_insert, [entity_params(i) for i in items])
            await self.conn.executemany(_xw_insert, [
                {"tenant": i.tenant, "type": xw["type"], "value": xw["value"], "entity_id": i.id}
                for i in items for xw in i.crosswalks])
            await self._write_values(items)

    async def _write_values(self, items: list[ReltioEntity]) -> None:
        rows = _value_rows(items)
        if rows:
            await self.conn.executemany(_values_insert, rows)

    async def update_many(self, items: list[ReltioEntity],
                          added_crosswalks: Sequence[tuple[str, str, str, str]] = ()) -> None:
        """Store new states of entities; `added_crosswalks` are (tenant, type, value, entity id) rows."""
        if items:
            await self.conn.executemany(_entity_update, [entity_params(i) for i in items])
            await self.conn.executemany(_values_delete, [{"tenant": i.tenant, "entity_id": i.id} for i in items])
            await self._write_values(items)
        if added_crosswalks:
            await self.conn.executemany(_xw_insert, [
                {"tenant": t, "type": k, "value": v, "entity_id": eid} for t, k, v, eid in added_crosswalks])

    async def delete(self, tenant: str, entity_id: str) -> None:
        await self.conn.execute(_values_delete, {"tenant": tenant, "entity_id": entity_id})
        await self.conn.execute(_xw_delete_entity, {"tenant": tenant, "entity_id": entity_id})
        await self.conn.execute(_entity_delete, {"tenant": tenant, "id": entity_id})

    async def by_crosswalk(self, tenant: str, kind: str, value: str) -> str | None:
        return await self.conn.scalar(_xw_owner, {"tenant": tenant, "type": kind, "value": value})

    async def search(self, tenant: str, condition: filters.Node | None, *, by_ov: bool = False,
                     sort: filters.Field | None = None, descending: bool = False, offset: int = 0,
                     limit: int = 50, refs: filters.References | None = None) -> list[ReltioEntity]:
        """A page of the tenant's entities matching `condition` (Reltio's filter), in one statement."""
        stmt = sa.select(*_ecols).where(reltio_search.where(tenant, condition, by_ov, refs)).order_by(
            *reltio_search.order_by(sort, descending)).limit(limit).offset(offset)
        return [_entity_of(r) for r in await self.conn.all(stmt)]

    async def count(self, tenant: str, condition: filters.Node | None, *, by_ov: bool = False,
                    refs: filters.References | None = None) -> int:
        stmt = sa.select(sa.func.count()).select_from(entities).where(
            reltio_search.where(tenant, condition, by_ov, refs))
        return int(await self.conn.scalar(stmt) or 0)

    async def scan(self, tenant: str, condition: filters.Node | None, *, after: str, limit: int,
                   by_ov: bool = False, refs: filters.References | None = None) -> list[ReltioEntity]:
        """The next `limit` entities matching `condition` whose id is above `after`, by id (the
        primary key): `_scan`'s pages, which neither skip nor repeat whatever is written between them."""
        stmt = sa.select(*_ecols).where(reltio_search.where(tenant, condition, by_ov, refs), e.id > after).order_by(
            e.id.asc()).limit(limit)
        return [_entity_of(r) for r in await self.conn.all(stmt)]

    async def facet(self, tenant: str, condition: filters.Node | None, spec: filters.Facet, *, by_ov: bool = False,
                    refs: filters.References | None = None) -> list[tuple[str, int]]:
        """A page of one facet's (term, entities) over the entities matching `condition`."""
        rows = await self.conn.all(reltio_search.facet(tenant, condition, by_ov, refs, spec))
        return [(str(r[0]), int(r[1])) for r in rows]


# --- relations ------------------------------------------------------------------------------------

r = relations.c
_rcols = (r.id, r.namespace, r.name, r.source_key, r.target_key, r.ext_id, r.payload, r.version, r.created_at,
          r.created_by, r.updated_at, r.updated_by)
_rel = sa.select(*_rcols).where(r.namespace == P("ns"), r.ext_id == P("ext_id"))
_rel_locked = _rel.with_for_update()
_rel_by_key = sa.select(*_rcols).where(
    r.namespace == P("ns"), r.name == P("name"), r.source_type == "entity", r.source_key == P("start"),
    r.target_type == "entity", r.target_key == P("end"))
_rel_insert = relations.insert().values(
    namespace=P("ns"), name=P("name"), source_type="entity", source_key=P("start"), target_type="entity",
    target_key=P("end"), version=P("version"), created_at=P("created_at"),
    created_by=P("created_by"), updated_at=P("updated_at"), updated_by=P("updated_by"), ext_id=P("ext_id"),
    payload=P("payload"))
_rel_update = relations.update().where(r.id == P("row_id")).values(
    payload=P("payload"), version=P("version"), updated_at=P("updated_at"), updated_by=P("updated_by"))
_rel_delete = relations.delete().where(r.id == P("row_id"))
_rel_from = sa.select(*_rcols).where(r.namespace == P("ns"), r.source_type == "entity", r.source_key == P("entity"))
_rel_to = sa.select(*_rcols).where(r.namespace == P("ns"), r.target_type == "entity", r.target_key == P("entity"))


# A relation with its start and end entities (as they are now, or NULLs when gone) in one round trip:
# what reading one relation renders. On PostgreSQL each end is a LATERAL lookup by its whole key
# (tenant, id): as a plain join, the plan made for a new, empty entities table matched on the tenant
# alone and filtered by id, and a connection kept that plan, reading every entity of the tenant on
# each GET until autovacuum analyzed the table (tests/storage/test_store_schema.py checks the plan). SQLite
# has no LATERAL, and its planner looks the ends up by the key either way.
def _with_ends_statement(lateral: bool) -> sa.Select[Any]:
    def end_of(key: Any, name: str) -> Any:
        if not lateral:
            alias = entities.alias(name)
            return alias, sa.and_(alias.c.tenant_id == P("tenant"), alias.c.id == key)
        # LIMIT 1 (the key matches one row at most) keeps PostgreSQL from flattening it into a join.
        return sa.select(*_ecols).where(e.tenant_id == P("tenant"), e.id == key).limit(1).lateral(name), sa.true()

    (start, on_start), (end, on_end) = end_of(r.source_key, "start_entity"), end_of(r.target_key, "end_entity")
    return sa.select(*_rcols, *(start.c[col.name] for col in _ecols), *(end.c[col.name] for col in _ecols)
                     ).select_from(relations.outerjoin(start, on_start).outerjoin(end, on_end)).where(
        r.namespace == P("ns"), r.ext_id == P("ext_id"))


def _membership_and(with_ends: sa.Select[Any]) -> sa.Select[Any]:
    """The tenant's types version and the caller's roles there (as `_membership`) with the relation
    and its ends, in one round trip: a Reltio GET /relations/{id} needs nothing else. One row per
    role (at least one while the tenant exists), each carrying the relation's columns, NULLs when
    there is none."""
    rw = with_ends.set_label_style(sa.LABEL_STYLE_TABLENAME_PLUS_COL).subquery("rw")
    return sa.select(tenants.c.types_version, tenant_roles.c.role, *rw.c).select_from(
        tenants.outerjoin(tenant_roles, sa.and_(tenant_roles.c.tenant_id == tenants.c.id,
                                                tenant_roles.c.user_id == P("user_id"))).outerjoin(rw, sa.true())
    ).where(tenants.c.id == P("tenant")).order_by(tenant_roles.c.role)


# by backend: PostgreSQL's (LATERAL) and everyone else's
_REL_WITH_ENDS = {True: _with_ends_statement(True), False: _with_ends_statement(False)}
_MEMBERSHIP_AND_RELATION = {k: _membership_and(v) for k, v in _REL_WITH_ENDS.items()}


@functools.lru_cache(maxsize=32)
def _relations_in(n: int, lock: bool = False) -> sa.Select[Any]:
    stmt = sa.select(*_rcols).where(r.namespace == P("ns"), r.ext_id.in_(batch.vals(n)))
    return stmt.with_for_update() if lock else stmt


@functools.lru_cache(maxsize=32)
def _relations_from(n: int) -> sa.Select[Any]:
    return sa.select(*_rcols).where(r.namespace == P("ns"), r.source_type == "entity", r.source_key.in_(batch.vals(n)))


@functools.lru_cache(maxsize=64)
def _relations_from_of_types(n: int, k: int) -> sa.Select[Any]:
    """`_relations_from` of the relation types t0 … t{k-1} only."""
    return sa.select(*_rcols).where(r.namespace == P("ns"), r.source_type == "entity", r.source_key.in_(batch.vals(n)),
                                    r.name.in_([P(f"t{i}") for i in range(k)]))


def _relation_of(row: Any) -> ReltioRelation:
    payload = loads(row[6]) or {}
    return ReltioRelation(row[1][len("reltio/"):], row[5], row[2], row[3], row[4], payload.get("attributes", {}),
                    payload.get("crosswalks", []), payload.get("flags", {}), row[7], row[8], row[9], row[10],
                    row[11], row[0])


def _split_with_ends(row: tuple[Any, ...]) -> RelationWithEnds:
    """A `_with_ends_statement` row: the relation, its start and its end (None for one that is gone)."""
    n, m = len(_rcols), len(_ecols)
    start, end = row[n:n + m], row[n + m:n + 2 * m]
    return (_relation_of(row[:n]), None if start[0] is None else _entity_of(start),
            None if end[0] is None else _entity_of(end))


def _membership_and_relation(rows: Sequence[Any]) -> tuple[tuple[str, ...], int, RelationWithEnds | None] | None:
    """A `_MEMBERSHIP_AND_RELATION` result: (roles, types version, the relation with its ends or
    None), or None when there is no such tenant. It may be handed to many requests by the read
    cache: the roles are a tuple, and the objects are frozen (their attributes are only read)."""
    if not rows:
        return None
    first = tuple(rows[0])
    return (tuple(row[1] for row in rows if row[1] is not None), first[0],
            None if first[2] is None else _split_with_ends(first[2:]))


rv = relation_values.c
_rvalues_insert = relation_values.insert().values(
    tenant_id=P("tenant"), relation_id=P("relation_id"), position=P("position"), path=P("path"), grp=P("grp"),
    value=P("value"), lvalue=P("lvalue"), words=P("words"), num=P("num"), ov=P("ov"))
_rvalues_delete = relation_values.delete().where(rv.tenant_id == P("tenant"), rv.relation_id == P("relation_id"))


def _relation_value_rows(items: Iterable[ReltioRelation]) -> list[dict[str, Any]]:
    """The rows Reltio's relation search finds each relation by (`filters.relation_rows`)."""
    return [{"tenant": i.tenant, "relation_id": i.id, "position": k, "path": row.path, "grp": row.group,
             "value": row.value, "lvalue": row.lowered, "words": row.words, "num": row.number, "ov": row.ov}
            for i in items for k, row in enumerate(filters.relation_rows(i))]


def _payload(rel: ReltioRelation) -> str:
    return dumps({"attributes": rel.attributes, "crosswalks": rel.crosswalks, "flags": rel.flags})


class ReltioRelationRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, tenant: str, relation_id: str, lock: bool = False) -> ReltioRelation | None:
        row = await self.conn.one(_rel_locked if lock else _rel, {"ns": namespace(tenant), "ext_id": relation_id})
        return _relation_of(row) if row else None

    async def get_with_ends(self, tenant: str, relation_id: str) -> RelationWithEnds | None:
        """The relation and its start and end entities (None for one that is gone), or None."""
        row = await self.conn.one(_REL_WITH_ENDS[self.conn.kind == "postgresql"],
                                  {"ns": namespace(tenant), "ext_id": relation_id, "tenant": tenant})
        return None if row is None else _split_with_ends(tuple(row))

    async def with_membership(self, tenant: str, user_id: int, relation_id: str
                              ) -> tuple[tuple[str, ...], int, RelationWithEnds | None] | None:
        """`TenantRepo.membership(tenant, user_id)` and `get_with_ends(tenant, relation_id)` in one
        statement: (roles, types version, the relation with its ends or None), or None when there is
        no such tenant. The caller decides, from the roles, whether the relation may be shown."""
        # Parsed once per cached read, not per request: the JSON payloads and the objects built
        # from them are most of this read's cost when the rows come from the cache.
        return await self.conn.all_cached(_MEMBERSHIP_AND_RELATION[self.conn.kind == "postgresql"], {
            "tenant": tenant, "user_id": user_id, "ns": namespace(tenant), "ext_id": relation_id},
            parse=_membership_and_relation)

    async def get_many(self, tenant: str, relation_ids: Iterable[str], lock: bool = False) -> dict[str, ReltioRelation]:
        rows = await batch.many(self.conn, lambda n: _relations_in(n, lock), relation_ids, {"ns": namespace(tenant)})
        return {row[5]: _relation_of(row) for row in rows}

    async def by_key(self, tenant: str, type_name: str, start: str, end: str) -> ReltioRelation | None:
        row = await self.conn.one(_rel_by_key, {"ns": namespace(tenant), "name": type_name, "start": start,
                                                "end": end})
        return _relation_of(row) if row else None

    async def insert_many(self, items: list[ReltioRelation]) -> None:
        if items:
            await self.conn.executemany(_rel_insert, [{
                "ns": namespace(i.tenant), "name": i.type, "start": i.start_id, "end": i.end_id, "version": i.version,
                "created_at": i.created_at, "created_by": i.created_by, "updated_at": i.updated_at,
                "updated_by": i.updated_by, "ext_id": i.id, "payload": _payload(i)} for i in items])
            await self._write_values(items)

    async def _write_values(self, items: list[ReltioRelation]) -> None:
        rows = _relation_value_rows(items)
        if rows:
            await self.conn.executemany(_rvalues_insert, rows)

    async def _delete_values(self, items: list[ReltioRelation]) -> None:
        await self.conn.executemany(_rvalues_delete, [{"tenant": i.tenant, "relation_id": i.id} for i in items])

    async def update_many(self, items: list[ReltioRelation]) -> None:
        if items:
            await self.conn.executemany(_rel_update, [{
                "row_id": i.row_id, "payload": _payload(i), "version": i.version, "updated_at": i.updated_at,
                "updated_by": i.updated_by} for i in items])
            await self._delete_values(items)
            await self._write_values(items)

    async def delete_many(self, items: list[ReltioRelation]) -> None:
        """Delete relations (as loaded: their row ids say which)."""
        if items:
            await self._delete_values(items)
            await self.conn.executemany(_rel_delete, [{"row_id": i.row_id} for i in items])

    async def from_entities(self, tenant: str, entity_ids: Iterable[str],
                            types: Iterable[str] | None = None) -> list[ReltioRelation]:
        """Every relation starting at one of these entities (reference attributes are made of them),
        or only those of the relation `types`."""
        if types is None:
            rows = await batch.many(self.conn, _relations_from, entity_ids, {"ns": namespace(tenant)})
        else:
            names = sorted(set(types))
            params = {"ns": namespace(tenant), **{f"t{i}": name for i, name in enumerate(names)}}
            rows = await batch.many(self.conn, lambda n: _relations_from_of_types(n, len(names)), entity_ids, params)
        return [_relation_of(row) for row in rows]

    async def of_entity(self, tenant: str, entity_id: str) -> list[ReltioRelation]:
        params = {"ns": namespace(tenant), "entity": entity_id}
        rows = list(await self.conn.all(_rel_from, params)) + list(await self.conn.all(_rel_to, params))
        return [_relation_of(row) for row in rows]


# --- change requests ------------------------------------------------------------------------------

c = change_requests.c
_ccols = (c.tenant_id, c.id, c.state, c.type, c.external_info, c.created_at, c.created_by, c.updated_at,
          c.updated_by)
_cr = sa.select(*_ccols).where(c.tenant_id == P("tenant"), c.id == P("id"))
_cr_locked = _cr.with_for_update()
_cr_insert = change_requests.insert().values(
    tenant_id=P("tenant"), id=P("id"), state=P("state"), type=P("type"), external_info=P("external_info"),
    created_at=P("created_at"), created_by=P("created_by"), updated_at=P("updated_at"), updated_by=P("updated_by"))
_cr_update = change_requests.update().where(c.tenant_id == P("tenant"), c.id == P("id")).values(
    state=P("state"), external_info=P("external_info"), updated_at=P("updated_at"), updated_by=P("updated_by"))
_cr_delete = change_requests.delete().where(c.tenant_id == P("tenant"), c.id == P("id"))
i_ = change_items.c
_icols = (i_.id, i_.request_id, i_.position, i_.object_uri, i_.type, i_.body, i_.base_version, i_.created_at,
          i_.created_by)
_items = sa.select(*_icols).where(i_.tenant_id == P("tenant"), i_.request_id == P("request")).order_by(i_.position)
_item = sa.select(*_icols).where(i_.tenant_id == P("tenant"), i_.request_id == P("request"), i_.id == P("id"))
# An item's parameters (`_item_row`) and the columns they fill.
_ITEM_COLUMNS = {"tenant": "tenant_id", "request": "request_id", "id": "id", "position": "position",
                 "object_uri": "object_uri", "type": "type", "body": "body", "base_version": "base_version",
                 "created_at": "created_at", "created_by": "created_by"}
_item_insert = change_items.insert().values({column: P(field) for field, column in _ITEM_COLUMNS.items()})
_item_delete = change_items.delete().where(i_.tenant_id == P("tenant"), i_.request_id == P("request"),
                                           i_.id == P("id"))
_items_delete = change_items.delete().where(i_.tenant_id == P("tenant"), i_.request_id == P("request"))
_items_head = _items.limit(P("limit"))
# The review inbox: a page of one state's requests (waiting ones newest first, decided ones most
# recently decided first), and how many there are of each state.
_in_state = sa.select(*_ccols).where(c.tenant_id == P("tenant"), c.state == P("state"))
_awaiting_page = _in_state.order_by(c.created_at.desc(), c.id).limit(P("limit")).offset(P("offset"))
_decided_page = _in_state.order_by(c.updated_at.desc(), c.id).limit(P("limit")).offset(P("offset"))
_state_counts = sa.select(c.state, sa.func.count()).where(c.tenant_id == P("tenant")).group_by(c.state)
_count_items = sa.select(sa.func.count()).select_from(change_items).where(
    i_.tenant_id == P("tenant"), i_.request_id == P("request"))
_max_position = sa.select(sa.func.max(i_.position)).where(i_.tenant_id == P("tenant"), i_.request_id == P("request"))


_ONE_STATEMENT_ITEMS = 8  # up to this many items, a new request is written in one statement (PostgreSQL)


def _item_row(tenant: str, it: Item) -> dict[str, Any]:
    return {"tenant": tenant, "request": it.request_id, "id": it.id, "position": it.position,
            "object_uri": it.object_uri, "type": it.type, "body": dumps(it.body), "base_version": it.base_version,
            "created_at": it.created_at, "created_by": it.created_by}


@functools.lru_cache(maxsize=16)
def _cr_insert_with(n_items: int) -> sa.Insert:
    """`_cr_insert` with `n_items` items written by the same statement (PostgreSQL's data-modifying
    WITH; the items' foreign key is checked at the statement's end, when the request is there).
    Parameters: `_cr_insert`'s and `item{k}_{field}`."""
    item_rows = change_items.insert().values([{column: P(f"item{k}_{field}") for field, column in _ITEM_COLUMNS.items()}
                                              for k in range(n_items)]).cte("item_rows")
    return _cr_insert.add_cte(item_rows)


@functools.lru_cache(maxsize=32)
def _requests_in(n: int) -> sa.Select[Any]:
    return sa.select(*_ccols).where(c.tenant_id == P("tenant"), c.id.in_(batch.vals(n)))


@functools.lru_cache(maxsize=32)
def _created_by_in(n: int) -> sa.Select[Any]:
    return sa.select(c.id).where(c.tenant_id == P("tenant"), c.created_by.in_(batch.vals(n)))


@functools.lru_cache(maxsize=32)
def _touching_in(n: int) -> sa.Select[Any]:
    return sa.select(i_.request_id).where(i_.tenant_id == P("tenant"), i_.object_uri.in_(batch.vals(n))).distinct()


@functools.lru_cache(maxsize=32)
def _items_of_requests(n: int) -> sa.Select[Any]:
    return sa.select(*_icols).where(i_.tenant_id == P("tenant"), i_.request_id.in_(batch.vals(n))).order_by(
        i_.request_id, i_.position)


@functools.lru_cache(maxsize=32)
def _item_counts_in(n: int) -> sa.Select[Any]:
    return sa.select(i_.request_id, sa.func.count()).where(i_.tenant_id == P("tenant"), i_.request_id.in_(batch.vals(n))
                                                          ).group_by(i_.request_id)


def _cr_of(row: Any) -> ChangeRequest:
    return ChangeRequest(row[0], row[1], row[2], row[3], loads(row[4]), row[5], row[6], row[7], row[8])


def _item_of(row: Any) -> Item:
    return Item(row[0], row[1], row[2], row[3], row[4], loads(row[5]), row[6], row[7], row[8])


_cr_counts = (sa.select(change_requests.c.tenant_id, change_requests.c.state, sa.func.count())
              .group_by(change_requests.c.tenant_id, change_requests.c.state)
              .order_by(change_requests.c.tenant_id, change_requests.c.state))


class ChangeRequestRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, tenant: str, request_id: str, lock: bool = False) -> ChangeRequest | None:
        row = await self.conn.one(_cr_locked if lock else _cr, {"tenant": tenant, "id": request_id})
        return _cr_of(row) if row else None

    async def get_many(self, tenant: str, request_ids: Iterable[str]) -> dict[str, ChangeRequest]:
        rows = await batch.many(self.conn, _requests_in, request_ids, {"tenant": tenant})
        return {row[1]: _cr_of(row) for row in rows}

    async def insert(self, cr: ChangeRequest, items: list[Item] | None = None) -> None:
        """Write a new change request, and `items` of it when given."""
        row = {"tenant": cr.tenant, "id": cr.id, "state": cr.state, "type": cr.type,
               "external_info": None if cr.external_info is None else dumps(cr.external_info),
               "created_at": cr.created_at, "created_by": cr.created_by, "updated_at": cr.updated_at,
               "updated_by": cr.updated_by}
        if self.conn.kind == "postgresql" and items and len(items) <= _ONE_STATEMENT_ITEMS:
            # The request and its items in one statement: staging one change is the common case, and
            # on PostgreSQL every statement is a round trip.
            params = dict(row)
            for k, it in enumerate(items):
                params.update({f"item{k}_{name}": value for name, value in _item_row(tenant=cr.tenant, it=it).items()})
            await self.conn.execute(_cr_insert_with(len(items)), params)
            return
        await self.conn.execute(_cr_insert, row)
        if items:
            await self._insert_items(cr.tenant, items)

    async def update(self, cr: ChangeRequest) -> None:
        await self.conn.execute(_cr_update, {
            "tenant": cr.tenant, "id": cr.id, "state": cr.state,
            "external_info": None if cr.external_info is None else dumps(cr.external_info),
            "updated_at": cr.updated_at, "updated_by": cr.updated_by})

    async def delete(self, tenant: str, request_id: str) -> None:
        await self.conn.execute(_items_delete, {"tenant": tenant, "request": request_id})
        await self.conn.execute(_cr_delete, {"tenant": tenant, "id": request_id})

    async def counts_by_state(self) -> list[tuple[str, str, int]]:
        """(tenant, state, count) for every tenant and state that has change requests."""
        rows = await self.conn.all(_cr_counts)
        return [(row[0], row[1], int(row[2])) for row in rows]

    async def items(self, tenant: str, request_id: str) -> list[Item]:
        return [_item_of(row) for row in await self.conn.all(_items, {"tenant": tenant, "request": request_id})]

    async def items_of(self, tenant: str, request_ids: Iterable[str]) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = {}
        for row in await batch.many(self.conn, _items_of_requests, request_ids, {"tenant": tenant}):
            item = _item_of(row)
            out.setdefault(item.request_id, []).append(item)
        for values in out.values():
            values.sort(key=lambda it: it.position)
        return out

    async def items_head(self, tenant: str, request_id: str, limit: int) -> list[Item]:
        """The first `limit` items of a request, in order."""
        rows = await self.conn.all(_items_head, {"tenant": tenant, "request": request_id, "limit": limit})
        return [_item_of(row) for row in rows]

    async def item_counts(self, tenant: str, request_ids: Iterable[str]) -> dict[str, int]:
        rows = await batch.many(self.conn, _item_counts_in, request_ids, {"tenant": tenant})
        return {row[0]: int(row[1]) for row in rows}

    async def page_in_state(self, tenant: str, state: str, offset: int, limit: int) -> list[ChangeRequest]:
        stmt = _awaiting_page if state == "AWAITING_REVIEW" else _decided_page
        rows = await self.conn.all(stmt, {"tenant": tenant, "state": state, "offset": offset, "limit": limit})
        return [_cr_of(row) for row in rows]

    async def count_by_state(self, tenant: str) -> dict[str, int]:
        return {row[0]: int(row[1]) for row in await self.conn.all(_state_counts, {"tenant": tenant})}

    async def item(self, tenant: str, request_id: str, item_id: str) -> Item | None:
        row = await self.conn.one(_item, {"tenant": tenant, "request": request_id, "id": item_id})
        return _item_of(row) if row else None

    async def count_items(self, tenant: str, request_id: str) -> int:
        return int(await self.conn.scalar(_count_items, {"tenant": tenant, "request": request_id}) or 0)

    async def next_position(self, tenant: str, request_id: str) -> int:
        top = await self.conn.scalar(_max_position, {"tenant": tenant, "request": request_id})
        return 0 if top is None else top + 1

    async def add_items(self, tenant: str, items: list[Item]) -> None:
        if items:
            await self._insert_items(tenant, items)

    async def _insert_items(self, tenant: str, items: list[Item]) -> None:
        await self.conn.executemany(_item_insert, [_item_row(tenant, it) for it in items])

    async def delete_item(self, tenant: str, request_id: str, item_id: str) -> bool:
        return await self.conn.execute(_item_delete, {"tenant": tenant, "request": request_id, "id": item_id}) > 0

    async def ids_created_by(self, tenant: str, names: list[str]) -> set[str]:
        return {row[0] for row in await batch.many(self.conn, _created_by_in, names, {"tenant": tenant})}

    async def ids_touching(self, tenant: str, uris: list[str]) -> set[str]:
        return {row[0] for row in await batch.many(self.conn, _touching_in, uris, {"tenant": tenant})}
