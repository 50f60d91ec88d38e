"""Entity search: GET /entities, GET|POST /entities/_search, GET|POST /entities/_total,
GET|POST /entities/_facets, POST /entities/_scan and GET|POST /entities/_byCrosswalk
(docs/decisions/0022-reltio-search.md).

Parameters come from the query string and, for POST, from the body too (`params.search_parameters`:
a form or a JSON object; the query string's win). A malformed filter is Reltio's 400
(`errors.CODES["INVALID_FILTER"]`)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import params, render
from bondline.dialects.reltio.common import register, tenant
from bondline.domain.errors import Invalid
from bondline.domain.reltio import filters
from bondline.http import Request, Response, json_response
from bondline.http.request import is_json
from bondline.services.reltio import search

SEARCH_OPTIONS = frozenset({"sendHidden", "searchByOv", "ovOnly", "nonOvOnly"})
TOTAL_OPTIONS = frozenset({"searchByOv"})
# sortByOV: in Reltio's own example of the multiple faceted search; accepted, without effect
FACET_OPTIONS = frozenset({"searchByOv", "sendHidden", "ovOnly", "nonOvOnly", "sortByOV", "sortByOv"})
CROSSWALK_OPTIONS = frozenset({"sendHidden", "ovOnly", "nonOvOnly"})
FACET_PARAMETERS = ("filter", "options", "activeness", "facet")


def _query(values: dict[str, str], options: list[str], default_max: int = 50) -> search.Query:
    params.value_boolean(values, "scoreEnabled")
    params.value_integer(values, "defaultMaxValues", 0)
    return search.Query(filter=values.get("filter") or None, offset=params.value_integer(values, "offset", 0),
                        max=params.value_integer(values, "max", default_max), sort=values.get("sort") or None,
                        order=values.get("order") or "asc", activeness=values.get("activeness") or "active",
                        by_ov="searchByOv" in options)


def _ov_filter(options: list[str]) -> str | None:
    return "ovOnly" if "ovOnly" in options else ("nonOvOnly" if "nonOvOnly" in options else None)


async def search_entities(req: Request) -> Response:
    values = params.search_parameters(req)
    options = params.value_options(values, SEARCH_OPTIONS)
    found = await search.search(req.app.store, req.caller, tenant(req), _query(values, options))
    fields = params.value_csv(values, "select")
    return json_response([params.select_fields(render.entity(v, _ov_filter(options)), fields) for v in found])


async def total_entities(req: Request) -> Response:
    values = params.search_parameters(req)
    options = params.value_options(values, TOTAL_OPTIONS)
    return json_response({"total": await search.total(req.app.store, req.caller, tenant(req),
                                                      _query(values, options))})


def _json_body(req: Request) -> Any:
    if req.method != "POST" or not req.body or not is_json(req.header(b"content-type") or ""):
        return None
    return req.json()


def _facet_specs(body: Any) -> list[filters.Facet]:
    """Facet request specifications: a JSON array of them, or a JSON object's `facets`."""
    if isinstance(body, dict):
        body = body.get("facets")
    if body is None:
        return []
    if not isinstance(body, list):
        raise Invalid("Facets are a JSON array of facet request specifications", reason="INVALID_BODY")
    if len(body) > filters.MAX_FACETS:
        raise Invalid(f"At most {filters.MAX_FACETS} facets in one request")
    specs = []
    for item in body:
        if isinstance(item, str):
            item = {"fieldName": item}
        if not isinstance(item, dict):
            raise Invalid("A facet request specification is a JSON object with 'fieldName'", reason="INVALID_BODY")
        specs.append(filters.facet(item.get("fieldName"), item.get("orderType"), item.get("pageSize"),
                                   item.get("pageNo"), item.get("includeFilter")))
    return specs


async def facet_entities(req: Request) -> Response:
    """Reltio's (multiple) faceted search: `facet=type,attributes.City` in the query string, or
    facet request specifications in the body (an array, or an object's `facets` beside `filter`,
    `options` and `activeness`); the answer maps each facet to its terms and counts."""
    body = _json_body(req)
    values = params.search_parameters(req, FACET_PARAMETERS) if not isinstance(body, list) else {
        name: req.q(name) or "" for name in FACET_PARAMETERS if req.q(name) is not None}
    options = params.value_options(values, FACET_OPTIONS)
    specs = [filters.facet(name) for name in params.value_csv(values, "facet")]
    named = {s.name for s in specs}
    specs += [s for s in _facet_specs(body) if s.name not in named]
    q = search.Query(filter=values.get("filter") or None, activeness=values.get("activeness") or "active",
                     by_ov="searchByOv" in options)
    return json_response(await search.facets(req.app.store, req.caller, tenant(req), q, specs))


def _cursor(body: Any) -> str | None:
    """The body's cursor: `{"cursor": {"cursor": "…"}}` (what `_scan` answers with) or `{"cursor": "…"}`."""
    if body is None:
        return None
    if not isinstance(body, dict):
        raise Invalid("The _scan body is a JSON object: {\"cursor\": {\"cursor\": \"…\"}}", reason="INVALID_BODY")
    cursor = body.get("cursor")
    if isinstance(cursor, dict):
        cursor = cursor.get("cursor")
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str):
        raise Invalid("Invalid cursor: pass the cursor of the previous _scan answer", reason="INVALID_CURSOR")
    return cursor


async def scan_entities(req: Request) -> Response:
    """POST /entities/_scan: the first request names the filter, every answer carries the cursor to
    continue with; the last holds only the cursor."""
    body = _json_body(req)
    values = params.search_parameters(req)
    options = params.value_options(values, SEARCH_OPTIONS)
    found, cursor = await search.scan(req.app.store, req.caller, tenant(req),
                                      _query(values, options, default_max=search.MAX_SCAN_PAGE), _cursor(body))
    fields = params.value_csv(values, "select")
    out: dict[str, Any] = {"cursor": {"cursor": cursor}}
    if found:
        out["objects"] = [params.select_fields(render.entity(v, _ov_filter(options)), fields) for v in found]
    return json_response(out)


async def by_crosswalk(req: Request) -> Response:
    """GET /entities/_byCrosswalk/{crosswalkValue}?type=… (sourceTable, options), and POST
    /entities/_byCrosswalk?type=… with `{"crosswalkValue": "…"}` for values a path cannot carry;
    the answer is the definition's array of one ObjectEntryEntityTO."""
    value = req.params.get("crosswalkValue")
    if value is None:
        body = _json_body(req)
        if not isinstance(body, dict) or not isinstance(body.get("crosswalkValue"), str):
            raise Invalid("The body is a JSON object with the 'crosswalkValue'", reason="INVALID_BODY")
        value = body["crosswalkValue"]
    options = params.options(req, CROSSWALK_OPTIONS)
    found = await search.by_crosswalk(req.app.store, req.caller, tenant(req), value, req.q("type") or "",
                                      req.q("sourceTable"))
    return json_response([{"index": 0, "object": params.select(render.entity(found, _ov_filter(options)), req)}])


def install(app: Any) -> None:
    register(app, [
        ("GET", "/entities", search_entities),
        ("GET", "/entities/_search", search_entities),
        ("POST", "/entities/_search", search_entities),
        ("GET", "/entities/_total", total_entities),
        ("POST", "/entities/_total", total_entities),
        ("GET", "/entities/_facets", facet_entities),
        ("POST", "/entities/_facets", facet_entities),
        ("POST", "/entities/_scan", scan_entities),
        ("GET", "/entities/_byCrosswalk/{crosswalkValue}", by_crosswalk),
        ("POST", "/entities/_byCrosswalk", by_crosswalk),
    ])
