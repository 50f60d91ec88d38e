"""Reltio entity search: GET /entities, GET|POST /entities/_search and /entities/_total
(docs/decisions/0022-reltio-search.md).

The filter is parsed in the domain (`domain.reltio.filters`) and run by the store as one SQL
statement; only stored entities are searched, so what a pending change request would create or
change never shows. Reading needs READ on the tenant, as GET /entities/{id}.
"""

from __future__ import annotations

import dataclasses

from bondline.domain import access
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import filters
from bondline.services.reltio import references
from bondline.services.reltio.entities import EntityView
from bondline.services.reltio.tenants import tenant_context
from bondline.store import Store

MAX_PAGE = 200  # "The response can include a maximum of 200 entities" (Reltio's definition)
MAX_WINDOW = 10_000  # max + offset (Reltio: "must not exceed the value of 10,000")
ACTIVENESS = ("active", "all", "not_active")


@dataclasses.dataclass(frozen=True, slots=True)
class Query:
    filter: str | None = None
    offset: int = 0
    max: int = 50
    sort: str | None = None
    order: str = "asc"
    activeness: str = "active"
    by_ov: bool = False


def _check(q: Query) -> tuple[filters.Node | None, filters.Field | None]:
    if not 0 <= q.offset:
        raise Invalid("Parameter 'offset' must not be negative")
    if not 1 <= q.max <= MAX_PAGE:
        raise Invalid(f"Parameter 'max' must be between 1 and {MAX_PAGE}, got {q.max}")
    if q.offset + q.max > MAX_WINDOW:
        raise Invalid(f"The sum of 'max' and 'offset' must not exceed {MAX_WINDOW}")
    if q.order.lower() not in ("asc", "desc"):
        raise Invalid(f"Parameter 'order' must be asc or desc, got {q.order[:20]!r}")
    if q.activeness not in ACTIVENESS:
        raise Invalid(f"Parameter 'activeness' must be one of {', '.join(ACTIVENESS)}, got {q.activeness[:20]!r}")
    return filters.parse(q.filter), filters.sort_key(q.sort)


async def search(store: Store, caller: Caller, tenant: str, q: Query) -> list[EntityView]:
    """A page of the tenant's entities matching the filter, rendered as GET /entities/{id} does.
    bondline keeps no end-dated entities: every entity is active (`activeness=not_active` finds none)."""
    condition, sort = _check(q)
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if q.activeness == "not_active":
            return []
        found = await tx.entities.search(ctx.tenant, condition, by_ov=q.by_ov, sort=sort,
                                         descending=q.order.lower() == "desc", offset=q.offset, limit=q.max)
        refs = await references.load(tx, ctx, found)
        return [EntityView(e, refs.get(e.id, {})) for e in found]


async def total(store: Store, caller: Caller, tenant: str, q: Query) -> int:
    condition, _ = _check(q)
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if q.activeness == "not_active":
            return 0
        return await tx.entities.count(ctx.tenant, condition, by_ov=q.by_ov)
