"""bondline's own error body, for paths outside the Confluence and Reltio namespaces:

    {"error": {"status": 404, "code": "OBJECT_NOT_FOUND", "message": "…"}}
"""

from __future__ import annotations

from bondline.domain.errors import DomainError
from bondline.http import Request, Response, json_response, retry_after
from bondline.http.errors import status_of


class NativeDialect:
    name = "bondline"

    def error(self, request: Request | None, err: DomainError) -> Response:
        status = status_of(err)
        headers = [(b"www-authenticate", b'Bearer realm="bondline"')] if status == 401 else None
        if status == 503:
            headers = [retry_after(err)]
        return json_response({"error": {"status": status, "code": err.reason, "message": err.message}},
                             status, headers)


DIALECT = NativeDialect()
