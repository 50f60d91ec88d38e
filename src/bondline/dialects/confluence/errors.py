"""Confluence's error body:

    {"statusCode": 404,
     "data": {"authorized": true, "valid": true, "errors": [], "successful": false},
     "message": "com.atlassian.confluence.api.service.exceptions.NotFoundException: No space with key : X"}

The shape is the one Atlassian documents ("Status codes" in the REST API narrative); messages carry
the exception class prefix Confluence Cloud puts in front of them.
"""

from __future__ import annotations

from bondline.domain.cql import CqlError
from bondline.domain.errors import DomainError
from bondline.http import Request, Response, json_response, retry_after
from bondline.http.errors import status_of

_EXC = "com.atlassian.confluence.api.service.exceptions."
_PREFIX = {
    400: _EXC + "BadRequestException: ",
    403: _EXC + "PermissionException: ",
    404: _EXC + "NotFoundException: ",
    409: _EXC + "ConflictException: ",
    501: _EXC + "NotImplementedServiceException: ",
}


class ConfluenceDialect:
    name = "confluence"

    def error(self, request: Request | None, err: DomainError) -> Response:
        status = status_of(err)
        message = _PREFIX.get(status, "") + err.message
        errors = []
        if status == 400:
            if isinstance(err, CqlError):  # what is wrong in the query, and where
                details = err.details
                errors.append({"message": {"translation": details["problem"],
                                           "args": [details["position"], details["line"], details["column"]]}})
            else:
                errors.append({"message": {"translation": err.message, "args": []}})
        body = {
            "statusCode": status,
            "data": {
                "authorized": status not in (401, 403),
                "valid": status != 400,
                "errors": errors,
                "successful": False,
            },
            "message": message,
        }
        headers = None
        if status == 401:
            headers = [(b"www-authenticate", b'Basic realm="Confluence"'),
                       (b"www-authenticate", b'Bearer realm="Confluence"')]
        elif status == 503:
            headers = [retry_after(err)]
        return json_response(body, status, headers)


DIALECT = ConfluenceDialect()
