"""`bondline backup PATH` and `bondline restore PATH`: online, consistent copies of the database
(see `bondline.store.backup` for how each backend does it)."""

from __future__ import annotations

import contextlib
import os

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bondline.cli.common import DatabaseURLOption, console, fail, migrated, out, settings_for
from bondline.store import backup as backups
from bondline.store import blobs, inuse, parse
from bondline.store import migrate as migrations


def _progress(verb: str, quiet: bool) -> Progress:
    return Progress(TextColumn(verb), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                    console=console, disable=quiet or not console.is_terminal and
                    os.environ.get("BONDLINE_PROGRESS") != "1")


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def backup_command(
    path: str = typer.Argument(..., metavar="PATH", help="The backup file to write (must not exist)."),
    database_url: str | None = DatabaseURLOption,
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Copy the database to PATH while the server keeps serving: one consistent snapshot.

    SQLite: a SQLite file (SQLite's backup API), openable as it is. PostgreSQL: a pg_dump archive in
    custom format (needs pg_dump on PATH; the schema of ?search_path= only, when the URL has one).
    The attachments' data (BONDLINE_BLOB_DIR) is copied into PATH.blobs/ beside it."""
    settings = settings_for(database_url)
    url = parse(settings.database_url)
    with _progress("backing up", quiet) as progress:
        task = progress.add_task("backup", total=None)
        try:
            outcome = backups.backup(url, path, progress=lambda done, total: progress.update(
                task, completed=done, total=total), blob_dir=blobs.for_settings(
                    settings.blob_dir, settings.database_url).root)
        except backups.BackupError as exc:
            fail(str(exc))
    revision = f", schema revision {outcome.revision}" if outcome.revision else ""
    if outcome.blobs:
        revision += f"; {outcome.blobs} attachment blob(s) in {backups.blobs_path(outcome.path)}"
    out.print(f"backed up {url.redacted()} to {outcome.path} ({_size(outcome.bytes)}{revision})",
              markup=False, highlight=False)


def restore_command(
    path: str = typer.Argument(..., metavar="PATH", help="A file written by `bondline backup`."),
    database_url: str | None = DatabaseURLOption,
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    force: bool = typer.Option(False, "--force", help="Restore even while a server uses the database (it keeps "
                               "serving what it cached of the old data: restart it afterwards)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Replace the database's contents with a backup, then migrate it to this version's schema.

    Stop every server using the database first (they cache tokens and sessions of the state the
    restore replaces), and start them again afterwards: a restore refuses while a server runs on the
    database, unless --force."""
    settings = settings_for(database_url)
    url = parse(settings.database_url)
    if not os.path.isfile(path):
        fail(f"{path} does not exist")
    try:
        with contextlib.nullcontext() if force else inuse.no_server(url):
            if not yes:
                typer.confirm(f"Replace everything in {url.described()} with the backup {path}?", abort=True,
                              err=True)
            with _progress("restoring", quiet) as progress:
                task = progress.add_task("restore", total=None)
                outcome = backups.restore(url, path, progress=lambda done, total: progress.update(
                    task, completed=done, total=total), blob_dir=blobs.for_settings(
                        settings.blob_dir, settings.database_url).root)
    except (backups.BackupError, inuse.InUse) as exc:
        fail(str(exc))
    migrated(settings)
    restored = f"; {outcome.blobs} attachment blob(s) put back" if outcome.blobs else ""
    out.print(f"restored {url.redacted()} from {path}; schema revision {migrations.current(url)}{restored}",
              markup=False, highlight=False)
