"""Pages: /wiki/api/v2/pages (getPages, createPage, getPageById, updatePage, deletePage), a space's
pages (getPagesInSpace) and the page tree (getChildPages, getPageAncestors), over the services v1
uses (`services.content`, `services.tree`, `services.spaces`): one page, whichever API wrote it."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import msgspec

from bondline.dialects.confluence.params import boolean, integer, integers
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX, includes, listing, render
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import content as rules
from bondline.domain.errors import Invalid, NotFound
from bondline.http import Request, Response, empty, json_response
from bondline.services import content, spaces, tree

PAGE_STATUSES = ("current", "archived", "deleted", "trashed")
SORTS = listing.PAGE_SORTS  # read in that order by the services' query (decision 0020)
CHILD_PAGE_SORTS = listing.CHILD_PAGE_SORTS


class BodyWrite(msgspec.Struct):
    representation: Literal["storage", "atlas_doc_format", "wiki"] | None = None
    value: str = ""


class NestedBodyWrite(msgspec.Struct):
    storage: BodyWrite | None = None
    atlas_doc_format: BodyWrite | None = None
    wiki: BodyWrite | None = None


class VersionWrite(msgspec.Struct):
    number: int
    message: str = ""


class PageCreate(msgspec.Struct):
    spaceId: str | int
    status: Literal["current", "draft"] = "current"
    title: str | None = None
    parentId: str | int | None = None
    body: dict[str, Any] | None = None
    subtype: str | None = None


class PageUpdate(msgspec.Struct):
    id: str | int
    status: Literal["current", "draft"]
    title: str
    version: VersionWrite
    body: dict[str, Any] | None = None
    spaceId: str | int | None = None
    parentId: str | int | None = None
    ownerId: str | None = None


def _body(raw: dict[str, Any] | None) -> tuple[str, str] | None:
    """A body as v2 writes it, `{representation, value}` or nested `{storage: {...}}`: (value,
    representation). Storage is stored as written, ADF converted to storage (`domain.adf`); wiki markup
    needs a conversion bondline does not make."""
    if raw is None:
        return None
    flat: BodyWrite
    if "representation" in raw or "value" in raw:
        flat = msgspec.convert(raw, BodyWrite)
    else:
        nested = msgspec.convert(raw, NestedBodyWrite)
        given = [b for b in (nested.storage, nested.atlas_doc_format, nested.wiki) if b is not None]
        if not given:
            return None
        if len(given) > 1:
            raise Invalid("Only one body format may be given")
        flat = given[0]
        if flat.representation is None:
            flat.representation = next(n for n in ("storage", "atlas_doc_format", "wiki")
                                       if getattr(nested, n) is flat)
    representation = flat.representation or "storage"
    if representation == "wiki":
        raise Invalid("Body representation 'wiki' is not supported; write the body in 'storage' or 'atlas_doc_format'")
    return flat.value, representation  # ADF is converted to storage by the service


def _json(req: Request, type: Any) -> Any:
    try:
        return req.json(type)
    except msgspec.ValidationError as exc:  # a nested body that does not fit
        raise Invalid(f"Invalid request body: {exc}") from None


def _id(raw: str | int, what: str) -> int:
    text = str(raw)
    if not text.isdigit() or len(text) > 18 or int(text) == 0:
        raise Invalid(f"{what} {text[:40]!r} is invalid: ids are positive integers")
    return int(text)


def _body_format(req: Request, allowed: tuple[str, ...]) -> str | None:
    raw = req.q("body-format")
    if raw is None:
        return None
    if raw not in allowed or len(req.q_all("body-format")) > 1:
        raise Invalid(f"Provided value {{{raw[:40]}}} for 'body-format' is not valid: expected one of "
                      f"{', '.join(allowed)}")
    return raw


def _page_only(view: content.ContentView) -> content.ContentView:
    if view.content.type != "page":  # a blog post or a comment is not a page
        raise NotFound(f"No page found with id : {view.content.id}")
    return view


def _single(req: Request, view: content.ContentView, body_format: str | None,
            include_version: bool = True) -> Response:
    out = render.page(view, body_format, include_version=include_version)
    out["_links"]["base"] = base_of(req)
    return json_response(out)


async def get_pages(req: Request) -> Response:
    space_ids = integers(req, "space-id")
    if len(space_ids) > 100:
        raise Invalid("At most 100 'space-id' values may be given")
    page_ids = integers(req, "id")
    if len(page_ids) > 250:
        raise Invalid("At most 250 'id' values may be given")
    statuses = _statuses(req)
    order = listing.content_order(req, SORTS)
    subtype = req.q("subtype")
    if subtype is not None and subtype not in ("page", "live"):
        raise Invalid(f"Provided value {{{subtype[:40]}}} for 'subtype' is not valid: expected page or live")
    body_format = _body_format(req, render.LIST_FORMATS)
    size = limit(req, 25, 1, 250)
    query = {k: req.q_all(k) for k in ("id", "space-id", "sort", "status", "title", "body-format", "subtype")
             if req.q_all(k)}
    page = await Page.of(req, f"{PREFIX}/pages", query, size)
    shown = [s for s in (statuses or ["current"]) if s in ("current", "trashed")]  # none archived or deleted
    if not shown or subtype == "live":  # bondline has no live docs
        views: list[content.ContentView] = []
    else:
        views = await content.list_content(req.app.store, req.caller, type="page", space_key=None,
                                           title=req.q("title"), statuses=shown, start=page.offset,
                                           limit=size + 1, space_ids=space_ids, order=order, ids=page_ids,
                                           bodies=body_format is not None, ancestors=False)
    results = [render.page(v, body_format) for v in views[:size]]
    return page.respond(results, len(views) > size, base_of(req))


def _statuses(req: Request) -> list[str]:
    statuses = [s for value in req.q_all("status") for s in value.split(",") if s]
    for status in statuses:
        if status not in PAGE_STATUSES:
            raise Invalid(f"Provided value {{{status[:40]}}} for 'status' is not valid")
    return statuses


async def get_pages_in_space(req: Request) -> Response:
    raw = req.params["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise Invalid(f"Space id {raw[:40]!r} is invalid: space ids are integers")
    depth = req.q("depth") or "all"
    if depth not in ("all", "root"):
        raise Invalid(f"Provided value {{{depth[:40]}}} for 'depth' is not valid: expected all or root")
    statuses = _statuses(req)
    order = listing.content_order(req, SORTS)
    body_format = _body_format(req, render.LIST_FORMATS)
    size = limit(req, 25, 1, 250)
    query = {k: req.q_all(k) for k in ("depth", "sort", "status", "title", "body-format") if req.q_all(k)}
    page = await Page.of(req, f"{PREFIX}/spaces/{raw}/pages", query, size)
    space = await spaces.get_by_id(req.app.store, req.caller, int(raw))  # the space's own 404
    shown = [s for s in (statuses or ["current"]) if s in ("current", "trashed")]
    views: list[content.ContentView]
    more = False
    if not shown:
        views = []
    elif depth == "root" and shown == ["current"] and req.q("title") is None and order == "id":
        top = await tree.space_content(req.app.store, req.caller, space.space.key, "page", "root",
                                       page.offset, size)
        views, more = top.views, top.has_more
    elif depth == "root":
        raise Invalid("depth=root lists current pages; it takes no 'title', no other 'status' and no 'sort'")
    else:
        found = await content.list_content(req.app.store, req.caller, type="page", space_key=None,
                                           title=req.q("title"), statuses=shown, start=page.offset,
                                           limit=size + 1, space_ids=[space.space.id], order=order,
                                           bodies=body_format is not None, ancestors=False)
        views, more = found[:size], len(found) > size
    return page.respond([render.page(v, body_format) for v in views], more, base_of(req))


async def create_page(req: Request) -> Response:
    private = boolean(req, "private")
    root_level = boolean(req, "root-level") or False
    boolean(req, "embedded")
    body = _json(req, PageCreate)
    space_id = _id(body.spaceId, "Space id")
    parent_id = _id(body.parentId, "Parent id") if body.parentId not in (None, "") else None
    if root_level and parent_id is not None:
        raise Invalid("A parentId may not be given with root-level=true")
    if private:
        raise Invalid("Private pages are not supported")
    written = _body(body.body) or ("", "storage")
    view = await content.create(req.app.store, req.caller, content.NewContent(
        type="page", title=body.title or "", space_key="", space_id=space_id, status=body.status,
        body=written[0], representation=written[1], parent_id=parent_id, under_homepage=not root_level))
    return _single(req, view, "storage")


@dataclasses.dataclass(slots=True, frozen=True)
class SingleRead:
    """What getPageById and getBlogPostById read of their query (one parser for both)."""
    body_format: str | None
    version: int | None
    statuses: list[str] | None  # (`get-draft`: the draft)
    include_version: bool
    flags: set[str]  # the include-* fields asked for


def single_read(req: Request) -> SingleRead:
    body_format = _body_format(req, render.SINGLE_FORMATS)
    version = integer(req, "version", None, minimum=1)
    draft = boolean(req, "get-draft")
    include_version = boolean(req, "include-version")
    flags = includes.read_flags(req)
    statuses = ["draft"] if draft else [s for value in req.q_all("status") for s in value.split(",") if s]
    return SingleRead(body_format, version, statuses or None, include_version is not False, flags)


async def get_page(req: Request) -> Response:
    page_id = rules.parse_id(req.params["id"])
    read = single_read(req)
    view = _page_only(await content.get(req.app.store, req.caller, page_id, statuses=read.statuses,
                                        version=read.version))
    out = render.page(view, read.body_format, include_version=read.include_version)
    out["_links"]["base"] = base_of(req)
    await includes.add(req, out, view, read.flags, "pages")
    return json_response(out)


async def update_page(req: Request) -> Response:
    page_id = rules.parse_id(req.params["id"])
    body = _json(req, PageUpdate)
    if _id(body.id, "Page id") != page_id:
        raise Invalid(f"The page id in the body ({str(body.id)[:20]}) is not the page updated ({page_id})")
    if body.ownerId is not None:
        raise Invalid("Transferring a page's owner is not supported")
    written = _body(body.body)
    parent_id = _id(body.parentId, "Parent id") if body.parentId not in (None, "") else None
    edit = rules.Edit(
        type="page", title=rules.validate_title(body.title), version=body.version.number, status=body.status,
        body=written[0] if written else None, representation=written[1] if written else None,
        parent_id=parent_id, parent_given=parent_id is not None, message=body.version.message, minor_edit=False)
    if await content.type_of(req.app.store, req.caller, page_id) not in (None, "page"):
        raise NotFound(f"No page found with id : {page_id}")
    view = await content.update(req.app.store, req.caller, page_id, edit)
    return _single(req, view, "storage")


async def delete_page(req: Request) -> Response:
    page_id = rules.parse_id(req.params["id"])
    purge = boolean(req, "purge")
    draft = boolean(req, "draft")
    if await content.type_of(req.app.store, req.caller, page_id) not in (None, "page"):
        raise NotFound(f"No page found with id : {page_id}")
    status = "trashed" if purge else "draft" if draft else None
    await content.delete(req.app.store, req.caller, page_id, status)
    return empty(204)


async def get_children(req: Request) -> Response:
    page_id = rules.parse_id(req.params["id"])
    sort = listing.sort(req, CHILD_PAGE_SORTS)
    size = limit(req, 25, 1, 250)
    path = f"{PREFIX}/pages/{page_id}/children"
    page = await Page.of(req, path, {"sort": [sort]} if sort else {}, size)
    # Sorted inside the service's query (as `/direct-children` is), so that a cursor continues it.
    order = "position" if sort is None else sort.replace("child-", "").replace("-date", "")
    found = await tree.children(req.app.store, req.caller, page_id, "page", page.offset, size, bodies=False,
                                order=order)
    return page.respond([render.child(v) for v in found.views], found.has_more, base_of(req))


async def get_ancestors(req: Request) -> Response:
    page_id = rules.parse_id(req.params["id"])
    size = limit(req, 25, 1, 250)
    view = _page_only(await content.get(req.app.store, req.caller, page_id))
    # Top to bottom; with more than `limit`, the nearest ones (the caller asks again with the first).
    nearest = list(view.ancestors)[-size:]
    return json_response({"results": [render.ancestor(a.id) for a in nearest], "_links": {"base": base_of(req)}})


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{PREFIX}/pages", get_pages, dialect=DIALECT)
    route("POST", f"{PREFIX}/pages", create_page, dialect=DIALECT)
    route("GET", f"{PREFIX}/pages/{{id}}", get_page, dialect=DIALECT)
    route("PUT", f"{PREFIX}/pages/{{id}}", update_page, dialect=DIALECT)
    route("DELETE", f"{PREFIX}/pages/{{id}}", delete_page, dialect=DIALECT)
    route("GET", f"{PREFIX}/pages/{{id}}/children", get_children, dialect=DIALECT)
    route("GET", f"{PREFIX}/pages/{{id}}/ancestors", get_ancestors, dialect=DIALECT)
    route("GET", f"{PREFIX}/spaces/{{id}}/pages", get_pages_in_space, dialect=DIALECT)
