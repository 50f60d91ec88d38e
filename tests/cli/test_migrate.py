"""`bondline migrate` with a PostgreSQL URL whose ?search_path= names a schema that does not exist:
it creates the schema, or — when the user may not — says what to run."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.cli.test_operator import cli
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")


def _sql(sql: str) -> list[tuple[object, ...]]:
    import asyncpg

    async def go() -> list[tuple[object, ...]]:
        conn = await asyncpg.connect(PG_URL)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(go())


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


def test_migrate_creates_a_missing_schema() -> None:
    assert PG_URL
    schema = f"bondline_new_{uuid.uuid4().hex[:8]}"
    try:
        r = cli(_with_schema(PG_URL, schema), "migrate")
        assert r.exit_code == 0, r.output
        assert _sql(f"SELECT version_num FROM \"{schema}\".alembic_version")  # the tables are in it
        r = cli(_with_schema(PG_URL, schema), "users", "add", "ada", "--email", "a@example.com", "--name", "Ada")
        assert r.exit_code == 0, r.output
    finally:
        _sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_migrate_says_what_to_do_when_it_may_not_create_the_schema() -> None:
    assert PG_URL
    role, schema = f"bondline_weak_{uuid.uuid4().hex[:8]}", f"bondline_nope_{uuid.uuid4().hex[:8]}"
    _sql(f'CREATE ROLE "{role}" LOGIN')  # no CREATE on the database: it may not create schemas
    try:
        weak = PG_URL.replace("://postgres@", f"://{role}@", 1)
        if weak == PG_URL:
            pytest.skip("the test database URL does not connect as postgres")
        r = cli(_with_schema(weak, schema), "migrate")
        said = " ".join(r.output.split())
        assert r.exit_code == 1, r.output
        assert f"the schema {schema} (from ?search_path=) does not exist" in said, said
        assert f'CREATE SCHEMA "{schema}" AUTHORIZATION {role}' in said and "Traceback" not in said
        assert "CREATE TABLE" not in said  # not the SQL of the failed migration
        assert not _sql(f"SELECT 1 FROM pg_namespace WHERE nspname = '{schema}'")
    finally:
        _sql(f'DROP ROLE IF EXISTS "{role}"')
