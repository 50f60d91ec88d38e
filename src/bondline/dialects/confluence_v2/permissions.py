"""Space permissions: GET /wiki/api/v2/spaces/{id}/permissions (getSpacePermissionsAssignments),
over `services.spaces`: each permission bondline's space roles grant (`access.role_operations`), as
a user principal and an operation {key, targetType}."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX
from bondline.dialects.confluence_v2 import params as p
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.http import Request, Response
from bondline.services import spaces


def assignment(space_id: int, a: spaces.Assignment) -> dict[str, Any]:
    return {"id": f"{space_id}-{a.user.id}-{a.operation}-{a.target}",
            "principal": {"type": "user", "id": a.user.account_id},
            "operation": {"key": a.operation, "targetType": a.target}}


async def get_space_permissions(req: Request) -> Response:
    space_id = p.path_id(req, "id", "Space")
    size = limit(req)
    page = await Page.of(req, f"{PREFIX}/spaces/{space_id}/permissions", {}, size)
    found = await spaces.permission_assignments(req.app.store, req.caller, space_id)
    shown = found[page.offset:page.offset + size]
    return page.respond([assignment(space_id, a) for a in shown], len(found) > page.offset + size, base_of(req))


def install(app: Any) -> None:
    app.route("GET", f"{PREFIX}/spaces/{{id}}/permissions", get_space_permissions, dialect=DIALECT)
