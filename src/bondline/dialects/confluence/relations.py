"""Relations: /wiki/rest/api/relation/... (getRelationship, createRelationship, deleteRelationship,
findTargetFromSource, findSourcesForTarget)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bondline.dialects.confluence import params, render
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import base_of
from bondline.domain import relations as rel
from bondline.domain.relations import EntityRef
from bondline.http import Request, Response, empty, json_response
from bondline.services import relations

API = "/wiki/rest/api"
ONE = API + "/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}/{targetKey}"
TARGETS = API + "/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}"
SOURCES = API + "/relation/{relationName}/to/{targetType}/{targetKey}/from/{sourceType}"
LIST_LIMIT = 200


def _ref(req: Request, side: str) -> EntityRef:
    return rel.entity_ref(req.params[f"{side}Type"], req.params[f"{side}Key"], req.q(f"{side}Status"),
                          params.integer(req, f"{side}Version", None, minimum=-(2**31)), side)


def _list_filter(req: Request, side: str) -> tuple[str | None, int | None]:
    return req.q(f"{side}Status"), params.integer(req, f"{side}Version", None, minimum=-(2**31))


async def get_relationship(req: Request) -> Response:
    expand = Expand.of(req)
    view = await relations.get(req.app.store, req.caller, req.params["relationName"], _ref(req, "source"),
                               _ref(req, "target"), with_data="relationData" in expand)
    return json_response(render.relation(view, base_of(req), expand, viewer=req.caller))


async def create_relationship(req: Request) -> Response:
    view = await relations.put(req.app.store, req.caller, req.params["relationName"], _ref(req, "source"),
                               _ref(req, "target"))
    return json_response(render.relation(view, base_of(req), Expand.of(req), viewer=req.caller))


async def delete_relationship(req: Request) -> Response:
    await relations.delete(req.app.store, req.caller, req.params["relationName"], _ref(req, "source"),
                           _ref(req, "target"))
    return empty(204)


def _query(req: Request, side: str) -> dict[str, Any]:
    return {f"{side}Status": req.q(f"{side}Status"), f"{side}Version": req.q(f"{side}Version"),
            "expand": req.q("expand")}


async def find_targets(req: Request) -> Response:
    start, limit = params.paging(req, max_limit=LIST_LIMIT)
    p = req.params
    status, version = _list_filter(req, "target")
    views, more = await relations.list_targets(req.app.store, req.caller, p["relationName"], _ref(req, "source"),
                                               p["targetType"], status, version, start, limit)
    base = base_of(req)
    expand = Expand.of(req)
    path = (f"/rest/api/relation/{quote(p['relationName'])}/from/{p['sourceType']}/"
            f"{quote(p['sourceKey'], safe='')}/to/{p['targetType']}")
    results = [render.relation(v, base, expand, viewer=req.caller) for v in views]
    return json_response(render.page(results, start, limit, base, path, _query(req, "target"), has_more=more))


async def find_sources(req: Request) -> Response:
    start, limit = params.paging(req, max_limit=LIST_LIMIT)
    p = req.params
    status, version = _list_filter(req, "source")
    views, more = await relations.list_sources(req.app.store, req.caller, p["relationName"], _ref(req, "target"),
                                               p["sourceType"], status, version, start, limit)
    base = base_of(req)
    expand = Expand.of(req)
    path = (f"/rest/api/relation/{quote(p['relationName'])}/to/{p['targetType']}/"
            f"{quote(p['targetKey'], safe='')}/from/{p['sourceType']}")
    results = [render.relation(v, base, expand, viewer=req.caller) for v in views]
    return json_response(render.page(results, start, limit, base, path, _query(req, "source"), has_more=more))


def install(app: Any) -> None:
    app.route("GET", ONE, get_relationship, dialect=DIALECT)
    app.route("PUT", ONE, create_relationship, dialect=DIALECT)
    app.route("DELETE", ONE, delete_relationship, dialect=DIALECT)
    app.route("GET", TARGETS, find_targets, dialect=DIALECT)
    app.route("GET", SOURCES, find_sources, dialect=DIALECT)
