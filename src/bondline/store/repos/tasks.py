"""Long-running tasks, as Confluence reports them (`/wiki/rest/api/longtask/{id}`)."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from bondline.store.base import Conn
from bondline.store.tables import long_tasks

P = sa.bindparam
t = long_tasks.c


@dataclasses.dataclass(slots=True)
class LongTask:
    id: str
    name: str
    args: str
    user_id: int | None
    created_at: int
    finished_at: int | None
    successful: bool


_insert = long_tasks.insert().values(
    id=P("id"), name=P("name"), args=P("args"), user_id=P("user_id"), created_at=P("created_at"),
    finished_at=P("finished_at"), successful=P("successful"))
_by_id = sa.select(t.id, t.name, t.args, t.user_id, t.created_at, t.finished_at, t.successful).where(
    t.id == P("id"))
_newest = sa.select(t.id, t.name, t.args, t.user_id, t.created_at, t.finished_at, t.successful).order_by(
    t.created_at.desc(), t.id).limit(P("limit")).offset(P("offset"))
_newest_of = _newest.where(t.user_id == P("user_id"))


class TaskRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, task: LongTask) -> None:
        await self.conn.execute(_insert, dataclasses.asdict(task))

    async def by_id(self, task_id: str) -> LongTask | None:
        row = await self.conn.one(_by_id, {"id": task_id})
        if row is None:
            return None
        return LongTask(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))

    async def page(self, user_id: int | None, offset: int, limit: int) -> list[LongTask]:
        """Tasks newest first: those `user_id` started, or every task (None)."""
        rows = await self.conn.all(_newest if user_id is None else _newest_of,
                                   {"user_id": user_id, "offset": offset, "limit": limit})
        return [LongTask(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]
