"""Migration 0015_properties: it adds the property tables, and taking it back drops only them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from bondline.store import migrate, parse
from tests.conftest import PG_ENV, PG_URL, _fresh_pg_schema_url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0015_adds_and_drops_the_property_tables(backend: str, tmp_path: Any) -> None:
    if backend == "sqlite":
        url, drop = parse(f"sqlite:///{tmp_path}/m0015.db"), (lambda: None)
    else:
        if not PG_URL:
            pytest.skip(f"PostgreSQL tests need {PG_ENV}")
        raw_url, drop = _fresh_pg_schema_url("m0015")
        url = parse(raw_url)
    try:
        migrate.upgrade(url, "0014_tree")
        migrate.upgrade(url, "0015_properties")
        tables = migrate._run(url, lambda conn: sa.inspect(conn).get_table_names())
        assert {"content_properties", "space_properties", "content", "spaces"} <= set(tables)

        def downgrade(conn: Any) -> list[str]:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0014_tree")
            return sa.inspect(conn).get_table_names()

        tables = migrate._run(url, downgrade)
        assert not {"content_properties", "space_properties"} & set(tables) and "content" in tables
        assert migrate.current(url) == "0014_tree"
    finally:
        drop()
