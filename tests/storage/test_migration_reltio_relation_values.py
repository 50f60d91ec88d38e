"""Migration 0026_reltio_relation_values: Reltio relations stored before it are found by relation
search on their attribute values after it (`relation_values` is filled from their payloads), other
namespaces' relations get no rows, and taking it back drops only that table."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from bondline.store import migrate, parse
from tests.conftest import PG_ENV, PG_URL, _fresh_pg_schema_url

BEFORE = "0024_reltio_merge"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0026_indexes_stored_relations_and_goes_back(backend: str, tmp_path: Any) -> None:
    if backend == "sqlite":
        url, drop = parse(f"sqlite:///{tmp_path}/m0026.db"), (lambda: None)
    else:
        if not PG_URL:
            pytest.skip(f"PostgreSQL tests need {PG_ENV}")
        raw_url, drop = _fresh_pg_schema_url("m0026")
        url = parse(raw_url)
    try:
        migrate.upgrade(url, BEFORE)
        payload = {"attributes": {"Title": [{"id": "v1", "value": "CEO"}],
                                  "Period": [{"id": "v2", "value": {"From": [{"id": "v3", "value": "2020"}]}}]},
                   "crosswalks": [], "flags": {}}

        def fill(conn: Any) -> None:
            conn.execute(sa.text("INSERT INTO tenants (id, created_at) VALUES ('t', 0)"))
            insert = sa.text(
                "INSERT INTO relations (namespace, name, source_type, source_key, target_type, target_key, version,"
                " created_at, created_by, updated_at, updated_by, ext_id, payload) VALUES (:ns, 'Employment',"
                " 'entity', 'e1', 'entity', :end, 1, 0, 'x', 0, 'x', :ext, :payload)")
            conn.execute(insert, {"ns": "reltio/t", "end": "e2", "ext": "r1", "payload": json.dumps(payload)})
            conn.execute(insert, {"ns": "reltio/t", "end": "e3", "ext": "r2", "payload": None})
            conn.execute(insert, {"ns": "confluence", "end": "e4", "ext": None, "payload": None})

        migrate._run(url, fill)
        migrate.upgrade(url, "0026_reltio_relation_values")

        def rows(conn: Any) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sa.text(
                "SELECT tenant_id, relation_id, path, grp, lvalue, num, ov FROM relation_values ORDER BY position"))]

        assert migrate._run(url, rows) == [("t", "r1", "Title", "v1", "ceo", None, True),
                                           ("t", "r1", "Period.From", "v2", "2020", 2020.0, True)]

        def downgrade(conn: Any) -> list[str]:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, BEFORE)
            return sa.inspect(conn).get_table_names()

        tables = migrate._run(url, downgrade)
        assert "relation_values" not in tables and "relations" in tables
        assert migrate.current(url) == BEFORE
    finally:
        drop()
