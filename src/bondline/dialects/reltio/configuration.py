"""The tenant's types: GET /configuration (Reltio's tenant configuration endpoint, entityTypes and
relationTypes only) and PUT /configuration (bondline: replace the types; ROLE_ADMIN_TENANT)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio.common import register, tenant
from bondline.http import Request, Response, json_response
from bondline.services.reltio import tenants


async def get_configuration(req: Request) -> Response:
    return json_response(await tenants.configuration(req.app.store, req.caller, tenant(req)))


async def put_configuration(req: Request) -> Response:
    return json_response(await tenants.set_types(req.app.store, req.caller, tenant(req), req.json()))


def install(app: Any) -> None:
    register(app, [
        ("GET", "/configuration", get_configuration),
        ("PUT", "/configuration", put_configuration),
    ])
