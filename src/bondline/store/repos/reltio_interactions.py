"""Reltio interactions: insert, and read an entity's newest first."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa

from bondline.domain.reltio.interactions import Interaction
from bondline.store.base import Conn
from bondline.store.tables import reltio_interaction_members, reltio_interactions

P = sa.bindparam
i = reltio_interactions.c
m = reltio_interaction_members.c
_encode = msgspec.json.Encoder().encode

_insert = reltio_interactions.insert().values(
    tenant_id=P("tenant"), id=P("id"), type=P("type"), timestamp=P("timestamp"), attributes=P("attributes"),
    members=P("members"), created_at=P("created_at"), created_by=P("created_by"))
_member_insert = reltio_interaction_members.insert().values(
    tenant_id=P("tenant"), entity_id=P("entity_id"), interaction_id=P("id"), timestamp=P("timestamp"))
_cols = (i.tenant_id, i.id, i.type, i.timestamp, i.attributes, i.members, i.created_at, i.created_by)
_of_entity_where = (m.tenant_id == P("tenant"), m.entity_id == P("entity_id"))


def _page(ascending: bool) -> sa.Select[Any]:
    order = (m.timestamp.asc(), m.interaction_id.asc()) if ascending else (m.timestamp.desc(), m.interaction_id.desc())
    return (sa.select(*_cols).select_from(reltio_interaction_members.join(
        reltio_interactions, sa.and_(i.tenant_id == m.tenant_id, i.id == m.interaction_id)))
        .where(*_of_entity_where).order_by(*order).limit(P("limit")).offset(P("offset")))


_PAGES = {True: _page(True), False: _page(False)}
_count = sa.select(sa.func.count()).select_from(reltio_interaction_members).where(*_of_entity_where)


def _of(row: Any) -> Interaction:
    return Interaction(row[0], row[1], row[2], row[3], msgspec.json.decode(row[4]), msgspec.json.decode(row[5]),
                       row[6], row[7])


class ReltioInteractionRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def insert_many(self, items: list[Interaction]) -> None:
        if not items:
            return
        await self.conn.executemany(_insert, [
            {"tenant": x.tenant, "id": x.id, "type": x.type, "timestamp": x.timestamp,
             "attributes": _encode(x.attributes).decode(), "members": _encode(x.members).decode(),
             "created_at": x.created_at, "created_by": x.created_by} for x in items])
        rows = [{"tenant": x.tenant, "entity_id": eid, "id": x.id, "timestamp": x.timestamp}
                for x in items for eid in sorted({e for ids in x.members.values() for e in ids})]
        if rows:
            await self.conn.executemany(_member_insert, rows)

    async def of_entity(self, tenant: str, entity_id: str, *, ascending: bool, offset: int,
                        limit: int) -> tuple[list[Interaction], int]:
        """A page of the interactions `entity_id` takes part in, by timestamp, and how many there are."""
        params = {"tenant": tenant, "entity_id": entity_id}
        rows = await self.conn.all(_PAGES[ascending], {**params, "offset": offset, "limit": limit})
        total = await self.conn.scalar(_count, params)
        return [_of(r) for r in rows], int(total or 0)
