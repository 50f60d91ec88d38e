"""The review inbox's signed-in sessions, kept by the hash of their secret (services/ui_sessions.py)."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from bondline.store.base import Conn
from bondline.store.tables import ui_sessions

P = sa.bindparam
s = ui_sessions.c


@dataclasses.dataclass(frozen=True, slots=True)
class StoredSession:
    id_hash: str
    token_id: str
    user_id: int
    created_at: int
    expires_at: int


_by_hash = sa.select(s.id_hash, s.token_id, s.user_id, s.created_at, s.expires_at).where(s.id_hash == P("id_hash"))
_insert = ui_sessions.insert().values(id_hash=P("id_hash"), token_id=P("token_id"), user_id=P("user_id"),
                                      created_at=P("created_at"), expires_at=P("expires_at"))
_delete = ui_sessions.delete().where(s.id_hash == P("id_hash"))
_delete_expired = ui_sessions.delete().where(s.expires_at <= P("now"))


class UiSessionRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def by_hash(self, id_hash: str) -> StoredSession | None:
        row = await self.conn.one(_by_hash, {"id_hash": id_hash})
        return StoredSession(row[0], row[1], row[2], row[3], row[4]) if row else None

    async def add(self, session: StoredSession) -> None:
        await self.conn.execute(_insert, dataclasses.asdict(session))

    async def delete(self, id_hash: str) -> None:
        await self.conn.execute(_delete, {"id_hash": id_hash})

    async def delete_expired(self, now: int) -> int:
        """Sessions past their end; how many there were."""
        return await self.conn.execute(_delete_expired, {"now": now})
