"""Webhooks, the outbox and deliveries.

`OutboxRepo.add` runs in the transaction of the change it reports: it stores each event once and one
pending delivery per active webhook whose filter matches, so a committed change always has its
deliveries and a rolled-back one never does (fan-out at write time: a webhook gets the events of
changes committed after it was registered).

Dispatchers lease due deliveries with a conditional UPDATE (only a delivery that is pending, due and
not leased, or whose lease ran out, is taken), after selecting candidates with ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL so concurrent dispatchers pass over each other's rows; SQLite serializes
writers, so the select and the update are one atomic step there. A dispatcher that dies leaves a
lease that runs out, and the delivery is taken again: at least once.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import msgspec
import sqlalchemy as sa

from bondline import ids
from bondline.domain import events as ev
from bondline.domain.watches import WATCH
from bondline.store.base import Conn
from bondline.store.tables import outbox_events, relations, webhook_deliveries, webhooks

P = sa.bindparam
w = webhooks.c
o = outbox_events.c
d = webhook_deliveries.c
r = relations.c
_enc = msgspec.json.Encoder().encode
_dec = msgspec.json.decode


@dataclasses.dataclass(slots=True)
class Webhook:
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: int
    created_by: str


@dataclasses.dataclass(slots=True)
class Delivery:
    id: int
    event_id: int
    webhook_id: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: int
    last_attempt_at: int | None
    last_status: int | None
    last_error: str | None
    delivered_at: int | None
    created_at: int


@dataclasses.dataclass(slots=True)
class Job:
    """A leased delivery with what sending it needs."""

    id: int
    attempts: int
    url: str
    secret: str
    event_id: int
    event_type: str
    event_created_at: int
    payload: str


_hook_cols = (w.id, w.url, w.events, w.active, w.created_at, w.created_by)
_hook_insert = webhooks.insert().values(url=P("url"), events=P("events"), secret=P("secret"), active=True,
                                        created_at=P("now"), created_by=P("by")).returning(*_hook_cols)
_hook_get = sa.select(*_hook_cols).where(w.id == P("id"))
_hook_list = sa.select(*_hook_cols).order_by(w.id)
_hook_delete = webhooks.delete().where(w.id == P("id"))
# Every active webhook's (id, event filter): what decides which events are written.
ACTIVE_SUBSCRIPTIONS = sa.select(w.id, w.events).where(w.active.is_(True)).order_by(w.id)


def subscriptions_of(rows: Any) -> list[tuple[int, list[str]]]:
    return [(row[0], list(_dec(row[1]))) for row in rows]

_event_insert = outbox_events.insert().values(type=P("type"), payload=P("payload"),
                                              created_at=P("now")).returning(o.id)
_delivery_insert = webhook_deliveries.insert().values(
    event_id=P("event_id"), webhook_id=P("webhook_id"), status=ev.PENDING, attempts=0, next_attempt_at=P("now"),
    created_at=P("now"))

_watchers = sa.select(r.source_key, r.target_key).where(
    r.namespace == P("ns"), r.target_type == P("tt"), r.target_key == P("key"),
    r.name == WATCH, r.source_type == "user").order_by(r.id)

_delivery_cols = (d.id, d.event_id, d.webhook_id, o.type, d.status, d.attempts, d.next_attempt_at,
                  d.last_attempt_at, d.last_status, d.last_error, d.delivered_at, d.created_at)


@functools.lru_cache(maxsize=8)
def _deliveries_stmt(by_status: bool, by_webhook: bool) -> sa.Select[Any]:
    stmt = sa.select(*_delivery_cols).select_from(webhook_deliveries.join(outbox_events, o.id == d.event_id)) \
        .where(d.id < P("before_id"))
    if by_webhook:
        stmt = stmt.where(d.webhook_id == P("webhook_id"))
    if by_status:
        stmt = stmt.where(d.status == P("status"))
    return stmt.order_by(d.id.desc()).limit(P("limit"))


_delivery_get = sa.select(*_delivery_cols).select_from(webhook_deliveries.join(outbox_events, o.id == d.event_id)) \
    .where(d.id == P("id"))
_leasable = sa.and_(d.status == ev.PENDING, d.next_attempt_at <= P("now"),
                    sa.or_(d.lease_expires_at.is_(None), d.lease_expires_at < P("now")))
_candidates = sa.select(d.id).where(_leasable).order_by(d.next_attempt_at, d.id).limit(P("limit")) \
    .with_for_update(skip_locked=True)
_any_due = sa.select(d.id).where(_leasable).limit(1)
_lease = webhook_deliveries.update().where(d.id == P("id"), _leasable).values(
    lease_owner=P("owner"), lease_expires_at=P("until"))
_job = sa.select(d.id, d.attempts, w.url, w.secret, o.id, o.type, o.created_at, o.payload).select_from(
    webhook_deliveries.join(webhooks, w.id == d.webhook_id).join(outbox_events, o.id == d.event_id)).where(
    d.id == P("id"))
_finish = webhook_deliveries.update().where(d.id == P("id"), d.lease_owner == P("owner"),
                                            d.status == ev.PENDING).values(
    status=P("status"), attempts=d.attempts + 1, next_attempt_at=P("next"), last_attempt_at=P("now"),
    last_status=P("http_status"), last_error=P("error"), delivered_at=P("delivered_at"), lease_owner=sa.null(),
    lease_expires_at=sa.null())
_replay = webhook_deliveries.update().where(d.id == P("id")).values(
    status=ev.PENDING, attempts=0, next_attempt_at=P("now"), lease_owner=sa.null(), lease_expires_at=sa.null())
_counts = sa.select(d.status, sa.func.count()).group_by(d.status)


def _webhook(row: Any) -> Webhook:
    return Webhook(row[0], row[1], list(_dec(row[2])), bool(row[3]), row[4], row[5])


def _delivery(row: Any) -> Delivery:
    return Delivery(*row)


class OutboxRepo:
    """Events, written in the transaction of the change they report."""

    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def subscriptions(self) -> list[tuple[int, list[str]]]:
        """(webhook id, event filter) of every active webhook."""
        return subscriptions_of(await self.conn.all(ACTIVE_SUBSCRIPTIONS))

    async def watchers(self, ns: str, target_type: str, keys: list[str]) -> list[tuple[str, str]]:
        """(accountId, watched key) of every user watching one of `keys`, oldest watch first."""
        if not keys:
            return []
        found = []
        for key in keys:
            found += [(row[0], row[1]) for row in await self.conn.all(_watchers, {"ns": ns, "tt": target_type,
                                                                                  "key": key})]
        return found

    async def add(self, events: list[ev.Event], subs: list[tuple[int, list[str]]]) -> int:
        """Store the events that one of the webhooks `subs` wants, with a pending delivery for each
        such webhook; returns how many deliveries were queued."""
        if not events:
            return 0
        now = ids.now_ms()
        queued = 0
        for event in events:
            targets = [hook_id for hook_id, f in subs if ev.matches(f, event.type)]
            if not targets:
                continue
            event_id = await self.conn.scalar(_event_insert, {"type": event.type,
                                                              "payload": _enc(event.payload).decode(), "now": now})
            await self.conn.executemany(_delivery_insert, [
                {"event_id": event_id, "webhook_id": hook_id, "now": now} for hook_id in targets])
            queued += len(targets)
        return queued


class WebhookRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, url: str, events: list[str], secret: str, by: str, now: int) -> Webhook:
        row = await self.conn.one(_hook_insert, {"url": url, "events": _enc(events).decode(), "secret": secret,
                                                 "now": now, "by": by})
        return _webhook(row)

    async def get(self, webhook_id: int) -> Webhook | None:
        row = await self.conn.one(_hook_get, {"id": webhook_id})
        return _webhook(row) if row else None

    async def list_all(self) -> list[Webhook]:
        return [_webhook(row) for row in await self.conn.all(_hook_list)]

    async def delete(self, webhook_id: int) -> bool:
        return await self.conn.execute(_hook_delete, {"id": webhook_id}) > 0

    async def deliveries(self, webhook_id: int | None, status: str | None, before_id: int | None,
                         limit: int) -> list[Delivery]:
        stmt = _deliveries_stmt(status is not None, webhook_id is not None)
        rows = await self.conn.all(stmt, {"webhook_id": webhook_id, "status": status, "limit": limit,
                                          "before_id": before_id if before_id is not None else 2**62})
        return [_delivery(row) for row in rows]

    async def delivery(self, delivery_id: int) -> Delivery | None:
        row = await self.conn.one(_delivery_get, {"id": delivery_id})
        return _delivery(row) if row else None

    async def replay(self, delivery_id: int, now: int) -> bool:
        return await self.conn.execute(_replay, {"id": delivery_id, "now": now}) > 0

    async def counts(self) -> dict[str, int]:
        return {row[0]: int(row[1]) for row in await self.conn.all(_counts)}

    # --- dispatchers ----------------------------------------------------------------------------

    async def any_due(self, now: int) -> bool:
        """Whether some delivery could be leased now (a read, so idle dispatchers take no write lock)."""
        return await self.conn.one(_any_due, {"now": now}) is not None

    async def lease(self, owner: str, now: int, until: int, limit: int) -> list[Job]:
        """Take up to `limit` due deliveries for `owner` until `until` (epoch ms)."""
        found = [row[0] for row in await self.conn.all(_candidates, {"now": now, "limit": limit})]
        jobs = []
        for delivery_id in found:
            if await self.conn.execute(_lease, {"id": delivery_id, "now": now, "owner": owner, "until": until}):
                row = await self.conn.one(_job, {"id": delivery_id})
                if row is not None:
                    jobs.append(Job(*row))
        return jobs

    async def finish(self, delivery_id: int, owner: str, *, status: str, next_at: int, now: int,
                     http_status: int | None, error: str | None) -> bool:
        """Record an attempt's outcome, if `owner` still holds the lease."""
        return await self.conn.execute(_finish, {
            "id": delivery_id, "owner": owner, "status": status, "next": next_at, "now": now,
            "http_status": http_status, "error": None if error is None else error[:512],
            "delivered_at": now if status == ev.DELIVERED else None}) > 0


