"""Reltio entity search: GET /entities, GET|POST /entities/_search and /entities/_total,
GET|POST /entities/_facets, POST /entities/_scan and GET|POST /entities/_byCrosswalk
(docs/decisions/0022-reltio-search.md).

The filter is parsed in the domain (`domain.reltio.filters`) and run by the store as one SQL
statement; only stored entities are searched, so what a pending change request would create or
change never shows. Reading needs READ on the tenant, as GET /entities/{id}.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from typing import Any

from bondline.domain import access
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import filters
from bondline.domain.reltio.errors import object_not_found
from bondline.domain.reltio.objects import SOURCE_PREFIX
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
                                         descending=q.order.lower() == "desc", offset=q.offset, limit=q.max,
                                         refs=filters.references(ctx.registry))
        refs = await references.load(tx, ctx, found)
        return [EntityView(e, refs.get(e.id, {})) for e in found]


async def total(store: Store, caller: Caller, tenant: str, q: Query) -> int:
    condition, _ = _check(q)
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if q.activeness == "not_active":
            return 0
        return await tx.entities.count(ctx.tenant, condition, by_ov=q.by_ov, refs=filters.references(ctx.registry))


# --- _facets ----------------------------------------------------------------------------------------

async def facets(store: Store, caller: Caller, tenant: str, q: Query,
                 specs: list[filters.Facet]) -> dict[str, dict[str, int]]:
    """For each facet, its terms and how many matching entities have each (one GROUP BY per facet),
    in the facet's order; `type` terms are entity type URIs."""
    if not specs:
        raise Invalid("Give at least one facet (the 'facet' parameter or the body's 'fieldName')")
    if len(specs) > filters.MAX_FACETS:
        raise Invalid(f"At most {filters.MAX_FACETS} facets in one request")
    if q.activeness not in ACTIVENESS:
        raise Invalid(f"Parameter 'activeness' must be one of {', '.join(ACTIVENESS)}, got {q.activeness[:20]!r}")
    condition = filters.parse(q.filter)
    out: dict[str, dict[str, int]] = {}
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        refs = filters.references(ctx.registry)
        for spec in specs:
            rows = [] if q.activeness == "not_active" else await tx.entities.facet(
                ctx.tenant, condition, spec, by_ov=q.by_ov, refs=refs)
            prefix = filters.ENTITY_TYPES if spec.field.kind == "type" else ""
            out[spec.name] = {prefix + term: n for term, n in rows}
    return out


# --- _scan ------------------------------------------------------------------------------------------

MAX_SCAN_PAGE = 200  # entities of one _scan answer (Reltio's search page)
CURSOR_VERSION = 1


@dataclasses.dataclass(frozen=True, slots=True)
class ScanState:
    """What a `_scan` cursor carries: the filter, whether it reads operational values only, and the
    last entity id handed out. It is all in the cursor (base64url JSON), so any worker continues any
    cursor, before or after a restart, and nothing is kept on the server; the cursor names the
    tenant, so it only continues there. A forged cursor can say nothing a filter could not."""

    tenant: str
    filter: str | None
    by_ov: bool
    after: str = ""

    def encode(self) -> str:
        raw = json.dumps({"v": CURSOR_VERSION, "t": self.tenant, "f": self.filter, "o": self.by_ov, "a": self.after},
                         separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(cursor: str, tenant: str) -> ScanState:
        bad = Invalid("Invalid cursor: pass the cursor of the previous _scan answer", reason="INVALID_CURSOR")
        if not isinstance(cursor, str) or not 0 < len(cursor) <= 4 * filters.MAX_LENGTH:
            raise bad
        try:
            data: Any = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (ValueError, binascii.Error):
            raise bad from None
        if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION or data.get("t") != tenant:
            raise bad
        flt, by_ov, after = data.get("f"), data.get("o"), data.get("a")
        if not (flt is None or isinstance(flt, str)) or not isinstance(by_ov, bool) or not isinstance(after, str):
            raise bad
        return ScanState(tenant, flt, by_ov, after)


async def scan(store: Store, caller: Caller, tenant: str, q: Query,
               cursor: str | None) -> tuple[list[EntityView], str]:
    """The next page of a cursor iteration over the filter's entities, by id, and the cursor to
    continue from. The first request names the filter (Reltio: "scan request without filter would
    cause an error"); later ones pass the cursor, whose filter wins."""
    if not 1 <= q.max <= MAX_SCAN_PAGE:
        raise Invalid(f"Parameter 'max' must be between 1 and {MAX_SCAN_PAGE}, got {q.max}")
    if q.activeness not in ACTIVENESS:
        raise Invalid(f"Parameter 'activeness' must be one of {', '.join(ACTIVENESS)}, got {q.activeness[:20]!r}")
    if cursor:
        state = ScanState.decode(cursor, tenant)
    elif q.filter is None:
        raise Invalid("The first _scan request needs a 'filter'; later ones the cursor it answered with",
                      reason="INVALID_FILTER")
    else:
        state = ScanState(tenant, q.filter, q.by_ov)
    condition = filters.parse(state.filter)
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if q.activeness == "not_active":
            return [], state.encode()
        found = await tx.entities.scan(ctx.tenant, condition, after=state.after, limit=q.max, by_ov=state.by_ov,
                                       refs=filters.references(ctx.registry))
        refs = await references.load(tx, ctx, found)
        views = [EntityView(e, refs.get(e.id, {})) for e in found]
    after = found[-1].id if found else state.after
    return views, dataclasses.replace(state, after=after).encode()


# --- _byCrosswalk -----------------------------------------------------------------------------------

async def by_crosswalk(store: Store, caller: Caller, tenant: str, value: str, source: str,
                       source_table: str | None) -> EntityView:
    """The entity holding the crosswalk (source type, value[, sourceTable]); 404 when none does."""
    if not value:
        raise Invalid("The crosswalk value is required")
    if not source:
        raise Invalid("Parameter 'type' (the crosswalk's source type) is required")
    kind = source if source.startswith(SOURCE_PREFIX) else SOURCE_PREFIX + source
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        owner = await tx.entities.by_crosswalk(ctx.tenant, kind, value)
        entity = await tx.entities.get(ctx.tenant, owner) if owner is not None else None
        xw = next((x for x in entity.crosswalks if x.get("type") == kind and x.get("value") == value), None) \
            if entity is not None else None
        if entity is None or xw is None or (source_table is not None and xw.get("sourceTable") != source_table):
            raise object_not_found(f"{kind}/{value}"[:300])
        refs = await references.load(tx, ctx, [entity])
        return EntityView(entity, refs.get(entity.id, {}))
