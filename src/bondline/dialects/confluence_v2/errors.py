"""Confluence Cloud v2's error body, on every path under ``/wiki/api/v2/`` (unknown ones included):

    {"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Not Found", "detail": null}]}

As Confluence Cloud answers (a 404 from `GET /wiki/api/v2/pages/{id}` quoted in hunyadi/md2conf#113):
`code` is the status's name in upper snake case, `title` its reason phrase; `detail` says what was
wrong, except on a 404, where Cloud says nothing (a missing page and a page the caller may not see
answer alike).
"""

from __future__ import annotations

from http import HTTPStatus

from bondline.domain.errors import DomainError
from bondline.http import Request, Response, json_response, retry_after
from bondline.http.errors import status_of


def body(status: int, detail: str | None) -> dict[str, object]:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    code = phrase.upper().replace(" ", "_").replace("-", "_")
    return {"errors": [{"status": status, "code": code, "title": phrase, "detail": detail}]}


class ConfluenceV2Dialect:
    name = "confluence_v2"

    def error(self, request: Request | None, err: DomainError) -> Response:
        status = status_of(err)
        headers = None
        if status == 401:
            headers = [(b"www-authenticate", b'Basic realm="Confluence"'),
                       (b"www-authenticate", b'Bearer realm="Confluence"')]
        elif status in (429, 503):
            headers = [retry_after(err)]
        return json_response(body(status, None if status == 404 else err.message), status, headers)


DIALECT = ConfluenceV2Dialect()
