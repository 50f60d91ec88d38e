"""What every CLI command shares: settings from flags and environment, a store for one command,
and errors printed as one clear line (exit status 1) instead of a traceback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bondline.cli.wording import in_cli_words
from bondline.config import Settings
from bondline.domain.errors import DomainError
from bondline.store import DatabaseURLError, Store, create_store, migrate, parse

T = TypeVar("T")
console = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

DatabaseURLOption = typer.Option(
    None, "--database-url", envvar="BONDLINE_DATABASE_URL", show_envvar=True,
    help="Database URL: sqlite:///path.db (default sqlite:///bondline.db) or postgresql://user@host/db.",
)


JsonListOption = typer.Option(False, "--json", help="Print a JSON array of objects (for scripts) instead of a table.")


def print_json(data: Any) -> None:
    """JSON for scripts, on stdout: plain text, never rich markup or wrapping."""
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def whole(values: list[str]) -> dict[str, Any]:
    """Column options that keep every value of a column whole (ids: a truncated id is useless)."""
    return {"no_wrap": True, "min_width": max((len(v) for v in values), default=1)}


def utc(ms: int | None) -> str:
    """Epoch milliseconds for a table column headed "(UTC)": 2026-11-23 18:02:11 ("" for none)."""
    if not ms:
        return ""
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def settings_for(database_url: str | None, **overrides: Any) -> Settings:
    try:
        settings = Settings.from_env(database_url=database_url, **overrides)
        parse(settings.database_url)
    except (ValueError, DatabaseURLError) as exc:
        fail(str(exc))
    return settings


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[bold red]error:[/] {escape(in_cli_words(message))}")
    raise typer.Exit(code)


def migrated(settings: Settings) -> None:
    """Create and migrate the database if needed (cheap when it is already at head)."""
    try:
        migrate.upgrade(parse(settings.database_url))
    except migrate.SchemaError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - a connection or permission problem, said plainly
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()  # not the SQL a driver error carries
        fail(f"cannot prepare the database {parse(settings.database_url).redacted()}: "
             f"{reason[0] if reason else type(exc).__name__}")


def run(settings: Settings, job: Callable[[Store], Awaitable[T]], *, prepare: bool = True,
        serving: bool = False) -> T:
    """Run `job` against an open store for `settings`; domain errors become a one-line message.
    `serving`: a long-running process (the dispatcher) that `bondline restore` must not run under."""
    if prepare:
        migrated(settings)

    async def go() -> T:
        store = create_store(settings, serving=serving)
        await store.open()
        try:
            return await job(store)
        finally:
            await store.close()

    try:
        return asyncio.run(go())
    except DomainError as err:
        fail(err.message)
        raise  # unreachable: fail() exits
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
