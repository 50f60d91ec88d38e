"""Keeping the read guards (decision 0018) true when what governs a subtree changes: a page's own
read restriction, or its place in the tree."""

from __future__ import annotations

from bondline.domain import restrictions as rules
from bondline.domain.model import Content
from bondline.store.unit import Tx


async def regovern(tx: Tx, root: Content) -> None:
    """Recompute what governs `root` and everything under it (pages below it, the comments and
    attachments on any of them, the comments on those attachments) from what governs its parent and
    the read restrictions inside."""
    above = root.parent_id
    if above is None and root.type == "comment":
        meta = await tx.comments.meta(root.id)
        above = meta.container_id if meta is not None else None
    elif above is None and root.type == "attachment":
        above = await tx.attachments.container_of(root.id)
    base = await tx.restrictions.guards_of(above) if above is not None else frozenset()
    below = [(row[0], row[1]) for row in sorted(await tx.tree.subtree(root.id), key=lambda r: r[5])]
    pages = [root.id] + [node for node, _ in below]
    attached = await tx.restrictions.attached_to(pages)
    attached += await tx.restrictions.attached_to([node for node, _ in attached])  # comments on attachments
    restricted = await tx.restrictions.read_restricted_among(pages)
    await tx.restrictions.replace_guards(rules.inherited(base, root.id, below, attached, restricted))
