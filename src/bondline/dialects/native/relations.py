"""bondline's relation extension: list one user's relations of any name — including favourites
and likes, which Confluence Cloud's list endpoints refuse (501) — newest first, with a cursor.

    GET /api/v1/users/{accountId}/relations/{relationName}?targetType=content&limit=25&cursor=…

`accountId` may be `current`. Only the user themselves and site admins may list them.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote, urlencode

from bondline.dialects.confluence.render import iso
from bondline.dialects.native.errors import DIALECT
from bondline.domain.errors import Invalid, is_decimal
from bondline.http import Request, Response, json_response
from bondline.services import relations

MAX_LIMIT = 200


def encode_cursor(relation_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{relation_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("r") or not is_decimal(raw[1:]):
            raise ValueError
        return int(raw[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("The cursor is not valid: pass back the nextCursor of a previous page") from None


def _limit(req: Request) -> int:
    raw = req.q("limit")
    if raw is None:
        return 25
    if not is_decimal(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise Invalid(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def _end(e: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": e.ref.type, "key": e.ref.key}
    if e.ref.type == "content":
        out["status"] = e.ref.status if e.version is None else "historical"
        out["version"] = e.ref.version
        out["title"] = e.version.title if e.version is not None else e.content.title
        out["spaceKey"] = e.space.key
    elif e.ref.type == "space":
        out["name"] = e.space.name
    elif e.ref.type == "user":
        out["displayName"] = e.user.display_name
    return out


async def list_user_relations(req: Request) -> Response:
    account_id = req.params["accountId"]
    name = req.params["relationName"]
    limit = _limit(req)
    cursor = req.q("cursor")
    before = decode_cursor(cursor) if cursor else None
    target_type = req.q("targetType")
    views, next_id = await relations.page_of_user(req.app.store, req.caller, account_id, name, target_type,
                                                  before, limit)
    results = [{
        "id": v.relation.id,
        "name": v.relation.name,
        "source": _end(v.source),
        "target": _end(v.target),
        "createdAt": iso(v.relation.created_at),
        "createdBy": v.relation.created_by,
    } for v in views]
    body: dict[str, Any] = {"results": results, "limit": limit,
                            "nextCursor": encode_cursor(next_id) if next_id is not None else None,
                            "_links": {"self": req.path}}
    if next_id is not None:
        query = {"limit": limit, "cursor": encode_cursor(next_id)}
        if target_type:
            query["targetType"] = target_type
        body["_links"]["next"] = (f"/api/v1/users/{quote(account_id, safe='')}/relations/{quote(name)}?"
                                  + urlencode(query))
    return json_response(body)


def install(app: Any) -> None:
    app.route("GET", "/api/v1/users/{accountId}/relations/{relationName}", list_user_relations, dialect=DIALECT)
