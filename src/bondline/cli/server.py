"""`bondline serve` and `bondline migrate`."""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

import typer

from bondline.cli.common import DatabaseURLOption, console, fail, migrated, out, run, settings_for
from bondline.store import migrate as migrations
from bondline.store import parse

DEMO_DATABASE = "bondline-demo.db"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", help="Port to listen on."),
    database_url: Optional[str] = DatabaseURLOption,
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (each with its own event loop)."),
    demo: bool = typer.Option(False, "--demo", help=f"Start with a fresh demo site (in ./{DEMO_DATABASE} unless"
                              " --database-url is given) and print its tokens and curl commands."),
    seed: Optional[str] = typer.Option(None, "--seed", metavar="FILE", help="Load a seed file (YAML or JSON) "
                                       "before serving, and print each user's token."),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
    access_log: bool = typer.Option(False, "--access-log", help="Log every request."),
) -> None:
    """Serve the HTTP API (Confluence under /wiki/rest/api, Reltio under /reltio/api, bondline's own
    under /api/v1)."""
    from bondline.cli.seed import print_tokens, read
    from bondline.services import seeding

    if demo and seed:
        fail("--demo is a seed file of its own: give --demo or --seed, not both")
    doc = read("builtin:demo" if demo else seed) if (demo or seed) else None
    if demo and database_url is None:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(DEMO_DATABASE + suffix):
                os.remove(DEMO_DATABASE + suffix)
        database_url = f"sqlite:///{DEMO_DATABASE}"
    settings = settings_for(database_url)
    migrated(settings)
    if doc is not None:
        if demo:
            async def has_users(store):  # type: ignore[no-untyped-def]
                async with store.read() as tx:
                    return bool(await tx.users.list(0, 1))

            if run(settings, has_users, prepare=False):
                fail("--demo needs a fresh database, and this one already has users")
        report = run(settings, lambda store: seeding.load(store, doc), prepare=False)
        if demo:
            _print_demo(report, host, port)
        else:
            out.print(f"seeded {doc.source}", markup=False, highlight=False)
            print_tokens(report)
            out.print("")
        sys.stdout.flush()
    start_server(settings, host, port, workers, log_level, access_log)


def _print_demo(report: Any, host: str, port: int) -> None:
    from bondline import demo as demo_site

    site = demo_site.site_of(report)
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    out.print("[bold]bondline demo site[/]")
    for account_id, token in site.tokens.items():
        out.print(f"  {account_id} <{site.emails[account_id]}>  token: {token}")
    out.print("\nTry:")
    for line in demo_site.curl_examples(site, base):
        out.print("  " + line, markup=False, highlight=False)
    out.print("")


def start_server(settings, host: str, port: int, workers: int, log_level: str, access_log: bool) -> None:  # type: ignore[no-untyped-def]
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    os.environ.update(settings.to_env())
    console.print(f"bondline serving on http://{host}:{port} ({workers} worker{'s' if workers > 1 else ''}, "
                  f"database {parse(settings.database_url).redacted()})")
    try:
        import uvloop  # noqa: F401

        loop = Loops.uvloop
    except ImportError:
        loop = Loops.asyncio
    Server(
        "bondline.http.app:create_app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        loop=loop,
        websockets=False,
        log_level=LogLevels(log_level.lower()),
        log_access=access_log,
        backlog=2048,
    ).serve()


def migrate(database_url: Optional[str] = DatabaseURLOption) -> None:
    """Create the database if needed and bring its schema up to date."""
    settings = settings_for(database_url)
    url = parse(settings.database_url)
    migrated(settings)
    out.print(f"{url.redacted()} is at revision {migrations.current(url)} (head {migrations.head()})")
