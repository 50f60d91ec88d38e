"""Reltio entity search, compiled: the domain's filter model (`bondline.domain.reltio.filters`) as one
SQL statement over `entities`, on SQLite and PostgreSQL alike (docs/decisions/0022-reltio-search.md).

The entity's own properties (type, uri, createdTime, updatedTime) are column comparisons; every
condition on a value (attributes, tags, label, crosswalks) is `id IN (SELECT entity_id FROM
entity_values …)`, served by `ix_entity_values_text` (tenant, path, lvalue) or
`ix_entity_values_num` (tenant, path, num). `inSameAttributeValue` is the same over the nested
attribute's rows, whose inner conditions are EXISTS correlated with that row's entity and group (the
top-level value). Every condition's positive form is never NULL (entity_id is NOT NULL, so `NOT IN`
is plain), so `NOT` means what it says; nothing is filtered in Python.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from bondline.domain.reltio import filters as f
from bondline.store.tables import entities, entity_values, relations

e = entities.c
rel = relations.c
_COLUMNS = {"type": e.type, "uri": e.id, "id": e.id, "created": e.created_at, "updated": e.updated_at,
            "label": e.label}


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _prefix(column: Any, value: str) -> Any:
    """Values starting with `value`: a range the index serves (`lvalue` is compared by code point
    on both backends: SQLite's BINARY collation, PostgreSQL's "C"), and LIKE for the exact rule."""
    like = column.like(_like_prefix(value), escape="\\")
    if not value or ord(value[-1]) >= 0x10FFFF:
        return like
    return sa.and_(column >= value, column < value[:-1] + chr(ord(value[-1]) + 1), like)


class _Compiler:
    """Each condition on values at the top is `entities.id IN (SELECT entity_id FROM entity_values
    WHERE tenant_id = … AND path = … AND <value>)`: an uncorrelated subquery that the index on
    (tenant, path, lvalue | num) answers, which both databases drive the entity lookup from — a
    correlated EXISTS made SQLite walk every entity of the tenant and probe the index for each.
    Inside `inSameAttributeValue`, conditions are EXISTS correlated with the group's row (same
    entity, same top-level value)."""

    def __init__(self, tenant: str, by_ov: bool, refs: f.References | None = None) -> None:
        self.tenant = tenant
        self.by_ov = by_ov
        self.refs = refs or {}
        self.names: Iterator[int] = itertools.count()

    def node(self, node: f.Node, group: Any = None) -> Any:
        if isinstance(node, f.And):
            return sa.and_(sa.true(), *(self.node(p, group) for p in node.parts))
        if isinstance(node, f.Or):
            return sa.or_(sa.false(), *(self.node(p, group) for p in node.parts))
        if isinstance(node, f.Not):
            return sa.not_(self.node(node.part, group))
        if isinstance(node, f.Same):
            # The group's rows: those of the first condition when the inner part starts with one
            # (found by the index like any condition), else every row of the nested attribute.
            g = entity_values.alias(f"g{next(self.names)}")
            part = node.part
            lead: f.Cond | None = None
            rest: f.Node | None = part
            if isinstance(part, f.Cond):
                lead, rest = part, None
            elif isinstance(part, f.And) and part.parts and isinstance(part.parts[0], f.Cond):
                lead, rest = part.parts[0], f.And(part.parts[1:])
            where = [g.c.tenant_id == self.tenant]
            if lead is not None and lead.field.kind == "attr":
                where.extend(self._row_where(lead, g))
            else:
                rest = part
                where.extend([g.c.path > node.attribute + ".", g.c.path < node.attribute + "/"])
            if rest is not None:
                where.append(self.node(rest, g))
            return self._membership(sa.select(g.c.entity_id).where(*where), group)
        return self.cond(node, group)

    def _membership(self, rows: Any, group: Any) -> Any:
        """`rows` (selecting entity_id) as a condition on the entity, or, inside a group, on the
        group's row."""
        if group is None:
            return e.id.in_(rows)
        return sa.exists(rows.where(rows.selected_columns[0] == group.c.entity_id))

    def cond(self, c: f.Cond, group: Any) -> Any:
        kind = c.field.kind
        if kind not in f.VALUE_KINDS:
            return self.column(c, _COLUMNS[kind])
        v = entity_values.alias(f"v{next(self.names)}")
        where = [v.c.tenant_id == self.tenant, *self._row_where(c, v)]
        if group is not None:
            where.append(v.c.grp == group.c.grp)
        own = self._membership(sa.select(v.c.entity_id).where(*where), group)
        top, _, sub = c.field.path.partition(".")
        refs = self.refs.get(top, ()) if kind == "attr" and group is None else ()
        if not refs:
            return own
        return sa.or_(own, *(self.reference(c, ref, sub) for ref in refs))

    def reference(self, c: f.Cond, ref: f.Reference, sub: str) -> Any:
        """A condition on a reference attribute (`attributes.Address.City`) of entities of
        `ref.owner`: the entity starts a `ref.relation` relation ending at an entity of `ref.target`
        whose value rows (`City`) satisfy it — `exists(attributes.Address)` asks only for the
        relation. Uncorrelated, as every value condition: the relations are found from the values
        (`ix_entity_values_text`, then `ix_relations_reverse` on their end)."""
        t = entities.alias(f"t{next(self.names)}")
        where = [rel.namespace == "reltio/" + self.tenant, rel.name == ref.relation, rel.source_type == "entity",
                 rel.target_type == "entity", t.c.type == ref.target]
        joined = relations.join(t, sa.and_(t.c.tenant_id == self.tenant, t.c.id == rel.target_key))
        if sub or c.op != "exists":
            v = entity_values.alias(f"v{next(self.names)}")
            inner = f.Cond(c.op, f.Field("attr", sub), c.values)
            joined = joined.join(v, sa.and_(v.c.tenant_id == self.tenant, v.c.entity_id == rel.target_key))
            where.extend(self._row_where(inner, v))
        return sa.and_(e.type == ref.owner, e.id.in_(sa.select(rel.source_key).select_from(joined).where(*where)))

    def _row_where(self, c: f.Cond, v: Any) -> list[Any]:
        """What a row of `entity_values` must be to satisfy the condition (its tenant aside)."""
        kind = c.field.kind
        where: list[Any] = []
        if kind == "attr":
            path = c.field.path
            if not path:
                where.append(v.c.path >= f.ATTRIBUTES_FROM)
            elif c.op == "exists":
                where.append(sa.or_(v.c.path == path, sa.and_(v.c.path > path + ".", v.c.path < path + "/")))
            else:
                where.append(v.c.path == path)
            if self.by_ov:
                where.append(v.c.ov == sa.true())
        else:
            where.append(v.c.path == f.ROW_PATH[kind])
        value = self.value(c, v)
        if value is not None:
            where.append(value)
        return where

    @staticmethod
    def value(c: f.Cond, v: Any) -> Any:
        op, values = c.op, c.values
        if op == "exists":
            return None
        if op == "eq":
            return v.c.num == values[0] if isinstance(values[0], float) else v.c.lvalue == values[0]
        if op == "eq_cs":
            return v.c.value == values[0]
        if op == "in":
            numbers = [x for x in values if isinstance(x, (int, float))]
            texts = [x for x in values if isinstance(x, str)]
            parts = []
            if texts:
                parts.append(v.c.lvalue.in_([sa.literal(x) for x in texts]))
            if numbers:
                parts.append(v.c.num.in_([sa.literal(float(x)) for x in numbers]))
            return sa.or_(sa.false(), *parts)
        if op == "prefix":
            return _prefix(v.c.lvalue, values[0])
        if op == "word_prefix":
            return v.c.words.like("% " + values[0] + "%")
        if op == "word":
            return v.c.words.like("% " + values[0] + " %")
        bound = values[0]
        column = v.c.num if isinstance(bound, (int, float)) else v.c.lvalue
        return {"lt": column < bound, "le": column <= bound, "gt": column > bound, "ge": column >= bound}[op]

    @staticmethod
    def column(c: f.Cond, column: Any) -> Any:
        op, values = c.op, c.values
        if op == "exists":
            return sa.true()
        if op in ("eq", "in"):
            return column.in_([sa.literal(x) for x in values]) if len(values) > 1 else column == values[0]
        if op == "prefix":
            return column.like(_like_prefix(values[0]), escape="\\")
        bound = values[0]
        if not isinstance(bound, (int, float)):
            return sa.false()
        return {"lt": column < bound, "le": column <= bound, "gt": column > bound, "ge": column >= bound}[op]


def where(tenant: str, node: f.Node | None, by_ov: bool, refs: f.References | None = None) -> Any:
    """The entities of `tenant` matching `node`; `refs` (`filters.references`) makes conditions on
    reference attributes find entities through the relations' other ends."""
    condition = e.tenant_id == tenant
    if node is None:
        return condition
    return sa.and_(condition, _Compiler(tenant, by_ov, refs).node(node))


def facet(tenant: str, node: f.Node | None, by_ov: bool, refs: f.References | None, spec: f.Facet) -> Any:
    """One facet as one GROUP BY: (term, number of matching entities with it), ordered and paged as
    asked. `type` groups the entities; any other field groups their value rows (as stored, first
    256 characters), counting each entity once per term."""
    found = where(tenant, node, by_ov, refs)
    if spec.field.kind == "type":
        term: Any = e.type
        count: Any = sa.func.count()
        stmt = sa.select(term.label("term"), count.label("n")).where(found)
    else:
        v = entity_values.alias("fv")
        path = f.ROW_PATH.get(spec.field.kind, spec.field.path)
        term = v.c.value
        count = sa.func.count(sa.distinct(v.c.entity_id))
        conds = [v.c.tenant_id == tenant, v.c.path == path,
                 v.c.entity_id.in_(sa.select(e.id).where(found))]
        if by_ov and spec.field.kind == "attr":
            conds.append(v.c.ov == sa.true())
        stmt = sa.select(term.label("term"), count.label("n")).where(*conds)
    if spec.include:
        stmt = stmt.where(term.in_([sa.literal(t) for t in spec.include]))
    ordering = {"count": (count.desc(), term.asc()), "reversedCount": (count.asc(), term.asc()),
                "term": (term.asc(),), "reversedTerm": (term.desc(),)}[spec.order]
    return stmt.group_by(term).order_by(*ordering).limit(spec.page_size).offset(spec.offset)


def order_by(sort: f.Field | None, descending: bool) -> list[Any]:
    """`sort` (a column, or an attribute: its smallest operational value), then the id; entities
    without the attribute come last either way."""
    keys: list[Any] = []
    if sort is not None:
        if sort.kind == "attr":
            v = entity_values.alias("s")
            key: Any = sa.select(sa.func.min(v.c.lvalue)).where(
                v.c.tenant_id == e.tenant_id, v.c.entity_id == e.id, v.c.path == sort.path,
                v.c.ov == sa.true()).scalar_subquery()
            keys.append(sa.nulls_last(key.desc() if descending else key.asc()))
        else:
            column = _COLUMNS[sort.kind]
            keys.append(column.desc() if descending else column.asc())
    keys.append(e.id.desc() if descending and sort is not None and sort.kind == "id" else e.id.asc())
    return keys
