"""Operations: what the caller may do — GET /wiki/api/v2/{pages,blogposts,attachments,
footer-comments,inline-comments}/{id}/operations and /spaces/{id}/operations — decided by
`domain.access` (`content_operations`, the rules of v1's /permission/check and restrictions;
`space_operations`), through `services.restrictions` and `services.spaces`."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence_v2 import PREFIX
from bondline.dialects.confluence_v2 import params as p
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.domain import content as rules
from bondline.http import Request, Response, json_response
from bondline.services import restrictions, spaces

# path → (bondline type, comment location)
CONTENT: dict[str, tuple[str, str | None]] = {
    "pages": ("page", None), "blogposts": ("blogpost", None), "attachments": ("attachment", None),
    "footer-comments": ("comment", "footer"), "inline-comments": ("comment", "inline")}


def render(found: list[tuple[str, str]]) -> dict[str, Any]:
    return {"operations": [{"operation": op, "targetType": target} for op, target in found]}


async def content_operations(req: Request, content_id: int, kind: str) -> list[tuple[str, str]]:
    type, location = CONTENT[kind]
    return await restrictions.operations(req.app.store, req.caller, content_id, (type,), location)


async def get_content_operations(req: Request) -> Response:
    kind = req.route.pattern[len(PREFIX) + 1:].split("/", 1)[0]
    content_id = rules.parse_id(req.params["id"])
    return json_response(render(await content_operations(req, content_id, kind)))


async def get_space_operations(req: Request) -> Response:
    space_id = p.path_id(req, "id", "Space")
    return json_response(render(await spaces.operations(req.app.store, req.caller, space_id)))


def install(app: Any) -> None:
    for kind in CONTENT:
        app.route("GET", f"{PREFIX}/{kind}/{{id}}/operations", get_content_operations, dialect=DIALECT)
    app.route("GET", f"{PREFIX}/spaces/{{id}}/operations", get_space_operations, dialect=DIALECT)
