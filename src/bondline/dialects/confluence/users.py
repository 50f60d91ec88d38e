"""Users: /wiki/rest/api/user/current, /wiki/rest/api/user?accountId=, /wiki/rest/api/user/bulk,
/wiki/rest/api/user/anonymous."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence import render
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.render import base_of
from bondline.domain.errors import Invalid, NotFound
from bondline.http import Request, Response, json_response
from bondline.services import accounts

API = "/wiki/rest/api"


async def get_current_user(req: Request) -> Response:
    user = await accounts.get_user(req.app.store, req.caller.account_id)
    return json_response(render.user(user, base_of(req), viewer=req.caller))


async def get_user(req: Request) -> Response:
    account_id = req.q("accountId")
    if not account_id:
        # `key` and `username` are deprecated and no longer honoured by Confluence Cloud.
        raise Invalid("The accountId query parameter is required (key and username are no longer supported)")
    try:
        user = await accounts.get_user(req.app.store, account_id)
    except NotFound:
        raise NotFound(f"No user found with accountId : {account_id}", reason="USER_NOT_FOUND") from None
    return json_response(render.user(user, base_of(req), viewer=req.caller))


async def get_bulk(req: Request) -> Response:
    ids = req.q_csv("accountId")
    if not ids:
        raise Invalid("The accountId query parameter is required")
    base = base_of(req)
    results = []
    for account_id in ids[:200]:
        try:
            results.append(render.user(await accounts.get_user(req.app.store, account_id), base, viewer=req.caller))
        except NotFound:
            continue
    return json_response({"results": results, "start": 0, "limit": 200, "size": len(results),
                          "_links": {"base": base, "context": render.CONTEXT}})


async def get_anonymous_user(req: Request) -> Response:
    # Confluence ignores an expand it does not know; `operations` bondline does not compute.
    return json_response(render.anonymous_user(base_of(req)))


def install(app: Any) -> None:
    app.route("GET", f"{API}/user/anonymous", get_anonymous_user, dialect=DIALECT)
    app.route("GET", f"{API}/user/current", get_current_user, dialect=DIALECT)
    app.route("GET", f"{API}/user", get_user, dialect=DIALECT)
    app.route("GET", f"{API}/user/bulk", get_bulk, dialect=DIALECT)
