"""Events for watchers, written to the outbox inside the caller's transaction (next to its audit
entry), so a committed change always has its events and a rolled-back one never does.

When no active webhook wants the kind of event a change makes, nothing is looked up or written: the
cost of a change on a site without webhooks is one small query.
"""

from __future__ import annotations

from typing import Any

from bondline.domain import access
from bondline.domain import events as ev
from bondline.domain.model import Caller, Content, Space
from bondline.domain.relations import CONFLUENCE
from bondline.domain.watches import space_keys
from bondline.store.unit import Tx


def _actor(tx: Tx) -> str:
    assert tx.actor is not None  # events come from units of work that write
    return tx.actor.account_id


async def _who_may_read(tx: Tx, content: Content, space: Space, accounts: list[str]) -> list[str]:
    """The watchers who may still read the content (a private space's watcher may have left it; a
    read restriction may leave a watcher out): an event names its watcher and carries the content's
    title, so it goes only to those who could read it."""
    if not space.private and not await tx.restrictions.guards_of(content.id):
        return accounts  # an open space, no read restriction: everyone may
    kept = []
    for account in accounts:
        user = await tx.users.by_account_id(account)
        found = await tx.content.with_space(content.id, user.id) if user is not None else None
        if user is not None and found is not None and access.can_view_content(Caller.of(user), *found):
            kept.append(account)
    return kept


async def _content_watchers(tx: Tx, content: Content, space: Space) -> list[str]:
    found = [account for account, _ in await tx.outbox.watchers(CONFLUENCE, "content", [str(content.id)])]
    return await _who_may_read(tx, content, space, found)


async def content_changed(tx: Tx, event_type: str | None, content: Content, space: Space,
                          watchers: list[str] | None = None, **extra: Any) -> None:
    """`event_type` for every watcher of `content` (pass `watchers` when they must be read before the
    change removes them, as purging does)."""
    if event_type is None:
        return
    if not await tx.wanted([event_type]):
        return
    if watchers is None:
        watchers = await _content_watchers(tx, content, space)
    tx.emit(ev.content_changed(event_type, content, space.key, watchers, _actor(tx), **extra))


async def watchers_before_purge(tx: Tx, content: Content, space: Space) -> list[str] | None:
    """The content's watchers, read before purging removes their watches (None: nobody wants them)."""
    if not await tx.wanted([ev.CONTENT_PURGED]):
        return None
    return await _content_watchers(tx, content, space)


async def content_created(tx: Tx, content: Content, space: Space) -> None:
    """A space gained content (created current, or a draft published); its parent, a child."""
    if content.status != "current":
        return
    if not await tx.wanted([ev.SPACE_CONTENT_CREATED, ev.CONTENT_CHILD_CREATED]):
        return
    found = await tx.outbox.watchers(CONFLUENCE, "space", space_keys(space.key))
    allowed = set(await _who_may_read(tx, content, space, list(dict.fromkeys(account for account, _ in found))))
    space_watchers = [(account, key.partition("@")[2]) for account, key in found if account in allowed]
    parent = await tx.content.by_id(content.parent_id) if content.parent_id is not None else None
    parent_watchers = await _content_watchers(tx, parent, space) if parent is not None else []
    tx.emit(ev.content_created(content, space.key, space_watchers, parent, parent_watchers, _actor(tx)))

