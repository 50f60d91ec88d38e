"""Interactions: POST /interactions (create a batch, with their members) and
GET /entities/{id}/_interactions (an entity's, newest first)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import params
from bondline.dialects.reltio.common import register, tenant
from bondline.dialects.reltio.errors import body_of
from bondline.domain.errors import Invalid
from bondline.http import Request, Response, json_response
from bondline.services.reltio import interactions


async def post_interactions(req: Request) -> Response:
    params.options(req, frozenset({"sendHidden"}))
    return_objects = params.boolean(req, "returnObjects", True)
    out: list[dict[str, Any]] = []
    for created in await interactions.create(req.app.store, req.caller, tenant(req), req.json()):
        if created.error is not None:
            out.append({"index": created.index, "errors": body_of(created.error), "successful": False})
        elif return_objects:
            out.append({"index": created.index, "object": created.interaction, "successful": True})
        else:
            assert created.interaction is not None  # no error: created
            out.append({"index": created.index, "uri": created.interaction["uri"], "successful": True})
    return json_response(out)


async def entity_interactions(req: Request) -> Response:
    order = (req.q("order") or "desc").lower()
    if order not in ("asc", "desc"):
        raise Invalid(f"Parameter 'order' must be asc or desc, got {order[:40]!r}")
    if req.q("sort") not in (None, "", "timestamp"):
        raise Invalid("Parameter 'sort': interactions are sorted by timestamp only")
    if req.q("filter"):
        raise Invalid("Parameter 'filter' is not supported for interactions")
    found = await interactions.of_entity(
        req.app.store, req.caller, tenant(req), req.params["id"],
        offset=params.integer(req, "offset", 0, 0, 10**9), max=params.integer(req, "max", 50, 1, 1000),
        ascending=order == "asc")
    return json_response(found)


def install(app: Any) -> None:
    register(app, [
        ("POST", "/interactions", post_interactions),
        ("GET", "/entities/{id}/_interactions", entity_interactions),
    ])
