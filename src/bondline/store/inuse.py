"""Whether a server is using a database, so that `bondline restore` refuses to replace the data under it
(a running server keeps tokens, sessions and read caches of the state a restore would replace, and its
writes would land in the middle of the restore).

Every serving worker (and every `bondline dispatch` process, which writes as they do) marks the
database while its store is open, whatever the number of workers or hosts; the mark goes when the
worker does, however it ends (a SIGKILL included):

- SQLite: a shared `flock` on `<database>-lock` beside the database file, one per worker process. A
  restore takes the same lock exclusively, without waiting: it fails while any worker holds it, and
  while the restore holds it a server that starts waits for the restore to finish. (A lock file of its
  own: SQLite's POSIX locks on the database file are dropped when any descriptor of it in the process
  closes, so the database file itself must not be opened for this.)
- PostgreSQL: the workers' connections carry `application_name` = `bondline serve <schema>`, which
  every session of the database sees in `pg_stat_activity`; a restore refuses while another session
  has it. (A worker whose every connection was lost to a database outage carries no mark until it
  connects again.)
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import Iterator
from typing import Any

from bondline.store.urls import DatabaseURL

APPLICATION_PREFIX = "bondline serve "
NAMEDATALEN = 63  # PostgreSQL keeps this many bytes of application_name


class InUse(Exception):
    """A server is using the database; the message says which and what to do."""


def lock_path(sqlite_path: str) -> str:
    return sqlite_path + "-lock"


def application_name(url: DatabaseURL) -> str:
    """What a serving worker's PostgreSQL connections call themselves: one name per schema."""
    return (APPLICATION_PREFIX + (url.schema or "public")).encode()[:NAMEDATALEN].decode(
        errors="ignore")


class ServingMark:
    """A SQLite worker's shared lock, held from its store's opening to its closing."""

    def __init__(self, sqlite_path: str) -> None:
        self.path = lock_path(sqlite_path)
        self.fd: int | None = None

    async def take(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            # A restore holds it: start once the restore is done, on the data it restored.
            try:
                await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_SH)
            except BaseException:
                os.close(fd)
                raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases its lock
            self.fd = None


@contextlib.contextmanager
def no_server(url: DatabaseURL) -> Iterator[None]:
    """While no server uses the database (SQLite: and none may start); InUse otherwise."""
    if url.kind == "sqlite":
        folder = os.path.dirname(url.path) or "."
        if not os.path.isdir(folder):
            yield  # no database yet, and so no server on it
            return
        fd = os.open(lock_path(url.path), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InUse(f"a bondline server (or dispatcher) is using {url.path} (it holds "
                            f"{lock_path(url.path)}): stop every server on this database first, and start them "
                            "again after the restore") from None
            yield
        finally:
            os.close(fd)
        return
    sessions = _postgres_servers(url)
    if sessions:
        raise InUse(f"{len(sessions)} connection(s) of a bondline server (or dispatcher) use {url.described()} "
                    f"(application_name {application_name(url)!r} in pg_stat_activity, from "
                    f"{', '.join(sorted(set(sessions)))}): stop every server on this schema first, and start "
                    "them again after the restore")
    yield


def _postgres_servers(url: DatabaseURL) -> list[str]:
    """Where the other sessions with the servers' application_name connect from."""
    import asyncpg

    async def go() -> list[Any]:
        conn = await asyncpg.connect(url.dsn, timeout=10)
        try:
            return list(await conn.fetch(
                "SELECT coalesce(host(client_addr), 'a local socket') FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()",
                application_name(url)))
        finally:
            await conn.close()

    return [row[0] for row in asyncio.run(go())]
