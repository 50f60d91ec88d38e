"""Likes: `/likes/count` and `/likes/users` of pages, blog posts, footer and inline comments — the
`like` relation from a user to content that v1's relation API writes
(`PUT /wiki/rest/api/relation/like/from/user/current/to/content/{id}`), read through
`services.relations`: a like made through one API is counted by the other."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import content as content_rules
from bondline.domain.errors import NotFound
from bondline.domain.relations import EntityRef
from bondline.http import Request, Response, json_response
from bondline.services import comments, content, relations

LIKE = "like"
# path segment -> the content the likes are of: its type, and for comments where it sits
KINDS: dict[str, tuple[str, str | None]] = {
    "pages": ("page", None),
    "blogposts": ("blogpost", None),
    "footer-comments": ("comment", "footer"),
    "inline-comments": ("comment", "inline"),
}


async def _target(req: Request, kind: str) -> EntityRef:
    """The content the path names, if it is of the kind the path says and the caller may see it."""
    content_id = content_rules.parse_id(req.params["id"])
    wanted, location = KINDS[kind]
    view = await content.get(req.app.store, req.caller, content_id)
    if view.content.type != wanted:
        raise NotFound(f"No {wanted} found with id : {content_id}")
    if location is not None:
        cv = await comments.get(req.app.store, req.caller, content_id, view)
        if cv.meta.location != location:
            raise NotFound(f"No {location} comment found with id : {content_id}")
    return EntityRef("content", str(content_id), "current")


def _count(kind: str) -> Any:
    async def handler(req: Request) -> Response:
        target = await _target(req, kind)
        count = await relations.count_sources(req.app.store, req.caller, LIKE, target, "user")
        return json_response({"count": count})
    return handler


def _users(kind: str) -> Any:
    async def handler(req: Request) -> Response:
        size = limit(req, 25, 0, 250)
        target = await _target(req, kind)
        page = await Page.of(req, f"{PREFIX}/{kind}/{target.key}/likes/users", {}, size)
        if size == 0:
            return page.respond([], False, base_of(req))
        found, _ = await relations.list_sources(req.app.store, req.caller, LIKE, target, "user", None, None,
                                                page.offset, size + 1, own_endpoint=True)
        results = [{"accountId": v.source.ref.key} for v in found[:size]]
        return page.respond(results, len(found) > size, base_of(req))
    return handler


def install(app: Any) -> None:
    for kind in KINDS:
        app.route("GET", f"{PREFIX}/{kind}/{{id}}/likes/count", _count(kind), dialect=DIALECT)
        app.route("GET", f"{PREFIX}/{kind}/{{id}}/likes/users", _users(kind), dialect=DIALECT)
