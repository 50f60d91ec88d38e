"""What every Reltio route module shares: both path prefixes, the JSON body, and the answer to a
write that was staged in a change request."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import render
from bondline.dialects.reltio.errors import DIALECT
from bondline.http import Request, Response, json_response
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


def staged(view: ChangeRequestView) -> Response:
    """A staged write answers with the change request it went to (the seed's sample shape)."""
    return json_response(render.change_request(view))
