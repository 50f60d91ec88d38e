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
from bondline.services.content import ContentView, view_of, visible
from bondline.store import Store
from bondline.store.repos.labels import SPACE_LABELS, Label, Labelled
from bondline.store.unit import Tx


async def _content(tx: Tx, caller: Caller, content_id: int, *, update: bool) -> tuple[Content, Space]:
    content, space, _, _ = await visible(tx, caller, content_id, edit=update)
    return content, space


async def list_labels(store: Store, caller: Caller, content_id: int, prefix: str | None, start: int,
                      limit: int, types: tuple[str, ...] | None = None, order: str = "name") -> list[Label]:
    """The content's labels in `order` (`store.repos.labels.LABEL_ORDERS`, or "created"/"-created");
    content of another type than `types` (when given) is not found."""
    if prefix is not None and prefix not in rules.PREFIXES:
        raise Invalid(f"Invalid label prefix {prefix[:40]!r}: use one of {', '.join(rules.PREFIXES)}")
    async with store.read() as tx:
        content, _space = await _content(tx, caller, content_id, update=False)
        if types is not None and content.type not in types:
            raise NotFound(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")
        return await tx.labels.for_content(content_id, prefix, start, limit, order)


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


async def _space(tx: Tx, caller: Caller, key: str | int, *, update: bool) -> Space:
    """The space by key, or by id (an int, v2)."""
    space, role = await (spaces.load_by_id(tx, caller, key) if isinstance(key, int) else spaces.load(tx, caller, key))
    if update:
        access.require_update_space(caller, space, role)
    else:
        access.require_view_space(caller, space, role)
    return space


def _prefix(prefix: str | None) -> None:
    if prefix is not None and prefix not in rules.PREFIXES:
        raise Invalid(f"Invalid label prefix {prefix[:40]!r}: use one of {', '.join(rules.PREFIXES)}")


async def list_space_labels(store: Store, caller: Caller, key: str | int, prefix: str | None, start: int,
                            limit: int, which: str = "both", order: str = "name") -> list[Label]:
    """The labels on a space (by key, or by id: an int) and on its current content (`which`: "both"),
    or on either ("space", "content"), in `order` (`store.repos.labels.LABEL_ORDERS`)."""
    _prefix(prefix)
    if which not in SPACE_LABELS:
        raise Invalid(f"Invalid space label selection {which[:40]!r}")
    async with store.read() as tx:
        space = await _space(tx, caller, key, update=False)
        return await tx.labels.for_space(space.id, prefix, start, limit, which, order)


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


async def all_labels(store: Store, caller: Caller, *, ids: list[int], prefixes: list[str], start: int,
                     limit: int, order: str = "id") -> list[Label]:
    """Every label the caller may see, in `order` (by id by default: v2's GET /labels): a label exists for them while
    content or a space they can see carries it (`access.can_see_label`, in SQL as the listings'
    `visible_to`); only `ids` and `prefixes` when given."""
    for prefix in prefixes:
        _prefix(prefix)
    async with store.read() as tx:
        return await tx.labels.listing(visible_to_user=access.listing_scope(caller), ids=ids, prefixes=prefixes,
                                       offset=start, limit=limit, order=order)


async def labelled_content(store: Store, caller: Caller, label_id: int, type: str, start: int, limit: int, *,
                           space_ids: list[int] | None = None, body: bool = False) -> list[ContentView]:
    """The current content of one type carrying the label `label_id` that the caller may see, oldest
    first (v2's /labels/{id}/pages, …), in `space_ids` only when given; an attachment's ancestors
    are its container. A label the caller may not see (`all_labels`) is not found."""
    if type not in LABELLED_TYPES:
        raise Invalid(f"Invalid content type {type[:40]!r}: use one of {', '.join(LABELLED_TYPES)}")
    scope = access.listing_scope(caller)
    async with store.read() as tx:
        if not await tx.labels.listing(visible_to_user=scope, ids=[label_id], prefixes=[], offset=0, limit=1):
            raise NotFound(f"No label found with id : {label_id}", reason="LABEL_NOT_FOUND")
        found = await tx.labels.labelled(label_id, visible_to_user=scope, type=type, offset=start, limit=limit,
                                         space_ids=space_ids)
        views = []
        for item in found:
            loaded = await tx.content.with_space(item.content_id, caller.user_id, body=body)
            if loaded is None or not access.can_view_content(caller, *loaded):
                continue
            view = await view_of(tx, caller, loaded[0], loaded[1])
            if type == "attachment":  # an attachment's place is its container (a page or blog post)
                holder = await tx.attachments.container_of(item.content_id)
                container = await tx.content.by_id(holder) if holder is not None else None
                view.ancestors = (container,) if container is not None else ()
            views.append(view)
        return views
