"""Labels on content: list, add, remove."""

from __future__ import annotations

from bondline import ids
from bondline.domain import access
from bondline.domain import events as ev
from bondline.domain import labels as rules
from bondline.domain.audit import Actor, Change
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.model import Caller, Content, Space
from bondline.services import notify, spaces
from bondline.services.content import visible
from bondline.store import Store
from bondline.store.repos.labels import Label, Labelled
from bondline.store.unit import Tx


async def _content(tx: Tx, caller: Caller, content_id: int, *, update: bool) -> tuple[Content, Space]:
    content, space, _, _ = await visible(tx, caller, content_id, edit=update)
    return content, space


async def list_labels(store: Store, caller: Caller, content_id: int, prefix: str | None, start: int,
                      limit: int) -> list[Label]:
    if prefix is not None and prefix not in rules.PREFIXES:
        raise Invalid(f"Invalid label prefix {prefix[:40]!r}: use one of {', '.join(rules.PREFIXES)}")
    async with store.read() as tx:
        await _content(tx, caller, content_id, update=False)
        return await tx.labels.for_content(content_id, prefix, start, limit)


async def add_labels(store: Store, caller: Caller, content_id: int,
                     wanted: list[tuple[str, str | None]]) -> list[Label]:
    """Add labels (name, prefix) to content, keeping those it has; returns all its labels."""
    if not wanted:
        raise Invalid("At least one label is required")
    if len(wanted) > rules.MAX_PER_REQUEST:
        raise Invalid(f"Too many labels in one request: at most {rules.MAX_PER_REQUEST}")
    parsed = [rules.validate(name, prefix) for name, prefix in wanted]
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        content, space = await _content(tx, caller, content_id, update=True)
        added = []
        for prefix, name in parsed:
            if await tx.labels.attach(content_id, prefix, name, caller.user_id, now):
                tx.record(Change("label.add", f"content/{content_id}/labels/{prefix}:{name}", None,
                                      {"prefix": prefix, "name": name}))
                added.append({"prefix": prefix, "name": name})
        if await tx.labels.count_for_content(content_id) > rules.MAX_PER_CONTENT:
            raise Invalid(f"Content can carry at most {rules.MAX_PER_CONTENT} labels")
        if added:
            await notify.content_changed(tx, ev.CONTENT_LABELS_CHANGED, content, space, added=added, removed=[])
        return await tx.labels.for_content(content_id, None, 0, rules.MAX_PER_CONTENT)


async def remove_label(store: Store, caller: Caller, content_id: int, name: str) -> None:
    """Remove a label; removing one the content does not carry succeeds."""
    prefix, name = rules.validate(name)
    async with store.write(Actor.of(caller)) as tx:
        content, space = await _content(tx, caller, content_id, update=True)
        if await tx.labels.detach(content_id, prefix, name):
            tx.record(Change("label.remove", f"content/{content_id}/labels/{prefix}:{name}",
                                  {"prefix": prefix, "name": name}))
            await notify.content_changed(tx, ev.CONTENT_LABELS_CHANGED, content, space, added=[],
                                         removed=[{"prefix": prefix, "name": name}])


# --- labels on spaces, and every piece of content carrying a label ---------------------------------

LABELLED_TYPES = ("page", "blogpost", "attachment", "page_template")


async def _space(tx: Tx, caller: Caller, key: str, *, update: bool) -> Space:
    space, role = await spaces.load(tx, caller, key)
    if update:
        access.require_update_space(caller, space, role)
    else:
        access.require_view_space(caller, space, role)
    return space


def _prefix(prefix: str | None) -> None:
    if prefix is not None and prefix not in rules.PREFIXES:
        raise Invalid(f"Invalid label prefix {prefix[:40]!r}: use one of {', '.join(rules.PREFIXES)}")


async def list_space_labels(store: Store, caller: Caller, key: str, prefix: str | None, start: int,
                            limit: int) -> list[Label]:
    """The labels on a space and on its current content."""
    _prefix(prefix)
    async with store.read() as tx:
        space = await _space(tx, caller, key, update=False)
        return await tx.labels.for_space(space.id, prefix, start, limit)


async def add_space_labels(store: Store, caller: Caller, key: str,
                           wanted: list[tuple[str, str | None]]) -> list[Label]:
    """Add labels to a space (its administrators may); returns the labels added or already there. An
    empty list adds nothing (the document allows one, unlike for content)."""
    if len(wanted) > rules.MAX_PER_REQUEST:
        raise Invalid(f"Too many labels in one request: at most {rules.MAX_PER_REQUEST}")
    parsed = [rules.validate(name, prefix) for name, prefix in wanted]
    now = ids.now_ms()
    async with store.write(Actor.of(caller)) as tx:
        space = await _space(tx, caller, key, update=True)
        shown = []
        for prefix, name in dict.fromkeys(parsed):
            if await tx.labels.attach_space(space.id, prefix, name, caller.user_id, now):
                tx.record(Change("space.label.add", f"space/{space.key}/labels/{prefix}:{name}", None,
                                 {"prefix": prefix, "name": name}))
            found = await tx.labels.find(name, prefix)
            assert found is not None  # attached just above
            shown.append(found)
        return shown


async def remove_space_label(store: Store, caller: Caller, key: str, name: str, prefix: str | None) -> None:
    """Remove a label from a space; removing one it does not carry succeeds, as for content. No prefix
    (or an empty one) means `global`, as the document says."""
    prefix, name = rules.validate(name, prefix or None)
    async with store.write(Actor.of(caller)) as tx:
        space = await _space(tx, caller, key, update=True)
        if await tx.labels.detach_space(space.id, prefix, name):
            tx.record(Change("space.label.remove", f"space/{space.key}/labels/{prefix}:{name}",
                             {"prefix": prefix, "name": name}))


async def label_details(store: Store, caller: Caller, name: str, type: str | None, start: int,
                        limit: int) -> tuple[Label, list[Labelled]]:
    """A label and the current content carrying it that the caller may see (GET /label)."""
    if type is not None and type not in LABELLED_TYPES:
        raise Invalid(f"Invalid content type {type[:40]!r}: use one of {', '.join(LABELLED_TYPES)}")
    prefix, name = rules.validate(name)
    async with store.read() as tx:
        label = await tx.labels.find(name, prefix)
        if label is None:
            raise NotFound(f"No label found with name : {name}", reason="LABEL_NOT_FOUND")
        found = await tx.labels.labelled(label.id, visible_to_user=access.listing_scope(caller), type=type,
                                         offset=start, limit=limit)
        return label, found
