"""Reltio's Workflow API envelope, for clients that send the `EnvironmentURL` header
(docs/decisions/0008-reltio-workflow-envelope.md).

Reltio's workflow adapter answers ``{"processInstanceId": "1234", "status": "OK"}`` on success and
``{"status": "failed", "error": {"errorCode": 10061, "errorMessage": …, "errorData": {"exception": …},
"innerError": …}}`` on failure. Clients written against it send ``EnvironmentURL`` (the environment's
base URL, e.g. ``https://dev.reltio.com``) and read `status`, `error` and `warning`; bondline gives
them that envelope on every Reltio data-API route. Requests without the header get the plain bodies,
untouched.

This is wire format only: it rewrites the response the route (or the dialect's error renderer)
produced, never what the route did.

- A JSON object succeeds as itself plus ``"status": "OK"`` (an existing `status`, e.g. the plain
  ``{"status": "success"}``, becomes "OK").
- A JSON array succeeds as ``{"offset": o, "size": n, "data": […], "status": "OK"}``, the list shape
  of the Workflow API's "Retrieve Closed/Open Tasks"; `offset` is the request's `offset` (0 if none).
  No `total`: a plain list does not know how many items lie beyond its page.
- An empty body stays empty; no `warning` is ever written (no answer today is "completed with minor
  issues").
- An error (4xx, 5xx) becomes ``{"status": "failed", "error": {"errorCode": <5 digits>,
  "errorMessage": …, "errorData": {"exception": …}, "innerError": <the plain body>}}`` with the
  same HTTP status and headers. `errorData.stack` is never written: bondline has no stack a client
  may see (the plain body already carries the exception line).
- 401 keeps the OAuth body (``{"error": "invalid_token", …}``): token refresh keys on it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import msgspec

from bondline.http import Response, json_response

HEADER = b"environmenturl"

# The Workflow API's own code for an unknown tenant ("Tenant [x] is not registered."), the one code
# its documentation shows, for bondline's missing tenant (plain code 9001).
WORKFLOW_CODES: dict[int, int] = {9001: 10061}
BASE = 10000  # every other failure: 10000 + the HTTP status (10400, 10403, 10404, 10409, 10500, …)

_decode = msgspec.json.decode


def wanted(scope: dict[str, Any]) -> bool:
    """Whether the request carries `EnvironmentURL` (any value: bondline serves one environment).
    ASGI servers lower-case header names; a name of the right length is lower-cased to be sure."""
    for key, _value in scope["headers"]:
        if key == HEADER or (len(key) == 14 and key.lower() == HEADER):
            return True
    return False


def error_code(status: int, plain_code: Any) -> int:
    """The five-digit workflow code of a failure with this HTTP status and plain Reltio code."""
    if isinstance(plain_code, int) and plain_code in WORKFLOW_CODES:
        return WORKFLOW_CODES[plain_code]
    return BASE + status


def _offset(scope: dict[str, Any]) -> int:
    raw = scope.get("query_string", b"")
    if b"offset=" not in raw:
        return 0
    try:
        values = parse_qs(raw.decode("utf-8")).get("offset") or ["0"]
        return max(int(values[0]), 0)
    except (UnicodeDecodeError, ValueError):
        return 0


def failed(status: int, plain: Any) -> dict[str, Any]:
    """The envelope of an error answered with `status` and the plain body `plain`."""
    if not isinstance(plain, dict):
        plain = {}
    inner = plain.get("innerErrorData")
    exception = inner.get("exception") if isinstance(inner, dict) else None
    message = plain.get("errorMessage")
    error: dict[str, Any] = {
        "errorCode": error_code(status, plain.get("errorCode")),
        "errorMessage": message if isinstance(message, str) else "Request failed",
        "errorData": {"exception": exception if isinstance(exception, str) else f"HTTP {status}"},
        "innerError": plain,
    }
    return {"status": "failed", "error": error}


def wrap(scope: dict[str, Any], response: Response) -> Response:
    """`response` in the envelope (or as it is: a 401, an empty or non-JSON body)."""
    if response.status == 401 or not response.body or response.content_type is None \
            or b"json" not in response.content_type:
        return response
    try:
        plain = _decode(response.body)
    except msgspec.DecodeError:
        return response
    if response.status >= 400:
        body: Any = failed(response.status, plain)
    elif isinstance(plain, dict):
        body = plain
        body["status"] = "OK"
    elif isinstance(plain, list):
        body = {"offset": _offset(scope), "size": len(plain), "data": plain, "status": "OK"}
    else:
        return response
    return json_response(body, response.status, response.headers)


def finish(scope: dict[str, Any], response: Response) -> Response:
    return wrap(scope, response) if wanted(scope) else response
