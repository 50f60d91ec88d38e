"""CQL search: parse the query (domain.cql), run it in the store with the caller's listing scope
(domain.access.listing_scope: permission filtering is part of the SQL), and load what rendering
needs for the page found."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bondline import ids
from bondline.domain import access, cql
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller, Space, User
from bondline.services.content import ContentView, view_of
from bondline.store import Store
from bondline.store.repos.accounts import users_by_ids

STATUSES = ("current", "draft", "trashed")


@dataclasses.dataclass(slots=True)
class Found:
    query: cql.Query
    views: list[ContentView]  # the content found (results, in order, are `items`)
    total: int  # everything the query finds that the caller may see
    items: list[ContentView | Space] = dataclasses.field(default_factory=list)  # with spaces (`type = space`)


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
                 context: cql.Context | None = None, start: int = 0, limit: int = 25,
                 ancestors: bool = False, spaces: bool = False) -> Found:
    """One page of what `text` finds that the caller may open; `context`: cqlcontext's space and
    content, for `currentSpace()` and `currentContent()`; `ancestors`: with each result's
    ancestors (only when the response shows them: a walk up the tree per result); `spaces`: the
    spaces a `type = space` query finds are results too (GET /search; GET /content/search finds
    content only)."""
    query = cql.parse(text, now_ms=ids.now_ms(), account_id=caller.account_id, context=context)
    async with store.read() as tx:
        found, total = await tx.search.content(query, viewer=access.listing_scope(caller),
                                               statuses=statuses_of(statuses), offset=start, limit=limit,
                                               with_spaces=spaces)
        pages = [(content, space) for content, space in found if content is not None]
        if ancestors:
            views = [await view_of(tx, caller, content, space) for content, space in pages]
        else:  # the authors and editors of the whole page at once
            wanted: set[int | None] = set()
            for content, space in pages:
                wanted |= {content.created_by, content.updated_by, space.created_by}
            users = await users_by_ids(tx.users, wanted)
            views = [ContentView(content, space, users, content.status) for content, space in pages]
    viewed = iter(views)
    items: list[ContentView | Space] = [next(viewed) if content is not None else space for content, space in found]
    return Found(query, views, total, items)


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
