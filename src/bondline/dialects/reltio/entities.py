"""Entities: POST /entities (save a batch), GET and DELETE /entities/{id}, POST
/entities/{id}/_update (cumulative update), and the preview GET /entities/{id}/_withChangeRequests."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import params, render
from bondline.dialects.reltio.common import register, staged, tenant
from bondline.dialects.reltio.errors import body_of
from bondline.http import Request, Response, json_response
from bondline.services.reltio import attributes, change_requests, entities
from bondline.services.reltio.staging import ChangeRequestView


async def save_entities(req: Request) -> Response:
    body = req.json()
    request_id, always = params.change_request(req)
    result = await entities.save(req.app.store, req.caller, tenant(req), body, options=req.q_csv("options"),
                                 change_request_id=request_id, always_create_dcr=always)
    if isinstance(result, ChangeRequestView):
        return await staged(req, result)
    return_objects = params.boolean(req, "returnObjects", True)
    out: list[dict[str, Any]] = []
    for saved in result:
        if saved.error is not None:
            out.append({"index": saved.index, "errors": body_of(saved.error), "successful": False})
            continue
        assert saved.entity is not None  # no error: saved
        if return_objects:
            view = entities.EntityView(saved.entity, saved.references)
            out.append({"index": saved.index, "object": render.entity(view), "successful": True})
        else:
            out.append({"index": saved.index, "uri": saved.entity.uri, "successful": True})
    return json_response(out)


async def get_entity(req: Request) -> Response:
    params.options(req, params.ENTITY_READ_OPTIONS)
    found = await entities.get(req.app.store, req.caller, tenant(req), req.params["id"])
    return json_response(params.select(render.entity(found, params.ov_filter(req)), req))


async def delete_entity(req: Request) -> Response:
    await entities.delete(req.app.store, req.caller, tenant(req), req.params["id"])
    return json_response(render.STATUS_OK)


async def cumulative_update(req: Request) -> Response:
    entity_id = req.params["id"]
    ops = attributes.cumulative_ops(f"entities/{entity_id}", req.json())
    request_id, always = params.change_request(req)
    result = await attributes.change(req.app.store, req.caller, tenant(req), "entities", entity_id, ops,
                                     change_request_id=request_id, always_create_dcr=always)
    if isinstance(result, ChangeRequestView):
        return await staged(req, result)
    assert isinstance(result, entities.EntityView)  # an entity's change answers with the entity
    return json_response(render.entity(result))


def change_request_ids(req: Request) -> list[str]:
    return [i[len("changeRequests/"):] if i.startswith("changeRequests/") else i for i in req.q_csv("changeRequestIds")]


async def entity_with_change_requests(req: Request) -> Response:
    found = await change_requests.preview(req.app.store, req.caller, tenant(req), "entities", req.params["id"],
                                          change_request_ids(req))
    assert isinstance(found, entities.EntityView)  # the preview of an entity
    return json_response(render.entity(found, params.ov_filter(req)))


def install(app: Any) -> None:
    register(app, [
        ("POST", "/entities", save_entities),
        ("GET", "/entities/{id}", get_entity),
        ("DELETE", "/entities/{id}", delete_entity),
        ("POST", "/entities/{id}/_update", cumulative_update),
        ("GET", "/entities/{id}/_withChangeRequests", entity_with_change_requests),
    ])
