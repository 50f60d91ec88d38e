"""Groups: /wiki/rest/api/group (getGroups, createGroup, removeGroup), /group/by-id, /group/by-name,
/group/picker, /group/{groupId}/membersByGroupId, /group/member, /group/userByGroupId, /group/user,
and /user/memberof. Groups are named by id (the current API) or by name (the older calls clients
still make)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence import bodies, params, render
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.render import base_of
from bondline.domain.groups import MAX_LIMIT
from bondline.http import Request, Response, empty, json_response
from bondline.services import groups

API = "/wiki/rest/api"


def _group_page(req: Request, found: list[Any], start: int, limit: int, path: str,
                query: dict[str, Any] | None = None) -> Response:
    base = base_of(req)
    return json_response(render.page([render.group(g, base) for g in found], start, limit, base, path, query))


def _user_page(req: Request, found: list[Any], start: int, limit: int, path: str,
               query: dict[str, Any] | None = None) -> Response:
    base = base_of(req)
    return json_response(render.page([render.user(u, base, viewer=req.caller) for u in found], start, limit, base,
                                     path, query))


async def get_groups(req: Request) -> Response:
    start, limit = params.paging(req, default_limit=200)
    # Every bondline user may use the site; accessType narrows nothing further.
    params.choice(req, "accessType", ("user", "admin", "site-admin"))
    found = await groups.list_groups(req.app.store, req.caller, start, limit)
    return _group_page(req, found, start, limit, "/rest/api/group")


async def search_groups(req: Request) -> Response:
    text = params.required(req, "query")
    start, limit = params.paging(req, default_limit=200, max_limit=200)
    found = await groups.list_groups(req.app.store, req.caller, start, limit, containing=text.lower())
    return _group_page(req, found, start, limit, "/rest/api/group/picker", {"query": text})


async def create_group(req: Request) -> Response:
    body = req.json(bodies.GroupName)
    group = await groups.create(req.app.store, req.caller, body.name)
    return json_response(render.group(group, base_of(req)), status=201)


async def get_group_by_id(req: Request) -> Response:
    group = await groups.get(req.app.store, req.caller, group_id=params.required(req, "id"))
    return json_response(render.group(group, base_of(req)))


async def get_group_by_name(req: Request) -> Response:
    group = await groups.get(req.app.store, req.caller, name=params.required(req, "name"))
    return json_response(render.group(group, base_of(req)))


async def remove_group_by_id(req: Request) -> Response:
    await groups.delete(req.app.store, req.caller, group_id=params.required(req, "id"))
    return empty(204)


async def remove_group_by_name(req: Request) -> Response:
    await groups.delete(req.app.store, req.caller, name=params.required(req, "name"))
    return empty(204)


async def members_by_id(req: Request) -> Response:
    group_id = req.params["groupId"]
    start, limit = params.paging(req, default_limit=200, max_limit=MAX_LIMIT)
    found = await groups.members(req.app.store, req.caller, start, limit, group_id=group_id)
    return _user_page(req, found, start, limit, f"/rest/api/group/{render.q(group_id)}/membersByGroupId")


async def members_by_name(req: Request) -> Response:
    name = params.required(req, "name")
    start, limit = params.paging(req, default_limit=200, max_limit=MAX_LIMIT)
    found = await groups.members(req.app.store, req.caller, start, limit, name=name)
    return _user_page(req, found, start, limit, "/rest/api/group/member", {"name": name})


async def add_member_by_id(req: Request) -> Response:
    group_id = params.required(req, "groupId")
    body = req.json(bodies.AccountId)
    await groups.add_member(req.app.store, req.caller, body.accountId, group_id=group_id)
    return empty(201)


async def add_member_by_name(req: Request) -> Response:
    name = params.required(req, "name")
    body = req.json(bodies.AccountId)
    await groups.add_member(req.app.store, req.caller, body.accountId, name=name)
    return empty(201)


async def remove_member_by_id(req: Request) -> Response:
    await groups.remove_member(req.app.store, req.caller, params.required(req, "accountId"),
                               group_id=params.required(req, "groupId"))
    return empty(204)


async def remove_member_by_name(req: Request) -> Response:
    await groups.remove_member(req.app.store, req.caller, params.required(req, "accountId"),
                               name=params.required(req, "name"))
    return empty(204)


async def member_of(req: Request) -> Response:
    account_id = params.required(req, "accountId")
    start, limit = params.paging(req, default_limit=200)
    found = await groups.of_user(req.app.store, req.caller, account_id, start, limit)
    return _group_page(req, found, start, limit, "/rest/api/user/memberof", {"accountId": account_id})


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{API}/group", get_groups, dialect=DIALECT)
    route("POST", f"{API}/group", create_group, dialect=DIALECT)
    route("DELETE", f"{API}/group", remove_group_by_name, dialect=DIALECT)
    route("GET", f"{API}/group/by-id", get_group_by_id, dialect=DIALECT)
    route("DELETE", f"{API}/group/by-id", remove_group_by_id, dialect=DIALECT)
    route("GET", f"{API}/group/by-name", get_group_by_name, dialect=DIALECT)
    route("GET", f"{API}/group/picker", search_groups, dialect=DIALECT)
    route("GET", f"{API}/group/member", members_by_name, dialect=DIALECT)
    route("GET", f"{API}/group/{{groupId}}/membersByGroupId", members_by_id, dialect=DIALECT)
    route("POST", f"{API}/group/userByGroupId", add_member_by_id, dialect=DIALECT)
    route("DELETE", f"{API}/group/userByGroupId", remove_member_by_id, dialect=DIALECT)
    route("POST", f"{API}/group/user", add_member_by_name, dialect=DIALECT)
    route("DELETE", f"{API}/group/user", remove_member_by_name, dialect=DIALECT)
    route("GET", f"{API}/user/memberof", member_of, dialect=DIALECT)
