"""Webhooks administration: register, list, remove, inspect deliveries and replay them.

Site admins over HTTP, the operator at the command line (caller None). Who may is decided in
`domain.access`; the secret is shown once, when the webhook is created, and never again.
"""

from __future__ import annotations

import secrets as random
from urllib.parse import urlsplit

from bondline import ids
from bondline.domain import access
from bondline.domain import events as ev
from bondline.domain.audit import Actor, Change, actor_of
from bondline.domain.errors import Invalid, NotFound
from bondline.domain.model import Caller
from bondline.store import Store
from bondline.store.repos.webhooks import Delivery, Webhook

MAX_PAGE = 500


def require_admin(caller: Caller | None) -> None:
    """Checked first by the HTTP routes, so a non-admin hears 403 whatever else is wrong."""
    _allowed(caller, "manage webhooks")


def _allowed(caller: Caller | None, what: str) -> None:
    if caller is not None:
        access.require_manage_webhooks(caller, what)


ALLOW_LOCAL_SETTING = "BONDLINE_WEBHOOK_ALLOW_LOCAL=1 (--webhook-allow-local on bondline serve and webhooks add)"


async def create(store: Store, caller: Caller | None, url: str, events: list[str],
                 secret: str | None = None, *, allow_local: bool = False) -> tuple[Webhook, str]:
    """Register a webhook; returns it and its secret (generated when not given). Unless `allow_local`
    (the server's setting), a URL whose host is a loopback, link-local or other local address is
    refused (see `events.host_refusal`; what names resolve to is checked when delivered)."""
    _allowed(caller, "register webhooks")
    url = ev.validate_url(url)
    host = urlsplit(url).hostname or ""
    kind = None if allow_local else ev.host_refusal(host)
    if kind is not None:
        raise Invalid(f"A webhook URL may not point at a {kind} address ({host[:64]}) unless the server allows "
                      f"local targets: {ALLOW_LOCAL_SETTING}", reason="LOCAL_WEBHOOK_URL")
    wanted = ev.validate_filter(events)
    secret = ev.validate_secret(secret) if secret is not None else random.token_urlsafe(32)
    async with store.write(Actor.of(caller)) as tx:
        hook = await tx.webhooks.add(url, wanted, secret, actor_of(caller), ids.now_ms())
        tx.record(Change("webhook.create", f"webhook/{hook.id}", None,
                              {"url": hook.url, "events": hook.events}))
    return hook, secret


async def list_webhooks(store: Store, caller: Caller | None) -> list[Webhook]:
    _allowed(caller, "list webhooks")
    async with store.read() as tx:
        return await tx.webhooks.list_all()


async def remove(store: Store, caller: Caller | None, webhook_id: int) -> None:
    """Remove a webhook and its deliveries (pending ones are not sent)."""
    _allowed(caller, "remove webhooks")
    async with store.write(Actor.of(caller)) as tx:
        hook = await tx.webhooks.get(webhook_id)
        if hook is None or not await tx.webhooks.delete(webhook_id):
            raise NotFound(f"No webhook with id {webhook_id}", reason="WEBHOOK_NOT_FOUND")
        tx.record(Change("webhook.delete", f"webhook/{webhook_id}", {"url": hook.url, "events": hook.events}))


async def deliveries(store: Store, caller: Caller | None, webhook_id: int | None, *, status: str | None = None,
                     before_id: int | None = None, limit: int = 100) -> list[Delivery]:
    """Newest first, of one webhook (or all: webhook_id None), optionally with one status."""
    _allowed(caller, "inspect webhook deliveries")
    if status is not None and status not in ev.STATUSES:
        raise Invalid(f"status must be one of {', '.join(ev.STATUSES)}", reason="BAD_STATUS")
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}")
    async with store.read() as tx:
        if webhook_id is not None and await tx.webhooks.get(webhook_id) is None:
            raise NotFound(f"No webhook with id {webhook_id}", reason="WEBHOOK_NOT_FOUND")
        return await tx.webhooks.deliveries(webhook_id, status, before_id, limit)


async def replay(store: Store, caller: Caller | None, delivery_id: int) -> Delivery:
    """Send a delivery again, whatever became of it (delivered or dead): it is pending, due now,
    with a fresh count of attempts."""
    _allowed(caller, "replay webhook deliveries")
    async with store.write(Actor.of(caller)) as tx:
        if not await tx.webhooks.replay(delivery_id, ids.now_ms()):
            raise NotFound(f"No delivery with id {delivery_id}", reason="DELIVERY_NOT_FOUND")
        tx.record(Change("webhook.replay", f"webhook/delivery/{delivery_id}"))
        found = await tx.webhooks.delivery(delivery_id)
        assert found is not None
        return found
