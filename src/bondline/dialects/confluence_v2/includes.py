"""The `include-*` fields of a single page, blog post, footer or inline comment, attachment or space:
labels, properties, operations, likes (the `like` relation, as `/likes/users` lists it), versions,
space permissions and whether the caller has made a page a favourite, each as the document shapes
it — at most 50 `results`, `meta` {hasMore, cursor} and `_links.self`, the listing that gives the
rest (the cursor is one that listing accepts). Read through the services the listings use, one
query per field asked for (never one per result)."""

from __future__ import annotations

from typing import Any

from bondline import ids
from bondline.dialects.confluence.params import boolean
from bondline.dialects.confluence_v2 import PREFIX, operations
from bondline.dialects.confluence_v2 import labels as v2labels
from bondline.dialects.confluence_v2 import permissions as v2permissions
from bondline.dialects.confluence_v2 import properties as v2properties
from bondline.dialects.confluence_v2.paging import cursor_at
from bondline.domain.errors import NotFound
from bondline.domain.relations import EntityRef
from bondline.http import Request
from bondline.services import content, labels, properties, relations, spaces
from bondline.services.properties import Owner

SHOWN = 50  # "The number of results will be limited to 50"
# The flags each kind of single read renders, and those it accepts without rendering (bondline has no
# web resources, collaborators apart from the author, icons or role assignments to show).
FLAGS = ("include-labels", "include-properties", "include-operations", "include-likes", "include-versions",
         "include-favorited-by-current-user-status")
ACCEPTED = ("include-webresources", "include-collaborators", "include-direct-children")
COMMENT_FLAGS = ("include-properties", "include-operations", "include-likes", "include-versions")
ATTACHMENT_FLAGS = ("include-labels", "include-properties", "include-operations", "include-versions")
ATTACHMENT_ACCEPTED = ("include-collaborators",)
SPACE_FLAGS = ("include-labels", "include-properties", "include-operations", "include-permissions")
SPACE_ACCEPTED = ("include-icon", "include-role-assignments")
LIKE = "like"  # the relation v1's relation API writes and the `/likes` routes read (likes.py)


def read_flags(req: Request, flags: tuple[str, ...] = FLAGS, accepted: tuple[str, ...] = ACCEPTED) -> set[str]:
    """The include-* flags asked for among `flags` (each absent, true or false; anything else is a
    400); `accepted` are read and checked too, and not rendered."""
    for flag in accepted:
        boolean(req, flag)
    return {flag for flag in flags if boolean(req, flag)}


async def _field(req: Request, results: list[Any], more: bool, path: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"hasMore": more}
    if more:
        meta["cursor"] = await cursor_at(req, path, {}, SHOWN)
    return {"results": results, "meta": meta, "_links": {"self": path}}


def _links_last(out: dict[str, Any]) -> None:
    if "_links" in out:  # the document puts the links last
        out["_links"] = out.pop("_links")


async def _content_fields(req: Request, out: dict[str, Any], content_id: int, status: str, flags: set[str],
                          kind: str, base: str, properties_path: str) -> None:
    """The fields any piece of content may carry: `kind` is its operations' kind (`pages`,
    `attachments`, `footer-comments`, …), `base` its path, `properties_path` its properties'."""
    store, caller = req.app.store, req.caller
    if "include-labels" in flags:
        found = await labels.list_labels(store, caller, content_id, None, 0, SHOWN + 1)
        out["labels"] = await _field(req, [v2labels.label(x) for x in found[:SHOWN]], len(found) > SHOWN,
                                     f"{base}/labels")
    if "include-properties" in flags:
        props = await properties.list_properties(store, caller, Owner.content(content_id), keys=[], start=0,
                                                 limit=SHOWN + 1)
        shown = [v2properties.content_property(p) for p in props[:SHOWN]]
        field = await _field(req, shown, len(props) > SHOWN, properties_path)
        # (an inline comment's `properties` carry its marker and selection: the listing goes beside them)
        out["properties"] = {**out.get("properties", {}), **field}
    if "include-operations" in flags:
        ops = operations.render(await operations.content_operations(req, content_id, kind))["operations"]
        out["operations"] = await _field(req, ops, False, f"{base}/operations")
    if "include-likes" in flags:  # who likes it, newest first: `/likes/users` gives the rest
        target = EntityRef("content", str(content_id), status)
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


async def add(req: Request, out: dict[str, Any], view: content.ContentView, flags: set[str], plural: str) -> None:
    """Put the fields `flags` ask for into `out`, the page (`plural` "pages") or blog post rendered."""
    content_id = view.content.id
    base = f"{PREFIX}/{plural}/{content_id}"
    await _content_fields(req, out, content_id, view.content.status, flags, plural, base, f"{base}/properties")
    if "include-favorited-by-current-user-status" in flags:
        try:
            await relations.get(req.app.store, req.caller, "favourite", EntityRef("user", req.caller.account_id),
                                EntityRef("content", str(content_id), view.content.status), with_data=False)
            out["isFavoritedByCurrentUser"] = True
        except NotFound:
            out["isFavoritedByCurrentUser"] = False
    _links_last(out)


async def add_to_comment(req: Request, out: dict[str, Any], view: content.ContentView, flags: set[str],
                         kind: str) -> None:
    """A footer or inline comment's (`kind`: "footer-comments" or "inline-comments") fields: its
    properties are listed at `/comments/{id}/properties`, the rest under its own path."""
    content_id = view.content.id
    await _content_fields(req, out, content_id, view.content.status, flags, kind, f"{PREFIX}/{kind}/{content_id}",
                          f"{PREFIX}/comments/{content_id}/properties")
    _links_last(out)


async def add_to_attachment(req: Request, out: dict[str, Any], content_id: int, wire_id: str, status: str,
                            flags: set[str]) -> None:
    """An attachment's fields, under `/attachments/{att…}`."""
    base = f"{PREFIX}/attachments/{wire_id}"
    await _content_fields(req, out, content_id, status, flags, "attachments", base, f"{base}/properties")
    _links_last(out)


async def add_to_space(req: Request, out: dict[str, Any], space_id: int, flags: set[str]) -> None:
    """A space's fields: its own labels, its properties, what the caller may do in it and the
    permissions its roles grant."""
    store, caller = req.app.store, req.caller
    base = f"{PREFIX}/spaces/{space_id}"
    if "include-labels" in flags:
        found = await labels.list_space_labels(store, caller, space_id, None, 0, SHOWN + 1, "space")
        out["labels"] = await _field(req, [v2labels.label(x) for x in found[:SHOWN]], len(found) > SHOWN,
                                     f"{base}/labels")
    if "include-properties" in flags:
        props = await properties.list_properties(store, caller, Owner.space_by_id(space_id), keys=[], start=0,
                                                 limit=SHOWN + 1)
        out["properties"] = await _field(req, [v2properties.space_property(p) for p in props[:SHOWN]],
                                         len(props) > SHOWN, f"{base}/properties")
    if "include-operations" in flags:
        ops = operations.render(await spaces.operations(store, caller, space_id))["operations"]
        out["operations"] = await _field(req, ops, False, f"{base}/operations")
    if "include-permissions" in flags:
        granted = await spaces.permission_assignments(store, caller, space_id)
        out["permissions"] = await _field(req, [v2permissions.assignment(space_id, a) for a in granted[:SHOWN]],
                                          len(granted) > SHOWN, f"{base}/permissions")
    _links_last(out)
