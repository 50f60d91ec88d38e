"""Data change requests (Reltio's Workflow tag): /changeRequests, /changeRequests/_byUris,
/changeRequests/{id} with _apply, _reject, changes/{changeItemId} and _externalInfo."""

from __future__ import annotations

from typing import Any

import msgspec

from bondline.dialects.reltio import params, render
from bondline.dialects.reltio.common import register, tenant
from bondline.domain.errors import Invalid
from bondline.http import Request, Response, json_response
from bondline.services.reltio import change_requests as service

MAX_PAGE = 1000


class ByUris(msgspec.Struct, forbid_unknown_fields=False):
    """Reltio's ChangeRequestsByURIsInput: `select` a string and `exclude` an array of distinct
    strings when given (null is neither)."""

    uris: list[str]
    select: str = ""
    exclude: list[str] = msgspec.field(default_factory=list)
    showConflicts: bool = False
    showObjectsMetadata: bool = False
    showObjectsInfo: bool = False


def _objects_info(req: Request) -> bool:
    return params.boolean(req, "showObjectsInfo") or params.boolean(req, "showObjectsMetadata")


async def create(req: Request) -> Response:
    view = await service.create(req.app.store, req.caller, tenant(req))
    return json_response(render.change_request(view))


async def get(req: Request) -> Response:
    view = await service.get(req.app.store, req.caller, tenant(req), req.params["id"],
                             objects_info=_objects_info(req), conflicts=params.boolean(req, "showConflicts"))
    return json_response(params.select(render.change_request(view), req))


async def search(req: Request) -> Response:
    limit = params.integer(req, "max", 10, 1, MAX_PAGE)
    offset = params.integer(req, "offset", 0, 0, 2**31 - 1)
    views = await service.search(req.app.store, req.caller, tenant(req), req.q("filter"), offset, limit)
    return json_response([params.select(render.change_request(v), req) for v in views])


async def by_uris(req: Request) -> Response:
    body = req.json(ByUris)
    if len(set(body.exclude)) != len(body.exclude):
        raise Invalid("Invalid request body: 'exclude' lists a property twice", reason="INVALID_BODY")
    views = await service.by_uris(req.app.store, req.caller, tenant(req), body.uris,
                                  objects_info=body.showObjectsMetadata or body.showObjectsInfo,
                                  conflicts=body.showConflicts)
    excluded = set(body.exclude)
    selected = {f.strip().partition(".")[0] for f in body.select.removeprefix("select=").split(",") if f.strip()}
    out: list[Any] = []
    for view in views:
        if view is None:
            out.append("")
            continue
        rendered = render.change_request(view)
        if selected:
            rendered = {k: v for k, v in rendered.items() if k in selected}
        out.append({k: v for k, v in rendered.items() if k not in excluded})
    return json_response(out)


async def delete(req: Request) -> Response:
    await service.delete(req.app.store, req.caller, tenant(req), req.params["id"])
    return json_response(render.STATUS_OK)


async def apply(req: Request) -> Response:
    await service.apply(req.app.store, req.caller, tenant(req), req.params["id"],
                        params.boolean(req, "ignoreConflicts"))
    return json_response(render.STATUS_OK)


async def reject(req: Request) -> Response:
    await service.reject(req.app.store, req.caller, tenant(req), req.params["id"])
    return json_response(render.STATUS_OK)


async def get_item(req: Request) -> Response:
    found, conflict = await service.item(req.app.store, req.caller, tenant(req), req.params["id"],
                                         req.params["changeItemId"], params.boolean(req, "showConflicts"))
    return json_response(render.item(found, conflict))


async def delete_item(req: Request) -> Response:
    await service.delete_item(req.app.store, req.caller, tenant(req), req.params["id"], req.params["changeItemId"])
    return json_response(render.STATUS_OK)


async def get_external_info(req: Request) -> Response:
    return json_response(await service.external_info(req.app.store, req.caller, tenant(req), req.params["id"]))


async def add_external_info(req: Request) -> Response:
    body = req.json()
    if not isinstance(body, dict):
        raise Invalid("External info must be a JSON object", reason="INVALID_BODY")
    return json_response(await service.set_external_info(req.app.store, req.caller, tenant(req), req.params["id"],
                                                         body))


async def delete_external_info(req: Request) -> Response:
    await service.set_external_info(req.app.store, req.caller, tenant(req), req.params["id"], None)
    return json_response(render.STATUS_OK)


def install(app: Any) -> None:
    register(app, [
        ("POST", "/changeRequests", create),
        ("GET", "/changeRequests", search),
        ("POST", "/changeRequests/_byUris", by_uris),
        ("GET", "/changeRequests/{id}", get),
        ("DELETE", "/changeRequests/{id}", delete),
        ("POST", "/changeRequests/{id}/_apply", apply),
        ("POST", "/changeRequests/{id}/_reject", reject),
        ("GET", "/changeRequests/{id}/changes/{changeItemId}", get_item),
        ("DELETE", "/changeRequests/{id}/changes/{changeItemId}", delete_item),
        ("GET", "/changeRequests/{id}/_externalInfo", get_external_info),
        ("POST", "/changeRequests/{id}/_externalInfo", add_external_info),
        ("DELETE", "/changeRequests/{id}/_externalInfo", delete_external_info),
    ])
