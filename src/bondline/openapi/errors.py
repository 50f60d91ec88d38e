"""Every status an operation can answer, in `/openapi.json`, with the content it comes with.

The vendors' definitions leave out statuses their own APIs answer (401 on most operations, 400 for
bad paging, 413, …) and declare many error responses with no content, while Confluence and Reltio
answer them with their JSON error bodies. bondline answers every operation the same way whatever
the route: 400 for a bad request (a NUL or bad percent-encoding reaches any route), 401 where
credentials are needed, 403 where a caller may be refused, 404 where a path or a required query
parameter names something, 413
for a body over the limit and 408 for one that does not arrive in time (read for every POST, PUT and
DELETE), 415 for a body declared as anything but JSON where the operation takes JSON — each in its
API's own error body.
`complete` adds what is missing and gives content to the error responses that have none; what the
definitions already describe is kept, except a 501 where bondline answers none: 501 is declared on
the two Confluence relation list operations only (Confluence Cloud does not list favourites and likes);
every other state bondline does not support is a 4xx in the dialect's error body.
"""

from __future__ import annotations

from typing import Any

CONFLUENCE_ERROR = {
    "type": "object",
    "description": "Confluence's error body",
    "required": ["statusCode", "data", "message"],
    "properties": {
        "statusCode": {"type": "integer"},
        "data": {"type": "object", "required": ["authorized", "valid", "errors", "successful"], "properties": {
            "authorized": {"type": "boolean"}, "valid": {"type": "boolean"},
            "errors": {"type": "array", "items": {"type": "object"}}, "successful": {"type": "boolean"}}},
        "message": {"type": "string"},
    },
}
CONFLUENCE_V2_ERROR = {
    "type": "object",
    "description": "Confluence Cloud REST API v2's error body",
    "required": ["errors"],
    "properties": {"errors": {"type": "array", "items": {
        "type": "object", "required": ["status", "code", "title"],
        "properties": {"status": {"type": "integer"}, "code": {"type": "string"}, "title": {"type": "string"},
                       "detail": {"type": "string", "nullable": True}}}}},
}

OAUTH_ERROR = {
    "type": "object",
    "description": "RFC 6749's error body",
    "required": ["error", "error_description"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}
SCHEMAS = {"bondline.ConfluenceError": CONFLUENCE_ERROR, "bondline.ConfluenceV2Error": CONFLUENCE_V2_ERROR,
           "bondline.OAuthError": OAUTH_ERROR}

WHY = {
    "400": "Bad request: malformed or invalid input",
    "401": "Missing, bad, revoked or expired credentials",
    "403": "The caller may not do this",
    "404": "Nothing with this id, or nothing the caller may see",
    "408": "The request body did not arrive in time (BONDLINE_BODY_TIMEOUT, 30 s by default); the connection "
           "is closed",
    "409": "Conflict: the object changed meanwhile (retry) or the change clashes with it",
    "413": "The request body is larger than the limit (BONDLINE_MAX_BODY_BYTES, 1 MiB by default)",
    "415": "The request body is declared (Content-Type) as something other than JSON (or, for an upload, "
           "multipart/form-data)",
    "429": "Too many requests: rate limited (Retry-After says when to try again), as Confluence Cloud and "
           "Reltio may answer any request; bondline does so only when a test server is told to (faults)",
    "501": "Not implemented for this relation name (Confluence does not list favourites and likes)",
    "503": "The database is unavailable, did not answer in time, or is busy with a conflicting write "
           "(Retry-After says when to try again)",
}
_BODY_METHODS = {"post", "put", "delete", "patch"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def dialect_of(path: str) -> str:
    if path.startswith("/wiki/api/v2/"):
        return "confluence_v2"
    if path.startswith("/wiki/"):
        return "confluence"
    if path.startswith(("/reltio/", "/services/reltio/")):
        return "reltio"
    if path.startswith("/oauth/"):
        return "oauth"
    if path.startswith("/ui"):
        return "ui"
    return "bondline"


def _content(dialect: str, status: str) -> dict[str, Any]:
    if dialect == "ui":
        return {"text/html": {"schema": {"type": "string"}}}
    schema = {
        "confluence": _ref("bondline.ConfluenceError"),
        "confluence_v2": _ref("bondline.ConfluenceV2Error"),
        "reltio": _ref("reltio.UnauthorizedErrorModel" if status == "401" else "reltio.APIErrorRepresentation"),
        "oauth": _ref("bondline.OAuthError"),
        "bondline": _ref("bondline.Error"),
    }[dialect]
    return {"application/json": {"schema": schema}}


def statuses(path: str, method: str, op: dict[str, Any], default_security: bool) -> set[str]:
    """The error statuses bondline may answer for this operation."""
    dialect = dialect_of(path)
    secured = op.get("security", [{}] if default_security else []) != []
    out = {"400", "503"}  # 503: any operation may find the database unavailable
    if "{" in path or any(p.get("in") == "query" and p.get("required") for p in op.get("parameters", [])):
        out.add("404")  # the path or a required query parameter names something (`group/by-name?name=`)
    if method in _BODY_METHODS:
        out |= {"408", "413"}
    media = (op.get("requestBody") or {}).get("content") or {}
    if media and all("json" in name for name in media):
        out.add("415")  # a JSON body sent with another Content-Type (`Request.json`)
    if "multipart/form-data" in media:
        out.add("415")  # an upload that is not multipart/form-data (`http.multipart`)
    if dialect == "ui":
        return out | {"403"} if method == "post" or "{" in path else out
    out.add("429")
    if secured:
        out |= {"401", "403"}
    if dialect == "oauth":
        out.add("401")
    if dialect == "reltio" and method in _BODY_METHODS:
        out.add("409")  # a concurrent write to the same object (9011): retry
    if dialect == "confluence" and path.endswith(("/to/{targetType}", "/from/{sourceType}")):
        out.add("501")  # the two list operations: Confluence Cloud does not list favourites and likes
    if dialect in ("confluence", "confluence_v2") and method in ("post", "put"):
        out.add("409")
    return out


def complete(paths: dict[str, Any], default_security: bool = True) -> None:
    for path, item in paths.items():
        dialect = dialect_of(path)
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            answered = statuses(path, method, op, default_security)
            if "501" in responses and "501" not in answered:
                # bondline answers 501 only where Confluence Cloud documents the state as unsupported
                # (listing favourites and likes); Atlassian's 2026 document also declares it on
                # updating content ("publishing … as historical"), which is a 400 (bad input).
                del responses["501"]
            for status in sorted(answered):
                if status not in responses:
                    responses[status] = {"description": WHY[status]}
            for status, response in responses.items():
                if status.startswith(("4", "5")) and not response.get("content"):
                    response["content"] = _content(dialect, status)
