"""`bondline backup` and `bondline restore` carry the attachments' data: the blobs are copied beside
the backup file (PATH.blobs/) and put back, each checked against its checksum, before the database
is restored; a damaged backup is refused and leaves the database as it was."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.live import LiveServer, provision

pytestmark = pytest.mark.live

API = "/wiki/rest/api"


def bondline(*args: str, blob_dir: pathlib.Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BONDLINE_BLOB_DIR": str(blob_dir)}
    return subprocess.run([sys.executable, "-m", "bondline", *args], capture_output=True, text=True, timeout=120,
                          env=env)


def _needs_pg_tools(database_url: str) -> None:
    import shutil

    if database_url.startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")


def files_under(root: pathlib.Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_backup_and_restore_carry_the_blobs(database_url: str, tmp_path: Any) -> None:
    _needs_pg_tools(database_url)
    blobs, elsewhere = tmp_path / "blobs", tmp_path / "restored-blobs"
    assert bondline("migrate", "--database-url", database_url, blob_dir=blobs).returncode == 0
    token = provision(database_url, "blob-user")
    headers = {"Authorization": f"Bearer {token}", "X-Atlassian-Token": "no-check"}
    env = {"BONDLINE_BLOB_DIR": str(blobs)}
    with LiveServer(database_url, env=env) as server, httpx.Client(base_url=server.url, headers=headers) as http:
        assert http.post(f"{API}/space", json={"key": "BB", "name": "Blobs"}).status_code == 200
        page = http.post(f"{API}/content", json={"type": "page", "title": "P", "space": {"key": "BB"}}).json()["id"]
        r = http.post(f"{API}/content/{page}/child/attachment", files={"file": ("kept.txt", b"kept bytes")})
        assert r.status_code == 200, r.text
        sha = r.json()["results"][0]["extensions"]["fileId"]
    target = tmp_path / "site.bak"
    result = bondline("backup", str(target), "--quiet", "--database-url", database_url, blob_dir=blobs)
    assert result.returncode == 0, result.stderr
    assert "1 attachment blob(s)" in " ".join(result.stdout.split())
    assert files_under(pathlib.Path(str(target) + ".blobs")) == [sha]
    # A second backup to the same name is refused, the blobs' directory included.
    assert bondline("backup", str(target), "--database-url", database_url, blob_dir=blobs).returncode == 1

    # Restored onto a machine whose blob store is empty (another directory): the data comes back.
    result = bondline("restore", str(target), "--yes", "--quiet", "--database-url", database_url,
                      blob_dir=elsewhere)
    assert result.returncode == 0, result.stderr
    assert files_under(elsewhere) == [sha]
    with LiveServer(database_url, env={"BONDLINE_BLOB_DIR": str(elsewhere)}) as server:
        got = httpx.get(f"{server.url}/wiki/download/attachments/{page}/kept.txt", headers=headers)
        assert got.status_code == 200 and got.content == b"kept bytes"

    # A damaged blob in the backup: refused, nothing put back, the database untouched.
    (backup_blob,) = pathlib.Path(str(target) + ".blobs").rglob(sha)
    backup_blob.write_bytes(b"kept bytez")
    provision(database_url, "after-backup")
    empty = tmp_path / "empty-blobs"
    result = bondline("restore", str(target), "--yes", "--quiet", "--database-url", database_url, blob_dir=empty)
    assert result.returncode == 1 and "does not match its checksum" in " ".join(result.stderr.split())
    assert not empty.exists() or files_under(empty) == []
    assert "after-backup" in bondline("users", "list", "--database-url", database_url, blob_dir=empty).stdout
