"""Entity search: GET /entities, GET|POST /entities/_search and GET|POST /entities/_total.

Parameters come from the query string and, for POST, from the body too — a form
(``filter=…&max=10``, what Reltio recommends) or a JSON object (``{"filter": "…", "max": 10}``);
the query string's win ("The query parameters have priority and override the body parameters",
Reltio's documentation of the POST search operations). A malformed filter is Reltio's 400
(`errors.CODES["INVALID_FILTER"]`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from bondline.dialects.reltio import params, render
from bondline.dialects.reltio.common import register, tenant
from bondline.domain.errors import Invalid
from bondline.http import Request, Response, json_response
from bondline.http.request import is_json
from bondline.services.reltio import search

SEARCH_OPTIONS = frozenset({"sendHidden", "searchByOv", "ovOnly", "nonOvOnly"})
TOTAL_OPTIONS = frozenset({"searchByOv"})
PARAMETERS = ("filter", "select", "max", "offset", "sort", "order", "options", "activeness", "scoreEnabled",
              "defaultMaxValues")


def _parameters(req: Request) -> dict[str, str]:
    out = {name: req.q(name) or "" for name in PARAMETERS if req.q(name) is not None}
    for name in ("select", "options"):
        if len(req.q_all(name)) > 1:
            out[name] = ",".join(req.q_all(name))
    if req.method != "POST" or not req.body:
        return out
    content_type = req.header(b"content-type") or ""
    if is_json(content_type):
        body = req.json()
        if not isinstance(body, dict):
            raise Invalid("The request body must be a JSON object of search parameters", reason="INVALID_BODY")
        for name, value in body.items():
            if name in PARAMETERS and name not in out and value is not None:
                out[name] = ",".join(map(str, value)) if isinstance(value, list) else (
                    str(value).lower() if isinstance(value, bool) else str(value))
        return out
    try:
        form = parse_qsl(req.body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise Invalid("The request body is not valid UTF-8") from None
    for name, value in form:
        if name in PARAMETERS and name not in out:
            out[name] = value
    return out


def _integer(values: dict[str, str], name: str, default: int) -> int:
    raw = values.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"Parameter '{name}' must be an integer, got {raw[:40]!r}") from None


def _csv(values: dict[str, str], name: str) -> list[str]:
    return [v.strip() for v in values.get(name, "").split(",") if v.strip()]


def _options(values: dict[str, str], allowed: frozenset[str]) -> list[str]:
    given = _csv(values, "options")
    for option in given:
        if option not in allowed:
            raise Invalid(f"Unknown option {option[:60]!r}: use {', '.join(sorted(allowed))}")
    return given


def _boolean(values: dict[str, str], name: str) -> None:
    raw = values.get(name, "")
    if raw and raw.lower() not in ("true", "false"):
        raise Invalid(f"Parameter '{name}' must be true or false, got {raw[:40]!r}")


def _query(values: dict[str, str], options: list[str]) -> search.Query:
    _boolean(values, "scoreEnabled")
    _integer(values, "defaultMaxValues", 0)
    return search.Query(filter=values.get("filter") or None, offset=_integer(values, "offset", 0),
                        max=_integer(values, "max", 50), sort=values.get("sort") or None,
                        order=values.get("order") or "asc", activeness=values.get("activeness") or "active",
                        by_ov="searchByOv" in options)


async def search_entities(req: Request) -> Response:
    values = _parameters(req)
    options = _options(values, SEARCH_OPTIONS)
    found = await search.search(req.app.store, req.caller, tenant(req), _query(values, options))
    ov_filter = "ovOnly" if "ovOnly" in options else ("nonOvOnly" if "nonOvOnly" in options else None)
    fields = _csv(values, "select")
    return json_response([params.select_fields(render.entity(v, ov_filter), fields) for v in found])


async def total_entities(req: Request) -> Response:
    values = _parameters(req)
    options = _options(values, TOTAL_OPTIONS)
    return json_response({"total": await search.total(req.app.store, req.caller, tenant(req),
                                                      _query(values, options))})


def install(app: Any) -> None:
    register(app, [
        ("GET", "/entities", search_entities),
        ("GET", "/entities/_search", search_entities),
        ("POST", "/entities/_search", search_entities),
        ("GET", "/entities/_total", total_entities),
        ("POST", "/entities/_total", total_entities),
    ])
