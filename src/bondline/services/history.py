"""A page's history: the history resource, restoring a version, deleting a version."""

from __future__ import annotations

import dataclasses

from bondline import ids
from bondline.domain import access
from bondline.domain import events as ev
from bondline.domain import history as rules
from bondline.domain.audit import Actor, Change, record_of
from bondline.domain.model import Caller, Content, ContentVersion, Space, User
from bondline.domain.relations import CONFLUENCE, EntityRef
from bondline.services import links, notify
from bondline.services.content import ContentView, _view, visible
from bondline.store import Store
from bondline.store.repos.accounts import users_by_ids
from bondline.store.unit import Tx


@dataclasses.dataclass(slots=True)
class History:
    """What a content's history shows beyond the content itself: the version before the one shown,
    the one after it (None when the one shown is the current one), and who published versions up
    to the one shown."""

    previous: ContentVersion | None
    next: ContentVersion | None
    publishers: list[User]


async def _history(tx: Tx, view: ContentView) -> History:
    content_id, number = view.content.id, view.number
    previous = await tx.history.previous(content_id, number)
    following = await tx.history.next(content_id, number) if view.version is not None else None
    authors = rules.publishers(await tx.history.authors(content_id, number))
    users = await users_by_ids(tx.users, {*authors, previous.by if previous else None,
                                          following.by if following else None})
    view.users.update(users)
    return History(previous, following, [users[a] for a in authors if a in users])


async def get(store: Store, caller: Caller, content_id: int) -> ContentView:
    """The content (current version) with its history loaded (`view.history`)."""
    async with store.read() as tx:
        content, space, _, _ = await visible(tx, caller, content_id, body=True)
        view = await _view(tx, caller, content, space, content.status)
        view.history = await _history(tx, view)
    return view


async def load(store: Store, view: ContentView) -> None:
    """Load the history of a view already read (and allowed): for `expand=history.<more>`."""
    async with store.read() as tx:
        view.history = await _history(tx, view)


async def _editable(tx: Tx, caller: Caller, content_id: int) -> tuple[Content, Space]:
    """The content a restore or a deletion names, for a caller allowed to update it. Confluence's
    document answers 400 (not 404) when there is no such content, so one the caller may not see is
    answered the same way."""
    found = await tx.content.with_space(content_id, caller.user_id, body=True)
    if found is None or not access.can_view_content(caller, *found):
        raise rules.no_content(content_id)
    access.require_update_content(caller, *found)
    return found[0], found[1]


async def restore(store: Store, caller: Caller, content_id: int, number: int, message: str,
                  restore_title: bool) -> ContentView:
    """Make a new version with version `number`'s body (and title, with `restore_title`)."""
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        content, space = await _editable(tx, caller, content_id)
        old = await tx.content.version(content_id, number) if 0 < number < content.version else None
        old = rules.check_restore(content, number, old)
        updated = rules.restored(content, old, message, restore_title, caller.user_id, now)
        await tx.content.save_version(updated)
        await links.sync(tx, updated, caller.account_id, now)
        tx.record(Change("content.version.restore", f"content/{content.id}", record_of(content),
                         {**(record_of(updated) or {}), "restored_from": number}))
        await notify.content_changed(tx, ev.content_change_type(content.status, updated.status), updated, space)
        return await _view(tx, caller, updated, space, updated.status)


async def delete_version(store: Store, caller: Caller, content_id: int, number: int) -> None:
    """Delete historical version `number`, and the relations that name it."""
    async with store.write(Actor.of(caller)) as tx:
        content, _space = await _editable(tx, caller, content_id)
        rules.check_delete(content, number, 0 < number < content.version)
        old = await tx.content.version(content_id, number)
        rules.check_delete(content, number, old is not None and await tx.history.delete_version(content_id, number))
        assert old is not None
        ref = EntityRef("content", str(content_id), "historical", number)
        await tx.relations.purge_entity(CONFLUENCE, "content", [ref.stored_key])
        tx.record(Change("content.version.delete", f"content/{content.id}/version/{number}", record_of(old)))
