"""CQL, compiled: the domain's query model (`bondline.domain.cql`) as one SQL statement over `content`
joined to its space, on SQLite and PostgreSQL alike (docs/decisions/0018-cql.md).

Every clause is a column comparison or a subquery (`EXISTS` for labels, favourites, watches and
contributors; `IN` a recursive CTE for `ancestor`), and the whole condition is always AND-ed with
`content.visible_to(viewer)`, the listing visibility condition: no row the viewer may not open is
ever read, counted or returned, and nothing is filtered in Python. Each clause's positive form is
never NULL, so `NOT` and the negated operators (`!=`, `NOT IN`, `!~`) mean what they say.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bondline.domain import cql
from bondline.domain.model import Content, Space, User
from bondline.domain.relations import CONFLUENCE
from bondline.domain.watches import WATCH
from bondline.store import fulltext
from bondline.store.base import Conn
from bondline.store.repos.content import _cols, _content, visible_to
from bondline.store.tables import (
    BigId,
    content,
    content_labels,
    content_mentions,
    content_versions,
    labels,
    relations,
    spaces,
    users,
)

c = content.c
# The content's space, under a name of its own: `visible_to`'s subqueries read `spaces` themselves
# and must not be correlated with this join.
_space = spaces.alias("content_space")
s = _space.c
_N = len(_cols)
_RELATION = {"favourite": "favourite", "watcher": WATCH}
_SORT: dict[str, Any] = {"id": c.id, "title": c.title, "created": c.created_at, "lastmodified": c.updated_at,
                         "type": c.type, "space.key": s.key, "space.title": s.name}
_LABEL_PREFIXES = ("global", "my", "team")


class _Compiler:
    """One query's SQL: bind parameters with values (anonymous, so nothing collides) and CTE names
    numbered per statement."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.names = itertools.count()

    def condition(self, cond: cql.Condition) -> sa.ColumnElement[bool]:
        if isinstance(cond, cql.And):
            return sa.and_(*(self.condition(p) for p in cond.parts))
        if isinstance(cond, cql.Or):
            return sa.or_(*(self.condition(p) for p in cond.parts))
        if isinstance(cond, cql.Not):
            return sa.not_(self.condition(cond.part))
        return self.clause(cond)

    def clause(self, cl: cql.Clause) -> sa.ColumnElement[bool]:
        op = cl.op
        negated = op in ("!=", "not in", "!~")
        positive_op = {"!=": "=", "not in": "in", "!~": "~"}.get(op, op)
        if cl.field in ("created", "lastmodified"):
            return self.date(c.created_at if cl.field == "created" else c.updated_at, op, cl.values)
        found = self.positive(cl.field, positive_op, cl.values)
        return sa.not_(found) if negated else found

    def positive(self, field: str, op: str, values: tuple[cql.Value, ...]) -> sa.ColumnElement[bool]:
        if op == "~":
            return sa.and_(*(self.text(field, v) for v in values if isinstance(v, cql.Text)))
        if field == "id":
            return _in(c.id, _ints(values))
        if field == "parent":
            return sa.and_(c.parent_id.is_not(None), _in(c.parent_id, _ints(values)))
        if field == "ancestor":
            return c.id.in_(self.descendants(_ints(values)))
        if field == "type":
            return _in(c.type, _strs(values))
        if field == "space.key":
            return _in(s.key, _strs(values))
        if field == "space.type":
            return _in(s.type, _strs(values))
        if field == "space.title":
            return _in(s.name, _strs(values))
        if field == "title":
            return _in(c.title, _strs(values))
        if field == "label":
            return self.label(_strs(values))
        if field == "creator":
            return sa.and_(c.created_by.is_not(None), c.created_by.in_(_user_ids(values)))
        if field == "contributor":
            v = content_versions.alias(f"contrib{next(self.names)}")
            return sa.exists().where(v.c.content_id == c.id, v.c.by.in_(_user_ids(values)))
        if field == "mention":
            m = content_mentions.alias(f"mention{next(self.names)}")
            return c.id.in_(sa.select(m.c.content_id).where(_in(m.c.account_id, _strs(values))))
        if field in _RELATION:
            # Driven from the users' side (ix_relations_forward: namespace, source, name, target type):
            # a user's favourites are found by the index, then their content by its key. Keys of a
            # historical version (`123@3`) are another entity and are left out before the cast.
            r = relations.alias(f"rel{next(self.names)}")
            marked = sa.select(sa.cast(r.c.target_key, BigId)).where(
                r.c.namespace == CONFLUENCE, r.c.source_type == "user", _in(r.c.source_key, _strs(values)),
                r.c.name == _RELATION[field], r.c.target_type == "content", r.c.target_key.not_like("%@%"))
            return c.id.in_(marked)
        raise AssertionError(f"no compiler for CQL field {field!r}")  # the domain's table and this agree

    def descendants(self, roots: list[int]) -> sa.Select[Any]:
        """The ids of every page below `roots` (a recursive CTE, bounded like the page tree)."""
        name = f"below{next(self.names)}"
        child = content.alias(f"{name}_c")
        top = sa.select(child.c.id, sa.literal(1).label("depth")).where(_in(child.c.parent_id, roots)).cte(
            name, recursive=True)
        deeper = content.alias(f"{name}_d")
        tree = top.union_all(sa.select(deeper.c.id, top.c.depth + 1).where(
            deeper.c.parent_id == top.c.id, top.c.depth < 100))
        return sa.select(tree.c.id)

    def label(self, names: list[str]) -> sa.ColumnElement[bool]:
        cl_, lb = content_labels.alias(f"cl{next(self.names)}"), labels.alias(f"lb{next(self.names)}")
        wanted = []
        for value in names:
            prefix, _, name = value.partition(":")
            if name and prefix in _LABEL_PREFIXES:
                wanted.append(sa.and_(lb.c.prefix == prefix, lb.c.name == name))
            else:
                wanted.append(lb.c.name == value)
        return sa.exists().where(cl_.c.content_id == c.id, cl_.c.label_id == lb.c.id, sa.or_(*wanted))

    def date(self, column: Any, op: str, values: tuple[cql.Value, ...]) -> sa.ColumnElement[bool]:
        ranges = [v for v in values if isinstance(v, cql.DateRange)]
        within = sa.or_(*(sa.and_(column >= r.lo, column < r.hi) for r in ranges))
        if op == "=":
            return within
        if op == "!=":
            return sa.not_(within)
        r = ranges[0]
        return {">": column >= r.hi, ">=": column >= r.lo, "<": column < r.lo, "<=": column < r.hi}[op]

    def text(self, field: str, value: cql.Text) -> sa.ColumnElement[bool]:
        if not value.terms:
            return sa.true()
        if field == "space.title":
            return sa.and_(*(_like(s.name, t, p) for t, p in zip(value.terms, value.prefix, strict=True)))
        return fulltext.matches(self.kind, c.id, "title" if field == "title" else None, value,
                                f"matched{next(self.names)}")


def _like(column: Any, words: tuple[str, ...], prefix: bool) -> sa.ColumnElement[bool]:
    """Case-insensitive containment of a phrase (space titles are short; no index needed)."""
    pattern = " ".join(words).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(column).like(sa.bindparam(None, f"%{pattern}%"), escape="\\")


def _in(column: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """`column IN (…)` with one bind parameter per value (the store runs statements as compiled,
    without SQLAlchemy's expanding parameters); an empty list matches nothing."""
    if not values:
        return sa.false()
    return column.in_([sa.bindparam(None, v) for v in values])


def _ints(values: tuple[cql.Value, ...]) -> list[int]:
    return [v for v in values if isinstance(v, int)]


def _strs(values: tuple[cql.Value, ...]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


def _user_ids(values: tuple[cql.Value, ...]) -> sa.Select[Any]:
    return sa.select(users.c.id).where(_in(users.c.account_id, _strs(values)))


def _statement(kind: str, query: cql.Query, viewer: int | None, statuses: Sequence[str],
               ) -> tuple[sa.Select[Any], sa.Select[Any]]:
    compiler = _Compiler(kind)
    where: list[sa.ColumnElement[bool]] = [_in(c.status, list(statuses))]
    if viewer is not None:
        where.append(visible_to(sa.bindparam("viewer", viewer)))
    if query.where is not None:
        where.append(compiler.condition(query.where))
    source = content.join(_space, s.id == c.space_id)
    # Each row carries the number of all rows found (a window over the whole result, computed
    # before LIMIT): one pass gives the page and `totalSize`.
    rows = sa.select(*_cols, *_space.c, sa.func.count().over()).select_from(source).where(*where)
    order: list[Any] = [(_SORT[o.field].desc() if o.descending else _SORT[o.field].asc()) for o in query.order]
    last_desc = bool(query.order) and query.order[-1].descending
    if not any(o.field == "id" for o in query.order):
        order.append(c.id.desc() if last_desc else c.id.asc())
    count = sa.select(sa.func.count()).select_from(source).where(*where)
    return rows.order_by(*order), count


_USER_SORT: dict[str, Any] = {"user": users.c.account_id, "user.fullname": users.c.display_name}


def _user_condition(cond: cql.Condition) -> sa.ColumnElement[bool]:
    """A /search/user query: `type = user`, `user[.accountid]` by account id, `user.fullname` by
    its name (`~`: a word of it starts with each term)."""
    if isinstance(cond, cql.And):
        return sa.and_(*(_user_condition(p) for p in cond.parts))
    if isinstance(cond, cql.Or):
        return sa.or_(*(_user_condition(p) for p in cond.parts))
    if isinstance(cond, cql.Not):
        return sa.not_(_user_condition(cond.part))
    negated = cond.op in ("!=", "not in", "!~")
    if cond.field == "type":
        found: sa.ColumnElement[bool] = sa.true() if "user" in _strs(cond.values) else sa.false()
    elif cond.field == "user":
        found = _in(users.c.account_id, _strs(cond.values))
    elif cond.op in ("~", "!~"):
        name = sa.func.lower(users.c.display_name)
        found = sa.and_(sa.true(), *(
            sa.or_(name.like(sa.bindparam(None, _escaped(" ".join(words)) + "%"), escape="\\"),
                   name.like(sa.bindparam(None, "% " + _escaped(" ".join(words)) + "%"), escape="\\"))
            for v in cond.values if isinstance(v, cql.Text) for words in v.terms))
    else:
        found = _in(users.c.display_name, _strs(cond.values))
    return sa.not_(found) if negated else found


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SearchRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def content(self, query: cql.Query, *, viewer: int | None, statuses: Sequence[str], offset: int,
                      limit: int) -> tuple[list[tuple[Content, Space]], int]:
        """One page of the content `query` finds that `viewer` may see (None: everything), with
        the number of all such content (Confluence's `totalSize`)."""
        rows_stmt, count_stmt = _statement(self.conn.kind, query, viewer, statuses)
        rows = await self.conn.all(rows_stmt.limit(limit).offset(offset)) if limit > 0 else []
        if rows:
            total = int(rows[0][-1])
        else:  # past the end (or no page asked for): the count on its own
            total = 0 if offset == 0 and limit > 0 else int(await self.conn.scalar(count_stmt) or 0)
        out = []
        for row in rows:
            r = tuple(row)
            space = Space(r[_N], r[_N + 1], r[_N + 2], r[_N + 3], r[_N + 4], r[_N + 5], bool(r[_N + 6]),
                          r[_N + 7], r[_N + 8])
            out.append((_content(r[:_N]), space))
        return out, total

    async def users(self, query: cql.Query, *, offset: int, limit: int) -> tuple[list[User], int]:
        """One page of the users a /search/user query finds (every user is visible to every user),
        with their number."""
        where = [_user_condition(query.where)] if query.where is not None else []
        order = [(_USER_SORT[o.field].desc() if o.descending else _USER_SORT[o.field].asc()) for o in query.order]
        total = int(await self.conn.scalar(sa.select(sa.func.count()).select_from(users).where(*where)) or 0)
        if limit <= 0 or offset >= total:
            return [], total
        rows = await self.conn.all(sa.select(*users.c).where(*where).order_by(*order, users.c.id)
                                   .limit(limit).offset(offset))
        return [User(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows], total
