"""CQL search: GET /wiki/rest/api/search (searchByCQL: SearchPageResponseSearchResult),
GET /wiki/rest/api/content/search (searchContentByCQL: ContentArray) and GET /wiki/rest/api/search/user
(searchUser: users by `user`, `user.accountid`, `user.fullname`, `type = user`).

Pagination as Cloud does it: `limit` (default 25) with `start`, and `_links.next`/`prev` carrying an
opaque `cursor` (which wins over `start` when both are sent)."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import time
from typing import Any
from urllib.parse import urlencode

from bondline.dialects.confluence import history, params, properties, render, tree
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import base_of
from bondline.domain import cql
from bondline.domain.errors import Invalid
from bondline.domain.model import Space
from bondline.http import Request, Response, json_response
from bondline.services import search
from bondline.services.content import ContentView

API = "/wiki/rest/api"
EXCERPTS = ("highlight", "indexed", "none", "highlight_unescaped", "indexed_unescaped")
EXCERPT_CHARS = 300
HL, END_HL = "@@@hl@@@", "@@@endhl@@@"


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def _offset(req: Request) -> int:
    """Where the page starts: the `cursor` of a `next`/`prev` link, else `start`."""
    raw = req.q("cursor")
    if raw:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            offset = decoded["offset"]
        except (binascii.Error, ValueError, TypeError, KeyError):
            raise Invalid(f"Invalid cursor {raw[:40]!r}") from None
        if not isinstance(offset, int) or not 0 <= offset < 2**31:
            raise Invalid(f"Invalid cursor {raw[:40]!r}")
        return offset
    start = params.integer(req, "start", 0)
    assert start is not None
    return start


def _context(req: Request) -> tuple[cql.Context | None, list[str] | None]:
    """`cqlcontext`: a JSON object with `spaceKey` and `contentId` (what `currentSpace()` and
    `currentContent()` name) and `contentStatuses` (which statuses the search reads)."""
    raw = req.q("cqlcontext")
    if not raw:
        return None, None
    try:
        context = json.loads(raw)
    except ValueError:
        raise Invalid(f"Invalid cqlcontext {raw[:60]!r}: it must be a JSON object") from None
    if not isinstance(context, dict):
        raise Invalid(f"Invalid cqlcontext {raw[:60]!r}: it must be a JSON object")
    space_key = context.get("spaceKey")
    if space_key is not None and (not isinstance(space_key, str) or not space_key):
        raise Invalid("Invalid cqlcontext: spaceKey must be a space key")
    content_id = context.get("contentId")
    if content_id is not None:
        text = str(content_id) if isinstance(content_id, (str, int)) and not isinstance(content_id, bool) else ""
        if not text.isdecimal() or len(text) > 18:
            raise Invalid("Invalid cqlcontext: contentId must be a content id")
        content_id = int(text)
    statuses = context.get("contentStatuses")
    if statuses is not None and (not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses)):
        raise Invalid("Invalid cqlcontext: contentStatuses must be a list of statuses")
    return cql.Context(space_key, content_id), statuses


async def _found(req: Request, ancestors: bool, spaces: bool = False) -> tuple[search.Found, int, int, float]:
    cql_text = req.q("cql")
    if not cql_text:  # blank CQL (only spaces) is CQL that does not parse
        raise Invalid("The 'cql' query parameter is required")
    limit = params.integer(req, "limit", 25)
    assert limit is not None
    limit = min(limit, params.MAX_LIMIT)
    offset = _offset(req)
    began = time.perf_counter()
    context, statuses = _context(req)
    found = await search.search(req.app.store, req.caller, cql_text, statuses=statuses, context=context,
                                start=offset, limit=limit, ancestors=ancestors, spaces=spaces)
    return found, offset, limit, (time.perf_counter() - began) * 1000


def _links(req: Request, path: str, keep: tuple[str, ...], offset: int, limit: int, size: int, total: int,
           flags: bool) -> dict[str, str]:
    base = base_of(req)
    kept = {name: req.q(name) for name in keep if req.q(name) is not None}
    out: dict[str, str] = {"base": base, "context": render.CONTEXT}
    if offset + size < total and limit > 0:
        extra = {"next": "true"} if flags else {}
        out["next"] = path + "?" + urlencode({**kept, **extra, "limit": limit, "cursor": _cursor(offset + limit)})
    if offset > 0:
        extra = {"prev": "true"} if flags else {}
        out["prev"] = path + "?" + urlencode({**kept, **extra, "limit": limit,
                                              "cursor": _cursor(max(0, offset - limit))})
    out["self"] = base + path + ("?" + urlencode(kept) if kept else "")
    return out


def _excerpt(view: ContentView, how: str, terms: list[cql.Text]) -> str:
    if how == "none":
        return ""
    body, _ = view.body
    return _excerpt_of(cql.plain_text(body or ""), how, terms)


def _space_excerpt(space: Space, how: str, terms: list[cql.Text]) -> str:
    """A space's excerpt is its description."""
    return _excerpt_of(space.description or "", how, terms)


def _excerpt_of(text: str, how: str, terms: list[cql.Text]) -> str:
    if how == "none":
        return ""
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
    escape = not how.endswith("_unescaped")
    if not how.startswith("highlight"):
        return html.escape(text, quote=False) if escape else text
    words = sorted({w for t in terms for phrase in t.terms for w in phrase}, key=len, reverse=True)
    if not words:
        return html.escape(text, quote=False) if escape else text
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last:m.start()], quote=False) if escape else text[last:m.start()])
        out.append(HL + (html.escape(m.group(0), quote=False) if escape else m.group(0)) + END_HL)
        last = m.end()
    out.append(html.escape(text[last:], quote=False) if escape else text[last:])
    return "".join(out)


async def _contents(req: Request, views: list[ContentView], expand: Expand) -> list[dict[str, Any]]:
    await history.load(req, views, expand)
    base = base_of(req)
    results = [render.content(v, base, expand, viewer=req.caller) for v in views]
    await tree.expand_tree(req, views, results, expand)
    await properties.expand_metadata(req, views, results, expand)
    return results


async def search_by_cql(req: Request) -> Response:
    how = params.choice(req, "excerpt", EXCERPTS) or "highlight"
    params.boolean(req, "includeArchivedSpaces")  # bondline archives no spaces
    params.boolean(req, "excludeCurrentSpaces")
    params.boolean(req, "next")
    params.boolean(req, "prev")
    params.choice(req, "sitePermissionTypeFilter", ("all", "externalCollaborator", "none"))
    expand = Expand.of(req)
    found, offset, limit, took = await _found(req, "ancestors" in expand.sub("content"), spaces=True)
    contents = iter(await _contents(req, found.views, expand.sub("content")))
    terms = found.query.text_terms()
    base = base_of(req)
    results: list[dict[str, Any]] = []
    for item in found.items:
        if isinstance(item, Space):  # a space found by `type = space`
            results.append({
                "space": render.space(item, base, expand.sub("space"), viewer=req.caller),
                "title": item.name,
                "excerpt": _space_excerpt(item, how, terms),
                "url": f"/spaces/{render.q(item.key)}",
                "breadcrumbs": [],
                "entityType": "space",
                "iconCssClass": "aui-icon space-avatar",
                "lastModified": render.iso(item.created_at),
                "friendlyLastModified": render.friendly(item.created_at),
                "score": 0.0,
            })
            continue
        view, rendered = item, next(contents)
        space = view.space
        results.append({
            "content": rendered,
            "title": view.title,
            "excerpt": _excerpt(view, how, terms),
            "url": rendered["_links"].get("webui", f"/pages/viewpage.action?pageId={view.content.id}"),
            "resultGlobalContainer": {"title": space.name, "displayUrl": f"/spaces/{render.q(space.key)}"},
            "breadcrumbs": [],
            "entityType": "content",
            "iconCssClass": f"aui-icon content-type-{view.content.type}",
            "lastModified": render.iso(view.content.updated_at),
            "friendlyLastModified": render.friendly(view.content.updated_at),
            "score": 0.0,
        })
    keep = ("cql", "cqlcontext", "excerpt", "expand", "includeArchivedSpaces")
    return json_response({
        "results": results, "start": offset, "limit": limit, "size": len(results), "totalSize": found.total,
        "cqlQuery": found.query.text, "searchDuration": int(took),
        "_links": _links(req, "/rest/api/search", keep, offset, limit, len(results), found.total, True),
    })


async def search_content_by_cql(req: Request) -> Response:
    expand = Expand.of(req, render.CONTENT_DEFAULT_EXPAND) if req.q("expand") is None else Expand.of(req)
    found, offset, limit, _ = await _found(req, "ancestors" in expand)
    results = await _contents(req, found.views, expand)
    keep = ("cql", "cqlcontext", "expand")
    return json_response({
        "results": results, "start": offset, "limit": limit, "size": len(results),
        "_links": _links(req, "/rest/api/content/search", keep, offset, limit, len(results), found.total, False),
    })


async def search_user(req: Request) -> Response:
    params.choice(req, "sitePermissionTypeFilter", ("all", "externalCollaborator", "none"))
    text = req.q("cql")
    if not text:
        raise Invalid("The 'cql' query parameter is required")
    start, limit = params.paging(req)
    began = time.perf_counter()
    found = await search.search_users(req.app.store, req.caller, text, start=start, limit=limit)
    took = (time.perf_counter() - began) * 1000
    base = base_of(req)
    results: list[dict[str, Any]] = [{
        "user": render.user(u, base, viewer=req.caller),
        "title": u.display_name,
        "excerpt": "",
        "url": f"/people/{render.q(u.account_id)}",
        "breadcrumbs": [],
        "entityType": "user",
        "iconCssClass": "aui-icon content-type-profile",
        "lastModified": render.iso(u.created_at),
        "score": 0.0,
    } for u in found.users]
    keep = ("cql", "expand", "sitePermissionTypeFilter")
    links = _links(req, "/rest/api/search/user", keep, start, limit, len(results), found.total, False)
    for name in ("next", "prev"):  # this one pages by start, as its document says
        if name in links:
            to = start + limit if name == "next" else max(0, start - limit)
            kept = {k: req.q(k) for k in keep if req.q(k) is not None}
            links[name] = "/rest/api/search/user?" + urlencode({**kept, "limit": limit, "start": to})
    return json_response({
        "results": results, "start": start, "limit": limit, "size": len(results), "totalSize": found.total,
        "cqlQuery": found.query.text, "searchDuration": int(took), "_links": links,
    })


def install(app: Any) -> None:
    # before content's routes: /content/search is not a content id
    app.route("GET", f"{API}/search", search_by_cql, dialect=DIALECT)
    app.route("GET", f"{API}/search/user", search_user, dialect=DIALECT)
    app.route("GET", f"{API}/content/search", search_content_by_cql, dialect=DIALECT)
