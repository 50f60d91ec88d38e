"""The review inbox's use cases: the tenants a user may review (or only read), a page of a tenant's
change requests in one state with their objects' labels and conflicts, and one change request in
full. Applying and rejecting go through `change_requests.apply` / `reject` like the API does — or,
for a request with an open review task, through that task (`workflow.decide`), so the task closes
with the decision and its rules hold.

Listings stay cheap whatever a request's size: a request of more than `LIST_ITEMS` items shows its
first items only (their conflicts are exact: items apply in order, so a prefix's conflicts are the
same as in the whole run), and its detail page checks every item.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bondline.domain import access
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import roles
from bondline.domain.reltio import workflow as wf
from bondline.services.reltio import staging, workflow
from bondline.services.reltio.staging import ChangeRequestView, load_request
from bondline.services.reltio.tenants import TenantContext, tenant_context
from bondline.store import Store
from bondline.store.unit import Tx

STATES = (ch.AWAITING, ch.APPLIED, ch.REJECTED)
PAGE_SIZE = 20
LIST_ITEMS = 200  # items shown per request in a listing
DETAIL_ITEMS = 2_000  # items shown in words on a request's own page (all are checked for conflicts)
MAX_FILTER_CHARS = 254
OBJECT_URI = re.compile(r"(entities|relations)/[0-9A-Za-z]{1,16}")


@dataclasses.dataclass(frozen=True, slots=True)
class TenantEntry:
    tenant: str
    roles: tuple[str, ...]
    can_accept: bool
    awaiting: int


@dataclasses.dataclass(frozen=True, slots=True)
class Shown:
    """A change request as the inbox shows it: `view.items` may be its first items only."""

    view: ChangeRequestView
    item_count: int
    # For each conflicted item (by id): the values its target holds now (None: object or value gone).
    current: dict[str, list[Any] | None] = dataclasses.field(default_factory=dict)
    # Its open review task (the Workflow API's), if one was started: Apply and Reject then act on it.
    task: wf.Task | None = None

    @property
    def complete(self) -> bool:
        return len(self.view.items) >= self.item_count

    @property
    def conflict_count(self) -> int:
        return len(self.view.conflicts or {})


@dataclasses.dataclass(frozen=True, slots=True)
class Filters:
    """Narrow a listing to one creator (as change requests record it: an email) and/or one object
    (`entities/ID` or `relations/ID`: requests with an item on it)."""

    created_by: str | None = None
    object_uri: str | None = None

    def __bool__(self) -> bool:
        return bool(self.created_by or self.object_uri)


@dataclasses.dataclass(frozen=True, slots=True)
class InboxPage:
    tenant: str
    state: str
    can_accept: bool
    counts: dict[str, int]
    requests: list[Shown]
    page: int
    pages: int
    filters: Filters = Filters()


async def tenants_for(store: Store, caller: Caller) -> list[TenantEntry]:
    """Tenants the caller may read (those they hold a role on; every tenant for site admins)."""
    out: list[TenantEntry] = []
    async with store.read() as tx:
        held = await tx.tenants.roles_of_user(caller.user_id)
        for tenant, _created in await tx.tenants.list_all():
            perms = roles.permissions(held.get(tenant, []), caller.site_admin)
            if not access.reltio_can_read(perms):
                continue
            counts = await tx.change_requests.count_by_state(tenant)
            out.append(TenantEntry(tenant, tuple(held.get(tenant, [])), access.reltio_can_accept(perms),
                                   counts.get(ch.AWAITING, 0)))
    return out


def check_state(state: str | None) -> str:
    if state is None or state == "":
        return ch.AWAITING
    if state not in STATES:
        raise Invalid(f"Unknown state {state[:40]!r}: use one of {', '.join(STATES)}")
    return state


def check_filters(created_by: str | None, object_uri: str | None) -> Filters:
    created_by = (created_by or "").strip() or None
    object_uri = (object_uri or "").strip() or None
    if created_by is not None and len(created_by) > MAX_FILTER_CHARS:
        raise Invalid(f"A creator is at most {MAX_FILTER_CHARS} characters")
    if object_uri is not None and not OBJECT_URI.fullmatch(object_uri):
        raise Invalid(f"Name an object as entities/ID or relations/ID, not {object_uri[:40]!r}")
    return Filters(created_by, object_uri)


async def _filtered(tx: Tx, tenant: str, state: str, filters: Filters, offset: int, limit: int
                    ) -> tuple[dict[str, int], list[ch.ChangeRequest]]:
    """Counts by state and a page of the requests matching `filters`, ordered as `page_in_state`
    orders them (the lookups the Reltio API's `filter=` uses: by creator, by object touched)."""
    matched: set[str] | None = None
    if filters.created_by is not None:
        matched = await tx.change_requests.ids_created_by(tenant, [filters.created_by])
    if filters.object_uri is not None:
        touching = await tx.change_requests.ids_touching(tenant, [filters.object_uri])
        matched = touching if matched is None else matched & touching
    found = list((await tx.change_requests.get_many(tenant, matched or set())).values())
    counts: dict[str, int] = {}
    for cr in found:
        counts[cr.state] = counts.get(cr.state, 0) + 1
    in_state = [cr for cr in found if cr.state == state]
    if state == ch.AWAITING:
        in_state.sort(key=lambda cr: (-cr.created_at, cr.id))
    else:
        in_state.sort(key=lambda cr: (-cr.updated_at, cr.id))
    return counts, in_state[offset:offset + limit]


async def page(store: Store, caller: Caller, tenant: str, state: str, number: int = 1,
               size: int = PAGE_SIZE, filters: Filters | None = None) -> InboxPage:
    """Change requests in `state`, page `number` (from 1): waiting ones newest first, decided ones
    most recently decided first; with objectsInfo, and conflicts for those awaiting review. With
    `filters`, only those matching them (and the counts are theirs)."""
    state = check_state(state)
    number = max(1, number)
    filters = filters or Filters()
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if filters:
            counts, found = await _filtered(tx, ctx.tenant, state, filters, (number - 1) * size, size)
        else:
            counts = await tx.change_requests.count_by_state(ctx.tenant)
            found = await tx.change_requests.page_in_state(ctx.tenant, state, (number - 1) * size, size)
        sizes = await tx.change_requests.item_counts(ctx.tenant, [cr.id for cr in found])
        small = await tx.change_requests.items_of(ctx.tenant, [cr.id for cr in found
                                                               if sizes.get(cr.id, 0) <= LIST_ITEMS])
        shown: list[Shown] = []
        for cr in found:
            items = small.get(cr.id)
            if items is None:
                items = (await tx.change_requests.items_head(ctx.tenant, cr.id, LIST_ITEMS)
                         if sizes.get(cr.id, 0) else [])
            view = await staging.view(tx, ctx, cr, objects_info=True, conflicts=cr.state == ch.AWAITING,
                                      items=items)
            task = await workflow.open_task_of(tx, ctx.tenant, cr.id) if cr.state == ch.AWAITING else None
            shown.append(Shown(view, sizes.get(cr.id, 0), await _current(tx, ctx, view), task))
    total = counts.get(state, 0)
    return InboxPage(ctx.tenant, state, access.reltio_can_accept(ctx.perms), counts, shown, number,
                     max(1, -(-total // size)), filters)


async def detail(store: Store, caller: Caller, tenant: str, request_id: str) -> tuple[Shown, bool]:
    """One change request with every item checked for conflicts (while it awaits review), and
    whether the caller may apply or reject it."""
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        cr = await load_request(tx, ctx, request_id)
        items = await tx.change_requests.items(ctx.tenant, cr.id)
        view = await staging.view(tx, ctx, cr, objects_info=True, conflicts=cr.state == ch.AWAITING, items=items)
        current = await _current(tx, ctx, view)
        task = await workflow.open_task_of(tx, ctx.tenant, cr.id) if cr.state == ch.AWAITING else None
    return Shown(view, len(items), current, task), access.reltio_can_accept(ctx.perms)


async def _current(tx: Tx, ctx: TenantContext, view: ChangeRequestView) -> dict[str, list[Any] | None]:
    """What each conflicted item's target holds now, so a reviewer sees it beside the staged value.
    Read only for requests with conflicts (the documents are read again: conflicts are rare)."""
    if not view.conflicts:
        return {}
    conflicted = [c.item for c in view.conflicts.values()]
    docs, _, _ = await staging.documents(tx, ctx, conflicted)
    out: dict[str, list[Any] | None] = {}
    for item in conflicted:
        out[item.id] = values_now(item, docs.get(item.object_uri))
    return out


def values_now(item: ch.Item, doc: dict[str, Any] | None) -> list[Any] | None:
    """The values at an item's attribute path in its object's document as stored now: every value
    of the attribute for an insert, the one value the path names otherwise; [] for an object with
    no attribute path (a relation to delete that still exists); None when the object or value is gone."""
    if doc is None or not doc.get("exists", True):
        return None
    path = (item.body or {}).get("attributePath")
    if item.type not in ch.ATTRIBUTE_ITEMS or not isinstance(path, str):
        return []
    try:
        segs = ch.split_path(path)
    except Invalid:
        return None
    if item.type == ch.INSERT:
        parent = ch.parent_of(doc["attributes"], segs)
        return None if parent is None else list(parent.get(segs[-1]) or [])
    found = ch.locate(doc["attributes"], segs)
    return None if found is None else [found[0][found[1]]]
