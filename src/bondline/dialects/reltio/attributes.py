"""bondline's attribute endpoints, named after Reltio's attribute URIs (Reltio's definitions only
have the cumulative update, POST /entities/{id}/_update):

    POST   /{entities|relations}/{id}/attributes/{attribute}                    insert values: [{"value": …}] or one
    PUT    /{entities|relations}/{id}/attributes/{attribute}/{valueId}          update a value: {"value": …}
    DELETE /{entities|relations}/{id}/attributes/{attribute}/{valueId}          delete a value
    PUT    /{entities|relations}/{id}/attributes/{attribute}/{valueId}/pin      pin or unpin: {"value": true|false}
    PUT    /{entities|relations}/{id}/attributes/{attribute}/{valueId}/ignored  ignore or not: {"value": true|false}

and the same one level down for the sub-attributes of a nested value
(`…/{attribute}/{valueId}/{subAttribute}[/{subValueId}[/pin|/ignored]]`). Each takes
`changeRequestId` / `alwaysCreateDCR` like every write; applied at once they answer with the object,
staged with the change request (INSERT_ATTRIBUTE, UPDATE_ATTRIBUTE, DELETE_ATTRIBUTE, PIN_ATTRIBUTE,
IGNORE_ATTRIBUTE items).
"""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import params, render
from bondline.dialects.reltio.common import register, staged, tenant
from bondline.domain.errors import Invalid
from bondline.domain.reltio import changes as ch
from bondline.http import Request, Response, json_response
from bondline.services.reltio import attributes
from bondline.services.reltio.entities import EntityView
from bondline.services.reltio.staging import ChangeRequestView

VALUE = "/attributes/{attribute}/{valueId}"
SUB = VALUE + "/{subAttribute}"
SUB_VALUE = SUB + "/{subValueId}"


def _path(req: Request) -> str:
    p = req.params
    parts = [p["attribute"]]
    for key in ("valueId", "subAttribute", "subValueId"):
        if key in p:
            parts.append(p[key])
    path = "/".join(parts)
    if any("/" in part for part in parts):  # an encoded slash: no attribute or value id holds one
        raise Invalid(f"Invalid attribute path {path[:200]!r}")
    return path


async def _run(req: Request, collection: str, ops: list[attributes.Op]) -> Response:
    request_id, always = params.change_request(req)
    result = await attributes.change(req.app.store, req.caller, tenant(req), collection, req.params["id"], ops,
                                     change_request_id=request_id, always_create_dcr=always)
    if isinstance(result, ChangeRequestView):
        return await staged(req, result)
    if isinstance(result, EntityView):  # collection == "entities"
        return json_response(render.entity(result))
    return json_response(render.relation(result))


def _value_body(req: Request) -> Any:
    body = req.json()
    if not isinstance(body, dict) or "value" not in body:
        raise Invalid("The request body must be an attribute value: {\"value\": …}", reason="INVALID_BODY")
    return body


def _values_body(req: Request) -> list[Any]:
    """An insert's body: one attribute value ({"value": …}) or a non-empty array of them."""
    body = req.json()
    values = body if isinstance(body, list) else [body]
    if not values:
        raise Invalid("No values to insert")
    if not all(isinstance(v, dict) and "value" in v for v in values):
        raise Invalid("The request body must be an attribute value {\"value\": …} or an array of them",
                      reason="INVALID_BODY")
    return values


def handlers(collection: str) -> dict[str, Any]:
    async def insert(req: Request) -> Response:
        values = _values_body(req)
        return await _run(req, collection, [attributes.Op(ch.INSERT, _path(req), v, v.get("crosswalk"))
                                            for v in values])

    async def update(req: Request) -> Response:
        body = _value_body(req)
        return await _run(req, collection, [attributes.Op(ch.UPDATE, _path(req), body,
                                                          body.get("crosswalk"))])

    async def delete(req: Request) -> Response:
        return await _run(req, collection, [attributes.Op(ch.DELETE, _path(req))])

    async def pin(req: Request) -> Response:
        flag = attributes.flag_of(req.json(), "body")
        return await _run(req, collection, [attributes.Op(ch.PIN, _path(req), flag=flag)])

    async def ignore(req: Request) -> Response:
        flag = attributes.flag_of(req.json(), "body")
        return await _run(req, collection, [attributes.Op(ch.IGNORE, _path(req), flag=flag)])

    return {"insert": insert, "update": update, "delete": delete, "pin": pin, "ignore": ignore}


def routes() -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for collection in ("entities", "relations"):
        h = handlers(collection)
        base = f"/{collection}/{{id}}"
        out += [
            ("POST", base + "/attributes/{attribute}", h["insert"]),
            ("PUT", base + VALUE, h["update"]),
            ("DELETE", base + VALUE, h["delete"]),
            ("PUT", base + VALUE + "/pin", h["pin"]),
            ("PUT", base + VALUE + "/ignored", h["ignore"]),
            ("POST", base + SUB, h["insert"]),
            ("PUT", base + SUB_VALUE, h["update"]),
            ("DELETE", base + SUB_VALUE, h["delete"]),
            ("PUT", base + SUB_VALUE + "/pin", h["pin"]),
            ("PUT", base + SUB_VALUE + "/ignored", h["ignore"]),
        ]
    return out


def install(app: Any) -> None:
    register(app, routes())
