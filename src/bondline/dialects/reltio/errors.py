"""Reltio's error bodies.

Everything but authentication fails with Reltio's `APIErrorRepresentation`:

    {"severity": "Error", "errorMessage": "Object with id=relations/XYZ not found", "errorCode": 101,
     "errorDetailMessage": "No object with specified id found",
     "innerErrorData": {"exception": "com.reltio.metadata.errors.CommonException:Code: OBJECT_NOT_FOUND; …"}}

A missing, bad or expired token answers 401 with the OAuth body Reltio's gateway sends,
``{"error": "invalid_token", "error_description": "…"}``; clients retry on exactly that `error`.

Clients that send `EnvironmentURL` (Reltio's Workflow API clients) get every other answer, success
or error, in the Workflow API's envelope (`workflow`, applied by `ReltioDialect.finish`).

Codes and texts are Reltio's where its definitions give them (150 malformed JSON, 101 object not
found, 804 forbidden, 119 type not found, 2001 internal/unavailable). Conditions Reltio names but
does not number (a bad change request filter, a change request in the wrong state, conflicts on
apply, a missing tenant) get bondline's own codes from 9000 up, listed in `CODES`.
"""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import workflow
from bondline.domain.errors import DomainError
from bondline.http import Request, Response, json_response, retry_after
from bondline.http.errors import status_of

EXC = "com.reltio.metadata.errors.CommonException:"
E150_MESSAGE = "Failed to parse content as JSON"
E150_DETAIL = ("Expecting request content in JSON format, failed to parse. Reason: Code: UNMARSHALLING_IO_ERROR; "
               "Message parameters: []. UnMarshalling I/O Error. UnMarshalling I/O Error")
E150_EXCEPTION = ("com.reltio.rest.data.marshalling.MarshallerException:Code: UNMARSHALLING_IO_ERROR; Message "
                  "parameters: []. UnMarshalling I/O Error. UnMarshalling I/O Error")
E804_MESSAGE = "Security error. This endpoint is forbidden for current user."
E804_EXCEPTION = ("org.springframework.security.access.AccessDeniedException:Access is denied at "
                  "org.springframework.security.access.vote.UnanimousBased.decide, line 88")
E2001_MESSAGE = "Internal application error."
E2001_DETAIL = ("Internal application exception caught during executing operation. Please view application log "
                "for details")

# bondline's numbers for conditions Reltio's definitions name without a number.
CODES: dict[str, int] = {
    "INVALID_REQUEST": 9000,
    "TENANT_NOT_FOUND": 9001,
    "CHANGE_REQUEST_SEARCH_FILTER_INCORRECT": 9002,
    "CHANGE_REQUEST_STATE_INVALID": 9003,
    "CHANGE_REQUEST_HAS_CONFLICTS": 9004,
    "ATTRIBUTE_TYPE_NOT_FOUND": 9005,
    "NO_ROUTE": 9006,
    "METHOD_NOT_ALLOWED": 9007,
    "REQUEST_TOO_LARGE": 9008,
    "CROSSWALK_OF_ANOTHER_ENTITY": 9009,
    "CONCURRENT_WRITE": 9011,
    "REFERENCE_ATTRIBUTE": 9012,
    "TYPE_REQUIRED": 9010,
    "TOO_MANY_REQUESTS": 9013,  # an injected rate limit (a test server's faults)
    "INJECTED_FAULT": 9014,
    "UNSUPPORTED_MEDIA_TYPE": 9015,
    "REQUEST_TIMEOUT": 9016,
    "INVALID_FILTER": 9017,  # entity search: a filter bondline cannot parse or run
    # the Workflow API (decision 0025; rendered in its envelope, whose own code is 10000 + status)
    "TASK_NOT_FOUND": 9101,
    "PROCESS_INSTANCE_NOT_FOUND": 9102,
    "PROCESS_TYPE_NOT_FOUND": 9103,
    "TASK_CLOSED": 9104,
    "INVALID_TASK_ACTION": 9105,
    "INVALID_ASSIGNEE": 9106,
    "PROCESS_INSTANCE_EXISTS": 9107,
    "PROCESS_INSTANCE_CLOSED": 9108,
    "MERGE_SAME_ENTITY": 9018,  # merge or not-match of an entity with itself (or its own winner)
    "MERGE_DIFFERENT_TYPES": 9019,
    "NOT_A_CONTRIBUTOR": 9020,  # unmerge of an entity that was not merged into the one named
}


def _common(name: str, params: list[str], message: str, detail: str) -> str:
    return f"{EXC}Code: {name}; Message parameters: [{', '.join(params)}]. {message}. {detail}"


def body_of(err: DomainError) -> dict[str, Any]:
    """APIErrorRepresentation of a domain error."""
    reason = err.reason
    status = status_of(err)
    details = err.details if isinstance(err.details, dict) else {}
    extra: dict[str, Any] = {}
    if reason in ("MALFORMED_JSON", "INVALID_BODY"):
        code, message = 150, E150_MESSAGE
        detail = E150_DETAIL if reason == "MALFORMED_JSON" else \
            f"Expecting request content in JSON format, failed to parse. Reason: {err.message}"
        exception = E150_EXCEPTION if reason == "MALFORMED_JSON" else _common("UNMARSHALLING_IO_ERROR", [], message,
                                                                               err.message)
    elif reason == "OBJECT_NOT_FOUND" and "uri" in details:
        code, message, detail = 101, err.message, "No object with specified id found"
        exception = _common("OBJECT_NOT_FOUND", [details["uri"]], message, detail)
    elif reason == "TYPE_IS_NOT_FOUND":
        code, message = 119, err.message
        detail = message
        exception = (f"com.reltio.metadata.errors.CommonException: Code: TYPE_IS_NOT_FOUND; Message parameters: "
                     f"[{details.get('uri', '')}, {details.get('tenant', '')}]. {message}. {message}")
    elif status == 403:
        code, message, detail, exception = 804, E804_MESSAGE, E804_MESSAGE, E804_EXCEPTION
    elif status >= 500:
        code, message, detail = 2001, E2001_MESSAGE, E2001_DETAIL
        name = "SERVICE_UNAVAILABLE" if status == 503 else "INTERNAL_SERVER_ERROR"
        exception = _common(name, [], E2001_DETAIL, err.message)
    else:
        code = CODES.get(reason, CODES["INVALID_REQUEST"])
        message = detail = err.message
        name = reason if reason in CODES else "INVALID_REQUEST"
        exception = _common(name, [str(v) for k, v in details.items() if k in ("uri", "state")], message, detail)
        if "conflicts" in details:
            extra["conflicts"] = details["conflicts"]
    body = {"severity": "Error", "errorMessage": message, "errorCode": code, "errorDetailMessage": detail,
            "innerErrorData": {"exception": exception}}
    body.update(extra)
    return body


class ReltioDialect:
    name = "reltio"

    def error(self, request: Request | None, err: DomainError) -> Response:
        status = status_of(err)
        if status == 401:
            return json_response({"error": "invalid_token", "error_description": err.message}, 401,
                                 [(b"www-authenticate", b'Bearer realm="reltio", error="invalid_token"')])
        headers = [retry_after(err)] if status == 503 else None
        return json_response(body_of(err), status, headers)

    def finish(self, scope: dict[str, Any], response: Response) -> Response:
        """Every answer under this dialect's paths passes here last: the Workflow API's envelope
        for clients that send `EnvironmentURL`, the response untouched for the others."""
        return workflow.finish(scope, response)


# RFC 6749 §5.2 answers its error codes with 400, but invalid_client with 401 when the client tried
# to authenticate; Reltio's auth server answers a bad grant (wrong password, dead refresh token) with
# 401 too. The codes not listed here (invalid_request, unsupported_grant_type, …) are OAuthError's
# default, Invalid's 400.
OAUTH_STATUS: dict[str, int] = {"invalid_client": 401, "invalid_grant": 401}


class OAuthDialect:
    """RFC 6749 error bodies for the token endpoint: ``{"error": "invalid_grant", "error_description": …}``."""

    name = "oauth"

    def error(self, request: Request | None, err: DomainError) -> Response:
        status = OAUTH_STATUS.get(err.reason) or status_of(err)
        error = err.reason if err.reason.islower() else {
            401: "invalid_client", 404: "invalid_request", 405: "invalid_request", 413: "invalid_request",
            503: "temporarily_unavailable",
        }.get(status, "server_error" if status >= 500 else "invalid_request")
        headers = [(b"www-authenticate", b'Basic realm="oauth"')] if status == 401 else None
        if status == 503:
            headers = [retry_after(err)]
        return json_response({"error": error, "error_description": err.message}, status, headers)


DIALECT = ReltioDialect()
OAUTH = OAuthDialect()
