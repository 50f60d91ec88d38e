"""Migration 0012 (the page tree): existing content gets positions in creation order, and every
existing space a home page, adopted or made; downgrading drops both again."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bondline.store import migrate, parse
from tests.conftest import PG_ENV, PG_URL, _fresh_pg_schema_url

BEFORE = "0013_groups"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0012_gives_every_space_a_home_page(backend: str, tmp_path: Any) -> None:
    from alembic import command

    if backend == "sqlite":
        url, drop = parse(f"sqlite:///{tmp_path}/old.db"), (lambda: None)
    else:
        if not PG_URL:
            pytest.skip(f"PostgreSQL tests need {PG_ENV}")
        raw_url, drop = _fresh_pg_schema_url("m0012")
        url = parse(raw_url)
    try:
        migrate.upgrade(url, BEFORE)

        def fill(conn: Any) -> None:
            conn.execute(sa.text("INSERT INTO users (id, account_id, email, display_name, site_admin, created_at) "
                                 "VALUES (1, 'acc-ada', 'ada@example.com', 'Ada', false, 1)"))
            conn.execute(sa.text("INSERT INTO spaces (id, key, name, description, type, status, private, created_by,"
                                 " created_at) VALUES (1, 'ENG', 'Engineering', '', 'global', 'current', false, 1, 1),"
                                 " (2, 'OPS', 'Ops', '', 'global', 'current', false, 1, 1)"))
            # ids from the database (PostgreSQL's identities are not moved on by explicit ones)
            for space, parent, title in ((1, None, "Engineering Home"), (1, "Engineering Home", "child"),
                                         (2, None, "Runbook")):
                conn.execute(sa.text(
                    "INSERT INTO content (type, status, space_id, parent_id, title, body, representation, version,"
                    " version_message, minor_edit, created_by, created_at, updated_by, updated_at) VALUES"
                    " ('page', 'current', :space, (SELECT id FROM content WHERE title = :parent), :title, '',"
                    " 'storage', 1, '', false, 1, 1, 1, 1)"), {"space": space, "parent": parent, "title": title})

        migrate._run(url, fill)
        migrate.upgrade(url)

        def read(conn: Any) -> tuple[Any, ...]:
            homes = dict(conn.execute(sa.text("SELECT space_id, content_id FROM space_homepages")).all())
            made = conn.execute(sa.text("SELECT c.title, c.parent_id, c.created_by, v.number FROM content c JOIN "
                                        "content_versions v ON v.content_id = c.id WHERE c.id = :id"),
                                {"id": homes[2]}).one()
            ids = dict(conn.execute(sa.text("SELECT title, id FROM content")).all())
            positions = dict(conn.execute(sa.text("SELECT title, position FROM content")).all())
            return homes, tuple(made), positions, ids

        homes, made, positions, ids = migrate._run(url, read)
        assert homes[1] == ids["Engineering Home"]  # ENG adopts its page titled "<name> Home"
        assert made == ("Ops Home", None, 1, 1)  # OPS gets a new one, by its creator, with its version 1
        assert positions == ids  # positions are the ids: siblings keep their creation order

        def downgrade(conn: Any) -> list[str]:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, BEFORE)
            return [c["name"] for c in sa.inspect(conn).get_columns("content")]

        columns = migrate._run(url, downgrade)
        assert "position" not in columns and migrate.current(url) == BEFORE
    finally:
        drop()
