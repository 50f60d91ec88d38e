"""`bondline restore` refuses while a server (any number of workers) runs on the database, restores once
the servers are stopped (or killed), and `--force` overrides. SQLite: the workers hold a shared lock
on `<database>-lock`; PostgreSQL: their connections carry `application_name` `bondline serve <schema>`
(store/inuse.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bondline.cli import app
from tests.live import LiveServer, provision

pytestmark = pytest.mark.live
runner = CliRunner()


def test_restore_refuses_while_a_server_runs(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")

    def bondline(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, [*args, "--database-url", database_url])

    def users() -> str:
        return bondline("users", "list").stdout

    assert bondline("migrate").exit_code == 0
    provision(database_url, "before-backup")
    backup = str(tmp_path / "before.bak")
    assert bondline("backup", backup, "--quiet").exit_code == 0
    provision(database_url, "after-backup")

    with LiveServer(database_url, workers=2):
        refused = bondline("restore", backup, "--yes", "--quiet")
        said = " ".join(refused.output.split())
        assert refused.exit_code == 1, said
        assert "bondline server" in said and "stop every server" in said, said
        assert "after-backup" in users()  # nothing was restored
        forced = bondline("restore", backup, "--yes", "--quiet", "--force")
        assert forced.exit_code == 0, forced.output
        assert "after-backup" not in users()
    provision(database_url, "after-restore")
    # A killed server leaves no mark behind: the lock and the connections were the process's own.
    server = LiveServer(database_url, own_group=True).wait_ready()
    server.kill()
    restored = bondline("restore", backup, "--yes", "--quiet")
    assert restored.exit_code == 0, restored.output
    listed = users()
    assert "before-backup" in listed and "after-restore" not in listed


def test_restore_refuses_while_a_dispatcher_runs(database_url: str, tmp_path: Path) -> None:
    """`bondline dispatch` writes to the database as a server's workers do: it marks it the same way."""
    if database_url.startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    assert runner.invoke(app, ["migrate", "--database-url", database_url]).exit_code == 0
    backup = str(tmp_path / "b.bak")
    assert runner.invoke(app, ["backup", backup, "--quiet", "--database-url", database_url]).exit_code == 0
    dispatcher = subprocess.Popen([sys.executable, "-m", "bondline", "dispatch", "--database-url", database_url],
                                  stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        assert dispatcher.stderr is not None
        assert "delivering webhook events" in dispatcher.stderr.readline()  # said once its store is open
        refused = runner.invoke(app, ["restore", backup, "--yes", "--quiet", "--database-url", database_url])
        assert refused.exit_code == 1 and "bondline server" in " ".join(refused.output.split()), refused.output
    finally:
        dispatcher.terminate()
        dispatcher.wait(30)
        if dispatcher.stderr:
            dispatcher.stderr.close()
    restored = runner.invoke(app, ["restore", backup, "--yes", "--quiet", "--database-url", database_url])
    assert restored.exit_code == 0, restored.output
