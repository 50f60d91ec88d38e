"""`bondline import relations`: bulk JSON Lines import, idempotent, with line-numbered errors."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from bondline.cli import app
from bondline.config import Settings
from bondline.domain.model import Caller
from bondline.services import accounts, content, spaces
from bondline.store import create_store

runner = CliRunner()


def _prepare(database_url: str) -> list[int]:
    async def go() -> list[int]:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        user = await accounts.add_user(store, "ada", "ada@example.com", "Ada")
        caller = Caller.of(user)
        await spaces.create(store, caller, "IMP", "Import")
        ids = []
        for i in range(3):
            view = await content.create(store, caller, content.NewContent(type="page", title=f"P{i}", space_key="IMP"))
            ids.append(view.content.id)
        await store.close()
        return ids

    return asyncio.run(go())


def _count(database_url: str, name: str) -> int:
    async def go() -> int:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        async with store.read() as tx:
            rows = await tx.relations.listing(direction="forward", ns="confluence", name=name, kind="user",
                                              key="ada", other_type=None, viewer=None, limit=1000)
        await store.close()
        return len(rows)

    return asyncio.run(go())


def test_import_is_idempotent_and_batched(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pages = _prepare(database_url)
    lines = ["# comment", ""]
    lines += [f'{{"name": "favourite", "source": "user:ada", "target": "content:{p}"}}' for p in pages]
    lines += ['{"name": "favourite", "source": {"type": "user", "key": "ada"}, '
              '"target": {"type": "space", "key": "IMP"}}']
    path = tmp_path / "rels.jsonl"
    path.write_text("\n".join(lines) + "\n")
    r = runner.invoke(app, ["import", "relations", str(path), "--batch", "2", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    assert "4 relations imported, 0 already there" in r.stdout
    assert _count(database_url, "favourite") == 4
    r = runner.invoke(app, ["import", "relations", str(path), "--database-url", database_url])
    assert "0 relations imported, 4 already there" in r.stdout
    assert _count(database_url, "favourite") == 4


def test_invalid_lines_are_reported_with_their_number(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pages = _prepare(database_url)
    cases = {
        '{"name": "bad name", "source": "user:ada", "target": "content:1"}': "line 2: Invalid relation name",
        '{"name": "x", "source": "user:nobody", "target": "content:1"}': "line 2: no user with accountId nobody",
        f'{{"name": "x", "source": "user:ada", "target": "content:{pages[-1] + 100}"}}': "line 2: no content",
        '{"name": "x", "source": "user:ada", "target": "space:NOPE"}': "line 2: no space",
        '{"name": "favourite", "source": "space:IMP", "target": "content:1"}': "must be a user",
        '{"name": "link", "source": "content:1", "target": "content:2"}': "line 2: The 'link' relationship is",
        '{"name": "x", "source": "user", "target": "content:1"}': "should look like 'content:123'",
        'not json': "line 2: not valid JSON",
        '[1, 2]': "line 2: expected a JSON object",
        f'{{"name": "x", "source": "user:ada", "target": {{"type": "content", "key": "{pages[0]}", "version": 1}}}}':
            "no historical version 1",
    }
    for bad, message in cases.items():
        path = tmp_path / "bad.jsonl"
        path.write_text(f'{{"name": "ok", "source": "user:ada", "target": "content:{pages[0]}"}}\n{bad}\n')
        r = runner.invoke(app, ["import", "relations", str(path), "--database-url", database_url])
        assert r.exit_code == 1, (bad, r.output)
        assert message in " ".join(r.output.split()), (bad, r.output)
        assert "Traceback" not in r.output


def test_postgresql_analyzes_the_relations_an_import_brought(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """After a bulk load the planner must know the table's new size (PostgreSQL's advice for bulk
    loads): the import runs ANALYZE itself rather than leave the plans of every connection fitted
    to an empty table until autovacuum comes by. (SQLite's planner needs no statistics here.)"""
    from tests.conftest import PG_ENV, PG_URL, _fresh_pg_schema_url

    if not PG_URL:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    import asyncpg

    from bondline.store import migrate, parse

    url, drop = _fresh_pg_schema_url("analyze")
    try:
        migrate.upgrade(parse(url))
        pages = _prepare(url)
        path = tmp_path / "rels.jsonl"
        path.write_text("".join(f'{{"name": "n{i}", "source": "user:ada", "target": "content:{p}"}}\n'
                                for i in range(400) for p in pages))
        r = runner.invoke(app, ["import", "relations", str(path), "--database-url", url])
        assert r.exit_code == 0 and "1200 relations imported" in r.stdout.replace(",", ""), r.output

        async def counts() -> tuple[int, float]:
            parsed = parse(url)
            conn = await asyncpg.connect(parsed.dsn)
            try:
                row = await conn.fetchrow(
                    "SELECT s.analyze_count, c.reltuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
                    "WHERE s.schemaname = $1 AND s.relname = 'relations'", parsed.search_path)
                return row[0], row[1]
            finally:
                await conn.close()

        analyzed, rows = asyncio.run(counts())
    finally:
        drop()
    assert analyzed >= 1  # ANALYZE run by the import (autovacuum's would count as autoanalyze)
    assert rows >= 1200  # the planner sees them (the pages made their authors watch them, too)
