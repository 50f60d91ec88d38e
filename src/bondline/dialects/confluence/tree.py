"""The page tree: /wiki/rest/api/content/{id}/child[/{type}] (getContentChildren,
getContentChildrenByType), /descendant[/{type}] (getContentDescendants, getDescendantsOfType),
/content/{pageId}/move/{position}/{targetId} (movePage), /content/{id}/copy (copyPage),
/content/{id}/pagehierarchy/copy (copyPageHierarchy), /longtask (getTasks), and a space's content
(getContentForSpace, getContentByTypeForSpace); with `expand=children.<type>` and
`descendants.<type>` on content.

Comments and attachments are children too: their modules register how to list them
(`register_child_type`), and `/child`, `/child/{type}`, `/descendant…` and the expansions list them
through it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from bondline.dialects.confluence import params, render
from bondline.dialects.confluence.bodies import BodyValue
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import CONTENT_DEFAULT_EXPAND, base_of
from bondline.domain import access
from bondline.domain import content as content_rules
from bondline.domain import tree as rules
from bondline.domain.errors import Invalid, NotFound
from bondline.http import Request, Response, json_response
from bondline.services import content, tree
from bondline.services.content import ContentView

API = "/wiki/rest/api"
SUB_LIMIT = 25  # how many children an expansion shows, as Confluence's default page size

# (request, parent content id, depth (1: direct children), start, limit, expand) -> a ContentArray
ChildLister = Callable[[Request, int, int, int, int, Expand], Awaitable[dict[str, Any]]]
_LISTERS: dict[str, ChildLister] = {}


def register_child_type(type: str, lister: ChildLister) -> None:
    """How `comment` or `attachment` children are listed (by services/comments.py, attachments.py)."""
    _LISTERS[type] = lister


def _array(results: list[Any], start: int, limit: int, base: str, path: str, has_more: bool,
           query: dict[str, Any] | None = None) -> dict[str, Any]:
    return render.page(results, start, limit, base, path, query, has_more=has_more)


async def _rendered(req: Request, listing: tree.Listing, expand: Expand) -> list[dict[str, Any]]:
    base = base_of(req)
    results = [render.content(v, base, expand, viewer=req.caller) for v in listing.views]
    await expand_tree(req, listing.views, results, expand)
    return results


async def _other(req: Request, type: str, content_id: int, depth: int, start: int, limit: int,
                 expand: Expand, path: str) -> dict[str, Any]:
    lister = _LISTERS.get(type)
    if lister is None:  # nothing keeps this kind of child yet: none to list
        return _array([], start, limit, base_of(req), path, False)
    return await lister(req, content_id, depth, start, limit, expand)


def _children_map(req: Request, content_id: int, content_type: str, which: str,
                  arrays: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A ContentChildren: the expanded arrays, `_expandable` links to the other kinds of child."""
    out: dict[str, Any] = dict(arrays)
    out["_expandable"] = {t: f"/rest/api/content/{content_id}/{which}/{t}" for t in rules.child_types(content_type)
                          if t not in arrays}
    out["_links"] = render.links(base_of(req), f"/rest/api/content/{content_id}/{which}")
    return out


async def _pages(req: Request, which: str, content_id: int, depth: int, start: int, limit: int,
                 expand: Expand) -> tree.Listing:
    if which == "child":
        return await tree.children(req.app.store, req.caller, content_id, "page", start, limit,
                                   bodies="body" in expand)
    return await tree.descendants(req.app.store, req.caller, content_id, "page", depth, start, limit)


async def _map(req: Request, which: str) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    if which == "child":
        params.integer(req, "parentVersion", 0)  # children of the latest version, the only ones kept
    wanted = set(req.q_csv("expand"))
    for name in wanted:
        if name not in ("page", "comment", "attachment"):
            raise Invalid(f"Invalid expand {name[:40]!r}: use page, comment or attachment")
    parent = await tree.visible(req.app.store, req.caller, content_id)
    arrays: dict[str, dict[str, Any]] = {}
    base = base_of(req)
    depth = 1 if which == "child" else rules.MAX_DEPTH
    for name in ("attachment", "comment", "page"):
        if name not in wanted or name not in rules.child_types(parent.type):
            continue
        path = f"/rest/api/content/{content_id}/{which}/{name}"
        if name == "page":
            listing = await _pages(req, which, content_id, depth, 0, SUB_LIMIT, Expand(set()))
            arrays[name] = _array(await _rendered(req, listing, Expand(set())), 0, SUB_LIMIT, base, path,
                                  listing.has_more)
        else:
            arrays[name] = await _other(req, name, content_id, depth, 0, SUB_LIMIT, Expand(set()), path)
    return json_response(_children_map(req, content_id, parent.type, which, arrays))


async def get_children(req: Request) -> Response:
    return await _map(req, "child")


async def get_descendants(req: Request) -> Response:
    return await _map(req, "descendant")


async def _by_type(req: Request, which: str) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    type = req.params["type"]
    if which == "child":
        params.integer(req, "parentVersion", 0)
        depth = 1
    else:
        depth = rules.parse_depth(req.q("depth"))
    start, limit = params.paging(req)
    expand = Expand.of(req)
    path = f"/rest/api/content/{content_id}/{which}/{type}"
    query = {"expand": req.q("expand"), "depth": req.q("depth") if which == "descendant" else None}
    if type in ("comment", "attachment"):
        parent = await tree.visible(req.app.store, req.caller, content_id)
        rules.require_child_type(parent.type, type)
        return json_response(await _other(req, type, content_id, depth, start, limit, expand, path))
    listing = await _pages(req, which, content_id, depth, start, limit, expand) if type == "page" else \
        await tree.descendants(req.app.store, req.caller, content_id, type, depth, start, limit)
    return json_response(_array(await _rendered(req, listing, expand), start, limit, base_of(req), path,
                                listing.has_more, query))


async def get_children_by_type(req: Request) -> Response:
    return await _by_type(req, "child")


async def get_descendants_by_type(req: Request) -> Response:
    return await _by_type(req, "descendant")


async def expand_tree(req: Request, views: list[ContentView], rendered: list[dict[str, Any]],
                      expand: Expand) -> None:
    """`expand=children.<type>` / `descendants.<type>` on rendered content (in place)."""
    for which, key in (("child", "children"), ("descendant", "descendants")):
        if key not in expand:
            continue
        sub = expand.sub(key)
        listings: dict[int, tree.Listing] = {}
        if "page" in sub:
            many = tree.children_of_many if which == "child" else tree.descendants_of_many
            listings = await many(req.app.store, req.caller, views, "page", SUB_LIMIT)
        for view, out in zip(views, rendered, strict=True):
            cid = view.content.id
            arrays: dict[str, dict[str, Any]] = {}
            for name in rules.child_types(view.content.type):
                if name not in sub:
                    continue
                path = f"/rest/api/content/{cid}/{which}/{name}"
                if name == "page":
                    listing = listings[cid]
                    results = [render.content(v, base_of(req), sub.sub("page"), viewer=req.caller)
                               for v in listing.views]
                    arrays[name] = _array(results, 0, SUB_LIMIT, base_of(req), path, listing.has_more)
                else:
                    depth = 1 if which == "child" else rules.MAX_DEPTH
                    arrays[name] = await _other(req, name, cid, depth, 0, SUB_LIMIT, sub.sub(name), path)
            out[key] = _children_map(req, cid, view.content.type, which, arrays)
            out.get("_expandable", {}).pop(key, None)


# --- moving and copying --------------------------------------------------------------------------

async def move_page(req: Request) -> Response:
    page_id = content_rules.parse_id(req.params["pageId"])
    position = rules.validate_move_position(req.params["position"])
    target_id = content_rules.parse_id(req.params["targetId"])
    moved = await tree.move(req.app.store, req.caller, page_id, position, target_id)
    return json_response({"pageId": str(moved)})


_ACTION_POSITIONS = {"above": "before", "below": "after", "append": "append"}


async def move_page_action(req: Request) -> Response:
    """Confluence's page-tree action (`/pages/movepage.action`), which atlassian-python-api's
    `move_page` posts to: `pageId`, and `position` above|below|append (relative to `targetId`, or
    to the page `targetTitle` in `spaceKey`) or topLevel (of `spaceKey`). Its answer is not
    documented; bondline answers as the REST move does."""
    access.require_xsrf_token(req.header(b"x-atlassian-token"))
    page_id = content_rules.parse_id(req.q("pageId") or "")
    position = req.q("position") or "append"
    if position == "topLevel":
        moved = await tree.move(req.app.store, req.caller, page_id, "append", None, top_of=req.q("spaceKey"))
        return json_response({"pageId": str(moved)})
    if position not in _ACTION_POSITIONS:
        raise Invalid(f"Invalid position {position[:40]!r}: use above, below, append or topLevel")
    raw_target = req.q("targetId")
    if raw_target:
        target_id = content_rules.parse_id(raw_target)
    else:
        found = await content.list_content(req.app.store, req.caller, type="page", space_key=req.q("spaceKey"),
                                           title=req.q("targetTitle") or "", statuses=["current"], start=0, limit=1)
        if not found:
            raise NotFound(f"No page titled {(req.q('targetTitle') or '')[:80]!r} in space {req.q('spaceKey')}",
                           reason="CONTENT_NOT_FOUND")
        target_id = found[0].content.id
    moved = await tree.move(req.app.store, req.caller, page_id, _ACTION_POSITIONS[position], target_id)
    return json_response({"pageId": str(moved)})


class Destination(msgspec.Struct):
    type: str
    value: str


class CopyBody(msgspec.Struct):
    storage: BodyValue | None = None
    editor2: BodyValue | None = None


class CopyPageRequest(msgspec.Struct):
    destination: Destination
    copyAttachments: bool = False
    copyPermissions: bool = False
    copyProperties: bool = False
    copyLabels: bool = False
    copyCustomContents: bool = False
    pageTitle: str | None = None
    body: CopyBody | None = None


class TitleOptions(msgspec.Struct):
    prefix: str | None = None
    replace: str | None = None
    search: str | None = None


class CopyPageHierarchyRequest(msgspec.Struct):
    destinationPageId: str | int
    copyAttachments: bool = False
    copyPermissions: bool = False
    copyProperties: bool = False
    copyLabels: bool = False
    copyCustomContents: bool = False
    copyDescendants: bool = True
    titleOptions: TitleOptions | None = None


def _options(body: CopyPageRequest | CopyPageHierarchyRequest) -> tree.CopyOptions:
    return tree.CopyOptions(attachments=body.copyAttachments, labels=body.copyLabels,
                            permissions=body.copyPermissions, properties=body.copyProperties,
                            custom_contents=body.copyCustomContents)


async def copy_page(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    body = req.json(CopyPageRequest)
    replacement = None
    if body.body is not None:
        chosen = body.body.storage or body.body.editor2
        if chosen is not None:
            replacement = (chosen.value, chosen.representation)
    view = await tree.copy(req.app.store, req.caller, content_id, body.destination.type, body.destination.value,
                           body.pageTitle, replacement, _options(body))
    expand = Expand.of(req, CONTENT_DEFAULT_EXPAND)
    out = render.content(view, base_of(req), expand, viewer=req.caller)
    await expand_tree(req, [view], [out], expand)
    return json_response(out)


async def copy_page_hierarchy(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    body = req.json(CopyPageHierarchyRequest)
    destination = content_rules.parse_id(str(body.destinationPageId))
    titles = body.titleOptions or TitleOptions()
    task = await tree.copy_hierarchy(req.app.store, req.caller, content_id, destination,
                                     descendants=body.copyDescendants, prefix=titles.prefix, search=titles.search,
                                     replace=titles.replace, options=_options(body))
    return json_response({"ari": f"ari:cloud:confluence::task/{task.id}", "id": task.id,
                          "links": {"status": f"/rest/api/longtask/{task.id}"}}, status=202)


# --- long tasks ----------------------------------------------------------------------------------

def task_status(task: Any, base: str, with_links: bool = True) -> dict[str, Any]:
    """A LongTaskStatus (with `_links` when shown on its own)."""
    elapsed = (task.finished_at or task.created_at) - task.created_at
    out: dict[str, Any] = {
        "ari": f"ari:cloud:confluence::task/{task.id}",
        "id": task.id,
        "name": {"key": f"com.atlassian.confluence.{task.name}.name", "args": []},
        "elapsedTime": elapsed,
        "percentageComplete": 100 if task.finished_at else 0,
        "successful": task.successful,
        "finished": task.finished_at is not None,
        "messages": [],
        "status": "COMPLETED" if task.finished_at else "RUNNING",
        "errors": [],
    }
    if task.name == "page.hierarchy.copy":
        args = msgspec.json.decode(task.args)
        out["additionalDetails"] = {"destinationId": args[2], "totalPageNeedToCopy": args[3],
                                    "destinationUrl": f"/pages/viewpage.action?pageId={args[2]}"}
        out["messages"] = [{"translation": f"Copied {args[3]} pages", "args": []}]
    if with_links:
        out["_links"] = render.links(base, f"/rest/api/longtask/{task.id}")
    return out


async def get_tasks(req: Request) -> Response:
    start, limit = params.paging(req, default_limit=100)
    req.q("key")  # bondline's tasks have no keys to filter by
    found = await tree.tasks(req.app.store, req.caller, start, limit + 1)
    base = base_of(req)
    return json_response(render.page([task_status(t, base, with_links=False) for t in found[:limit]], start, limit,
                                     base, "/rest/api/longtask", has_more=len(found) > limit))


# --- a space's content ---------------------------------------------------------------------------

async def _space_array(req: Request, type: str, start: int, limit: int, expand: Expand) -> dict[str, Any]:
    key = req.params["spaceKey"]
    listing = await tree.space_content(req.app.store, req.caller, key, type, req.q("depth"), start, limit)
    path = f"/rest/api/space/{render.q(key)}/content/{type}"
    return _array(await _rendered(req, listing, expand), start, limit, base_of(req), path, listing.has_more,
                  {"depth": req.q("depth"), "expand": req.q("expand")})


async def get_space_content(req: Request) -> Response:
    start, limit = params.paging(req)
    expand = Expand.of(req)
    out = {t: await _space_array(req, t, start, limit, expand) for t in ("page", "blogpost")}
    return json_response({**out, "_links": {"base": base_of(req), "context": render.CONTEXT}})


async def get_space_content_by_type(req: Request) -> Response:
    start, limit = params.paging(req)
    return json_response(await _space_array(req, req.params["type"], start, limit, Expand.of(req)))


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{API}/content/{{id}}/child", get_children, dialect=DIALECT)
    route("GET", f"{API}/content/{{id}}/child/{{type}}", get_children_by_type, dialect=DIALECT)
    route("GET", f"{API}/content/{{id}}/descendant", get_descendants, dialect=DIALECT)
    route("GET", f"{API}/content/{{id}}/descendant/{{type}}", get_descendants_by_type, dialect=DIALECT)
    route("PUT", f"{API}/content/{{pageId}}/move/{{position}}/{{targetId}}", move_page, dialect=DIALECT)
    route("POST", f"{API}/content/{{id}}/copy", copy_page, dialect=DIALECT)
    route("POST", "/wiki/pages/movepage.action", move_page_action, dialect=DIALECT)
    route("POST", f"{API}/content/{{id}}/pagehierarchy/copy", copy_page_hierarchy, dialect=DIALECT)
    route("GET", f"{API}/longtask", get_tasks, dialect=DIALECT)
    route("GET", f"{API}/space/{{spaceKey}}/content", get_space_content, dialect=DIALECT)
    route("GET", f"{API}/space/{{spaceKey}}/content/{{type}}", get_space_content_by_type, dialect=DIALECT)
