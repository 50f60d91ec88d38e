"""Migration 0019_search: content written before it is found by text and by mention after it (the
index is filled from the stored bodies), and taking it back drops only its tables."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from bondline.store import migrate, parse
from tests.conftest import PG_ENV, PG_URL, _fresh_pg_schema_url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0019_indexes_what_is_there_and_goes_back(backend: str, tmp_path: Any) -> None:
    if backend == "sqlite":
        url, drop = parse(f"sqlite:///{tmp_path}/m0019.db"), (lambda: None)
    else:
        if not PG_URL:
            pytest.skip(f"PostgreSQL tests need {PG_ENV}")
        raw_url, drop = _fresh_pg_schema_url("m0019")
        url = parse(raw_url)
    try:
        migrate.upgrade(url, "0018_restrictions")

        def fill(conn: Any) -> None:
            conn.execute(sa.text("INSERT INTO spaces (id, key, name, description, type, status, private, created_at)"
                                 " VALUES (1, 'OLD', 'Old', '', 'global', 'current', false, 0)"))
            conn.execute(sa.text(
                "INSERT INTO content (id, type, status, space_id, title, body, representation, version,"
                " version_message, minor_edit, created_at, updated_at, position) VALUES (7, 'page', 'current', 1,"
                " 'Kept notes', :body, 'storage', 1, '', false, 0, 0, 1)"),
                {"body": '<p>Restarting <b>servers</b> with <ri:user ri:account-id="acc-x"/></p>'})

        migrate._run(url, fill)
        migrate.upgrade(url, "0019_search")

        def found(conn: Any) -> tuple[list[Any], list[Any]]:
            if conn.dialect.name == "sqlite":
                text = conn.execute(sa.text("SELECT rowid FROM content_fts WHERE content_fts MATCH 'restart'"))
            else:
                text = conn.execute(sa.text("SELECT content_id FROM content_fts"
                                            " WHERE document @@ to_tsquery('english', 'restart')"))
            mentions = conn.execute(sa.text("SELECT content_id, account_id FROM content_mentions"))
            return [tuple(r) for r in text], [tuple(r) for r in mentions]

        assert migrate._run(url, found) == ([(7,)], [(7, "acc-x")])

        def downgrade(conn: Any) -> list[str]:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0018_restrictions")
            return sa.inspect(conn).get_table_names()

        tables = migrate._run(url, downgrade)
        assert not [t for t in tables if t.startswith(("content_fts", "content_mentions"))] and "content" in tables
        assert migrate.current(url) == "0018_restrictions"
    finally:
        drop()
