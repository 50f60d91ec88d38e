"""Throw-away databases for `bondline serve --ephemeral`: a SQLite file in a new temporary
directory, or a new schema in a PostgreSQL database; removed when the server exits."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bondline.store.urls import DatabaseURLError, parse


def create(postgres_url: str | None = None) -> tuple[str, Callable[[], None]]:
    """A new, empty database: its URL and the function that removes it."""
    if postgres_url is None:
        directory = tempfile.mkdtemp(prefix="bondline-ephemeral-")
        return f"sqlite:///{directory}/bondline.db", lambda: shutil.rmtree(directory, ignore_errors=True)
    url = parse(postgres_url)
    if url.kind != "postgresql":
        raise DatabaseURLError("--ephemeral makes its own SQLite file; --database-url may only name a PostgreSQL "
                               "database to make a throw-away schema in")
    import asyncpg

    schema = f"bondline_ephemeral_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(url.dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE SCHEMA "{schema}"'))
    parts = urlsplit(postgres_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"] + [("search_path", schema)]
    schema_url = urlunsplit(parts._replace(query=urlencode(query)))

    def drop() -> None:
        try:
            asyncio.run(run(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass

    return schema_url, drop
