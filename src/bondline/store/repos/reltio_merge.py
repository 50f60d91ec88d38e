"""Reltio merges and not-match marks (docs/decisions/0026), and the index lookups matching uses."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import Any

import msgspec
import sqlalchemy as sa

from bondline.domain.reltio.objects import ReltioRelation
from bondline.store.base import Conn
from bondline.store.repos import batch
from bondline.store.repos.reltio import namespace
from bondline.store.tables import entity_crosswalks, entity_values, relations, reltio_merges, reltio_not_matches

P = sa.bindparam
_enc = msgspec.json.Encoder().encode
m = reltio_merges.c
n = reltio_not_matches.c
r = relations.c
ev = entity_values.c
x = entity_crosswalks.c

MAX_CHAIN = 64  # merges followed from a loser's id to the entity that answers for it


@dataclasses.dataclass(frozen=True, slots=True)
class Merge:
    tenant: str
    loser_id: str
    winner_id: str
    snapshot: dict[str, Any]
    merged_at: int
    merged_by: str


_insert = reltio_merges.insert().values(tenant_id=P("tenant"), loser_id=P("loser"), winner_id=P("winner"),
                                        snapshot=P("snapshot"), merged_at=P("at"), merged_by=P("by"))
_cols = (m.tenant_id, m.loser_id, m.winner_id, m.snapshot, m.merged_at, m.merged_by)
_get = sa.select(*_cols).where(m.tenant_id == P("tenant"), m.loser_id == P("loser"))
_winner_of = sa.select(m.winner_id).where(m.tenant_id == P("tenant"), m.loser_id == P("loser"))
_of_winner = sa.select(*_cols).where(m.tenant_id == P("tenant"), m.winner_id == P("winner")).order_by(
    m.merged_at, m.loser_id)
_delete = reltio_merges.delete().where(m.tenant_id == P("tenant"), m.loser_id == P("loser"))
_nm_insert = reltio_not_matches.insert().values(tenant_id=P("tenant"), entity_id=P("a"), other_id=P("b"),
                                                updated_at=P("at"), updated_by=P("by"))
_nm_exists = sa.select(n.other_id).where(n.tenant_id == P("tenant"), n.entity_id == P("a"), n.other_id == P("b"))
_nm_delete = reltio_not_matches.delete().where(n.tenant_id == P("tenant"), n.entity_id == P("a"),
                                               n.other_id == P("b"))
_nm_of = sa.select(n.other_id, n.updated_at, n.updated_by).where(n.tenant_id == P("tenant"),
                                                                 n.entity_id == P("a")).order_by(n.other_id)
_move = relations.update().where(r.id == P("row_id")).values(
    source_key=P("start"), target_key=P("end"), payload=P("payload"), version=P("version"),
    updated_at=P("updated_at"), updated_by=P("updated_by"))
_move_starts = relations.update().where(r.namespace == P("ns"), r.source_type == "entity",
                                        r.source_key == P("loser")).values(
    source_key=P("winner"), version=r.version + 1, updated_at=P("now"), updated_by=P("who"))
_move_ends = relations.update().where(r.namespace == P("ns"), r.target_type == "entity",
                                      r.target_key == P("loser")).values(
    target_key=P("winner"), version=r.version + 1, updated_at=P("now"), updated_by=P("who"))
_xw_delete = entity_crosswalks.delete().where(x.tenant_id == P("tenant"), x.type == P("type"), x.value == P("value"))
_rel_delete = relations.delete().where(r.id == P("row_id"))
_nm_delete_entity = reltio_not_matches.delete().where(
    n.tenant_id == P("tenant"), sa.or_(n.entity_id == P("entity"), n.other_id == P("entity")))


@functools.lru_cache(maxsize=64)
def _candidates_exact(k: int) -> sa.Select[Any]:
    return sa.select(ev.entity_id).where(ev.tenant_id == P("tenant"), ev.path == P("path"),
                                         ev.lvalue.in_(batch.vals(k))).distinct().limit(P("limit"))


_candidates_prefix = sa.select(ev.entity_id).where(
    ev.tenant_id == P("tenant"), ev.path == P("path"), ev.lvalue >= P("low"), ev.lvalue < P("high")
).distinct().limit(P("limit"))


def _payload(rel: ReltioRelation) -> str:
    return _enc({"attributes": rel.attributes, "crosswalks": rel.crosswalks, "flags": rel.flags}).decode()


def _of(row: Any) -> Merge:
    return Merge(row[0], row[1], row[2], msgspec.json.decode(row[3]), row[4], row[5])


class ReltioMergeRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def insert(self, merge: Merge) -> None:
        await self.conn.execute(_insert, {"tenant": merge.tenant, "loser": merge.loser_id, "winner": merge.winner_id,
                                          "snapshot": _enc(merge.snapshot).decode(), "at": merge.merged_at,
                                          "by": merge.merged_by})

    async def get(self, tenant: str, loser_id: str) -> Merge | None:
        row = await self.conn.one(_get, {"tenant": tenant, "loser": loser_id})
        return _of(row) if row else None

    async def delete(self, tenant: str, loser_id: str) -> None:
        await self.conn.execute(_delete, {"tenant": tenant, "loser": loser_id})

    async def contributors(self, tenant: str, winner_id: str) -> list[Merge]:
        """The merges whose loser went directly into `winner_id`, oldest first."""
        return [_of(row) for row in await self.conn.all(_of_winner, {"tenant": tenant, "winner": winner_id})]

    async def resolve(self, tenant: str, entity_id: str) -> str | None:
        """The entity that answers for `entity_id` when it lost a merge (following merges of merges),
        or None when it never did."""
        found = None
        current = entity_id
        for _ in range(MAX_CHAIN):
            nxt = await self.conn.scalar(_winner_of, {"tenant": tenant, "loser": current})
            if nxt is None:
                return found
            found = current = nxt
        return found

    async def move_relations(self, items: list[ReltioRelation]) -> None:
        """Store relations whose ends changed (as loaded: their row ids say which)."""
        if items:
            await self.conn.executemany(_move, [{
                "row_id": i.row_id, "start": i.start_id, "end": i.end_id, "payload": _payload(i),
                "version": i.version, "updated_at": i.updated_at, "updated_by": i.updated_by} for i in items])

    async def move_all(self, tenant: str, loser_id: str, winner_id: str, now: int, who: str) -> int:
        """Point every relation from or to `loser_id` at `winner_id` (a merge, once the relations it
        removes are gone), in two statements; how many ends moved."""
        params = {"ns": namespace(tenant), "loser": loser_id, "winner": winner_id, "now": now, "who": who}
        return await self.conn.execute(_move_starts, params) + await self.conn.execute(_move_ends, params)

    async def delete_relations(self, items: list[ReltioRelation]) -> None:
        if items:
            await self.conn.executemany(_rel_delete, [{"row_id": i.row_id} for i in items])

    async def release_crosswalks(self, tenant: str, crosswalks: Iterable[dict[str, Any]]) -> None:
        """Forget which entity holds these crosswalks (before another entity takes them)."""
        rows = [{"tenant": tenant, "type": xw["type"], "value": xw["value"]} for xw in crosswalks]
        if rows:
            await self.conn.executemany(_xw_delete, rows)

    # --- not a match ---------------------------------------------------------------------------------
    async def mark_not_match(self, tenant: str, a: str, b: str, at: int, by: str) -> None:
        for left, right in ((a, b), (b, a)):
            params = {"tenant": tenant, "a": left, "b": right}
            if await self.conn.scalar(_nm_exists, params) is None:
                await self.conn.execute(_nm_insert, {**params, "at": at, "by": by})

    async def unmark_not_match(self, tenant: str, a: str, b: str) -> None:
        for left, right in ((a, b), (b, a)):
            await self.conn.execute(_nm_delete, {"tenant": tenant, "a": left, "b": right})

    async def not_matches(self, tenant: str, entity_id: str) -> list[tuple[str, int, str]]:
        """(other id, updated at, updated by) of the entities marked not a match of `entity_id`."""
        return [(row[0], row[1], row[2]) for row in await self.conn.all(_nm_of, {"tenant": tenant, "a": entity_id})]

    async def forget_entity(self, tenant: str, entity_id: str) -> None:
        await self.conn.execute(_nm_delete_entity, {"tenant": tenant, "entity": entity_id})

    # --- candidates for matching -------------------------------------------------------------------
    async def candidates(self, tenant: str, path: str, prefix: bool, keys: list[str], limit: int) -> list[str]:
        """Ids of entities with a value of attribute `path` (lowered) among `keys`, or starting with
        one of them (`prefix`), at most `limit`."""
        if not keys:
            return []
        if not prefix:
            rows = await batch.many(self.conn, _candidates_exact, keys, {"tenant": tenant, "path": path,
                                                                         "limit": limit})
            return list(dict.fromkeys(row[0] for row in rows))[:limit]
        out: dict[str, None] = {}
        for key in keys:
            found = await self.conn.all(_candidates_prefix, {"tenant": tenant, "path": path, "low": key,
                                                            "high": key + "\U0010ffff", "limit": limit})
            out.update((row[0], None) for row in found)
        return list(out)[:limit]


__all__ = ["Merge", "ReltioMergeRepo", "namespace"]
