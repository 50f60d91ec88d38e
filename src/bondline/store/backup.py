"""Online backups and restores.

SQLite: SQLite's backup API copies the database page by page while the server keeps serving; the
copy is one consistent snapshot (if a write lands mid-copy, the API starts the pass again), and is
itself a SQLite file that `bondline serve --database-url sqlite:///COPY` can open directly.

PostgreSQL: `pg_dump --format=custom` (one transaction, a consistent snapshot, online), and
`pg_restore --clean` back. bondline does not reimplement them: it runs the client tools, limited to
the schema named by ``?search_path=`` when the URL has one. Without the tools on PATH it says how
to get them, and what to run instead (continuous archiving with pg_basebackup for point-in-time
recovery is the operator's choice, outside bondline).

A backup holds everything the database does (token hashes, webhook secrets), so its file is created
readable and writable by its owner only (0600), before anything is written into it.

Attachments' data lives outside the database, in the blob store (store/blobs.py): a backup copies
it into a directory beside the file, `PATH.blobs/`, after the database (a blob is never changed, and
one the copied database refers to stays while anything refers to it), and a restore puts those
blobs back, each checked against its checksum, before the database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from bondline.store.blobs import BlobCorrupt, BlobStore
from bondline.store.urls import DatabaseURL

PAGES_PER_STEP = 1024

Progress = Callable[[int, int], None]  # (done, total) pages or steps


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    path: str
    bytes: int
    revision: str | None
    blobs: int = 0  # attachment blobs copied


def blobs_path(backup_path: str) -> str:
    """Where a backup keeps the attachments' blobs: a directory beside its file."""
    return backup_path + ".blobs"


def _backup_blobs(blob_dir: str | None, target: str, outcome: Outcome) -> Outcome:
    if not blob_dir or not os.path.isdir(blob_dir):
        return outcome
    destination = blobs_path(target)
    if os.path.exists(destination):
        raise BackupError(f"{destination} already exists; give a new file name (a backup never overwrites)")
    partial = destination + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial, mode=0o700)
    try:
        count, size = BlobStore(blob_dir).copy_to(partial)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"copying the attachments' blobs failed: {exc}") from None
    os.replace(partial, destination)
    return Outcome(outcome.path, outcome.bytes + size, outcome.revision, count)


def _restore_blobs(blob_dir: str | None, source: str) -> int:
    stored = blobs_path(source)
    if not blob_dir or not os.path.isdir(stored):
        return 0
    try:
        return BlobStore(blob_dir).copy_from(stored)
    except (OSError, BlobCorrupt) as exc:
        raise BackupError(f"restoring the attachments' blobs failed (the database is unchanged): {exc}") from None


def _create_private(path: str) -> None:
    """Create `path`, empty, with mode 0600 whatever the umask (a leftover of an interrupted backup is
    replaced). SQLite and pg_dump then write into this file, which keeps its mode; SQLite gives its
    journal beside it the same mode."""
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # O_EXCL: never through a symlink
        try:
            os.fchmod(fd, 0o600)  # a umask can only take bits away; this puts back the owner's own
        finally:
            os.close(fd)
    except OSError as exc:
        raise BackupError(f"cannot create {path}: {exc.strerror}") from None


def _revision_of_sqlite(path: str) -> str | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def _check_sqlite_file(path: str) -> str:
    """The backup's schema revision, after checking it is an intact bondline database."""
    if not os.path.isfile(path):
        raise BackupError(f"{path} does not exist")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc})") from None
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    revision = _revision_of_sqlite(path)
    if revision is None:
        raise BackupError(f"{path} is a SQLite database but not a bondline one (no schema revision)")
    return revision


def backup(url: DatabaseURL, target: str, *, progress: Progress | None = None,
           blob_dir: str | None = None) -> Outcome:
    """Copy the database to `target`, and the blob store at `blob_dir` (when given) beside it."""
    if os.path.exists(target) or os.path.exists(blobs_path(target)):
        raise BackupError(f"{target} already exists; give a new file name (a backup never overwrites)")
    # A folder is not made for it: a mistyped path would put the backup where nobody looks for it.
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise BackupError(f"the folder {os.path.dirname(target) or folder} does not exist; create it first "
                          f"(mkdir -p {os.path.dirname(target) or folder}) or give a path in an existing folder")
    if url.kind == "sqlite":
        outcome = _backup_sqlite(url, target, progress)
    else:
        outcome = _backup_postgres(url, target)
    return _backup_blobs(blob_dir, target, outcome)


def restore(url: DatabaseURL, source: str, *, progress: Progress | None = None,
            blob_dir: str | None = None) -> Outcome:
    """Replace the database's contents with the backup's (and put its blobs in `blob_dir`). Stop the
    servers first: a running server keeps caches (tokens, for one) of the state the restore replaces."""
    if url.kind == "sqlite":
        _check_sqlite_file(source)
    elif not os.path.isfile(source):
        raise BackupError(f"{source} does not exist")
    count = _restore_blobs(blob_dir, source)  # first: the restored rows never name a blob not there
    outcome = _restore_sqlite(url, source, progress) if url.kind == "sqlite" else _restore_postgres(url, source)
    return Outcome(outcome.path, outcome.bytes, outcome.revision, count)


# --- SQLite -------------------------------------------------------------------------------------

def _copy(src: sqlite3.Connection, dst: sqlite3.Connection, progress: Progress | None) -> None:
    def step(status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    src.backup(dst, pages=PAGES_PER_STEP, progress=step)


def _backup_sqlite(url: DatabaseURL, target: str, progress: Progress | None) -> Outcome:
    if not os.path.isfile(url.path):
        raise BackupError(f"there is no database at {url.path}")
    partial = target + ".partial"
    _create_private(partial)  # an empty file is an empty database to SQLite
    src = sqlite3.connect(f"file:{url.path}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:
        src.execute("PRAGMA busy_timeout=10000")
        _copy(src, dst, progress)
        # The copy is a self-contained file: no -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        dst.close()
        os.unlink(partial)
        raise BackupError(f"the backup failed: {exc}") from None
    finally:
        src.close()
    dst.close()
    os.replace(partial, target)  # only a complete copy ever carries the target's name
    return Outcome(target, os.path.getsize(target), _revision_of_sqlite(target))


def _restore_sqlite(url: DatabaseURL, source: str, progress: Progress | None) -> Outcome:
    revision = _check_sqlite_file(source)
    os.makedirs(os.path.dirname(os.path.abspath(url.path)), exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(url.path)
    try:
        dst.execute("PRAGMA busy_timeout=10000")
        # Into the live file under SQLite's own locks, so a reader never sees half of each.
        _copy(src, dst, progress)
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed (the database is unchanged): {exc}") from None
    finally:
        src.close()
        dst.close()
    return Outcome(url.path, os.path.getsize(url.path), revision)


# --- PostgreSQL ---------------------------------------------------------------------------------

PG_GUIDANCE = (
    "bondline backs up PostgreSQL with PostgreSQL's own tools, and {tool} is not on PATH. Install the "
    "client tools of your server's major version (Debian/Ubuntu: apt-get install postgresql-client; "
    "macOS: brew install libpq), or run it yourself: pg_dump --format=custom --file BACKUP 'DSN' "
    "(add --schema=NAME when the database URL has ?search_path=NAME), and to restore: pg_restore "
    "--clean --if-exists --no-owner --single-transaction --dbname 'DSN' BACKUP, then bondline migrate."
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(PG_GUIDANCE.format(tool=name))
    return path


def _pg_target(url: DatabaseURL) -> tuple[str, dict[str, str]]:
    """The DSN without its password, and an environment carrying the password (PGPASSWORD), so the
    password never shows in the process list."""
    parts = urlsplit(url.dsn)
    env = {**os.environ, "PGAPPNAME": "bondline"}
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.netloc.rsplit("@", 1)[1]
        user = parts.username or ""
        parts = parts._replace(netloc=f"{quote(unquote(user), safe='')}@{host}" if user else host)
    return urlunsplit(parts), env


def _run(args: list[str], what: str, env: dict[str, str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' '.join(message[-3:]) if message else 'exit ' + str(result.returncode)}")


def _backup_postgres(url: DatabaseURL, target: str) -> Outcome:
    pg_dump = _tool("pg_dump")
    partial = target + ".partial"
    _create_private(partial)  # pg_dump opens it for writing (truncating it), which keeps its mode
    dsn, env = _pg_target(url)
    args = [pg_dump, "--format=custom", "--no-owner", "--file", partial]
    if url.search_path:
        args.append(f"--schema={url.search_path}")
    args += ["--dbname", dsn]
    try:
        _run(args, "pg_dump", env)
    except BackupError:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    os.replace(partial, target)
    return Outcome(target, os.path.getsize(target), None)


def _restore_postgres(url: DatabaseURL, source: str) -> Outcome:
    pg_restore = _tool("pg_restore")
    if not os.path.isfile(source):
        raise BackupError(f"{source} does not exist")
    listing = subprocess.run([pg_restore, "--list", source], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{source} is not a pg_dump archive in custom format")
    if "TABLE public alembic_version" not in listing.stdout and " alembic_version " not in listing.stdout:
        raise BackupError(f"{source} is a pg_dump archive but not of a bondline database")
    dsn, env = _pg_target(url)
    args = [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
            "--dbname", dsn, source]
    _run(args, "pg_restore", env)
    return Outcome(url.redacted(), os.path.getsize(source), None)
