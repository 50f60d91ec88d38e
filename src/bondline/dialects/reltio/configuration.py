"""The tenant's model: GET /configuration (Reltio's tenant configuration, merged over the inherited
layer), GET /configuration/_noInheritance (the tenant's own declarations) and PUT /configuration
(bondline: replace them; ROLE_ADMIN_TENANT)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio.common import register, tenant
from bondline.http import Request, Response, json_response
from bondline.services.reltio import tenants


async def get_configuration(req: Request) -> Response:
    return json_response(await tenants.configuration(req.app.store, req.caller, tenant(req)))


async def get_own_configuration(req: Request) -> Response:
    return json_response(await tenants.configuration(req.app.store, req.caller, tenant(req), inherited=False))


async def put_configuration(req: Request) -> Response:
    return json_response(await tenants.set_types(req.app.store, req.caller, tenant(req), req.json()))


def install(app: Any) -> None:
    register(app, [
        ("GET", "/configuration", get_configuration),
        ("GET", "/configuration/_noInheritance", get_own_configuration),
        ("PUT", "/configuration", put_configuration),
    ])
