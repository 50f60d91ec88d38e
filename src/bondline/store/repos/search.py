"""CQL, compiled: the domain's query model (`bondline.domain.cql`) as one SQL statement over `content`
joined to its space, on SQLite and PostgreSQL alike (docs/decisions/0019-cql.md).

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
    space_roles,
    spaces,
    users,
)

c = content.c
# The content's space, under a name of its own: `visible_to`'s subqueries read `spaces` themselves
# and must not be correlated with this join.
_space = spaces.alias("content_space")
s = _space.c
# A space found as a result itself (`type = space`).
_sp = spaces.alias("found_space")
_N = len(_cols)
_RELATION = {"favourite": "favourite", "watcher": WATCH}
_SORT: dict[str, Any] = {"id": c.id, "title": c.title, "created": c.created_at, "lastmodified": c.updated_at,
                         "type": c.type, "space.key": s.key, "space.title": s.name}
_LABEL_PREFIXES = ("global", "my", "team")


class _Compiler:
    """One query's SQL, the same for every query of the same shape: values are named bind
    parameters (p0, p1, … in the order the walk meets them) and CTEs are numbered in that walk, so a
    statement is built and compiled once per shape (`_statement`) and each query only collects its
    parameters — the same walk with `building=False`, which binds the same values in the same order
    and builds nothing."""

    def __init__(self, kind: str, building: bool = True, spaces: bool = False, ranking: bool = False) -> None:
        self.kind = kind
        self.building = building
        self.spaces = spaces  # compiling the condition over spaces (`type = space`), not content
        self.names = itertools.count()
        self.params: dict[str, Any] = {}
        self.shape: list[Any] = []
        self.negated = 0  # how many NOTs (and negated operators) enclose the clause being compiled
        self.ranking = ranking  # results are ordered by relevance (no ORDER BY)
        self.rank: Any = None  # the first text match not under a negation: its CTE, with relevance

    def bind(self, value: Any) -> Any:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return sa.bindparam(name) if self.building else None

    def binds(self, values: Sequence[Any]) -> list[Any]:
        self.shape.append(len(values))
        return [self.bind(v) for v in values]

    def condition(self, cond: cql.Condition) -> Any:
        if isinstance(cond, (cql.And, cql.Or)):
            self.shape.append(("and" if isinstance(cond, cql.And) else "or", len(cond.parts)))
            parts = [self.condition(p) for p in cond.parts]
            if not self.building:
                return None
            return sa.and_(*parts) if isinstance(cond, cql.And) else sa.or_(*parts)
        if isinstance(cond, cql.Not):
            self.shape.append("not")
            self.negated += 1
            part = self.condition(cond.part)
            self.negated -= 1
            return sa.not_(part) if self.building else None
        self.shape.append((cond.field, cond.op))
        return self.space_clause(cond) if self.spaces else self.clause(cond)

    def space_clause(self, cl: cql.Clause) -> Any:
        """A clause over a space (`type = space` results): its type, key, name and type, its name
        and description for `~`, its creation for both dates; a field spaces do not have (labels,
        ancestors, favourites, …) finds no space."""
        negated = cl.op in ("!=", "not in", "!~")
        if cl.field in ("created", "lastmodified"):
            return self.date(_sp.c.created_at, cl.op, cl.values)
        found: Any
        if cl.op in ("~", "!~"):
            columns = [_sp.c.name] if cl.field in ("space.title", "title") else [_sp.c.name, _sp.c.description]
            found = sa.and_(sa.true(), *(self.like_any(columns, v) for v in cl.values if isinstance(v, cql.Text)))
        elif cl.field in ("type", "space.key", "space.type", "space.title"):
            bound = self.binds(_strs(cl.values))
            column = {"type": None, "space.key": _sp.c.key, "space.type": _sp.c.type, "space.title": _sp.c.name}
            found = (_in(column[cl.field], bound) if cl.field != "type"
                     else sa.true() if "space" in _strs(cl.values) else sa.false())
        else:
            found = sa.false()
        if not self.building:
            return None
        return sa.not_(found) if negated else found

    def like_any(self, columns: list[Any], value: cql.Text) -> Any:
        """Each of `value`'s terms in one of `columns` (case-insensitively)."""
        patterns = [self.bind("%" + _escaped(" ".join(words)) + "%") for words in value.terms]
        self.shape.append(("like", len(patterns)))
        if not self.building:
            return None
        return sa.and_(sa.true(), *(sa.or_(*(sa.func.lower(col).like(p, escape="\\") for col in columns))
                                    for p in patterns))

    def clause(self, cl: cql.Clause) -> Any:
        op = cl.op
        negated = op in ("!=", "not in", "!~")
        positive_op = {"!=": "=", "not in": "in", "!~": "~"}.get(op, op)
        if cl.field in ("created", "lastmodified"):
            return self.date(c.created_at if cl.field == "created" else c.updated_at, op, cl.values)
        self.negated += negated
        found = self.positive(cl.field, positive_op, cl.values)
        self.negated -= negated
        if not self.building:
            return None
        return sa.not_(found) if negated else found

    def positive(self, field: str, op: str, values: tuple[cql.Value, ...]) -> Any:
        if op == "~":
            texts = [self.text(field, v) for v in values if isinstance(v, cql.Text)]
            return sa.and_(*texts) if self.building else None
        if field == "label":
            return self.label(_strs(values))
        bound = self.binds(_ints(values) if field in ("id", "parent", "ancestor") else _strs(values))
        if not self.building:
            return None
        column = {"id": c.id, "type": c.type, "space.key": s.key, "space.type": s.type, "space.title": s.name,
                  "title": c.title}.get(field)
        if column is not None:
            return _in(column, bound)
        if field == "parent":
            return sa.and_(c.parent_id.is_not(None), _in(c.parent_id, bound))
        if field == "ancestor":
            return c.id.in_(self.descendants(bound))
        if field == "creator":
            return sa.and_(c.created_by.is_not(None), c.created_by.in_(_user_ids(bound)))
        if field == "contributor":
            v = content_versions.alias(f"contrib{next(self.names)}")
            return sa.exists().where(v.c.content_id == c.id, v.c.by.in_(_user_ids(bound)))
        if field == "mention":
            m = content_mentions.alias(f"mention{next(self.names)}")
            return c.id.in_(sa.select(m.c.content_id).where(_in(m.c.account_id, bound)))
        if field in _RELATION:
            # Driven from the users' side (ix_relations_forward: namespace, source, name, target type):
            # a user's favourites are found by the index, then their content by its key. Keys of a
            # historical version (`123@3`) are another entity and are left out before the cast.
            r = relations.alias(f"rel{next(self.names)}")
            marked = sa.select(sa.cast(r.c.target_key, BigId)).where(
                r.c.namespace == CONFLUENCE, r.c.source_type == "user", _in(r.c.source_key, bound),
                r.c.name == _RELATION[field], r.c.target_type == "content", r.c.target_key.not_like("%@%"))
            return c.id.in_(marked)
        raise AssertionError(f"no compiler for CQL field {field!r}")  # the domain's table and this agree

    def descendants(self, roots: list[Any]) -> sa.Select[Any]:
        """The ids of every page below `roots` (a recursive CTE, bounded like the page tree)."""
        name = f"below{next(self.names)}"
        child = content.alias(f"{name}_c")
        top = sa.select(child.c.id, sa.literal(1).label("depth")).where(_in(child.c.parent_id, roots)).cte(
            name, recursive=True)
        deeper = content.alias(f"{name}_d")
        tree = top.union_all(sa.select(deeper.c.id, top.c.depth + 1).where(
            deeper.c.parent_id == top.c.id, top.c.depth < 100))
        return sa.select(tree.c.id)

    def label(self, names: list[str]) -> Any:
        wanted: list[tuple[Any, Any]] = []
        for value in names:
            prefix, _, name = value.partition(":")
            if name and prefix in _LABEL_PREFIXES:
                self.shape.append("prefixed")
                wanted.append((self.bind(prefix), self.bind(name)))
            else:
                self.shape.append("name")
                wanted.append((None, self.bind(value)))
        if not self.building:
            return None
        cl_, lb = content_labels.alias(f"cl{next(self.names)}"), labels.alias(f"lb{next(self.names)}")
        matches = [sa.and_(lb.c.prefix == p, lb.c.name == n) if p is not None else lb.c.name == n for p, n in wanted]
        return sa.exists().where(cl_.c.content_id == c.id, cl_.c.label_id == lb.c.id,
                                 sa.or_(*matches) if matches else sa.false())

    def date(self, column: Any, op: str, values: tuple[cql.Value, ...]) -> Any:
        ranges = [(self.bind(v.lo), self.bind(v.hi)) for v in values if isinstance(v, cql.DateRange)]
        self.shape.append(len(ranges))
        if not self.building:
            return None
        within = sa.or_(*(sa.and_(column >= lo, column < hi) for lo, hi in ranges))
        if op == "=":
            return within
        if op == "!=":
            return sa.not_(within)
        lo, hi = ranges[0]
        return {">": column >= hi, ">=": column >= lo, "<": column < lo, "<=": column < hi}[op]

    def text(self, field: str, value: cql.Text) -> Any:
        if not value.terms:
            self.shape.append("empty")
            return sa.true() if self.building else None
        if field == "space.title":
            patterns = [self.bind("%" + _escaped(" ".join(words)) + "%") for words in value.terms]
            self.shape.append(("like", len(patterns)))
            if not self.building:
                return None
            return sa.and_(*(sa.func.lower(s.name).like(p, escape="\\") for p in patterns))
        self.shape.append("match")
        bound = self.bind(fulltext.query_text(self.kind, "title" if field == "title" else None, value))
        if not self.building:
            return None
        if self.ranking and self.rank is None and not self.negated:
            self.rank = fulltext.ranked(self.kind, bound, f"matched{next(self.names)}")
            return c.id.in_(sa.select(self.rank.c.id))
        return fulltext.matches(self.kind, c.id, bound, f"matched{next(self.names)}")


def _in(column: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """`column IN (…)` with one bind parameter per value (the store runs statements as compiled,
    without SQLAlchemy's expanding parameters); an empty list matches nothing."""
    if not values:
        return sa.false()
    return column.in_(list(values))


def _in_values(column: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """`_in` for values not yet bound (statements built per query)."""
    return _in(column, [sa.bindparam(None, v) for v in values])


def _ints(values: tuple[cql.Value, ...]) -> list[int]:
    return [v for v in values if isinstance(v, int)]


def _strs(values: tuple[cql.Value, ...]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


def _user_ids(bound: list[Any]) -> sa.Select[Any]:
    return sa.select(users.c.id).where(_in(users.c.account_id, bound))


_Statements = tuple[sa.Select[Any], sa.Select[Any]]
_CACHE: dict[tuple[Any, ...], _Statements] = {}
_CACHE_SIZE = 512


def finds_spaces(query: cql.Query) -> bool:
    """Whether `query` can find spaces: a `type` clause names `space` (`type = space`, `type in
    (page, space)`); otherwise it finds content only, and no space is ever considered."""
    def walk(cond: cql.Condition | None) -> bool:
        if isinstance(cond, cql.Clause):
            return cond.field == "type" and "space" in _strs(cond.values)
        if isinstance(cond, (cql.And, cql.Or)):
            return any(walk(p) for p in cond.parts)
        if isinstance(cond, cql.Not):
            return walk(cond.part)
        return False
    return walk(query.where)


def _statement(kind: str, query: cql.Query, viewer: int | None, statuses: Sequence[str], with_spaces: bool,
               ) -> tuple[sa.Select[Any], sa.Select[Any], dict[str, Any]]:
    """The page statement (LIMIT :limit OFFSET :offset), the count statement and their parameters
    (`with_spaces`: spaces are results too). Statements are kept per query shape, so each compiles
    once per process (the store's statement cache holds them by identity)."""
    walk = _Compiler(kind, building=False)
    walk.binds(list(statuses))
    if query.where is not None:
        walk.condition(query.where)
        if with_spaces:
            walk.spaces = True
            walk.condition(query.where)
    key = (kind, viewer is None, with_spaces, tuple(walk.shape), tuple((o.field, o.descending) for o in query.order))
    params = {**walk.params, "viewer": viewer}
    cached = _CACHE.get(key)
    if cached is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        cached = _CACHE[key] = _build(kind, query, viewer is None, len(statuses), with_spaces)
    return cached[0], cached[1], params


# How a space sorts among the results: its name is its title, its creation its last change.
_SPACE_SORT: dict[str, Any] = {"id": _sp.c.id, "title": _sp.c.name, "created": _sp.c.created_at,
                               "lastmodified": _sp.c.created_at, "type": sa.literal_column("'space'"),
                               "space.key": _sp.c.key, "space.title": _sp.c.name}


def _build(kind: str, query: cql.Query, everyone: bool, n_statuses: int, with_spaces: bool) -> _Statements:
    compiler = _Compiler(kind, ranking=not query.order)
    where: list[sa.ColumnElement[bool]] = [_in(c.status, compiler.binds([""] * n_statuses))]
    if not everyone:
        where.append(visible_to(sa.bindparam("viewer"), _space))
    if query.where is not None:
        where.append(compiler.condition(query.where))
    source = content.join(_space, s.id == c.space_id)
    sort: list[tuple[Any, bool]] = [(_SORT[o.field], o.descending) for o in query.order]
    space_sort: list[Any] = [_SPACE_SORT[o.field] for o in query.order]
    if not query.order and compiler.rank is not None:
        # No ORDER BY and words to look for: the most relevant first, as Confluence's search ranks
        # (content matched only through another branch of an OR comes after, by id).
        ranked = compiler.rank
        source = source.outerjoin(ranked, ranked.c.id == c.id)
        sort.append((sa.func.coalesce(ranked.c.relevance, sa.literal_column("1e9")), False))
        space_sort.append(sa.literal_column("1e9"))
    if not any(o.field == "id" for o in query.order):
        sort.append((c.id, bool(query.order) and query.order[-1].descending))
        space_sort.append(_sp.c.id)
    # content and a space may share an id: which one a row is breaks the tie
    sort.append((sa.literal_column("'content'"), False))
    space_sort.append(sa.literal_column("'space'"))
    # Every match is found first, narrow (its id and sort keys), as a materialized CTE: the planner
    # then costs it as what it is (`totalSize` needs every match counted, so there is no early stop
    # for a LIMIT to hope for), the count is a pass over it, and only the page's rows are read whole.
    n = len(sort)
    branches = [sa.select(c.id.label("found_id"), *(expr.label(f"k{i}") for i, (expr, _) in enumerate(sort)))
                .select_from(source).where(*where)]
    if with_spaces:
        # Spaces as results: current spaces the viewer may see, under the same condition.
        space_where: list[Any] = [_sp.c.status == "current"]
        if not everyone:
            member = sa.select(space_roles.c.space_id).where(space_roles.c.space_id == _sp.c.id,
                                                             space_roles.c.user_id == sa.bindparam("viewer"))
            space_where.append(sa.or_(_sp.c.private.is_(False), member.exists()))
        if query.where is not None:
            compiler.spaces = True
            space_where.append(compiler.condition(query.where))
        space_keys = (expr.label(f"k{i}") for i, expr in enumerate(space_sort))
        branches.append(sa.select(_sp.c.id.label("found_id"), *space_keys).where(*space_where))
    union: Any = branches[0] if len(branches) == 1 else sa.union_all(*branches)
    matches = union.cte("matches").prefix_with("MATERIALIZED")
    order = [matches.c[f"k{i}"].desc() if desc else matches.c[f"k{i}"].asc() for i, (_, desc) in enumerate(sort)]
    found = (sa.select(matches.c.found_id, *(matches.c[f"k{i}"] for i in range(n))).order_by(*order)
             .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("found"))
    total = sa.select(sa.func.count()).select_from(matches).scalar_subquery().label("total")
    page_space = spaces.alias("page_space")
    page_order = [found.c[f"k{i}"].desc() if desc else found.c[f"k{i}"].asc() for i, (_, desc) in enumerate(sort)]
    if with_spaces:
        is_content = found.c[f"k{n - 1}"] == "content"
        joined = found.outerjoin(content, sa.and_(is_content, c.id == found.c.found_id)).join(
            page_space, page_space.c.id == sa.case((is_content, c.space_id), else_=found.c.found_id))
    else:
        joined = found.join(content, c.id == found.c.found_id).join(page_space, page_space.c.id == c.space_id)
    rows = sa.select(*_cols, *page_space.c, total).select_from(joined).order_by(*page_order)
    count = sa.select(sa.func.count()).select_from(union.subquery("counted"))
    return rows, count


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
        found = _in_values(users.c.account_id, _strs(cond.values))
    elif cond.op in ("~", "!~"):
        name = sa.func.lower(users.c.display_name)
        found = sa.and_(sa.true(), *(
            sa.or_(name.like(sa.bindparam(None, _escaped(" ".join(words)) + "%"), escape="\\"),
                   name.like(sa.bindparam(None, "% " + _escaped(" ".join(words)) + "%"), escape="\\"))
            for v in cond.values if isinstance(v, cql.Text) for words in v.terms))
    else:
        found = _in_values(users.c.display_name, _strs(cond.values))
    return sa.not_(found) if negated else found


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SearchRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def content(self, query: cql.Query, *, viewer: int | None, statuses: Sequence[str], offset: int,
                      limit: int, with_spaces: bool = False) -> tuple[list[tuple[Content | None, Space]], int]:
        """One page of the content `query` finds that `viewer` may see (None: everything), with
        the number of all such content (Confluence's `totalSize`); `with_spaces`: the spaces it
        finds (`type = space`) are results too, as (None, the space)."""
        rows_stmt, count_stmt, params = _statement(self.conn.kind, query, viewer, statuses,
                                                   with_spaces and finds_spaces(query))
        rows = await self.conn.all(rows_stmt, {**params, "limit": limit, "offset": offset}) if limit > 0 else []
        if rows:
            total = int(rows[0][-1])
        else:  # past the end (or no page asked for): the count on its own
            total = 0 if offset == 0 and limit > 0 else int(await self.conn.scalar(count_stmt, params) or 0)
        out: list[tuple[Content | None, Space]] = []
        for row in rows:
            r = tuple(row)
            space = Space(r[_N], r[_N + 1], r[_N + 2], r[_N + 3], r[_N + 4], r[_N + 5], bool(r[_N + 6]),
                          r[_N + 7], r[_N + 8])
            out.append((_content(r[:_N]) if r[0] is not None else None, space))
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
