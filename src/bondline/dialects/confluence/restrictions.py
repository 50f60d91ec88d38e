"""Content restrictions: /wiki/rest/api/content/{id}/restriction (getRestrictions, updateRestrictions,
addRestrictions, deleteRestrictions), …/restriction/byOperation[/{operationKey}], the per-user
(…/user?accountId=) and per-group (…/byGroupId/{groupId}, and the older …/group/{groupName}) calls,
and POST /content/{id}/permission/check (checkContentPermission)."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from bondline.dialects.confluence import params, render
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import base_of
from bondline.domain import content as content_rules
from bondline.domain import restrictions as rules
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.model import Caller
from bondline.http import Request, Response, empty, json_response
from bondline.services import content as content_service
from bondline.services import restrictions
from bondline.services.restrictions import RestrictionsView

API = "/wiki/rest/api"
MAX_LIMIT = 100


# --- JSON -----------------------------------------------------------------------------------------

def _path(content_id: int, operation: str | None = None) -> str:
    base = f"/rest/api/content/{content_id}/restriction"
    return base if operation is None else f"{base}/byOperation/{operation}"


def restriction(view: RestrictionsView, operation: str, base: str, expand: Expand, start: int, limit: int, *,
                viewer: Caller, content: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `ContentRestriction`: the users and groups one operation names (both shown unless `expand`
    asks for one of them only, as Confluence's default expands both)."""
    cid = view.content.id
    users = view.users.get(operation, [])
    groups = view.groups.get(operation, [])
    wants = expand.sub("restrictions")
    both = not wants.paths
    out_restrictions: dict[str, Any] = {}
    expandable: dict[str, str] = {}
    if both or "user" in wants:
        shown = users[start:start + limit]
        out_restrictions["user"] = {"results": [render.user(u, base, viewer=viewer) for u in shown],
                                    "start": start, "limit": limit, "size": len(shown)}
    else:
        expandable["user"] = f"{_path(cid, operation)}?expand=restrictions.user"
    if both or "group" in wants:
        shown_groups = groups[start:start + limit]
        out_restrictions["group"] = {"results": [render.group(g, base) for g in shown_groups],
                                     "start": start, "limit": limit, "size": len(shown_groups)}
    else:
        expandable["group"] = f"{_path(cid, operation)}?expand=restrictions.group"
    if expandable:
        out_restrictions["_expandable"] = expandable
    out: dict[str, Any] = {"operation": operation, "restrictions": out_restrictions}
    if content is not None:
        out["content"] = content
        out["_expandable"] = {}
    else:
        out["_expandable"] = {"content": f"/rest/api/content/{cid}"}
    out["_links"] = {"self": base + _path(cid, operation)}
    return out


def _hash(view: RestrictionsView) -> str:
    """`restrictionsHash`: changes whenever who is named changes (the UI compares it)."""
    state = [(op, sorted(u.account_id for u in view.users.get(op, [])),
              sorted(g.id for g in view.groups.get(op, []))) for op in rules.OPERATIONS]
    return hashlib.sha256(msgspec.json.encode(state)).hexdigest()[:32]


async def _content(req: Request, view: RestrictionsView, expand: Expand) -> dict[str, Any] | None:
    if "content" not in expand:
        return None
    found = await content_service.get(req.app.store, req.caller, view.content.id,
                                      statuses=["current", "draft", "trashed"])
    return render.content(found, base_of(req), expand.sub("content"), viewer=req.caller)


async def _array(req: Request, view: RestrictionsView) -> Response:
    start, limit = params.paging(req, default_limit=MAX_LIMIT, max_limit=MAX_LIMIT)
    expand = _restriction_expand(req)
    base = base_of(req)
    content = await _content(req, view, expand)
    results = []
    for op in rules.OPERATIONS:
        sub = Expand({p[len(op) + 1:] for p in expand.paths if p.startswith(op + ".")} |
                     {p for p in expand.paths if p.startswith("restrictions")})
        results.append(restriction(view, op, base, sub, start, limit, viewer=req.caller, content=content))
    return json_response({"results": results, "start": start, "limit": limit, "size": len(results),
                          "restrictionsHash": _hash(view),
                          "_links": render.links(base, _path(view.content.id))})


def _restriction_expand(req: Request) -> Expand:
    allowed = ("restrictions.user", "read.restrictions.user", "update.restrictions.user", "restrictions.group",
               "read.restrictions.group", "update.restrictions.group", "content")
    expand = Expand.of(req)
    for path in expand.paths:
        if path not in allowed and not path.startswith("content."):
            raise Invalid(f"Invalid expand value {path[:60]!r}: use one of {', '.join(allowed)}")
    return expand


async def expand_restrictions(req: Request, views: list[Any], outs: list[dict[str, Any]], expand: Expand) -> None:
    """`expand=restrictions[.read|.update[.restrictions.user|group]]` on content: who each operation's
    restriction names, in the place of the `_expandable` link."""
    if "restrictions" not in expand or not views:
        return
    wanted = expand.sub("restrictions")
    base = base_of(req)
    found = await restrictions.of_shown(req.app.store, [(v.content, v.space) for v in views])
    for view, out in zip(found, outs, strict=True):
        ops = [op for op in rules.OPERATIONS if op in wanted] or list(rules.OPERATIONS)
        shown: dict[str, Any] = {op: restriction(view, op, base, wanted.sub(op), 0, MAX_LIMIT, viewer=req.caller)
                                 for op in ops}
        shown["_expandable"] = {op: f"{_path(view.content.id, op)}" for op in rules.OPERATIONS if op not in ops}
        shown["_links"] = {"self": base + _path(view.content.id) + "/byOperation"}
        out["restrictions"] = shown
        out["_expandable"].pop("restrictions", None)


# --- request bodies ----------------------------------------------------------------------------------

def _items(value: Any, what: str) -> list[Any]:
    """A list as the document allows it: an array, or an object with `results`."""
    if value is None:
        return []
    if isinstance(value, dict):
        if not isinstance(value.get("results"), list):
            raise Invalid(f"The {what} of a restriction must be an array (or an object with 'results')")
        value = value["results"]
    if not isinstance(value, list):
        raise Invalid(f"The {what} of a restriction must be an array (or an object with 'results')")
    return value


def _grants(body: Any) -> list[rules.Grant]:
    """ContentRestrictionAddOrUpdateArray: an array of {operation, restrictions: {user, group}}, or an
    object with `results`."""
    out = []
    for item in _items(body, "list"):
        if not isinstance(item, dict):
            raise Invalid("Each restriction must be an object with 'operation' and 'restrictions'")
        operation = rules.operation_in_body(item.get("operation"))
        named = item.get("restrictions")
        if not isinstance(named, dict):
            raise Invalid(f"The '{operation}' restriction needs 'restrictions' (with 'user' or 'group')")
        account_ids, group_ids, group_names = [], [], []
        for user in _items(named.get("user"), "users"):
            if not isinstance(user, dict) or not isinstance(user.get("accountId"), str):
                raise Invalid("A user in a restriction must be an object with an 'accountId'")
            account_ids.append(user["accountId"])
        for group in _items(named.get("group"), "groups"):
            if not isinstance(group, dict):
                raise Invalid("A group in a restriction must be an object with an 'id' (or a 'name')")
            if isinstance(group.get("id"), str) and group["id"]:
                group_ids.append(group["id"])
            elif isinstance(group.get("name"), str) and group["name"]:
                group_names.append(group["name"])
            else:
                raise Invalid("A group in a restriction must be named by 'id' (or 'name')")
        out.append(rules.Grant(operation, tuple(account_ids), tuple(group_ids), tuple(group_names)))
    return out


class _Subject(msgspec.Struct):
    type: str
    identifier: str


class _PermissionCheck(msgspec.Struct):
    subject: _Subject
    operation: str


# --- routes -----------------------------------------------------------------------------------------

def _id(req: Request) -> int:
    return content_rules.parse_id(req.params["id"])


async def get_restrictions(req: Request) -> Response:
    return await _array(req, await restrictions.get(req.app.store, req.caller, _id(req)))


async def update_restrictions(req: Request) -> Response:
    content_id = _id(req)
    grants = _grants(req.json())
    return await _array(req, await restrictions.replace(req.app.store, req.caller, content_id, grants))


async def add_restrictions(req: Request) -> Response:
    content_id = _id(req)
    grants = _grants(req.json())
    return await _array(req, await restrictions.add(req.app.store, req.caller, content_id, grants))


async def delete_restrictions(req: Request) -> Response:
    return await _array(req, await restrictions.remove_all(req.app.store, req.caller, _id(req)))


async def by_operation(req: Request) -> Response:
    view = await restrictions.get(req.app.store, req.caller, _id(req))
    expand = Expand.of(req)
    base = base_of(req)
    content = await _content(req, view, expand)
    out: dict[str, Any] = {op: restriction(view, op, base, expand, 0, MAX_LIMIT, viewer=req.caller, content=content)
                           for op in rules.OPERATIONS}
    out["_links"] = render.links(base, _path(view.content.id) + "/byOperation")
    return json_response(out)


async def for_operation(req: Request) -> Response:
    content_id = _id(req)
    operation = rules.operation_in_path(req.params["operationKey"])
    start, limit = params.paging(req, default_limit=MAX_LIMIT, max_limit=MAX_LIMIT)
    view = await restrictions.get(req.app.store, req.caller, content_id)
    expand = Expand.of(req)
    content = await _content(req, view, expand)
    return json_response(restriction(view, operation, base_of(req), expand, start, limit, viewer=req.caller,
                                     content=content))


def _account_id(req: Request) -> str:
    """The user, by `accountId` (the document's `username` and `key` are no longer available: they
    are ignored, and without `accountId` the request is 400)."""
    return params.required(req, "accountId")


async def user_status(req: Request) -> Response:
    content_id = _id(req)
    if not await restrictions.names(req.app.store, req.caller, content_id, req.params["operationKey"],
                                    account_id=_account_id(req)):
        raise NotFound(f"The {req.params['operationKey']} restriction of content {content_id} does not name the"
                       " user", reason="RESTRICTION_NOT_FOUND")
    return empty(200)


async def add_user(req: Request) -> Response:
    await restrictions.name(req.app.store, req.caller, _id(req), req.params["operationKey"], add=True,
                            account_id=_account_id(req))
    return empty(200)


async def remove_user(req: Request) -> Response:
    await restrictions.name(req.app.store, req.caller, _id(req), req.params["operationKey"], add=False,
                            account_id=_account_id(req))
    return empty(200)


def _group(req: Request) -> dict[str, str]:
    if "groupId" in req.params:
        return {"group_id": req.params["groupId"]}
    return {"group": req.params["groupName"]}


async def group_status(req: Request) -> Response:
    content_id = _id(req)
    if not await restrictions.names(req.app.store, req.caller, content_id, req.params["operationKey"],
                                    **_group(req)):
        raise NotFound(f"The {req.params['operationKey']} restriction of content {content_id} does not name the"
                       " group", reason="RESTRICTION_NOT_FOUND")
    return empty(200)


async def add_group(req: Request) -> Response:
    await restrictions.name(req.app.store, req.caller, _id(req), req.params["operationKey"], add=True,
                            **_group(req))
    return empty(200)


async def remove_group(req: Request) -> Response:
    await restrictions.name(req.app.store, req.caller, _id(req), req.params["operationKey"], add=False,
                            **_group(req))
    return empty(200)


async def check_permission(req: Request) -> Response:
    content_id = _id(req)
    body = req.json(_PermissionCheck)
    errors = await restrictions.check(req.app.store, req.caller, content_id, body.subject.type,
                                      body.subject.identifier, body.operation)
    return json_response({"hasPermission": not errors,
                          "errors": [{"translation": e, "args": []} for e in errors],
                          "_links": render.links(base_of(req), f"/rest/api/content/{content_id}/permission/check")})


def install(app: Any) -> None:
    route = app.route
    one = f"{API}/content/{{id}}/restriction"
    op = f"{one}/byOperation/{{operationKey}}"
    route("GET", one, get_restrictions, dialect=DIALECT)
    route("PUT", one, update_restrictions, dialect=DIALECT)
    route("POST", one, add_restrictions, dialect=DIALECT)
    route("DELETE", one, delete_restrictions, dialect=DIALECT)
    route("GET", f"{one}/byOperation", by_operation, dialect=DIALECT)
    route("GET", op, for_operation, dialect=DIALECT)
    route("GET", f"{op}/user", user_status, dialect=DIALECT)
    route("PUT", f"{op}/user", add_user, dialect=DIALECT)
    route("DELETE", f"{op}/user", remove_user, dialect=DIALECT)
    route("GET", f"{op}/byGroupId/{{groupId}}", group_status, dialect=DIALECT)
    route("PUT", f"{op}/byGroupId/{{groupId}}", add_group, dialect=DIALECT)
    route("DELETE", f"{op}/byGroupId/{{groupId}}", remove_group, dialect=DIALECT)
    route("GET", f"{op}/group/{{groupName}}", group_status, dialect=DIALECT)
    route("PUT", f"{op}/group/{{groupName}}", add_group, dialect=DIALECT)
    route("DELETE", f"{op}/group/{{groupName}}", remove_group, dialect=DIALECT)
    route("POST", f"{API}/content/{{id}}/permission/check", check_permission, dialect=DIALECT)
