"""Versions of pages and blog posts: getPageVersions, getPageVersionDetails, getBlogPostVersions,
getBlogPostVersionDetails, over the history v1 serves (`services.content.versions`,
`services.history`). An older version itself is `GET /pages/{id}?version=N` (`pages.get_page`)."""

from __future__ import annotations

from typing import Any

from bondline import ids
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX, listing, render
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.pages import _body_format
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import content as rules
from bondline.domain.errors import Invalid, NotFound
from bondline.http import Request, Response, json_response
from bondline.services import content, history

# The name a version's content is under in its listing (PageVersion.page, BlogPostVersion.blogpost).
_FIELD = {"page": "page", "blogpost": "blogpost"}
_NAME = {"page": "page", "blogpost": "blog post"}


def _of_type(view: content.ContentView, type: str) -> content.ContentView:
    if view.content.type != type:
        raise NotFound(f"No {_NAME[type]} found with id : {view.content.id}")
    return view


async def _versions(req: Request, type: str, segment: str) -> Response:
    content_id = rules.parse_id(req.params["id"])
    body_format = _body_format(req, render.LIST_FORMATS)
    sort = listing.sort(req, listing.VERSION_SORTS)
    size = limit(req, 25, 1, 250)
    query = {k: req.q_all(k) for k in ("body-format", "sort") if req.q_all(k)}
    page = await Page.of(req, f"{PREFIX}/{segment}/{content_id}/versions", query, size)
    view, found, users = await content.versions(req.app.store, req.caller, content_id, page.offset, size + 1,
                                                oldest_first=sort == "modified-date")
    _of_type(view, type)
    results = []
    for version in found[:size]:
        item: dict[str, Any] = {"createdAt": ids.iso(version.at), "message": version.message,
                                "number": version.number, "minorEdit": version.minor_edit}
        author = users.get(version.by) if version.by is not None else None
        if author is not None:
            item["authorId"] = author.account_id
        entity: dict[str, Any] = {"title": version.title, "id": str(content_id)}
        if body_format is not None:
            entity["body"] = {body_format: {"representation": body_format, "value": version.body}}
        item[_FIELD[type]] = entity
        results.append(item)
    return page.respond(results, len(found) > size, base_of(req))


async def _version(req: Request, type: str, id_param: str) -> Response:
    content_id = rules.parse_id(req.params[id_param])
    raw = req.params["version-number"]
    if not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise Invalid(f"Version number {raw[:20]!r} is invalid: version numbers are positive integers")
    view = _of_type(await content.get(req.app.store, req.caller, content_id, statuses=["any"],
                                      version=int(raw)), type)
    await history.load(req.app.store, view)
    out: dict[str, Any] = {"number": view.number}
    author = view.users.get(view.by) if view.by is not None else None
    if author is not None:
        out["authorId"] = author.account_id
    out["message"] = view.message
    out["createdAt"] = ids.iso(view.when)
    out["minorEdit"] = view.version.minor_edit if view.version else view.content.minor_edit
    out["contentTypeModified"] = False  # bondline never changes a content's type
    out["collaborators"] = [author.account_id] if author is not None else []
    if view.history.previous is not None:
        out["prevVersion"] = view.history.previous.number
    if view.history.next is not None:
        out["nextVersion"] = view.history.next.number
    return json_response(out)


async def get_page_versions(req: Request) -> Response:
    return await _versions(req, "page", "pages")


async def get_blogpost_versions(req: Request) -> Response:
    return await _versions(req, "blogpost", "blogposts")


async def get_page_version(req: Request) -> Response:
    return await _version(req, "page", "page-id")


async def get_blogpost_version(req: Request) -> Response:
    return await _version(req, "blogpost", "blogpost-id")


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{PREFIX}/pages/{{id}}/versions", get_page_versions, dialect=DIALECT)
    route("GET", f"{PREFIX}/pages/{{page-id}}/versions/{{version-number}}", get_page_version, dialect=DIALECT)
    route("GET", f"{PREFIX}/blogposts/{{id}}/versions", get_blogpost_versions, dialect=DIALECT)
    route("GET", f"{PREFIX}/blogposts/{{blogpost-id}}/versions/{{version-number}}", get_blogpost_version,
          dialect=DIALECT)
