"""Match and merge: GET /entities/{id}/_matches and _transitiveMatches, POST /entities/{id}/_sameAs,
POST /entities/{id}/_unmerge and _treeUnmerge, GET|POST|DELETE /entities/{id}/_notMatch and GET
/entities/{id}/_crosswalkTree (docs/decisions/0026-reltio-match-merge.md)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import params, render
from bondline.dialects.reltio.common import register, tenant
from bondline.domain.errors import Invalid
from bondline.domain.reltio import objects as o
from bondline.http import Request, Response, json_response
from bondline.services.reltio import merge
from bondline.services.reltio.entities import EntityView

STATUS_SUCCESS = {"status": "success"}
ACTIVENESS = ("NOT_ACTIVE", "ACTIVE", "ALL")
ORDERS = ("asc", "desc")


def _enum(req: Request, name: str, allowed: tuple[str, ...]) -> None:
    raw = req.q(name)
    if raw is not None and raw not in allowed:
        raise Invalid(f"Parameter '{name}' must be one of {', '.join(allowed)}, got {raw[:40]!r}")


def _checked(req: Request, booleans: tuple[str, ...] = ()) -> None:
    """The documented parameters bondline reads no further are still checked: `activeness`, `order`
    and the booleans (a value the definition does not allow is Reltio's 400)."""
    _enum(req, "activeness", ACTIVENESS)
    _enum(req, "order", ORDERS)
    for name in booleans:
        params.boolean(req, name)


def _entity(e: o.ReltioEntity) -> dict[str, Any]:
    return render.entity(EntityView(e))


async def potential_matches(req: Request) -> Response:
    """Reltio's PotentialMatchesResult lists, by match group: the matched entity (`object`)."""
    _checked(req, ("transitive", "forceMatch"))
    params.integer(req, "deep", 5, 1, merge.MAX_DEEP)  # transitive matches are _transitiveMatches' here
    found = await merge.matches(req.app.store, req.caller, tenant(req), req.params["id"])
    kind = req.q("type")
    offset = params.integer(req, "offset", 0, 0, 10_000)
    limit = params.integer(req, "max", 200, 1, merge.MAX_MATCHES)
    out: dict[str, list[dict[str, Any]]] = {}
    for m in found.matches[offset:offset + limit]:
        for rule in m.rules:
            if kind and kind not in (rule.type, "potential_match" if rule.type == "suspect" else "auto_merge"):
                continue
            out.setdefault(rule.uri, []).append({"object": _entity(m.entity)})
    return json_response(out)


async def transitive_matches(req: Request) -> Response:
    _checked(req, ("markMatchedValues",))
    deep = params.integer(req, "deep", 5, 1, merge.MAX_DEEP)
    show_path = params.boolean(req, "showPath", True)
    offset = params.integer(req, "offset", 0, 0, 10_000)
    limit = params.integer(req, "max", 200, 1, merge.MAX_MATCHES)
    found = await merge.transitive_matches(req.app.store, req.caller, tenant(req), req.params["id"], deep)
    out = []
    for t in found[offset:offset + limit]:
        item: dict[str, Any] = {"matchRules": [r.uri for r in t.match.rules], "object": _entity(t.match.entity)}
        if show_path:
            item["shortestTransitiveMatchPath"] = [{"matchRules": [r.uri for r in step.rules],
                                                    "match": step.entity.uri} for step in t.path]
        item["direct"] = len(t.path) == 1
        out.append(item)
    return json_response(out)


async def same_as(req: Request) -> Response:
    merged = await merge.merge(req.app.store, req.caller, tenant(req), req.params["id"],
                               req.q("uri") or req.q("URI"), req.q("explicitWinner"))
    return json_response(render.entity(merged), 202)


async def _unmerge(req: Request, tree: bool) -> Response:
    done = await merge.unmerge(req.app.store, req.caller, tenant(req), req.params["id"], req.q("contributorURI"),
                               tree)
    return json_response({"a": render.entity(done.origin), "b": render.entity(done.spawn)})


async def unmerge(req: Request) -> Response:
    return await _unmerge(req, False)


async def tree_unmerge(req: Request) -> Response:
    return await _unmerge(req, True)


async def not_matches(req: Request) -> Response:
    _checked(req)
    return_objects = params.boolean(req, "returnObjects", True)
    marks = await merge.not_matches(req.app.store, req.caller, tenant(req), req.params["id"])
    out = []
    for mark in marks:
        item: dict[str, Any] = {"updatedTime": mark.updated_at, "updatedBy": mark.updated_by, "uri": mark.uri}
        if return_objects:
            item["object"] = o.connection(mark.entity, mark.uri, "")
        out.append(item)
    return json_response(out)


async def mark_not_match(req: Request) -> Response:
    await merge.mark_not_match(req.app.store, req.caller, tenant(req), req.params["id"], req.q("uri"), True)
    return json_response(STATUS_SUCCESS)


async def unmark_not_match(req: Request) -> Response:
    await merge.mark_not_match(req.app.store, req.caller, tenant(req), req.params["id"], req.q("uri"), False)
    return json_response(STATUS_SUCCESS)


def _tree(node: merge.Tree, object_uri: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uri": f"entities/{node.entity_id}",
        "crosswalks": [{"uri": f"{object_uri}/crosswalks/{x['id']}", "type": x["type"], "value": x["value"]}
                       for x in node.crosswalks],
    }
    if node.merged_at is not None:
        out["mergeTime"] = node.merged_at
        out["mergedBy"] = node.merged_by
    out["merges"] = [_tree(child, object_uri) for child in node.merged]
    return out


async def crosswalk_tree(req: Request) -> Response:
    found = await merge.crosswalk_tree(req.app.store, req.caller, tenant(req), req.params["id"])
    return json_response(_tree(found, f"entities/{found.entity_id}"))


def install(app: Any) -> None:
    register(app, [
        ("GET", "/entities/{id}/_matches", potential_matches),
        ("GET", "/entities/{id}/_transitiveMatches", transitive_matches),
        ("POST", "/entities/{id}/_sameAs", same_as),
        ("POST", "/entities/{id}/_unmerge", unmerge),
        ("POST", "/entities/{id}/_treeUnmerge", tree_unmerge),
        ("GET", "/entities/{id}/_notMatch", not_matches),
        ("POST", "/entities/{id}/_notMatch", mark_not_match),
        ("DELETE", "/entities/{id}/_notMatch", unmark_not_match),
        ("GET", "/entities/{id}/_crosswalkTree", crosswalk_tree),
    ])
