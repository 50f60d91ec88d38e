"""`bondline webhooks` (register, list, remove, inspect and replay deliveries) and `bondline dispatch`
(the webhook dispatcher as a process of its own). Like the other operator commands they work on the
database directly."""

from __future__ import annotations

import asyncio
import json
import signal

import typer
from rich.table import Table

from bondline.cli.common import DatabaseURLOption, JsonListOption, console, out, print_json, run, settings_for, utc
from bondline.domain import events as ev
from bondline.services import webhooks
from bondline.store import Store

AllowLocalOption = typer.Option(
    False, "--webhook-allow-local", envvar="BONDLINE_WEBHOOK_ALLOW_LOCAL", show_envvar=True,
    help="Let webhooks target loopback, link-local and other local addresses (127.0.0.1, ::1, "
    "169.254.169.254, …); refused by default.",
)

webhooks_app = typer.Typer(help="Webhooks: where events about watched content and change requests go.",
                           no_args_is_help=True)


@webhooks_app.command("add")
def webhooks_add(
    url: str = typer.Argument(..., help="Where to POST events (http:// or https://)."),
    events: str = typer.Option(..., "--events", help="Comma-separated event types or patterns: "
                               f"{', '.join(ev.TYPES + ev.PATTERNS)}."),
    secret: str | None = typer.Option(None, "--secret", help="The shared secret that signs deliveries "
                                      f"({ev.MIN_SECRET}+ characters; default: a random one, printed once)."),
    allow_local: bool = AllowLocalOption,
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Register a webhook. Prints its id and its secret (shown only now)."""
    settings = settings_for(database_url, webhook_allow_local=allow_local)
    hook, key = run(settings, lambda store: webhooks.create(store, None, url, events.split(","), secret,
                                                            allow_local=settings.allows_local_webhooks))
    out.print(f"added webhook {hook.id} → {hook.url} for {', '.join(hook.events)}", markup=False)
    if secret is None:
        out.print(f"secret (shown once; receivers check X-Bondline-Signature with it): {key}", markup=False)


@webhooks_app.command("list")
def webhooks_list(
    as_json: bool = JsonListOption,
    database_url: str | None = DatabaseURLOption,
) -> None:
    """List webhooks (their secrets are never shown again)."""
    settings = settings_for(database_url)
    found = run(settings, lambda store: webhooks.list_webhooks(store, None))
    if as_json:
        print_json([{"id": h.id, "url": h.url, "events": h.events, "active": h.active,
                     "createdAt": h.created_at, "createdBy": h.created_by} for h in found])
        return
    table = Table("id", "url", "events", "created (UTC)", "by")
    for h in found:
        table.add_row(str(h.id), h.url, ", ".join(h.events), utc(h.created_at), h.created_by)
    out.print(table)


@webhooks_app.command("remove")
def webhooks_remove(
    webhook_id: int = typer.Argument(..., help="The webhook's id (see `bondline webhooks list`)."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Remove a webhook with its deliveries (pending ones are not sent)."""
    settings = settings_for(database_url)
    run(settings, lambda store: webhooks.remove(store, None, webhook_id))
    out.print(f"removed webhook {webhook_id}")


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    webhook_id: int | None = typer.Option(None, "--webhook", help="Only this webhook's deliveries."),
    status: str | None = typer.Option(None, "--status", help="pending, delivered or dead."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line (JSON Lines), newest first."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Show deliveries, newest first: their event, status, attempts and last outcome."""
    settings = settings_for(database_url)
    found = run(settings, lambda store: webhooks.deliveries(store, None, webhook_id, status=status, limit=limit))
    if as_json:
        for d in found:
            print(json.dumps({"id": d.id, "webhookId": d.webhook_id, "eventId": d.event_id, "eventType": d.event_type,
                              "status": d.status, "attempts": d.attempts, "nextAttemptAt": d.next_attempt_at,
                              "lastStatus": d.last_status, "lastError": d.last_error,
                              "deliveredAt": d.delivered_at}))
        return
    table = Table("id", "webhook", "event", "type", "status", "attempts", "last outcome", "next attempt (UTC)")
    colours = {ev.DELIVERED: "green", ev.DEAD: "red", ev.PENDING: "yellow"}
    for d in found:
        outcome = d.last_error or (f"HTTP {d.last_status}" if d.last_status else "")
        table.add_row(str(d.id), str(d.webhook_id), str(d.event_id), d.event_type,
                      f"[{colours[d.status]}]{d.status}[/]", str(d.attempts), outcome,
                      utc(d.next_attempt_at) if d.status == ev.PENDING else "")
    out.print(table)


@webhooks_app.command("replay")
def webhooks_replay(
    delivery_id: int = typer.Argument(..., help="The delivery's id (see `bondline webhooks deliveries`)."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Deliver again (a delivered or dead one too): pending, due now, with a fresh count of attempts."""
    settings = settings_for(database_url)
    found = run(settings, lambda store: webhooks.replay(store, None, delivery_id))
    out.print(f"delivery {found.id} ({found.event_type} to webhook {found.webhook_id}) is pending again")


def dispatch_command(
    once: bool = typer.Option(False, "--once", help="Deliver what is due now, then exit."),
    allow_local: bool = AllowLocalOption,
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Deliver webhook events, as every `bondline serve` worker does unless --no-dispatch.

    Any number may run against one database. Stops on SIGINT/SIGTERM once the deliveries in flight
    are done."""
    from bondline import dispatch

    settings = settings_for(database_url, dispatch=True, webhook_allow_local=allow_local)

    async def forever(store: Store) -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
        console.print("bondline dispatcher delivering webhook events (Ctrl-C stops)")
        await dispatch.run_forever(store, settings, stopping)

    async def drain(store: Store) -> int:
        async with dispatch.Dispatcher(store, settings) as dispatcher:
            return await dispatcher.drain()

    if once:
        done = run(settings, drain)
        out.print(f"attempted {done} deliver{'y' if done == 1 else 'ies'}")
    else:
        run(settings, forever, serving=True)
