"""bondline's own error body, for paths outside the Confluence and Reltio namespaces:

    {"error": {"status": 404, "code": "OBJECT_NOT_FOUND", "message": "…"}}
"""

from __future__ import annotations

from bondline.domain.errors import DomainError
from bondline.http import Request, Response, json_response, retry_after


class NativeDialect:
    name = "bondline"

    def error(self, request: Request | None, err: DomainError) -> Response:
        headers = [(b"www-authenticate", b'Bearer realm="bondline"')] if err.status == 401 else None
        if err.status == 503:
            headers = [retry_after(err)]
        return json_response({"error": {"status": err.status, "code": err.reason, "message": err.message}},
                             err.status, headers)


DIALECT = NativeDialect()
