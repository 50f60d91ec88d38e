"""Blog posts: /wiki/api/v2/blogposts (getBlogPosts, createBlogPost, getBlogPostById, updateBlogPost,
deleteBlogPost) and a space's blog posts (getBlogPostsInSpace), over the services v1 uses
(`services.content`, `services.spaces`): the content v1 serves as type "blogpost". Parsing is the
pages' own (`pages`): a blog post is a page without a place in the tree (no parent, no position)."""

from __future__ import annotations

import datetime
from typing import Any, Literal
from urllib.parse import quote

import msgspec

from bondline.dialects.confluence.params import boolean, integers
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX, includes, listing, render
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.pages import VersionWrite, _body, _body_format, _id, _json, _statuses, single_read
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import content as rules
from bondline.domain.errors import Invalid, NotFound
from bondline.http import Request, Response, empty, json_response
from bondline.services import content, spaces

SORTS = listing.BLOGPOST_SORTS
_TREE_KEYS = ("parentId", "parentType", "position", "ownerId", "lastOwnerId")  # a page's, not a blog post's


class BlogPostCreate(msgspec.Struct):
    spaceId: str | int
    status: Literal["current", "draft"] = "current"
    title: str | None = None
    body: dict[str, Any] | None = None
    createdAt: str | None = None


class BlogPostUpdate(msgspec.Struct):
    id: str | int
    status: Literal["current", "draft"]
    title: str
    version: VersionWrite
    body: dict[str, Any] | None = None
    spaceId: str | int | None = None
    createdAt: str | None = None


def blogpost(view: content.ContentView, body_format: str | None, *, include_version: bool = True) -> dict[str, Any]:
    """A blog post as `GET /blogposts` and `GET /blogposts/{id}` give it (BlogPostBulk/BlogPostSingle)."""
    out = render.page(view, body_format, include_version=include_version)
    for key in _TREE_KEYS:
        out.pop(key, None)
    c = view.content
    day = datetime.datetime.fromtimestamp(c.created_at / 1000, datetime.UTC).strftime("%Y/%m/%d")
    out["_links"]["webui"] = (f"/spaces/{quote(view.space.key, safe='~')}/blog/{day}/{c.id}/"
                              f"{quote(view.title.replace(' ', '+'), safe='+')}")
    return out


def of_blogpost(view: content.ContentView) -> content.ContentView:
    if view.content.type != "blogpost":  # a page or a comment is not a blog post
        raise NotFound(f"No blog post found with id : {view.content.id}")
    return view


async def _require_blogpost(req: Request, blogpost_id: int) -> None:
    if await content.type_of(req.app.store, req.caller, blogpost_id) not in (None, "blogpost"):
        raise NotFound(f"No blog post found with id : {blogpost_id}")


def _single(req: Request, view: content.ContentView, body_format: str | None, include_version: bool = True) -> Response:
    out = blogpost(view, body_format, include_version=include_version)
    out["_links"]["base"] = base_of(req)
    return json_response(out)


def _shown(statuses: list[str]) -> list[str]:
    """The statuses a listing shows ('deleted': purged, which bondline keeps no trace of)."""
    for status in statuses:
        if status not in ("current", "deleted", "trashed"):
            raise Invalid(f"Provided value {{{status[:40]}}} for 'status' is not valid")
    return [s for s in (statuses or ["current"]) if s in ("current", "trashed")]


async def get_blogposts(req: Request) -> Response:
    space_ids = integers(req, "space-id")
    if len(space_ids) > 100:
        raise Invalid("At most 100 'space-id' values may be given")
    blogpost_ids = integers(req, "id")
    if len(blogpost_ids) > 250:
        raise Invalid("At most 250 'id' values may be given")
    shown = _shown(_statuses(req))
    order = listing.content_order(req, SORTS)
    body_format = _body_format(req, render.LIST_FORMATS)
    size = limit(req, 25, 1, 250)
    query = {k: req.q_all(k) for k in ("id", "space-id", "sort", "status", "title", "body-format") if req.q_all(k)}
    page = await Page.of(req, f"{PREFIX}/blogposts", query, size)
    views: list[content.ContentView] = []
    if shown:
        views = await content.list_content(req.app.store, req.caller, type="blogpost", space_key=None,
                                           title=req.q("title"), statuses=shown, start=page.offset,
                                           limit=size + 1, space_ids=space_ids, order=order, ids=blogpost_ids,
                                           bodies=body_format is not None, ancestors=False)
    return page.respond([blogpost(v, body_format) for v in views[:size]], len(views) > size, base_of(req))


async def get_blogposts_in_space(req: Request) -> Response:
    raw = req.params["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise Invalid(f"Space id {raw[:40]!r} is invalid: space ids are integers")
    shown = _shown(_statuses(req))
    order = listing.content_order(req, SORTS)
    body_format = _body_format(req, render.LIST_FORMATS)
    size = limit(req, 25, 1, 250)
    query = {k: req.q_all(k) for k in ("sort", "status", "title", "body-format") if req.q_all(k)}
    page = await Page.of(req, f"{PREFIX}/spaces/{raw}/blogposts", query, size)
    space = await spaces.get_by_id(req.app.store, req.caller, int(raw))  # the space's own 404
    views: list[content.ContentView] = []
    if shown:
        views = await content.list_content(req.app.store, req.caller, type="blogpost", space_key=None,
                                           title=req.q("title"), statuses=shown, start=page.offset,
                                           limit=size + 1, space_ids=[space.space.id], order=order,
                                           bodies=body_format is not None, ancestors=False)
    return page.respond([blogpost(v, body_format) for v in views[:size]], len(views) > size, base_of(req))


async def create_blogpost(req: Request) -> Response:
    if boolean(req, "private"):
        raise Invalid("Private blog posts are not supported")
    body = _json(req, BlogPostCreate)
    if body.createdAt is not None:
        raise Invalid("Setting a blog post's creation date ('createdAt') is not supported")
    space_id = _id(body.spaceId, "Space id")
    written = _body(body.body) or ("", "storage")
    view = await content.create(req.app.store, req.caller, content.NewContent(
        type="blogpost", title=body.title or "", space_key="", space_id=space_id, status=body.status,
        body=written[0], representation=written[1]))
    return _single(req, view, "storage")


async def get_blogpost(req: Request) -> Response:
    blogpost_id = rules.parse_id(req.params["id"])
    read = single_read(req)
    view = of_blogpost(await content.get(req.app.store, req.caller, blogpost_id, statuses=read.statuses,
                                         version=read.version))
    out = blogpost(view, read.body_format, include_version=read.include_version)
    out["_links"]["base"] = base_of(req)
    await includes.add(req, out, view, read.flags, "blogposts")
    return json_response(out)


async def update_blogpost(req: Request) -> Response:
    blogpost_id = rules.parse_id(req.params["id"])
    body = _json(req, BlogPostUpdate)
    if _id(body.id, "Blog post id") != blogpost_id:
        raise Invalid(f"The blog post id in the body ({str(body.id)[:20]}) is not the blog post updated "
                      f"({blogpost_id})")
    if body.createdAt is not None:
        raise Invalid("Setting a blog post's creation date ('createdAt') is not supported")
    written = _body(body.body)
    await _require_blogpost(req, blogpost_id)
    if body.spaceId not in (None, ""):
        current = await content.get(req.app.store, req.caller, blogpost_id, statuses=["any"])
        if _id(body.spaceId, "Space id") != current.content.space_id:
            raise Invalid("A blog post cannot be moved to another space")
    edit = rules.Edit(
        type="blogpost", title=rules.validate_title(body.title), version=body.version.number, status=body.status,
        body=written[0] if written else None, representation=written[1] if written else None,
        parent_id=None, parent_given=False, message=body.version.message, minor_edit=False)
    view = await content.update(req.app.store, req.caller, blogpost_id, edit)
    return _single(req, view, "storage")


async def delete_blogpost(req: Request) -> Response:
    blogpost_id = rules.parse_id(req.params["id"])
    purge = boolean(req, "purge")
    draft = boolean(req, "draft")
    await _require_blogpost(req, blogpost_id)
    status = "trashed" if purge else "draft" if draft else None
    await content.delete(req.app.store, req.caller, blogpost_id, status)
    return empty(204)


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{PREFIX}/blogposts", get_blogposts, dialect=DIALECT)
    route("POST", f"{PREFIX}/blogposts", create_blogpost, dialect=DIALECT)
    route("GET", f"{PREFIX}/blogposts/{{id}}", get_blogpost, dialect=DIALECT)
    route("PUT", f"{PREFIX}/blogposts/{{id}}", update_blogpost, dialect=DIALECT)
    route("DELETE", f"{PREFIX}/blogposts/{{id}}", delete_blogpost, dialect=DIALECT)
    route("GET", f"{PREFIX}/spaces/{{id}}/blogposts", get_blogposts_in_space, dialect=DIALECT)
