"""Reltio's activity log: GET /activities reads the tenant's audit trail (filtered, paged, as
Reltio's activities), POST /activities logs a client's own activity in it."""

from __future__ import annotations

from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain.audit import Actor, Change
from bondline.domain.model import Caller
from bondline.domain.reltio import activities as act
from bondline.services.reltio.tenants import tenant_context
from bondline.store import Store


async def list_activities(store: Store, caller: Caller, tenant: str, *, filter: str | None, offset: int,
                          max: int, ascending: bool) -> list[dict[str, Any]]:
    where = act.parse_filter(filter)
    prefix = f"reltio/{tenant}/"
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read_activities(ctx.perms)
        found = await tx.audit.reltio_activities(tenant, where, ascending=ascending, offset=offset, limit=max)
    return [act.activity(entry.id, entry.at, user, entry.action, entry.object[len(prefix):], entry.before,
                         entry.after) for entry, user in found]


async def log_activity(store: Store, caller: Caller, tenant: str, body: Any) -> dict[str, Any]:
    """Store a client's activity; answers it as GET /activities will show it."""
    logged = act.parse_logged(body)
    path = f"activities/{ids.reltio_id()}"
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_log_activity(ctx.perms)
        tx.record(Change(act.ACTIVITY_ACTION, f"reltio/{tenant}/{path}", None, logged))
    return act.activity(0, now, caller.email, act.ACTIVITY_ACTION, path, None, logged)
