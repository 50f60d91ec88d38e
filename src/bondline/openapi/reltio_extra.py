"""The OpenAPI description of what bondline serves for Reltio beyond Reltio's own definitions
(whose operations are extracted word for word into reltio.json):

- every Reltio operation again under ``/reltio/api/{tenantId}`` — the public form of `{TenantURL}`
  — besides the definitions' ``/services/reltio/api/{tenantId}``;
- the write parameters `changeRequestId` and `alwaysCreateDCR` (from Reltio's documentation and the
  seed, not its definitions) on the writes that take them;
- bondline's own Reltio paths: DELETE /entities/{id}, the attribute endpoints,
  `_withChangeRequests` previews, GET|PUT /configuration and GET /configuration/_noInheritance
  (the tenant's model), and /oauth/token;
- the `EnvironmentURL` header of Reltio's Workflow API clients on every tenant operation, and the
  Workflow API's envelope their answers come in (`workflow`; `bondline.dialects.reltio.workflow`).

Component names are those of reltio.json (prefixed ``reltio.``).
"""

from __future__ import annotations

import copy
from typing import Any

from bondline.domain.reltio.objects import MAX_CROSSWALK, MAX_VALUE, SOURCE_PREFIX
from bondline.domain.reltio.types import SCALARS, SECTIONS

SERVICES = "/services/reltio/api/{tenantId}"
PUBLIC = "/reltio/api/{tenantId}"
TAG = "bondline (Reltio)"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/reltio.{name}"}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json("Bad request: malformed JSON (150), an unknown type (119) or another bad input",
                 _ref("APIErrorRepresentation")),
    "401": _json("Missing, bad or expired token", _ref("UnauthorizedErrorModel")),
    "403": _json("The operation is forbidden for the current user (804)", _ref("APIErrorRepresentation")),
    "404": _json("No such tenant or object (101)", _ref("APIErrorRepresentation")),
}
TENANT = {"name": "tenantId", "in": "path", "required": True, "description": "ID of the tenant",
          "schema": {"type": "string"}}
DCR_PARAMS = [
    {"name": "changeRequestId", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Stage the change in this data change request (which must be AWAITING_REVIEW) instead of "
                    "applying it; the response is the change request."},
    {"name": "alwaysCreateDCR", "in": "query", "required": False, "schema": {"type": "boolean"},
     "description": "Stage the change in a new data change request instead of applying it; the response is the "
                    "change request. Callers who may only initiate change requests get this automatically."},
]
OBJECT_OR_DCR = {"anyOf": [_ref("EntityTO"), _ref("RelationTO"), _ref("ChangeRequestTO")]}


def _path_params(path: str) -> list[dict[str, Any]]:
    out = []
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("}") and segment != "{tenantId}":
            out.append({"name": segment[1:-1], "in": "path", "required": True, "schema": {"type": "string"}})
    return out


def _op(op_id: str, summary: str, description: str, path: str, responses: dict[str, Any], *,
        body: dict[str, Any] | None = None, query: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"tags": [TAG], "operationId": op_id, "summary": summary, "description": description,
                          "parameters": [TENANT, *_path_params(path), *(query or [])],
                          "responses": {**responses, **ERRORS}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


VALUE = {
    "anyOf": [{"type": "string", "maxLength": MAX_VALUE}, {"type": "number"}, {"type": "boolean"},
              {"type": "object", "description": "A nested attribute's value: its sub-attributes and their values"}],
    "description": "A simple attribute's value (a string; a number or a boolean is kept as its text) or, for a "
                   "nested attribute, an object of sub-attributes (`{\"Number\": [{\"value\": \"555\"}]}`)"}
CROSSWALK = {
    "type": "object", "nullable": True, "required": ["type", "value"],
    "description": "The crosswalk (source) the value comes from",
    "properties": {"type": {"type": "string", "pattern": f"^{SOURCE_PREFIX}", "maxLength": MAX_CROSSWALK},
                   "value": {"anyOf": [{"type": "string", "minLength": 1, "maxLength": MAX_CROSSWALK},
                                       {"type": "number"}]}}}
VALUE_BODY = {"type": "object", "required": ["value"], "properties": {"value": VALUE, "crosswalk": CROSSWALK}}
FLAG = {"anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false"]}]}
FLAG_BODY = {"anyOf": [{"type": "object", "required": ["value"], "properties": {"value": FLAG}}, FLAG],
             "description": "The flag: `{\"value\": true}` (or `\"true\"`), or the flag alone"}


def _attribute_ops() -> dict[str, dict[str, Any]]:
    from bondline.dialects.reltio.attributes import routes

    names = {"POST": ("insert", "Insert attribute values (INSERT_ATTRIBUTE)"),
             "PUT": ("update", "Update an attribute value (UPDATE_ATTRIBUTE)"),
             "DELETE": ("delete", "Delete an attribute value (DELETE_ATTRIBUTE)")}
    out: dict[str, dict[str, Any]] = {}
    for method, suffix, _handler in routes():
        kind, summary = names[method]
        body: dict[str, Any] | None = None
        if suffix.endswith("/pin"):
            kind, summary, body = "pin", "Pin or unpin an attribute value (PIN_ATTRIBUTE)", FLAG_BODY
        elif suffix.endswith("/ignored"):
            kind, summary, body = "ignore", "Ignore or un-ignore an attribute value (IGNORE_ATTRIBUTE)", FLAG_BODY
        elif method == "POST":
            body = {"oneOf": [{"type": "array", "items": VALUE_BODY}, VALUE_BODY]}
        elif method == "PUT":
            body = VALUE_BODY
        op_id = f"bondline.reltio.{kind}Attribute.{suffix.count('/')}.{suffix.split('/')[1]}"
        out.setdefault(suffix, {})[method.lower()] = _op(
            op_id, summary,
            "bondline's attribute endpoint (Reltio's definitions only have the cumulative update). Applied at once "
            "for callers with UPDATE (answers with the object), or staged in a data change request (answers with the "
            "change request).", SERVICES + suffix,
            {"200": _json("The object, or the change request the change was staged in", OBJECT_OR_DCR)},
            body=body, query=DCR_PARAMS)
    return out


_NAMED = {"type": "array", "items": {"type": "object", "required": ["uri"], "properties": {"uri": {"type": "string"}}}}
CONFIGURATION: dict[str, Any] = {
    "type": "object", "required": ["uri", "entityTypes", "relationTypes"],
    "properties": {"uri": {"type": "string"}, "entityTypes": _NAMED, "relationTypes": _NAMED,
                   **{key: _NAMED for key in SECTIONS}, **{key: {"type": "string"} for key in SCALARS}},
}


ACTIVITY: dict[str, Any] = {
    "type": "object", "required": ["uri", "user", "timestamp", "items", "itemsTotal"],
    "properties": {
        "uri": {"type": "string"}, "user": {"type": "string"}, "label": {"type": "string"},
        "description": {"type": "string"}, "timestamp": {"type": "integer"}, "itemsTotal": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "object", "required": ["id", "data"], "properties": {
            "id": {"type": "string"}, "objectUri": {"type": "string"}, "objectType": {"type": "string"},
            "objectLabel": {"type": "string"},
            "data": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}}}},
    },
}


def _tenant_paths() -> dict[str, dict[str, Any]]:
    preview_query = [{"name": "changeRequestIds", "in": "query", "required": True, "style": "form", "explode": False,
                      "schema": {"type": "array", "items": {"type": "string"}},
                      "description": "Comma-separated ids of data change requests awaiting review"}]
    paths: dict[str, dict[str, Any]] = {
        "/entities/{id}": {"delete": _op(
            "bondline.reltio.deleteEntity", "Delete an entity",
            "Deletes the entity and every relation from or to it. Needs DELETE.", SERVICES + "/entities/{id}",
            {"200": _json("Deleted", _ref("Status"))})},
        "/entities/{id}/_withChangeRequests": {"get": _op(
            "bondline.reltio.entityWithChangeRequests", "Preview an entity with change requests applied",
            "The entity as it would be if the items of the given data change requests were applied (as is); nothing "
            "is stored.", SERVICES + "/entities/{id}/_withChangeRequests",
            {"200": _json("The entity as it would be", _ref("EntityTO"))}, query=preview_query)},
        "/relations/{id}/_withChangeRequests": {"get": _op(
            "bondline.reltio.relationWithChangeRequests", "Preview a relation with change requests applied",
            "The relation as it would be if the items of the given data change requests were applied (as is); a "
            "relation the requests delete answers 404.", SERVICES + "/relations/{id}/_withChangeRequests",
            {"200": _json("The relation as it would be", _ref("RelationTO"))}, query=preview_query)},
        "/configuration": {
            "get": _op("bondline.reltio.getConfiguration", "The tenant's configuration",
                       "The tenant's model in Reltio's configuration format, merged over the inherited layer "
                       "(the platform's sources, change request, survivorship and role declarations): every "
                       "section is present.", SERVICES + "/configuration",
                       {"200": _json("The configuration", CONFIGURATION)}),
            "put": _op("bondline.reltio.putConfiguration", "Replace the tenant's configuration",
                       "Replaces the tenant's own declarations (`entityTypes`, `relationTypes`, "
                       f"{', '.join(f'`{k}`' for k in SECTIONS)}, and the document's strings). Needs "
                       "ROLE_ADMIN_TENANT.", SERVICES + "/configuration",
                       {"200": _json("The new configuration", CONFIGURATION)}, body={"type": "object"}),
        },
        "/configuration/_noInheritance": {"get": _op(
            "bondline.reltio.getConfigurationNoInheritance", "The tenant's own configuration",
            "The tenant's configuration without the inherited layers: only what the tenant declares.",
            SERVICES + "/configuration/_noInheritance", {"200": _json("The configuration", CONFIGURATION)})},
    }
    paths.update(_attribute_ops())
    paths.update(_graph_paths())
    paths["/activities"] = {
        "get": _op("bondline.reltio.getActivities", "The tenant's activity log",
                   "What changed on the tenant, by whom and when (bondline's audit trail), and the activities "
                   "clients logged, as Reltio's activities, newest first (`order=asc`: oldest first). `filter`: "
                   "equals/startsWith on user, items.data.type, items.objectUri; equals on items.objectType; "
                   "gt/lt/gte/lte/equals/range on timestamp; and/or/not and parentheses.",
                   SERVICES + "/activities", {"200": _json("Activities", {"type": "array", "items": ACTIVITY})},
                   query=[{"name": "filter", "in": "query", "schema": {"type": "string"}},
                          {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                          {"name": "max", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                     "maximum": 1000, "default": 10}},
                          {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}}]),
        "post": _op("bondline.reltio.postActivity", "Log an activity",
                    "Stores a client's own activity (`label`, `description`, optional `items`) in the tenant's "
                    "activity log; answers it as GET /activities shows it.", SERVICES + "/activities",
                    {"200": _json("The logged activity", ACTIVITY)}, body={"type": "object"}),
    }
    return paths


def _graph_paths() -> dict[str, dict[str, Any]]:
    """POST /relations/_dbscan ("Iterate Relations by Type") and GET /entities/{id}/_parents ("Get
    Parents"): in Reltio's documentation, not its definitions (docs/decisions/0023-reltio-graph.md)."""
    options = {"name": "options", "in": "query", "required": False, "schema": {"type": "string"},
               "description": "Comma-separated: sendHidden, ovOnly, nonOvOnly"}
    scan_body = {"type": "object", "properties": {
        "type": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
        "filter": {"type": "string"}, "startDate": {"type": "integer"},
        "pageSize": {"type": "integer", "minimum": 1, "maximum": 150, "default": 10},
        "returnObjects": {"type": "boolean", "default": True}, "timeLimit": {"type": "integer", "minimum": 0},
        "options": {"type": "string"},
        "cursor": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"cursor": {"type": "string"}}}]}},
        "additionalProperties": False}
    scan_answer = {"type": "object", "required": ["objects", "cursor"], "properties": {
        "objects": {"type": "array", "items": {"anyOf": [
            _ref("RelationTO"), {"type": "object", "required": ["uri"], "properties": {"uri": {"type": "string"}},
                                 "additionalProperties": False}]}},
        "cursor": {"type": "string"}}}
    step = {"type": "object", "required": ["entityUri"], "properties": {
        "entityUri": {"type": "string"}, "relationsUris": {"type": "array", "items": {"type": "string"}},
        "hasSelfRelation": {"type": "boolean"}}}
    parents = {"type": "object", "required": ["parentPaths", "entities", "relations"], "properties": {
        "parentPaths": {"type": "array", "items": {"type": "array", "items": step}},
        "entities": {"type": "object", "additionalProperties": {"type": "object"}},
        "relations": {"type": "object", "additionalProperties": _ref("RelationTO")}}}
    return {
        "/relations/_dbscan": {"post": _op(
            "bondline.reltio.dbscanRelations", "Iterate relations",
            "The tenant's relations page by page, in a stable order: the first request names `type` (one or more "
            "relation types; none: every type) and may give `filter` (relation search's language), `startDate` "
            "(changed since, ms), `pageSize` (default 10, at most 150) and `returnObjects` (false: uris only); "
            "each later request sends the `cursor` the previous answer gave. An empty page ends the scan. Needs "
            "READ.", SERVICES + "/relations/_dbscan", {"200": _json("A page and the next cursor", scan_answer)},
            body=scan_body, query=[options])},
        "/entities/{id}/_parents": {"get": _op(
            "bondline.reltio.getEntityParents", "Get the parents of an entity",
            "Every path from the entity up to its roots over the relations of the named graph types (the child "
            "is a relation's start object, the parent its end object), with the entities and relations on them. "
            "Needs READ.", SERVICES + "/entities/{id}/_parents", {"200": _json("The parent paths", parents)},
            query=[{"name": "graphTypeURIs", "in": "query", "required": True, "schema": {"type": "string"},
                    "description": "Comma-separated graph type URIs"},
                   {"name": "select", "in": "query", "required": False, "schema": {"type": "string"}}, options])},
    }


OAUTH_PATH = {"post": {
    "tags": [TAG], "operationId": "bondline.reltio.oauthToken", "summary": "Get an OAuth access token",
    "description": (
        "Reltio-compatible token endpoint. `grant_type` = `password` (`username` = email or accountId, `password` = "
        "a bondline API token), `client_credentials` (Basic `client_id:client_secret` = email or accountId and an "
        "API token) or `refresh_token`. Parameters come from the form body or the query string. Access tokens "
        "expire after `expires_in` seconds; refresh tokens are not bearer credentials."),
    "security": [],
    "parameters": [{"name": n, "in": "query", "required": n == "grant_type", "schema": {"type": "string"}}
                   for n in ("grant_type", "username", "password", "refresh_token", "client_id", "client_secret")],
    "requestBody": {"required": False, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "properties": {n: {"type": "string"} for n in (
            "grant_type", "username", "password", "refresh_token", "client_id", "client_secret")}}}}},
    "responses": {
        "200": _json("A token", {"type": "object", "required": ["access_token", "token_type", "expires_in"],
                                 "properties": {"access_token": {"type": "string"},
                                                "token_type": {"type": "string", "enum": ["bearer"]},
                                                "refresh_token": {"type": "string"},
                                                "expires_in": {"type": "integer"}, "scope": {"type": "string"}}}),
        "400": _json("invalid_request or unsupported_grant_type", _ref("UnauthorizedErrorModel")),
        "401": _json("invalid_grant or invalid_client", _ref("UnauthorizedErrorModel")),
    },
}}

SEARCH_BODY = {
    "required": False,
    "description": "The search parameters (`filter`, `select`, `max`, `offset`, `sort`, `order`, `options`, "
                   "`activeness`), as a form (Reltio's recommended way) or a JSON object; the query string's "
                   "override them.",
    "content": {
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "additionalProperties": {"type": "string"}}},
        "application/json": {"schema": {"type": "object", "additionalProperties": True}},
    },
}


def _search_paths(paths: dict[str, Any]) -> None:
    """GET|POST /entities/_search and POST /entities/_total: Reltio documents them beside GET
    /entities and GET /entities/_total (docs.reltio.com, "Entity Search"; its definitions list only
    the GETs), with the same parameters and answers; so is GET|POST /relations/_search beside GET
    /relations ("Relations Search"; docs/decisions/0023-reltio-graph.md)."""
    search = paths.get(SERVICES + "/entities", {}).get("get")
    total = paths.get(SERVICES + "/entities/_total", {}).get("get")
    relations = paths.get(SERVICES + "/relations", {}).get("get")
    for suffix, base, name in (("/entities/_search", search, "searchEntities"),
                               ("/entities/_total", total, "totalEntities"),
                               ("/relations/_search", relations, "searchRelations")):
        if base is None:
            continue
        own = copy.deepcopy(base)
        own["tags"] = [TAG]
        for param in own.get("parameters", []):  # the definition's "int" is no OpenAPI type
            schema = param.get("schema", {})
            if schema.get("type") == "int":
                schema["type"] = "integer"
                if isinstance(schema.get("default"), str):
                    schema["default"] = int(schema["default"])
        item = paths.setdefault(SERVICES + suffix, {})
        if "get" not in item:
            item["get"] = {**copy.deepcopy(own), "operationId": f"bondline.reltio.{name}.get"}
        post = {**copy.deepcopy(own), "operationId": f"bondline.reltio.{name}.post", "requestBody": SEARCH_BODY}
        post["description"] = (base.get("description", "") + " Parameters may also come in the request body.").strip()
        item["post"] = post


def _q(name: str, description: str, schema: dict[str, Any] | None = None, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


CROSSWALK_EXAMPLE = "92101|C/O RANDOM HOUSE INC|CHASE MANHATTAN BANK|GPO BOX 5323|NEW YORK|NY|10087|US"
FILTER_Q = _q("filter", "Reltio's filter (`equals(type,'configuration/entityTypes/Individual') and …`)")
OPTIONS_Q = _q("options", "Comma-separated options: searchByOv (search operational values only), sendHidden, "
                          "ovOnly, nonOvOnly")
ACTIVENESS_Q = _q("activeness", "active, all or not_active",
                  {"type": "string", "enum": ["active", "all", "not_active"]})
FACET_SPEC = {"type": "object", "required": ["fieldName"], "properties": {
    "fieldName": {"type": "string", "description": "type, tags, label, crosswalks.type, crosswalks.value or "
                                                   "attributes.<name> (nested: attributes.Phone.Type)"},
    "orderType": {"type": "string", "enum": ["count", "reversedCount", "term", "reversedTerm"]},
    "pageSize": {"type": "integer", "minimum": 1, "maximum": 3333},
    "pageNo": {"type": "integer", "minimum": 1, "maximum": 3333},
    "includeFilter": {"type": "array", "items": {"type": "string"}}}}
FACETS_ANSWER = {"type": "object", "description": "Each facet's terms and how many matching entities have each",
                 "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}}}
SCAN_CURSOR = {"type": "object", "required": ["cursor"], "properties": {"cursor": {"type": "string"}}}
SCAN_ANSWER = {"type": "object", "required": ["cursor"], "properties": {
    "cursor": SCAN_CURSOR, "objects": {"type": "array", "items": _ref("EntityTO")}}}


def _search_more_paths() -> dict[str, dict[str, Any]]:
    """GET|POST /entities/_facets ("Faceted Search", "Multiple Faceted Search"), POST /entities/_scan
    ("Search Entity with Cursor") and POST /entities/_byCrosswalk ("Get Entity by Crosswalk": the
    value in the body), from Reltio's documentation; its definitions have only GET _byCrosswalk."""
    facets_get = _op(
        "bondline.reltio.facetEntities.get", "Faceted search",
        "The terms of each facet and how many of the entities matching the filter have each (bondline counts them "
        "with one GROUP BY per facet).", SERVICES + "/entities/_facets",
        {"200": _json("Facets", FACETS_ANSWER)},
        query=[_q("facet", "Comma-separated facets (type, tags, attributes.<name>, …)"), FILTER_Q, OPTIONS_Q,
               ACTIVENESS_Q])
    facets_post = copy.deepcopy(facets_get)
    facets_post["operationId"] = "bondline.reltio.facetEntities.post"
    facets_post["summary"] = "Multiple faceted search"
    facets_post["requestBody"] = {"required": False, "content": {"application/json": {"schema": {"anyOf": [
        {"type": "array", "items": FACET_SPEC},
        {"type": "object", "properties": {"filter": {"type": "string"}, "options": {"type": "string"},
                                          "activeness": {"type": "string"},
                                          "facets": {"type": "array", "items": FACET_SPEC}}}]}}}}
    scan = _op(
        "bondline.reltio.scanEntities", "Search entities with a cursor",
        "The first request names the filter; each answer has the cursor to pass in the next request's body "
        "(`{\"cursor\": {\"cursor\": \"…\"}}`) and the next entities; the last has the cursor alone.",
        SERVICES + "/entities/_scan", {"200": _json("A page of entities and the cursor", SCAN_ANSWER)},
        query=[FILTER_Q, _q("select", "Properties to return (uri,attributes.FirstName)"),
               _q("max", "Entities per answer, 1 to 200", {"type": "integer", "minimum": 1, "maximum": 200}),
               OPTIONS_Q, ACTIVENESS_Q])
    scan["requestBody"] = {"required": False, "content": {"application/json": {"schema": {
        "type": "object", "properties": {"cursor": {"anyOf": [SCAN_CURSOR, {"type": "string"}]}}}}}}
    by_xw = _op(
        "bondline.reltio.getEntityByCrosswalk.post", "Retrieves entities by a crosswalk (the value in the body)",
        "For crosswalk values a path cannot carry: the value in the body, the source type in `type`.",
        SERVICES + "/entities/_byCrosswalk",
        {"200": _json("The entity holding the crosswalk", {"type": "array", "items": _ref("ObjectEntryEntityTO")})},
        body={"type": "object", "required": ["crosswalkValue"], "properties": {"crosswalkValue": {"type": "string"}},
              # Reltio's own example of a value a path cannot carry ("Get Entity by Crosswalk")
              "example": {"crosswalkValue": CROSSWALK_EXAMPLE}},
        query=[_q("type", "Source type of the crosswalk", required=True),
               _q("sourceTable", "sourceTable of the crosswalk"), _q("options", "sendHidden, ovOnly, nonOvOnly"),
               _q("select", "Properties to return")])
    return {"/entities/_facets": {"get": facets_get, "post": facets_post}, "/entities/_scan": {"post": scan},
            "/entities/_byCrosswalk": {"post": by_xw}}


# Writes that take the change request parameters (Reltio's documentation and the seed).
DCR_WRITES = (("/entities", "post"), ("/relations", "post"), ("/relations/{id}", "delete"),
              ("/entities/{id}/_update", "post"))


def extend(paths: dict[str, Any]) -> None:
    """Add the public-form aliases, the change request parameters and bondline's Reltio paths."""
    for suffix, method in DCR_WRITES:
        op = paths.get(SERVICES + suffix, {}).get(method)
        if op is not None:
            known = {p.get("name") for p in op.get("parameters", [])}
            op["parameters"] = op.get("parameters", []) + [p for p in DCR_PARAMS if p["name"] not in known]
            # A staged write answers "JSON Object representing the DCR" (docs.reltio.com, "Create or
            # Update Data Change Request Through Override"; the seed): with the parameters above, or
            # for a caller who may read and initiate change requests but not create or update.
            ok = op["responses"]["200"]
            media = ok["content"]["application/json"]
            media["schema"] = {"anyOf": [media["schema"], _ref("ChangeRequestTO")]}
            ok["description"] = (f"{ok.get('description', '')}; or, when the change is staged (changeRequestId, "
                                 "alwaysCreateDCR, or a caller who may only initiate change requests), the "
                                 "change request it went to").lstrip("; ")
    own = {**_tenant_paths(), **_search_more_paths()}
    for suffix, item in own.items():
        paths.setdefault(SERVICES + suffix, {}).update(item)
    _search_paths(paths)
    _merge_paths(paths)
    for path in [p for p in paths if p.startswith(SERVICES)]:
        alias = PUBLIC + path[len(SERVICES):]
        item = copy.deepcopy(paths[path])
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                op["operationId"] = f"{op['operationId']}.public"
        paths[alias] = item
    paths["/oauth/token"] = OAUTH_PATH


CONTRIBUTOR = [{"name": "contributorURI", "in": "query", "required": True, "schema": {"type": "string"},
                "description": "URI of the contributor (an entity merged into this one before) to unmerge"}]
CROSSWALK_TREE = {
    "type": "object", "required": ["uri", "crosswalks", "merges"],
    "description": "An entity's crosswalks by the merge they came with: its own, then each contributor's "
                   "(with what was merged into it) under `merges`",
    "properties": {
        "uri": {"type": "string"},
        "crosswalks": {"type": "array", "items": {"type": "object", "required": ["uri", "type", "value"],
                                                  "properties": {"uri": {"type": "string"},
                                                                 "type": {"type": "string"},
                                                                 "value": {"type": "string"}}}},
        "mergeTime": {"type": "integer", "format": "int64", "description": "When the contributor was merged"},
        "mergedBy": {"type": "string"},
        "merges": {"type": "array",
                   "items": {"type": "object", "description": "A contributor's tree (the same shape)"}},
    }}


def _merge_paths(paths: dict[str, Any]) -> None:
    """_treeUnmerge and _crosswalkTree, which Reltio documents (docs.reltio.com, "Unmerge Entities" and
    "Get Crosswalk Tree") but its definitions leave out (docs/decisions/0026)."""
    own = {
        "/entities/{id}/_treeUnmerge": {"post": _op(
            "bondline.reltio.treeUnmerge", "Unmerge a contributor with everything merged into it",
            "As _unmerge, but the contributor leaves with the entities merged into it before, as one tree.",
            SERVICES + "/entities/{id}/_treeUnmerge",
            {"200": _json("The origin (a) and the contributor (b) after the unmerge", _ref("PairEntityTOEntityTO"))},
            query=CONTRIBUTOR)},
        "/entities/{id}/_crosswalkTree": {"get": _op(
            "bondline.reltio.crosswalkTree", "An entity's crosswalks by merge",
            "Which crosswalks the entity has of its own and which came with each merge (a tree of contributors).",
            SERVICES + "/entities/{id}/_crosswalkTree", {"200": _json("The crosswalk tree", CROSSWALK_TREE)})},
    }
    for suffix, item in own.items():
        paths.setdefault(SERVICES + suffix, {}).update(item)


# --- Reltio's Workflow API envelope (docs/decisions/0008-reltio-workflow-envelope.md) ----------------

ENVIRONMENT_URL = {
    "name": "EnvironmentURL", "in": "header", "required": False, "schema": {"type": "string"},
    "description": (
        "Reltio Environment URL (e.g. `https://dev.reltio.com`), as clients of Reltio's Workflow API send it. "
        "With it, every answer but a 401 comes in the Workflow API's envelope: a success is the same JSON object "
        "plus `\"status\": \"OK\"` (`bondline.ReltioWorkflowOK`; a list becomes `{offset, size, data, status}`, "
        "`bondline.ReltioWorkflowList`), an error is `bondline.ReltioWorkflowError` with the same HTTP status. "
        "Its value is not used. Without it, answers are Reltio's plain bodies."),
}
_OK = {"type": "string", "enum": ["OK"]}
_WARNING = {"description": "Returned if the operation is completed with some minor issues (bondline has none)"}
WORKFLOW_SCHEMAS: dict[str, Any] = {
    "bondline.ReltioWorkflowOK": {
        "type": "object", "required": ["status"],
        "description": "A success for a client that sent `EnvironmentURL`: the plain JSON object with `status` "
                       "\"OK\" beside its fields (an existing `status` becomes \"OK\").",
        "properties": {"status": _OK, "warning": _WARNING},
    },
    "bondline.ReltioWorkflowList": {
        "type": "object", "required": ["offset", "size", "data", "status"],
        "description": "A list answered to a client that sent `EnvironmentURL`: the plain array in `data`, "
                       "`offset` (the request's, 0 if none) and `size` (items in `data`) beside it.",
        "properties": {"offset": {"type": "integer", "minimum": 0}, "size": {"type": "integer", "minimum": 0},
                       "data": {"type": "array", "items": {}}, "status": _OK, "warning": _WARNING},
    },
    "bondline.ReltioWorkflowError": {
        "type": "object", "required": ["status", "error"],
        "description": "An error answered to a client that sent `EnvironmentURL` (any status but 401, which "
                       "keeps the OAuth body): the Workflow API's envelope around Reltio's plain error.",
        "properties": {
            "status": {"type": "string", "enum": ["failed"]},
            "error": {"type": "object", "required": ["errorCode", "errorMessage", "errorData", "innerError"],
                      "properties": {
                          "errorCode": {"type": "integer", "minimum": 10000, "maximum": 99999,
                                        "description": "5-digit error code: 10061 for an unknown tenant, "
                                                       "otherwise 10000 + the HTTP status"},
                          "errorMessage": {"type": "string", "description": "The plain `errorMessage`"},
                          "errorData": {"type": "object", "required": ["exception"], "properties": {
                              "exception": {"type": "string",
                                            "description": "The plain `innerErrorData.exception`"},
                              "stack": {"type": "string", "description": "Never sent by bondline"}}},
                          "innerError": {"allOf": [{"$ref": "#/components/schemas/reltio.APIErrorRepresentation"}],
                                         "description": "The plain error body, as a client without "
                                                        "`EnvironmentURL` gets it"}}},
            "warning": _WARNING,
        },
    },
}


def _own(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _enveloped(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The schema of a success answered in the envelope, from the plain answer's schema."""
    ref = schema.get("$ref", "")
    target = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
    if target.get("type") == "array":
        return {"allOf": [_own("bondline.ReltioWorkflowList"),
                          {"type": "object", "properties": {"data": schema}}]}
    extra = target.get("additionalProperties")
    if isinstance(extra, dict) and extra:  # `status` must not fall under additionalProperties
        return {**target, "properties": {**target.get("properties", {}), "status": _OK},
                "required": sorted({*target.get("required", []), "status"})}
    return {"allOf": [schema, _own("bondline.ReltioWorkflowOK")]}


def workflow(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """`EnvironmentURL` on every Reltio tenant operation (both prefixes); each JSON answer either
    plain or in the Workflow API's envelope (401 excepted: it stays the OAuth body)."""
    for path, item in paths.items():
        if not path.startswith((SERVICES, PUBLIC)):
            continue
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            params = op.setdefault("parameters", [])
            if not any(p.get("in") == "header" and p.get("name", "").lower() == "environmenturl" for p in params):
                params.append(copy.deepcopy(ENVIRONMENT_URL))
            for status, response in op["responses"].items():
                media = (response.get("content") or {}).get("application/json")
                if not media or "schema" not in media or status == "401":
                    continue
                plain = media["schema"]
                if status.startswith("2"):
                    media["schema"] = {"anyOf": [plain, _enveloped(plain, schemas)]}
                elif status.startswith(("4", "5")):
                    media["schema"] = {"anyOf": [plain, _own("bondline.ReltioWorkflowError")]}
