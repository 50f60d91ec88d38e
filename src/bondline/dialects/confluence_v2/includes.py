"""The `include-*` fields of a single page (or blog post): labels, properties, operations, likes
(the `like` relation, as `/likes/users` lists it), versions and whether the caller has made it a
favourite, each as the document shapes it — at most 50
`results`, `meta` {hasMore, cursor} and `_links.self`, the listing that gives the rest (the
cursor is one that listing accepts). Read through the services the listings use."""

from __future__ import annotations

from typing import Any

from bondline import ids
from bondline.dialects.confluence.params import boolean
from bondline.dialects.confluence_v2 import PREFIX, operations
from bondline.dialects.confluence_v2 import labels as v2labels
from bondline.dialects.confluence_v2 import properties as v2properties
from bondline.dialects.confluence_v2.paging import cursor_at
from bondline.domain.errors import NotFound
from bondline.domain.relations import EntityRef
from bondline.http import Request
from bondline.services import content, labels, properties, relations
from bondline.services.properties import Owner

SHOWN = 50  # "The number of results will be limited to 50"
# accepted and not rendered (yet): web resources, collaborators and direct children
ACCEPTED = ("include-webresources", "include-collaborators", "include-direct-children")
FLAGS = ("include-labels", "include-properties", "include-operations", "include-likes", "include-versions",
         "include-favorited-by-current-user-status")
LIKE = "like"  # the relation v1's relation API writes and the `/likes` routes read (likes.py)


def read_flags(req: Request) -> set[str]:
    """The include-* flags asked for (each absent, true or false; anything else is a 400)."""
    for flag in ACCEPTED:
        boolean(req, flag)
    return {flag for flag in FLAGS if boolean(req, flag)}


async def _field(req: Request, results: list[Any], more: bool, path: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"hasMore": more}
    if more:
        meta["cursor"] = await cursor_at(req, path, {}, SHOWN)
    return {"results": results, "meta": meta, "_links": {"self": path}}


async def add(req: Request, out: dict[str, Any], view: content.ContentView, flags: set[str], plural: str) -> None:
    """Put the fields `flags` ask for into `out`, the page (`plural` "pages") or blog post rendered."""
    store, caller, content_id = req.app.store, req.caller, view.content.id
    base = f"{PREFIX}/{plural}/{content_id}"
    if "include-labels" in flags:
        found = await labels.list_labels(store, caller, content_id, None, 0, SHOWN + 1)
        out["labels"] = await _field(req, [v2labels.label(x) for x in found[:SHOWN]], len(found) > SHOWN,
                                     f"{base}/labels")
    if "include-properties" in flags:
        props = await properties.list_properties(store, caller, Owner.content(content_id), keys=[], start=0,
                                                 limit=SHOWN + 1)
        shown = [v2properties.content_property(p) for p in props[:SHOWN]]
        out["properties"] = await _field(req, shown, len(props) > SHOWN, f"{base}/properties")
    if "include-operations" in flags:
        ops = operations.render(await operations.content_operations(req, content_id, plural))["operations"]
        out["operations"] = await _field(req, ops, False, f"{base}/operations")
    if "include-likes" in flags:  # who likes it, newest first: `/likes/users` gives the rest
        target = EntityRef("content", str(content_id), view.content.status)
        likers, _ = await relations.list_sources(store, caller, LIKE, target, "user", None, None, 0, SHOWN + 1,
                                                 own_endpoint=True)
        out["likes"] = await _field(req, [{"accountId": v.source.ref.key} for v in likers[:SHOWN]],
                                    len(likers) > SHOWN, f"{base}/likes/users")
    if "include-versions" in flags:
        _view, found_versions, users = await content.versions(store, caller, content_id, 0, SHOWN + 1)
        results = []
        for v in found_versions[:SHOWN]:
            one: dict[str, Any] = {"createdAt": ids.iso(v.at), "message": v.message, "number": v.number,
                                   "minorEdit": v.minor_edit}
            author = users.get(v.by) if v.by is not None else None
            if author is not None:
                one["authorId"] = author.account_id
            results.append(one)
        out["versions"] = await _field(req, results, len(found_versions) > SHOWN, f"{base}/versions")
    if "include-favorited-by-current-user-status" in flags:
        try:
            await relations.get(store, caller, "favourite", EntityRef("user", caller.account_id),
                                EntityRef("content", str(content_id), view.content.status), with_data=False)
            out["isFavoritedByCurrentUser"] = True
        except NotFound:
            out["isFavoritedByCurrentUser"] = False
    if "_links" in out:  # the document puts the links last
        out["_links"] = out.pop("_links")
