"""The migrations create exactly the schema the code declares, on every backend."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bondline.store import migrate, parse
from bondline.store.tables import BACKEND_OWN, metadata
from tests.conftest import PG_ENV, PG_URL, _fresh_pg_schema_url

T = TypeVar("T")


def test_migrations_match_the_declared_tables(database_url: str) -> None:
    url = parse(database_url)

    def diff(conn):  # type: ignore[no-untyped-def]
        def declared(name: str | None, type_: str, parents: Any) -> bool:
            return not (type_ == "table" and name is not None and name.startswith(BACKEND_OWN))

        opts = {"compare_type": True, "include_name": declared}
        return compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)

    assert migrate._run(url, diff) == []
    assert migrate.current(url) == migrate.head()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0011_deletes_the_old_cookie_signing_key(backend: str, tmp_path: Any) -> None:
    """Before 0011, `server_secrets.ui_session` signed the review inbox's cookies. It signs nothing
    any more, so upgrading deletes it (a backup taken afterwards does not hold it) and keeps any
    other secret; downgrading drops `ui_sessions` again."""
    import sqlalchemy as sa
    from alembic import command

    if backend == "sqlite":
        url, drop = parse(f"sqlite:///{tmp_path}/old.db"), (lambda: None)
    else:
        if not PG_URL:
            pytest.skip(f"PostgreSQL tests need {PG_ENV}")
        raw_url, drop = _fresh_pg_schema_url("m0011")
        url = parse(raw_url)
    try:
        migrate.upgrade(url, "0010_token_parents")
        migrate._run(url, lambda conn: conn.execute(sa.text(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ('ui_session', 'ab', 1), ('other', 'cd', 1)")))
        migrate.upgrade(url)
        names = migrate._run(url, lambda conn: [row[0] for row in conn.execute(sa.text(
            "SELECT name FROM server_secrets ORDER BY name"))])
        assert names == ["other"]

        def downgrade(conn: Any) -> list[str]:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0010_token_parents")
            return sa.inspect(conn).get_table_names()

        tables = migrate._run(url, downgrade)
        assert "ui_sessions" not in tables and "server_secrets" in tables
        assert migrate.current(url) == "0010_token_parents"
    finally:
        drop()


def test_upgrading_twice_is_harmless(database_url: str) -> None:
    url = parse(database_url)
    migrate.upgrade(url)
    migrate.upgrade(url)
    assert migrate.current(url) == migrate.head()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, database_url: str) -> None:  # type: ignore[no-untyped-def]
    if not database_url.startswith("sqlite"):
        return
    async with app.store.read() as tx:
        assert tx.conn.raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert tx.conn.raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def _on_a_new_pg_database(label: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """`work(conn)` on a new, migrated, empty PostgreSQL schema, over a connection that plans
    every prepared statement generically (the plan a pooled connection keeps), then the schema goes."""
    if not PG_URL:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    import asyncpg

    url, drop = _fresh_pg_schema_url(label)
    try:
        migrate.upgrade(parse(url))
        parsed = parse(url)

        async def run() -> T:
            conn = await asyncpg.connect(parsed.dsn, server_settings={"search_path": parsed.search_path or "public",
                                                                       "plan_cache_mode": "force_generic_plan"})
            try:
                return await work(conn)
            finally:
                await conn.close()

        return asyncio.run(run())
    finally:
        drop()


async def _generic_plan(conn: Any, sql: str, literals: str) -> dict[str, Any]:
    """PostgreSQL's generic plan of `sql` (EXPLAIN (FORMAT JSON) of the prepared statement, run with
    `literals`, e.g. "NULL, NULL")."""
    await conn.execute(f"PREPARE probe AS {sql}")
    try:
        return json.loads(await conn.fetchval(f"EXPLAIN (FORMAT JSON) EXECUTE probe({literals})"))[0]
    finally:
        await conn.execute("DEALLOCATE probe")


def test_foreign_key_checks_find_the_parent_by_its_key_on_a_new_database() -> None:
    """PostgreSQL checks a foreign key with a query it plans once per connection, often while the
    tables are still empty. If another index of the parent starts with the same column as its key
    (a tenant's change requests by state), that cached plan may scan every row of the tenant on each
    check: inserting a change request's item then took ~1 ms of the database's CPU, growing with
    the table. Each check must look the parent up by the key it references."""

    async def plans(conn: Any) -> dict[str, str]:
        found = {}
        for table in metadata.sorted_tables:
            for fk in table.foreign_key_constraints:
                parent = fk.referred_table.name
                cols = [e.column.name for e in fk.elements]
                where = " AND ".join(f'"{c}" = ${i + 1}' for i, c in enumerate(cols))
                plan = json.dumps(await _generic_plan(
                    conn, f'SELECT 1 FROM ONLY "{parent}" x WHERE {where} FOR KEY SHARE OF x',
                    ", ".join(["NULL"] * len(cols))))
                key = await conn.fetchval(
                    "SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = $1::regclass "
                    "AND i.indisunique AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM "
                    "pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) = $2",
                    parent, sorted(cols))
                found[f"{table.name} -> {parent}({', '.join(cols)})"] = (
                    "ok" if key and f'"Index Name": "{key}"' in plan else plan)
        return found

    checked = _on_a_new_pg_database("fkplan", plans)
    assert checked and all(v == "ok" for v in checked.values()), {k: v for k, v in checked.items() if v != "ok"}


def _nodes(plan: dict) -> list[dict]:  # type: ignore[type-arg]
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


def test_a_reltio_relation_s_ends_are_looked_up_by_their_key_on_a_new_database() -> None:
    """Reading a Reltio relation with its start and end entities (GET /relations/{id}, staging its
    deletion) must find each end by (tenant, id), even with the plan PostgreSQL makes while the
    entities table is new and empty and a connection then keeps: a plan matching the tenant alone
    read every entity of the tenant on each GET (~2 ms at 11,000 entities, growing with them)."""
    from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

    from bondline.store.base import StatementCache
    from bondline.store.repos import reltio

    statements = StatementCache(asyncpg_dialect.dialect())

    async def plans(conn: Any) -> list[dict[str, Any]]:
        found = []
        for stmt in (reltio._REL_WITH_ENDS[True], reltio._MEMBERSHIP_AND_RELATION[True]):
            compiled = statements.get(stmt)
            args = compiled.args({"tenant": "t", "user_id": 1, "ns": "reltio/t", "ext_id": "x"})
            literals = ", ".join(f"'{a}'" if isinstance(a, str) else str(a) for a in args)
            found.append(await _generic_plan(conn, compiled.sql, literals))
        return found

    for plan in _on_a_new_pg_database("endsplan", plans):
        scans = [n for n in _nodes(plan["Plan"]) if n.get("Relation Name") == "entities"]
        assert len(scans) == 2, plan
        for scan in scans:
            cond = scan.get("Index Cond", "")
            assert "tenant_id" in cond and "(id)" in cond, plan
