"""Reltio change requests by state, a bondline extension: ``GET /api/v1/reltio/{tenant}/changeRequests``.

Reltio's own search (`/reltio/api/{tenant}/changeRequests?filter=`) needs a creator or object filter
and has no state, so it cannot answer "what awaits review?"; this can (`bondline dcr list`). Each
change request is rendered as Reltio renders it."""

from __future__ import annotations

from typing import Any

from bondline.dialects.native import params
from bondline.dialects.native.errors import DIALECT
from bondline.dialects.reltio import render
from bondline.domain.errors import Invalid
from bondline.http import Request, Response, json_response
from bondline.services.reltio import change_requests as service

MAX_PAGE = 1000


async def list_by_state(req: Request) -> Response:
    state = req.q("state") or "AWAITING_REVIEW"
    states = service.LISTED_STATES if state == "all" else (state,)
    limit = params.integer(req, "max", 10) or 0
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"'max' must be between 1 and {MAX_PAGE}")
    views = await service.listing(req.app.store, req.caller, req.params["tenant"], states,
                                  created_by=req.q("createdBy"), object_uri=req.q("objectURI"),
                                  offset=params.integer(req, "offset", 0) or 0, limit=limit)
    return json_response([render.change_request(v) for v in views])


def install(app: Any) -> None:
    app.route("GET", "/api/v1/reltio/{tenant}/changeRequests", list_by_state, dialect=DIALECT)
