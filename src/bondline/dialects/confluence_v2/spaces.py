"""Spaces: /wiki/api/v2/spaces (getSpaces, getSpaceById), over `services.spaces`. A v2 space id is
bondline's numeric space id; v1 names the same space by its key."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence.params import boolean, integers
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX, includes, render
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.listing import sort as sort_of
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import spaces as domain_spaces
from bondline.domain.errors import Invalid
from bondline.http import Request, Response, json_response
from bondline.services import spaces

DESCRIPTION_FORMATS = ("plain", "view")
SORTS = domain_spaces.ORDERS  # read in that order by the services' query (key order unless asked)


def _description_format(req: Request) -> str | None:
    raw = req.q("description-format")
    if raw is not None and raw not in DESCRIPTION_FORMATS:
        raise Invalid(f"Provided value {{{raw[:40]}}} for 'description-format' is not valid: expected plain or view")
    return raw


async def get_spaces(req: Request) -> Response:
    space_ids = integers(req, "ids")
    keys = [k for value in req.q_all("keys") for k in value.split(",") if k]
    if len(space_ids) > 250 or len(keys) > 250:
        raise Invalid("At most 250 'ids' and 250 'keys' may be given")
    sort = sort_of(req, SORTS)
    boolean(req, "include-icon")
    description_format = _description_format(req)
    size = limit(req, 25, 1, 250)
    query = {k: req.q_all(k) for k in ("ids", "keys", "type", "status", "labels", "sort", "description-format",
                                        "include-icon") if req.q_all(k)}
    page = await Page.of(req, f"{PREFIX}/spaces", query, size)
    found = await spaces.list_spaces(req.app.store, req.caller, keys=keys, ids=space_ids, type=req.q("type"),
                                     status=req.q("status"), labels=req.q_all("labels") or None,
                                     start=page.offset, limit=size + 1, order=sort or "key")
    results = [render.space(v, description_format) for v in found[:size]]
    return page.respond(results, len(found) > size, base_of(req))


async def get_space(req: Request) -> Response:
    raw = req.params["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise Invalid(f"Space id {raw[:40]!r} is invalid: space ids are integers")
    flags = includes.read_flags(req, includes.SPACE_FLAGS, includes.SPACE_ACCEPTED)
    description_format = _description_format(req)
    view = await spaces.get_by_id(req.app.store, req.caller, int(raw))
    out = render.space(view, description_format)
    out["_links"]["base"] = base_of(req)
    await includes.add_to_space(req, out, view.space.id, flags)
    return json_response(out)




def install(app: Any) -> None:
    route = app.route
    route("GET", f"{PREFIX}/spaces", get_spaces, dialect=DIALECT)
    route("GET", f"{PREFIX}/spaces/{{id}}", get_space, dialect=DIALECT)
