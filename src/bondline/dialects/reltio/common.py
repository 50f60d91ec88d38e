"""What every Reltio route module shares: both path prefixes, the JSON body, and the answer to a
write that was staged in a change request."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import render
from bondline.dialects.reltio.errors import DIALECT
from bondline.http import Request, Response, json_response
from bondline.services.reltio import workflow
from bondline.services.reltio.staging import ChangeRequestView

# The public form (`{TenantURL}` in Reltio's documentation) and the form in Reltio's definitions.
PREFIXES = ("/reltio/api/{tenantId}", "/services/reltio/api/{tenantId}")


def register(app: Any, routes: list[tuple[str, str, Any]]) -> None:
    """Serve each (method, path below the tenant, handler) under both prefixes."""
    for prefix in PREFIXES:
        for method, suffix, handler in routes:
            app.route(method, prefix + suffix, handler, dialect=DIALECT)


def tenant(req: Request) -> str:
    return req.params["tenantId"]


async def staged(req: Request, view: ChangeRequestView) -> Response:
    """A staged write answers with the change request it went to (the seed's sample shape). With
    `reltio_review_autostart`, a change request the write created gets its review process started
    (docs/decisions/0025-reltio-workflow.md)."""
    if req.app.settings.reltio_review_autostart and req.q("changeRequestId") is None:
        await workflow.autostart(req.app.store, req.caller, tenant(req), view.request.id)
    return json_response(render.change_request(view))
