"""`bondline import relations FILE`: bulk-load relations from JSON Lines, with a progress bar."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from bondline.cli.common import DatabaseURLOption, console, out, run, settings_for
from bondline.services import imports

import_app = typer.Typer(help="Bulk-load data.", no_args_is_help=True)


def _count_lines(path: str) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


@import_app.command("relations")
def import_relations(
    path: str = typer.Argument(..., metavar="FILE", help="JSON Lines, one relation per line ('-' for stdin)."),
    created_by: str = typer.Option("bondline-import", "--as", metavar="ACCOUNT_ID",
                                   help="accountId recorded as each relation's creator."),
    batch: int = typer.Option(10_000, "--batch", min=1, help="Rows per transaction."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Import relations: {"name": "favourite", "source": "user:ACCOUNT", "target": "content:123"} per line.

    Each batch commits on its own; relations that already exist are skipped, so an interrupted
    import can simply be run again."""
    settings = settings_for(database_url)
    total = None if path == "-" else _count_lines(path)
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")
    progress = Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TimeRemainingColumn(), console=console, disable=quiet or not console.is_terminal and
                        os.environ.get("BONDLINE_PROGRESS") != "1")
    with progress, stream:
        task = progress.add_task("relations", total=total)

        def lines() -> Iterator[bytes]:
            yield from stream

        result = run(settings, lambda store: imports.import_relations(
            store, lines(), created_by=created_by, batch_size=batch,
            progress=lambda done: progress.update(task, completed=done)))
    out.print(f"{result.imported} relations imported, {result.existing} already there ({result.lines} lines)")
