"""Webhooks over HTTP (site admins; decided by `domain.access`, through the service):

    POST   /api/v1/webhooks                              {"url", "events": [...], "secret"?} → 201 (secret shown once)
    GET    /api/v1/webhooks                              every webhook (no secrets)
    DELETE /api/v1/webhooks/{id}                         → 204
    GET    /api/v1/webhooks/{id}/deliveries?status=&limit=&before=
    POST   /api/v1/webhooks/deliveries/{id}/replay       → 202, the delivery (pending again)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec

from bondline.dialects.confluence.render import iso
from bondline.dialects.native import params
from bondline.dialects.native.errors import DIALECT
from bondline.domain import events as ev
from bondline.domain.errors import NotFound, is_decimal
from bondline.http import Request, Response, empty, json_response
from bondline.services import webhooks


class NewWebhook(msgspec.Struct, forbid_unknown_fields=True):
    url: str
    events: list[str]
    secret: str | None = None


def _id(raw: str, what: str) -> int:
    if not is_decimal(raw) or len(raw) > 18:
        raise NotFound(f"No {what} with id {raw[:40]!r}", reason=f"{what.upper()}_NOT_FOUND")
    return int(raw)


def webhook_json(hook: Any) -> dict[str, Any]:
    return {"id": hook.id, "url": hook.url, "events": hook.events, "active": hook.active,
            "createdAt": iso(hook.created_at), "createdBy": hook.created_by}


def delivery_json(d: Any) -> dict[str, Any]:
    return {"id": d.id, "webhookId": d.webhook_id, "eventId": d.event_id, "eventType": d.event_type,
            "status": d.status, "attempts": d.attempts,
            "nextAttemptAt": iso(d.next_attempt_at) if d.status == ev.PENDING else None,
            "lastAttemptAt": iso(d.last_attempt_at) if d.last_attempt_at else None,
            "lastStatus": d.last_status, "lastError": d.last_error,
            "deliveredAt": iso(d.delivered_at) if d.delivered_at else None, "createdAt": iso(d.created_at)}


async def create(req: Request) -> Response:
    webhooks.require_admin(req.caller)
    new = req.json(NewWebhook)
    hook, secret = await webhooks.create(req.app.store, req.caller, new.url, new.events, new.secret,
                                         allow_local=req.app.settings.allows_local_webhooks)
    return json_response({**webhook_json(hook), "secret": secret}, 201,
                         [(b"location", f"/api/v1/webhooks/{hook.id}".encode())])


async def list_all(req: Request) -> Response:
    webhooks.require_admin(req.caller)
    found = await webhooks.list_webhooks(req.app.store, req.caller)
    return json_response({"results": [webhook_json(h) for h in found]})


async def remove(req: Request) -> Response:
    webhooks.require_admin(req.caller)
    await webhooks.remove(req.app.store, req.caller, _id(req.params["id"], "webhook"))
    return empty(204)


async def deliveries(req: Request) -> Response:
    webhooks.require_admin(req.caller)
    webhook_id = _id(req.params["id"], "webhook")
    limit = params.integer(req, "limit", 100)
    status = req.q("status")
    found = await webhooks.deliveries(req.app.store, req.caller, webhook_id, status=status,
                                      before_id=params.integer(req, "before", None), limit=limit or 0)
    body: dict[str, Any] = {"results": [delivery_json(d) for d in found], "limit": limit, "_links": {}}
    if found and len(found) == limit:
        query: dict[str, Any] = {"status": status} if status else {}
        body["_links"]["next"] = (f"/api/v1/webhooks/{webhook_id}/deliveries?"
                                  + urlencode({**query, "limit": limit, "before": found[-1].id}))
    return json_response(body)


async def replay(req: Request) -> Response:
    webhooks.require_admin(req.caller)
    found = await webhooks.replay(req.app.store, req.caller, _id(req.params["id"], "delivery"))
    return json_response(delivery_json(found), 202)


def install(app: Any) -> None:
    app.route("POST", "/api/v1/webhooks", create, dialect=DIALECT)
    app.route("GET", "/api/v1/webhooks", list_all, dialect=DIALECT)
    app.route("DELETE", "/api/v1/webhooks/{id}", remove, dialect=DIALECT)
    app.route("GET", "/api/v1/webhooks/{id}/deliveries", deliveries, dialect=DIALECT)
    app.route("POST", "/api/v1/webhooks/deliveries/{id}/replay", replay, dialect=DIALECT)
