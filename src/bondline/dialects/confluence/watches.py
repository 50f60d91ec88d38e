"""Watches: /wiki/rest/api/user/watch/{content|space|label}/... (status, add, remove) and the
watcher lists /content/{id}/notification/child-created, /content/{id}/notification/created and
/space/{spaceKey}/watch.

`accountId` picks the user (the caller when absent; anyone else takes a site admin). The
deprecated `key` and `username` parameters are accepted and ignored, as Confluence Cloud now does.
Every watch write needs `X-Atlassian-Token: no-check` (XSRF protection), or it is refused with 403.
"""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence import params, render
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.render import base_of
from bondline.domain import access
from bondline.domain import watches as rules
from bondline.domain.model import Caller
from bondline.http import Request, Response, empty, json_response
from bondline.services import watches

API = "/wiki/rest/api"
TARGETS = {"content": "contentId", "space": "spaceKey", "label": "labelName"}


def require_xsrf_header(req: Request) -> None:
    access.require_xsrf_token(req.header(b"x-atlassian-token"))


def _content_type(req: Request, kind: str) -> str | None:
    return req.q("contentType") if kind == "space" else None


def _handlers(kind: str) -> tuple[Any, Any, Any]:
    param = TARGETS[kind]

    async def watch_status(req: Request) -> Response:
        watching = await watches.status(req.app.store, req.caller, kind, req.params[param], req.q("accountId"),
                                        _content_type(req, kind))
        return json_response({"watching": watching})

    async def add_watch(req: Request) -> Response:
        require_xsrf_header(req)
        await watches.add(req.app.store, req.caller, kind, req.params[param], req.q("accountId"),
                          _content_type(req, kind))
        return empty(204)

    async def remove_watch(req: Request) -> Response:
        require_xsrf_header(req)
        await watches.remove(req.app.store, req.caller, kind, req.params[param], req.q("accountId"),
                             _content_type(req, kind))
        return empty(204)

    return watch_status, add_watch, remove_watch


def _paging(req: Request) -> tuple[int, int]:
    return params.paging(req, default_limit=200, max_limit=1000)


def _array(results: list[dict[str, Any]], start: int, limit: int, req: Request, path: str) -> dict[str, Any]:
    return render.page(results, start, limit, base_of(req), path, has_more=len(results) >= limit > 0)


async def watches_for_page(req: Request) -> Response:
    start, limit = _paging(req)
    found = await watches.content_watchers(req.app.store, req.caller, req.params["id"], start, limit)
    results = [{"type": rules.WATCH_TYPE, "watcher": render.watch_user(w.user, viewer=req.caller),
                "contentId": int(w.target_key)}
               for w in found]
    return json_response(_array(results, start, limit, req, f"/rest/api/content/{req.params['id']}"
                                                            "/notification/child-created"))


def _space_watches(found: list[Any], viewer: Caller) -> list[dict[str, Any]]:
    return [{"type": rules.WATCH_TYPE, "watcher": render.watch_user(w.user, viewer=viewer), "spaceKey": w.target_key}
            for w in found]


async def watches_for_space_of_page(req: Request) -> Response:
    start, limit = _paging(req)
    found = await watches.space_watchers_of_content(req.app.store, req.caller, req.params["id"], start, limit)
    return json_response(_array(_space_watches(found, req.caller), start, limit, req,
                                f"/rest/api/content/{req.params['id']}/notification/created"))


async def watchers_of_space(req: Request) -> Response:
    start, limit = _paging(req)
    found = await watches.space_watchers(req.app.store, req.caller, req.params["spaceKey"], start, limit)
    return json_response(_array(_space_watches(found, req.caller), start, limit, req,
                                f"/rest/api/space/{req.params['spaceKey']}/watch"))


def install(app: Any) -> None:
    for kind, param in TARGETS.items():
        status, add, remove = _handlers(kind)
        path = f"{API}/user/watch/{kind}/{{{param}}}"
        app.route("GET", path, status, dialect=DIALECT)
        app.route("POST", path, add, dialect=DIALECT)
        app.route("DELETE", path, remove, dialect=DIALECT)
    app.route("GET", f"{API}/content/{{id}}/notification/child-created", watches_for_page, dialect=DIALECT)
    app.route("GET", f"{API}/content/{{id}}/notification/created", watches_for_space_of_page, dialect=DIALECT)
    app.route("GET", f"{API}/space/{{spaceKey}}/watch", watchers_of_space, dialect=DIALECT)
