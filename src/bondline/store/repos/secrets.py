"""Server secrets: random values the server generates once and every worker reads from the database."""

from __future__ import annotations

import sqlalchemy as sa

from bondline.store.base import Conn
from bondline.store.tables import server_secrets

P = sa.bindparam

_get = sa.select(server_secrets.c.value).where(server_secrets.c.name == P("name"))
_insert = server_secrets.insert().values(name=P("name"), value=P("value"), created_at=P("now"))


class SecretRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, name: str) -> str | None:
        return await self.conn.scalar(_get, {"name": name})

    async def add(self, name: str, value: str, now: int) -> None:
        """Raises IntegrityViolation when another process stored `name` first."""
        await self.conn.execute(_insert, {"name": name, "value": value, "now": now})
