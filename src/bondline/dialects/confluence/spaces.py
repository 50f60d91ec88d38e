"""Spaces: /wiki/rest/api/space (getSpaces, createSpace, createPrivateSpace, getSpace, updateSpace,
deleteSpace), /wiki/rest/api/space/{spaceKey}/settings (getSpaceSettings) and /wiki/rest/api/longtask/{id} (getTask)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence import bodies, params, render, tree
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import base_of
from bondline.domain import content as content_rules
from bondline.http import Request, Response, json_response
from bondline.services import spaces

API = "/wiki/rest/api"


async def get_spaces(req: Request) -> Response:
    start, limit = params.paging(req)
    favourite = params.boolean(req, "favourite")
    # Bondline has no user keys apart from account ids: `favouriteUserKey` names a user by account id.
    favourite_of = (req.q("favouriteUserKey") or req.caller.account_id) if favourite else None
    views = await spaces.list_spaces(req.app.store, req.caller, keys=req.q_all("spaceKey"), type=req.q("type"),
                                     status=req.q("status"), start=start, limit=limit,
                                     ids=params.integers(req, "spaceId"), labels=req.q_all("label"),
                                     favourite_of=favourite_of)
    base = base_of(req)
    expand = Expand.of(req)
    results = [render.space(v.space, base, expand, v.users, viewer=req.caller) for v in views]
    query = {"spaceKey": req.q_all("spaceKey") or None, "type": req.q("type"), "status": req.q("status")}
    return json_response(render.page(results, start, limit, base, "/rest/api/space", query))


async def _create(req: Request, private: bool) -> Response:
    body = req.json(bodies.SpaceCreate)
    description = body.description.plain.value if body.description and body.description.plain else ""
    view = await spaces.create(req.app.store, req.caller, body.key, body.name, description, private=private)
    return json_response(render.space(view.space, base_of(req), Expand.of(req, ("description",)), view.users,
                                      viewer=req.caller))


async def create_space(req: Request) -> Response:
    return await _create(req, private=False)


async def create_private_space(req: Request) -> Response:
    return await _create(req, private=True)


async def get_space(req: Request) -> Response:
    expand = Expand.of(req)
    view = await spaces.get(req.app.store, req.caller, req.params["spaceKey"], with_homepage="homepage" in expand)
    return json_response(render.space(view.space, base_of(req), expand, view.users, viewer=req.caller,
                                      homepage=view.homepage))


async def get_space_settings(req: Request) -> Response:
    """getSpaceSettings: bondline keeps no per-space settings, so every space has Confluence Cloud's
    defaults — the new editor for pages and blog posts, no home page override."""
    view = await spaces.get(req.app.store, req.caller, req.params["spaceKey"])
    key = view.space.key
    return json_response({
        "routeOverrideEnabled": False,
        "editor": {"page": "v2", "blogpost": "v2", "default": "v2"},
        "spaceKey": key,
        "_links": render.links(base_of(req), f"/rest/api/space/{render.q(key)}/settings"),
    })


async def update_space(req: Request) -> Response:
    body = req.json(bodies.SpaceUpdate)
    description = body.description.plain.value if body.description and body.description.plain else None
    home = body.homepage.get("id") if body.homepage else None
    view = await spaces.update(req.app.store, req.caller, req.params["spaceKey"], name=body.name,
                               description=description, status=body.status,
                               homepage_id=content_rules.parse_id(str(home)) if home is not None else None)
    return json_response(render.space(view.space, base_of(req), Expand.of(req), view.users, viewer=req.caller))


async def delete_space(req: Request) -> Response:
    task = await spaces.delete(req.app.store, req.caller, req.params["spaceKey"])
    return json_response({"ari": f"ari:cloud:confluence::task/{task.id}", "id": task.id,
                          "links": {"status": f"/rest/api/longtask/{task.id}"}}, status=202)


async def get_task(req: Request) -> Response:
    task = await spaces.task(req.app.store, req.caller, req.params["id"])
    return json_response(tree.task_status(task, base_of(req)))


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{API}/space", get_spaces, dialect=DIALECT)
    route("POST", f"{API}/space", create_space, dialect=DIALECT)
    route("POST", f"{API}/space/_private", create_private_space, dialect=DIALECT)
    route("GET", f"{API}/space/{{spaceKey}}", get_space, dialect=DIALECT)
    route("GET", f"{API}/space/{{spaceKey}}/settings", get_space_settings, dialect=DIALECT)
    route("PUT", f"{API}/space/{{spaceKey}}", update_space, dialect=DIALECT)
    route("DELETE", f"{API}/space/{{spaceKey}}", delete_space, dialect=DIALECT)
    route("GET", f"{API}/longtask/{{id}}", get_task, dialect=DIALECT)
