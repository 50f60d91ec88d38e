"""The audit trail over HTTP (site admins): ``GET /api/v1/audit`` newest first, filtered by
`actor`, `object` (exact) or `objectPrefix`, `since` (ISO date-time or epoch ms), paginated with a
cursor (`before`, the last id seen, as `_links.next` gives it)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from bondline.dialects.confluence.render import iso
from bondline.dialects.native import params
from bondline.dialects.native.errors import DIALECT
from bondline.domain.errors import Invalid, is_decimal
from bondline.http import Request, Response, json_response
from bondline.services import audit


def parse_since(raw: str | None) -> int | None:
    """`since` as epoch milliseconds, or an ISO 8601 date or date-time (UTC unless it says)."""
    if raw is None or raw == "":
        return None
    if is_decimal(raw):
        return int(raw)
    try:
        when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"'since' must be an ISO date-time or epoch milliseconds, got {raw[:40]!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp() * 1000)


def entry_json(e: Any) -> dict[str, Any]:
    return {"id": e.id, "at": iso(e.at), "actor": e.actor, "action": e.action, "object": e.object,
            "before": e.before, "after": e.after, "requestId": e.request_id}


async def list_audit(req: Request) -> Response:
    limit = params.integer(req, "limit", 100)
    found = await audit.entries(req.app.store, req.caller, actor=req.q("actor"), object=req.q("object"),
                                prefix=req.q("objectPrefix"), since_ms=parse_since(req.q("since")),
                                before_id=params.integer(req, "before", None), limit=limit or 0)
    body: dict[str, Any] = {"results": [entry_json(e) for e in found], "limit": limit, "_links": {}}
    if len(found) == limit and found:
        query = {k: v for k in ("actor", "object", "objectPrefix", "since") if (v := req.q(k)) is not None}
        body["_links"]["next"] = "/api/v1/audit?" + urlencode({**query, "limit": limit, "before": found[-1].id})
    return json_response(body)


def install(app: Any) -> None:
    app.route("GET", "/api/v1/audit", list_audit, dialect=DIALECT)
