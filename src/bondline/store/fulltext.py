"""Text search for CQL's `~` (`text ~`, `title ~`) and who a body mentions (`mention`), from the
tables of migration 0019: `content_fts` — SQLite FTS5 (porter stemming) or a PostgreSQL `tsvector`
(`english`, title weighted A, body B) under a GIN index — and `content_mentions`, both written by
ContentRepo in the transaction of each content write; and the condition a `~` clause compiles to
(docs/decisions/0019-cql.md).

A `~` value is words and quoted phrases, every one required; `word*` is a prefix. Words are `\\w+`
(the domain split them), so they are quoted into the backends' query syntax without escaping.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bondline.domain import cql
from bondline.store.base import Conn
from bondline.store.tables import content_mentions

TABLE = "content_fts"
_fts = sa.table(TABLE, sa.column("rowid"), sa.column("content_id"), sa.column("document"))
P = sa.bindparam

_SQLITE_DELETE = sa.text(f"DELETE FROM {TABLE} WHERE rowid = :id")
_SQLITE_INSERT = sa.text(f"INSERT INTO {TABLE} (rowid, title, body) VALUES (:id, :title, :body)")
_PG_UPSERT = sa.text(
    f"INSERT INTO {TABLE} (content_id, document) VALUES (:id, setweight(to_tsvector('english', :title), 'A')"
    " || setweight(to_tsvector('english', :body), 'B'))"
    " ON CONFLICT (content_id) DO UPDATE SET document = excluded.document")
_MENTIONS_DELETE = content_mentions.delete().where(content_mentions.c.content_id == P("id"))
_MENTION_INSERT = content_mentions.insert().values(content_id=P("id"), account_id=P("account"))
_ENGLISH: sa.ColumnElement[Any] = sa.literal_column("'english'::regconfig")


async def index(conn: Conn, content_id: int, title: str, body: str, *, new: bool = False) -> None:
    """(Re)index a piece of content: its current title and its body's text, and whom it mentions
    (`new`: nothing of it is indexed yet)."""
    params = {"id": content_id, "title": title, "body": cql.plain_text(body)}
    if conn.kind == "sqlite":
        await conn.execute(_SQLITE_DELETE, params)
        await conn.execute(_SQLITE_INSERT, params)
    else:
        await conn.execute(_PG_UPSERT, params)
    if not new:
        await conn.execute(_MENTIONS_DELETE, {"id": content_id})
    accounts = cql.mentions(body)
    if accounts:
        await conn.executemany(_MENTION_INSERT, [{"id": content_id, "account": a} for a in accounts])


async def remove(conn: Conn, content_id: int) -> None:
    """Forget a purged piece of content (PostgreSQL's row goes with it: a cascading foreign key)."""
    if conn.kind == "sqlite":
        await conn.execute(_SQLITE_DELETE, {"id": content_id})


def _fts5_query(text: cql.Text, column: str | None) -> str:
    parts = []
    for words, prefix in zip(text.terms, text.prefix, strict=True):
        phrase = '"' + " ".join(words) + '"' + ("*" if prefix else "")
        parts.append(f"{column} : {phrase}" if column else phrase)
    return " AND ".join(parts)


def _tsquery(text: cql.Text, column: str | None) -> str:
    weight = "A" if column == "title" else ""
    parts = []
    for words, prefix in zip(text.terms, text.prefix, strict=True):
        lexemes = [f"'{w}':{weight}" if weight else f"'{w}'" for w in words]
        if prefix:
            lexemes[-1] = f"'{words[-1]}':*{weight}"
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def query_text(kind: str, column: str | None, text: cql.Text) -> str:
    """`text` in the backend's query syntax (FTS5 MATCH, or to_tsquery), over the title
    (`column="title"`) or the title and the body."""
    return _fts5_query(text, column) if kind == "sqlite" else _tsquery(text, column)


def matches(kind: str, content_id: Any, query: Any, name: str) -> sa.ColumnElement[bool]:
    """Content matching `query` (a bind parameter holding `query_text`); `name`: a name for the
    statement's CTE, unique in it."""
    found: Any
    if kind == "sqlite":
        found = sa.select(_fts.c.rowid).where(sa.literal_column(TABLE).op("MATCH")(query))
    else:
        # Materialized first, from the GIN index: otherwise PostgreSQL may walk content_fts in id
        # order to spare a sort, testing every row's tsvector (it costs the LIMIT as an early stop,
        # which the window count of the search statement never allows).
        matched = sa.select(_fts.c.content_id).where(_fts.c.document.op("@@")(
            sa.func.to_tsquery(_ENGLISH, query))).cte(name).prefix_with(
            "MATERIALIZED")  # (before its columns are read: they would name the CTE without the prefix)
        found = sa.select(matched.c.content_id)
    in_found: sa.ColumnElement[bool] = content_id.in_(found)
    return in_found



def ranked(kind: str, query: Any, name: str) -> sa.CTE:
    """The content matching `query` with its relevance, as a materialized CTE `name` (id,
    relevance), best first when sorted ascending: FTS5's bm25 (negative; the title's words weigh ten
    times the body's), or PostgreSQL's ts_rank negated (title words are weight A, the body's B). A
    statement tests a match with `id IN (SELECT id FROM name)` and sorts by joining it: one
    full-text search for both."""
    if kind == "sqlite":
        table: sa.ColumnElement[Any] = sa.literal_column(TABLE)
        found = sa.select(_fts.c.rowid.label("id"), sa.func.bm25(table, 10.0, 1.0).label("relevance")).where(
            table.op("MATCH")(query))
    else:
        tsquery = sa.func.to_tsquery(_ENGLISH, query)
        found = sa.select(_fts.c.content_id.label("id"),
                          (-sa.func.ts_rank(_fts.c.document, tsquery)).label("relevance")).where(
            _fts.c.document.op("@@")(tsquery))
    return found.cte(name).prefix_with("MATERIALIZED")
