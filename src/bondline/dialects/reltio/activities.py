"""The activity log: GET /activities (Reltio's `filter`, `offset`, `max`, `order`) and POST
/activities (a client logs its own activity)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import params
from bondline.dialects.reltio.common import register, tenant
from bondline.domain.errors import Invalid
from bondline.http import Request, Response, json_response
from bondline.services.reltio import activities

MAX = 1000


async def get_activities(req: Request) -> Response:
    order = (req.q("order") or "desc").lower()
    if order not in ("asc", "desc"):
        raise Invalid(f"Parameter 'order' must be asc or desc, got {order[:40]!r}")
    found = await activities.list_activities(
        req.app.store, req.caller, tenant(req), filter=req.q("filter"),
        offset=params.integer(req, "offset", 0, 0, 10**9), max=params.integer(req, "max", 10, 1, MAX),
        ascending=order == "asc")
    return json_response(found)


async def post_activity(req: Request) -> Response:
    return json_response(await activities.log_activity(req.app.store, req.caller, tenant(req), req.json()))


def install(app: Any) -> None:
    register(app, [
        ("GET", "/activities", get_activities),
        ("POST", "/activities", post_activity),
    ])
