"""CQL search: parse the query (domain.cql), run it in the store with the caller's listing scope
(domain.access.listing_scope: permission filtering is part of the SQL), and load what rendering
needs for the page found."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bondline import ids
from bondline.domain import access, cql
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller, User
from bondline.services.content import ContentView, view_of
from bondline.store import Store

STATUSES = ("current", "draft", "trashed")


@dataclasses.dataclass(slots=True)
class Found:
    query: cql.Query
    views: list[ContentView]
    total: int  # everything the query finds that the caller may see


def statuses_of(wanted: Sequence[str] | None) -> list[str]:
    """`cqlcontext`'s `contentStatuses` (default: current content only)."""
    if not wanted:
        return ["current"]
    for status in wanted:
        if status not in STATUSES:
            raise Invalid(f"Invalid content status {str(status)[:40]!r} in cqlcontext: use one of"
                          f" {', '.join(STATUSES)}")
    return list(dict.fromkeys(wanted))


async def search(store: Store, caller: Caller, text: str, *, statuses: Sequence[str] | None = None,
                 start: int = 0, limit: int = 25) -> Found:
    query = cql.parse(text, now_ms=ids.now_ms(), account_id=caller.account_id)
    async with store.read() as tx:
        found, total = await tx.search.content(query, viewer=access.listing_scope(caller),
                                               statuses=statuses_of(statuses), offset=start, limit=limit)
        views = [await view_of(tx, caller, content, space) for content, space in found]
    return Found(query, views, total)


@dataclasses.dataclass(slots=True)
class FoundUsers:
    query: cql.Query
    users: list[User]
    total: int


async def search_users(store: Store, caller: Caller, text: str, *, start: int = 0, limit: int = 25) -> FoundUsers:
    """GET /search/user: a CQL query over users' fields (every user of the site is visible to every user)."""
    query = cql.parse(text, now_ms=ids.now_ms(), account_id=caller.account_id, users=True)
    async with store.read() as tx:
        found, total = await tx.search.users(query, offset=start, limit=limit)
    return FoundUsers(query, found, total)
