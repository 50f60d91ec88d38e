"""Keeping the computed `link` relations in step with what content says.

Every use case that writes a page or blog post (create, update, publish, trash, restore, copy,
version restore) calls `sync` in its unit of work: the `link` rows from that content are made to be
exactly the pages its body links to now. Purging removes every relation of the content (see
`services.content.purge`), and moving into another space re-scopes them (`TreeRepo.set_space`).
"""

from __future__ import annotations

from bondline.domain import links
from bondline.domain.model import Content
from bondline.domain.relations import CONFLUENCE
from bondline.store.unit import Tx

_LISTED = links.MAX_TARGETS * 4  # more rows than a sync ever writes, so all of them are seen


async def _resolve(tx: Tx, content: Content) -> dict[str, int]:
    """The pages `content` links to now: {content id: its space id}. Titles resolve to the current
    page with that title in that space (one lookup per title); ids are looked up together. A target
    that does not exist is not tracked, nor is a link from a page to itself."""
    ids: set[int] = set()
    spaces: dict[str, int | None] = {}
    for target in links.targets(content.body):
        if isinstance(target, links.ById):
            ids.add(target.content_id)
            continue
        if target.space_key is None:
            space_id: int | None = content.space_id
        elif target.space_key in spaces:
            space_id = spaces[target.space_key]
        else:
            space = await tx.spaces.by_key(target.space_key)
            space_id = spaces[target.space_key] = space.id if space is not None else None
        if space_id is None:
            continue
        pages = await tx.content.page(visible_to_user=None, status="current", space_id=space_id, type="page",
                                      title=target.title, offset=0, limit=1)
        if pages:
            ids.add(pages[0].id)
    ids.discard(content.id)
    return {str(cid): space_id for cid, (kind, status, space_id) in (await tx.content.kinds(ids)).items()
            if kind in ("page", "blogpost") and status != "draft"}


async def sync(tx: Tx, content: Content, by: str, now: int) -> None:
    """Make the `link` rows from `content` match its body (none unless it is a current page or blog
    post). `content.body` must be loaded."""
    wanted = await _resolve(tx, content) if links.tracked(content.type, content.status) else {}
    key = str(content.id)
    rows = await tx.relations.listing(direction="forward", ns=CONFLUENCE, name=links.LINK, kind="content", key=key,
                                      other_type="content", viewer=None, limit=_LISTED)
    have = {row.target_key for row in rows}
    for gone in have - wanted.keys():
        await tx.relations.delete(CONFLUENCE, links.LINK, "content", key, "content", gone)
    for target, scope in wanted.items():
        if target not in have:
            await tx.relations.put(CONFLUENCE, links.LINK, "content", key, "content", target,
                                   source_scope=content.space_id, target_scope=scope, by=by, now=now)
