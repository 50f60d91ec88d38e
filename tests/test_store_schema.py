"""The migrations create exactly the schema the code declares, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bondline.store import migrate, parse
from bondline.store.tables import metadata


def test_migrations_match_the_declared_tables(database_url: str) -> None:
    url = parse(database_url)

    def diff(conn):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)

    assert migrate._run(url, diff) == []
    assert migrate.current(url) == migrate.head()


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
