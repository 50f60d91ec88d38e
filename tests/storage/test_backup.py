"""`bondline backup` while the server serves writes, then `bondline restore`: the restored database is
exactly one consistent moment (every write before the backup, a prefix of the writes racing it,
nothing after), tokens still work, and bad input is refused without touching the database."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import sys
import threading
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import PG_URL
from tests.live import LiveServer, provision

pytestmark = pytest.mark.live

API = "/wiki/rest/api"


def bondline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bondline", *args], capture_output=True, text=True, timeout=120)


def favourite(page: str) -> str:
    return f"{API}/relation/favourite/from/user/current/to/content/{page}"


def favourites(http: httpx.Client, pages: list[str]) -> set[str]:
    """(Confluence does not list favourites, so each is asked for.)"""
    found = set()
    for page in pages:
        r = http.get(favourite(page))
        assert r.status_code in (200, 404), r.text
        if r.status_code == 200:
            found.add(page)
    return found


def _needs_pg_tools(database_url: str) -> None:
    if database_url.startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")


def test_backup_while_writing_then_restore(database_url: str, tmp_path: Any) -> None:
    _needs_pg_tools(database_url)
    assert bondline("migrate", "--database-url", database_url).returncode == 0
    token = provision(database_url, "backup-user")
    headers = {"Authorization": f"Bearer {token}", "X-Atlassian-Token": "no-check"}
    target = str(tmp_path / "snapshot.bak")
    with LiveServer(database_url) as server, httpx.Client(base_url=server.url, headers=headers) as http:
        assert http.post(f"{API}/space", json={"key": "BK", "name": "Backups"}).status_code == 200
        pages = []
        for i in range(40):
            r = http.post(f"{API}/content", json={"type": "page", "title": f"Page {i}", "space": {"key": "BK"}})
            assert r.status_code == 200, r.text
            pages.append(r.json()["id"])
        before, racing = pages[:10], pages[10:]
        for page in before:
            assert http.put(favourite(page)).status_code == 200
        acknowledged: list[str] = []
        started = threading.Event()

        def writer() -> None:
            with httpx.Client(base_url=server.url, headers=headers) as own:
                for page in racing:
                    assert own.put(favourite(page)).status_code == 200
                    acknowledged.append(page)
                    started.set()

        thread = threading.Thread(target=writer)
        thread.start()
        started.wait(30)
        result = bondline("backup", target, "--database-url", database_url)
        thread.join(60)
        assert result.returncode == 0, result.stderr
        assert "backed up" in result.stdout and os.path.getsize(target) > 0
        assert acknowledged == racing
        # after the backup: a relation removed, and the author's own watch of a page
        assert http.delete(favourite(before[0])).status_code == 204
        assert http.delete(f"{API}/user/watch/content/{pages[0]}").status_code == 204
        assert bondline("backup", target, "--database-url", database_url).returncode == 1  # never overwrites

    result = bondline("restore", target, "--yes", "--database-url", database_url)
    assert result.returncode == 0, result.stderr
    with LiveServer(database_url) as server, httpx.Client(base_url=server.url, headers=headers) as http:
        restored = favourites(http, pages)  # the token, restored with its user, still works
        assert set(before) <= restored  # before[0] is back
        extra = restored - set(before)
        assert extra == set(racing[:len(extra)])  # a prefix of the racing writes: one consistent moment
        r = http.get(f"{API}/user/watch/content/{pages[0]}")
        assert r.status_code == 200 and r.json() == {"watching": True}


def test_backup_files_are_readable_by_their_owner_only(database_url: str, tmp_path: Any) -> None:
    """A backup holds what the database does (token hashes, webhook secrets): the file is 0600 under
    the usual umask (022, which used to leave it world-readable), and so is a leftover `.partial`
    it replaces."""
    _needs_pg_tools(database_url)
    assert bondline("migrate", "--database-url", database_url).returncode == 0
    provision(database_url, "private-user")
    target = tmp_path / "private.bak"
    leftover = tmp_path / "private.bak.partial"
    leftover.write_bytes(b"from an interrupted backup")
    leftover.chmod(0o644)
    result = subprocess.run([sys.executable, "-m", "bondline", "backup", str(target), "--database-url",
                             database_url], check=False, capture_output=True, text=True, timeout=120, umask=0o022)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert not leftover.exists() and os.path.getsize(target) > 0


def test_a_sqlite_backup_is_private_while_it_is_written(database_url: str, tmp_path: Any) -> None:
    """Not made private afterwards: the copy is 0600 from its first page on (checked while SQLite's
    backup API is writing it)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's backup API; pg_dump writes into the same pre-made file")
    from bondline.store import backup as backups
    from bondline.store import parse

    target = str(tmp_path / "copy.db")
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(stat.S_IMODE(os.stat(target + ".partial").st_mode))

    old = os.umask(0o022)
    try:
        backups.backup(parse(database_url), target, progress=progress)
    finally:
        os.umask(old)
    assert seen and set(seen) == {0o600}
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_restore_refuses_what_is_not_a_backup(database_url: str, tmp_path: Any) -> None:
    _needs_pg_tools(database_url)
    assert bondline("migrate", "--database-url", database_url).returncode == 0
    provision(database_url, "still-here")
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"this is not a backup\n" * 100)
    result = bondline("restore", str(junk), "--yes", "--database-url", database_url)
    assert result.returncode == 1 and "error:" in result.stderr and "Traceback" not in result.stderr
    result = bondline("restore", str(tmp_path / "missing.bak"), "--yes", "--database-url", database_url)
    assert result.returncode == 1 and "does not exist" in " ".join(result.stderr.split())
    listing = bondline("users", "list", "--database-url", database_url)
    assert "still-here" in listing.stdout


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
def test_postgres_round_trip_of_a_whole_database(tmp_path: Any) -> None:
    """Without ?search_path= the backup is of the database's public schema, as most deployments run."""
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    import asyncpg

    name = f"bondline_backup_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
        assert bondline("migrate", "--database-url", url).returncode == 0
        provision(url, "kept-user")
        target = str(tmp_path / "whole.dump")
        assert bondline("backup", target, "--database-url", url).returncode == 0
        provision(url, "later-user")
        result = bondline("restore", target, "--yes", "--database-url", url)
        assert result.returncode == 0, result.stderr
        listing = bondline("users", "list", "--database-url", url).stdout
        assert "kept-user" in listing and "later-user" not in listing
    finally:
        asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))
