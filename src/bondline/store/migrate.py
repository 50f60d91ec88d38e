"""Run Alembic migrations on any supported database.

`bondline serve` calls `upgrade` before it starts workers, so a new database is created and
migrated on first start; `bondline migrate` does the same on demand. On PostgreSQL a transaction
advisory lock makes concurrent starts (several hosts at once) migrate one at a time, and the schema
a URL's ``?search_path=`` names is created when it does not exist yet (or, when the user may not
create it, `SchemaError` says what to ask for).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bondline.store.urls import DatabaseURL

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x626F6E646C696E  # "bondlin"


class SchemaError(Exception):
    """The schema of ?search_path= is missing and cannot be created; the message says what to do."""


async def _ensure_schema(conn: Any, schema: str) -> None:
    exists = (await conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})).first()
    if exists:
        return
    quoted = '"' + schema.replace('"', '""') + '"'
    try:
        async with conn.begin_nested():
            await conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {quoted}"))
    except sa.exc.DBAPIError as exc:
        user = (await conn.execute(sa.text("SELECT current_user, current_database()"))).first()
        who, database = (user[0], user[1]) if user else ("this user", "the database")
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise SchemaError(
            f"the schema {schema} (from ?search_path=) does not exist in database {database}, and {who} may not "
            f"create it ({reason}). Create it as a user who may: CREATE SCHEMA {quoted} AUTHORIZATION {who}; "
            f"then run bondline migrate again") from None


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def _upgrade_sync(connection: sa.Connection, revision: str) -> None:
    cfg = _config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _current_sync(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _run(url: DatabaseURL, fn: Any) -> Any:
    if url.kind == "sqlite":
        os.makedirs(os.path.dirname(url.path) or ".", exist_ok=True)
        engine = sa.create_engine(url.sqlalchemy_url)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                return fn(conn)
        finally:
            engine.dispose()

    from sqlalchemy.ext.asyncio import create_async_engine

    async def go() -> Any:
        settings = {"search_path": url.search_path} if url.search_path else {}
        engine = create_async_engine(url.sqlalchemy_url, connect_args={"server_settings": settings})
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
                schema = url.schema
                if schema is not None:
                    await _ensure_schema(conn, schema)
                return await conn.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def upgrade(url: DatabaseURL, revision: str = "head") -> None:
    _run(url, lambda conn: _upgrade_sync(conn, revision))


def current(url: DatabaseURL) -> str | None:
    revision: str | None = _run(url, _current_sync)
    return revision
