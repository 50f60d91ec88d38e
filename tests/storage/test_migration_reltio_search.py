"""Migration 0021_reltio_search: entities stored before it are found by Reltio's search after it
(`entity_values` is filled from their attributes, tags, label and crosswalks), and taking it back
drops only that table."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from bondline.store import migrate, parse
from tests.conftest import PG_ENV, PG_URL, _fresh_pg_schema_url

BEFORE = "0019_search"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0021_indexes_stored_entities_and_goes_back(backend: str, tmp_path: Any) -> None:
    if backend == "sqlite":
        url, drop = parse(f"sqlite:///{tmp_path}/m0021.db"), (lambda: None)
    else:
        if not PG_URL:
            pytest.skip(f"PostgreSQL tests need {PG_ENV}")
        raw_url, drop = _fresh_pg_schema_url("m0021")
        url = parse(raw_url)
    try:
        migrate.upgrade(url, BEFORE)
        attributes = {"FirstName": [{"id": "v1", "value": "Ada"}],
                      "Phone": [{"id": "v2", "value": {"Number": [{"id": "v3", "value": "555"}]}}]}

        def fill(conn: Any) -> None:
            conn.execute(sa.text("INSERT INTO tenants (id, created_at) VALUES ('t', 0)"))
            conn.execute(sa.text(
                "INSERT INTO entities (tenant_id, id, type, attributes, crosswalks, tags, roles, label,"
                " secondary_label, version, created_at, created_by, updated_at, updated_by) VALUES ('t', 'e1',"
                " 'Individual', :attributes, :crosswalks, '[\"vip\"]', '[]', 'Ada', '', 1, 0, 'x', 0, 'x')"),
                {"attributes": json.dumps(attributes),
                 "crosswalks": json.dumps([{"id": "x1", "type": "configuration/sources/S", "value": "k"}])})

        migrate._run(url, fill)
        migrate.upgrade(url, "0021_reltio_search")

        def rows(conn: Any) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sa.text(
                "SELECT entity_id, path, grp, lvalue, ov FROM entity_values ORDER BY position"))]

        assert migrate._run(url, rows) == [
            ("e1", "FirstName", "v1", "ada", True), ("e1", "Phone.Number", "v2", "555", True),
            ("e1", "#tag", "", "vip", True), ("e1", "#label", "", "ada", True),
            ("e1", "#xw.type", "", "configuration/sources/s", True), ("e1", "#xw.value", "", "k", True)]

        def downgrade(conn: Any) -> list[str]:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, BEFORE)
            return sa.inspect(conn).get_table_names()

        tables = migrate._run(url, downgrade)
        assert "entity_values" not in tables and "entities" in tables
        assert migrate.current(url) == BEFORE
    finally:
        drop()
