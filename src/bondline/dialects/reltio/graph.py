"""The graph around an entity and relation search: POST /entities/{id}/_connections,
GET /entities/{id}/_hops, GET /relations and GET|POST /relations/_search
(docs/decisions/0023-reltio-graph.md)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import params, render
from bondline.dialects.reltio.common import register, tenant
from bondline.dialects.reltio.params import search_parameters as _parameters
from bondline.dialects.reltio.params import value_boolean as _boolean
from bondline.dialects.reltio.params import value_csv as _csv
from bondline.dialects.reltio.params import value_integer as _integer
from bondline.domain.errors import Invalid
from bondline.domain.reltio import graph as g
from bondline.domain.reltio import objects as o
from bondline.domain.reltio.types import ENTITY_PREFIX, RELATION_PREFIX
from bondline.http import Request, Response, json_response
from bondline.services.reltio import graph

CONNECTION_OPTIONS = frozenset({"searchByOv"})
HOPS_OPTIONS = frozenset({"sendHidden", "ovOnly", "nonOvOnly"})
RELATION_OPTIONS = frozenset({"sendHidden", "searchByOv", "ovOnly", "nonOvOnly"})


def _ov_filter(options: list[str]) -> str | None:
    return "ovOnly" if "ovOnly" in options else ("nonOvOnly" if "nonOvOnly" in options else None)


async def entity_connections(req: Request) -> Response:
    options = params.options(req, CONNECTION_OPTIONS)
    body = req.json() if req.body else []
    pages = await graph.connections(req.app.store, req.caller, tenant(req), req.params["id"], body,
                                    by_ov="searchByOv" in options)
    return json_response(_render_pages(pages))


def _render_pages(pages: list[graph.ConnectionPage]) -> list[dict[str, Any]]:
    out = []
    for page in pages:
        connections = []
        for k, (rel, other, direction) in enumerate(page.connections):
            start_label, end_label = page.labels.get(rel.type, ("", ""))
            item: dict[str, Any] = {
                "entity": {"entityUri": other.uri, "entityType": ENTITY_PREFIX + other.type,
                           "entityLabel": other.label},
                "relation": {"relationUri": rel.uri, "relationType": RELATION_PREFIX + rel.type,
                             "relationLabel": end_label if direction == "out" else start_label,
                             "direction": direction}}
            if k in page.nested:  # the group's nested requests, asked of this connected entity
                item["connections"] = _render_pages(page.nested[k])
            connections.append(item)
        out.append({"returnObjects": False, "returnDates": False, "index": page.index, "total": page.total,
                    "connections": connections})
    return out


async def entity_hops(req: Request) -> Response:
    options = params.options(req, HOPS_OPTIONS)
    q = g.hop_query(params.integer(req, "deep", 1, -(2 ** 31), 2 ** 31 - 1),
                    params.integer(req, "max", g.HOPS_MAX_ENTITIES, -(2 ** 31), 2 ** 31 - 1)
                    if req.q("max") else None,
                    req.q_csv("relationTypeURIs"), req.q_csv("select"), req.q_csv("graphTypeURIs"))
    for name in ("returnInactive", "filterLastLevel", "limitCreditsConsumption", "returnDataAnyway",
                 "activeness_enabled"):
        params.boolean(req, name)
    hops = await graph.hops(req.app.store, req.caller, tenant(req), req.params["id"], q)
    ov_filter = _ov_filter(options)
    entities = []
    for en in hops.entities:
        traversed = hops.traversed.get(en.id, 0)
        untraversed = max(0, hops.degree.get(en.id, 0) - traversed)
        item: dict[str, Any] = {"uri": en.uri, "type": ENTITY_PREFIX + en.type, "label": en.label}
        if q.entity_fields:
            full = o.entity_view(en, ov_filter)
            for key, value in params.select_fields(full, list(q.entity_fields)).items():
                item.setdefault(key, value)
        item.update({"traversedRelations": traversed, "untraversedRelations": untraversed,
                     "traversedRelationsCount": traversed, "untraversedRelationsCount": untraversed})
        entities.append(item)
    relations = []
    for rel in hops.relations:
        start_label, end_label = hops.labels.get(rel.type, ("", ""))
        relations.append({"uri": rel.uri, "type": RELATION_PREFIX + rel.type,
                          "startObject": {"objectURI": f"entities/{rel.start_id}",
                                          "directionalLabel": start_label},
                          "endObject": {"objectURI": f"entities/{rel.end_id}",
                                        "directionalLabel": end_label},
                          "direction": "directed"})
    return json_response({"entities": entities, "relations": relations, "dataComplete": hops.complete})


async def search_relations(req: Request) -> Response:
    values = _parameters(req)
    given = _csv(values, "options")
    for option in given:
        if option not in RELATION_OPTIONS:
            raise Invalid(f"Unknown option {option[:60]!r}: use {', '.join(sorted(RELATION_OPTIONS))}")
    _integer(values, "defaultMaxValues", 0)
    _boolean(values, "scoreEnabled")
    q = graph.RelationQuery(filter=values.get("filter") or None, offset=_integer(values, "offset", 0),
                            max=_integer(values, "max", 50), order=values.get("order") or "asc",
                            activeness=values.get("activeness") or "active")
    found = await graph.search_relations(req.app.store, req.caller, tenant(req), q)
    fields = _csv(values, "select")
    return json_response([params.select_fields(render.relation(v, _ov_filter(given)), fields) for v in found])


async def dbscan_relations(req: Request) -> Response:
    options = params.options(req, RELATION_OPTIONS)
    body = req.json() if req.body else None  # (the body is required: the first request's or the cursor)
    found, cursor, whole = await graph.dbscan(req.app.store, req.caller, tenant(req), body)
    objects = [render.relation(v, _ov_filter(options)) if whole else {"uri": v.relation.uri} for v in found]
    return json_response({"objects": objects, "cursor": cursor})


async def entity_parents(req: Request) -> Response:
    options = params.options(req, HOPS_OPTIONS)
    ov_filter = _ov_filter(options)
    found = await graph.parents(req.app.store, req.caller, tenant(req), req.params["id"],
                                req.q_csv("graphTypeURIs"))
    fields = [f[len("entities."):] if f.startswith("entities.") else f for f in req.q_csv("select")]
    entities = {}
    for en in found.entities.values():
        full = o.entity_view(en, ov_filter)
        entities[en.uri] = {"uri": en.uri, **params.select_fields(full, fields)} if fields else full
    paths = []
    for path in found.paths:
        steps = []
        for step in path:
            item: dict[str, Any] = {"entityUri": f"entities/{step.entity_id}"}
            if step.relation_ids:
                item["relationsUris"] = [f"relations/{rid}" for rid in step.relation_ids]
            if step.self_relation:
                item["hasSelfRelation"] = True
            steps.append(item)
        paths.append(steps)
    relations = {v.relation.uri: render.relation(v, ov_filter) for v in found.relations}
    return json_response({"parentPaths": paths, "entities": entities, "relations": relations})


def install(app: Any) -> None:
    register(app, [
        ("POST", "/entities/{id}/_connections", entity_connections),
        ("GET", "/entities/{id}/_hops", entity_hops),
        ("GET", "/entities/{id}/_parents", entity_parents),
        ("GET", "/relations", search_relations),
        ("GET", "/relations/_search", search_relations),
        ("POST", "/relations/_search", search_relations),
        ("POST", "/relations/_dbscan", dbscan_relations),
    ])
