"""The page tree beyond children and ancestors: a page's descendants (getPageDescendants, with
`depth`), its direct children (getPageDirectChildren) and renaming it (updatePageTitle), over
`services.tree` and `services.content`."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from bondline.dialects.confluence.params import integer
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX, listing
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.pages import _json, _single
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import content as rules
from bondline.domain.errors import NotFound
from bondline.http import Request, Response
from bondline.services import content, tree

# ContentSortOrder: the tree's own order (the default), or the content's fields.
CHILD_SORTS = ("child-position", "-child-position", "id", "-id", "created-date", "-created-date", "modified-date",
               "-modified-date", "title", "-title")


class TitleUpdate(msgspec.Struct):
    status: Literal["current", "draft"]
    title: str


async def get_descendants(req: Request) -> Response:
    page_id = rules.parse_id(req.params["id"])
    size = limit(req, 25, 1, 250)
    depth = integer(req, "depth", 2, minimum=1, maximum=10)
    assert depth is not None
    page = await Page.of(req, f"{PREFIX}/pages/{page_id}/descendants",
                         {k: req.q_all(k) for k in ("depth",) if req.q_all(k)}, size)
    found = await tree.descendants(req.app.store, req.caller, page_id, "page", depth, page.offset, size)
    results = []
    for view in found.views:
        c = view.content
        item: dict[str, Any] = {"id": str(c.id), "status": c.status, "title": c.title, "type": c.type}
        if c.parent_id is not None:
            item["parentId"] = str(c.parent_id)
        item["depth"] = found.depths.get(c.id, 1)
        item["childPosition"] = c.position
        results.append(item)
    return page.respond(results, found.has_more, base_of(req))


async def get_direct_children(req: Request) -> Response:
    page_id = rules.parse_id(req.params["id"])
    sort = listing.sort(req, CHILD_SORTS)
    size = limit(req, 25, 1, 250)
    page = await Page.of(req, f"{PREFIX}/pages/{page_id}/direct-children",
                         {"sort": [sort]} if sort else {}, size)
    order = "position" if sort is None else sort.replace("child-", "").replace("-date", "")
    found = await tree.children(req.app.store, req.caller, page_id, "page", page.offset, size, bodies=False,
                                order=order)
    results = [{"id": str(v.content.id), "status": v.content.status, "title": v.content.title,
                "type": v.content.type, "spaceId": str(v.content.space_id), "childPosition": v.content.position}
               for v in found.views]
    return page.respond(results, found.has_more, base_of(req))


async def update_title(req: Request) -> Response:
    page_id = rules.parse_id(req.params["id"])
    body = _json(req, TitleUpdate)
    if await content.type_of(req.app.store, req.caller, page_id) not in (None, "page"):
        raise NotFound(f"No page found with id : {page_id}")
    edit = rules.Edit(type="page", title=rules.validate_title(body.title), version=0, status=body.status,
                      body=None, representation=None, parent_id=None, parent_given=False, message="",
                      minor_edit=False)
    view = await content.update(req.app.store, req.caller, page_id, edit, next_version=True)
    return _single(req, view, None)


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{PREFIX}/pages/{{id}}/descendants", get_descendants, dialect=DIALECT)
    route("GET", f"{PREFIX}/pages/{{id}}/direct-children", get_direct_children, dialect=DIALECT)
    route("PUT", f"{PREFIX}/pages/{{id}}/title", update_title, dialect=DIALECT)
