"""Where content sits among its siblings after the changes that move it in the tree: trashing a page
(its children move up into its place), restoring one, giving one another parent. Called inside the
change's unit of work (services/content.py, services/tree.py)."""

from __future__ import annotations

import dataclasses

from bondline.domain.audit import Change
from bondline.domain.model import Content
from bondline.services import guards
from bondline.store.unit import Tx


async def append(tx: Tx, content: Content, parent_id: int | None) -> Content:
    """`content` placed last under `parent_id` (None: the top level); returns it as it is now."""
    siblings = [s for s in await tx.tree.siblings(content.space_id, parent_id) if s != content.id]
    await tx.tree.place(siblings + [content.id], parent_id, {content.id})
    placed = dataclasses.replace(content, parent_id=parent_id, position=len(siblings) + 1)
    await guards.regovern(tx, placed)  # read restrictions are inherited from where it now is
    return placed


async def trashed(tx: Tx, content: Content) -> None:
    """After `content` went to the trash: its children move up into its place under its parent
    (those already in the trash keep it as their parent, the place a restore puts them back in)."""
    kids = await tx.tree.live_children(content.id)
    if not kids:
        return
    siblings = await tx.tree.siblings(content.space_id, content.parent_id)
    at = siblings.index(content.id) if content.id in siblings else len(siblings)
    await tx.tree.place(siblings[:at + 1] + kids + siblings[at + 1:], content.parent_id, set(kids))
    for kid in kids:
        moved = await tx.content.by_id(kid)
        if moved is not None:  # governed now by their new parent's read restrictions, not the trashed page's
            await guards.regovern(tx, moved)
        tx.record(Change("content.move", f"content/{kid}", {"parent": content.id},
                         {"parent": content.parent_id}))


async def restored(tx: Tx, content: Content) -> Content:
    """After `content` came back from the trash: under its parent if that is still current, else at
    the top level; last among its siblings either way."""
    parent = await tx.content.by_id(content.parent_id) if content.parent_id is not None else None
    return await append(tx, content, parent.id if parent is not None and parent.status == "current" else None)


async def reparented(tx: Tx, content: Content) -> Content:
    """After an update gave `content` another parent: it goes last among its new siblings."""
    return await append(tx, content, content.parent_id)
