"""Relations: POST /relations (save a batch), GET and DELETE /relations/{id} (the seed: with
`changeRequestId` or `alwaysCreateDCR=true` the deletion is staged), and the preview
GET /relations/{id}/_withChangeRequests."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import params, render
from bondline.dialects.reltio.common import register, staged, tenant
from bondline.dialects.reltio.entities import change_request_ids
from bondline.dialects.reltio.errors import body_of
from bondline.http import Request, Response, json_response
from bondline.services.reltio import change_requests, relations
from bondline.services.reltio.relations import RelationView
from bondline.services.reltio.staging import ChangeRequestView


async def save_relations(req: Request) -> Response:
    body = req.json()
    request_id, always = params.change_request(req)
    result = await relations.save(req.app.store, req.caller, tenant(req), body, options=req.q_csv("options"),
                                  change_request_id=request_id, always_create_dcr=always)
    if isinstance(result, ChangeRequestView):
        return await staged(req, result)
    return_objects = params.boolean(req, "returnObjects", True)
    out: list[dict[str, Any]] = []
    for saved in result:
        if saved.error is not None:
            out.append({"index": saved.index, "errors": body_of(saved.error), "successful": False})
            continue
        assert saved.view is not None  # no error: saved
        if return_objects:
            out.append({"index": saved.index, "object": render.relation(saved.view), "successful": True})
        else:
            out.append({"index": saved.index, "uri": saved.view.relation.uri, "successful": True})
    return json_response(out)


async def get_relation(req: Request) -> Response:
    params.options(req, params.RELATION_READ_OPTIONS)
    view = await relations.get(req.app.store, req.caller, tenant(req), req.params["id"])
    return json_response(params.select(render.relation(view), req))


async def delete_relation(req: Request) -> Response:
    request_id, always = params.change_request(req)
    result = await relations.delete(req.app.store, req.caller, tenant(req), req.params["id"],
                                    change_request_id=request_id, always_create_dcr=always)
    if result is not None:
        return await staged(req, result)
    return json_response(render.STATUS_OK)


async def relation_with_change_requests(req: Request) -> Response:
    view = await change_requests.preview(req.app.store, req.caller, tenant(req), "relations", req.params["id"],
                                         change_request_ids(req))
    assert isinstance(view, RelationView)  # the preview of a relation
    return json_response(render.relation(view))


def install(app: Any) -> None:
    register(app, [
        ("POST", "/relations", save_relations),
        ("GET", "/relations/{id}", get_relation),
        ("DELETE", "/relations/{id}", delete_relation),
        ("GET", "/relations/{id}/_withChangeRequests", relation_with_change_requests),
    ])
