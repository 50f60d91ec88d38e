"""`bondline backup` and `bondline restore` at the command line: where the backup goes, and what a
prompt says it will replace (in process, against each backend)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.test_operator import cli


def _needs_pg_tools(database_url: str) -> None:
    if database_url.startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")


def test_backup_into_a_missing_folder_says_so(database_url: str, tmp_path: Path) -> None:
    _needs_pg_tools(database_url)
    assert cli(database_url, "migrate").exit_code == 0
    target = tmp_path / "no-such-folder" / "nightly.bak"
    r = cli(database_url, "backup", str(target), "--quiet")
    said = " ".join(r.output.split())
    assert r.exit_code == 1, r.output
    assert f"the folder {target.parent} does not exist" in said and "mkdir -p" in said
    assert not target.parent.exists()  # nothing was created
    r = cli(database_url, "backup", str(tmp_path / "nightly.bak"), "--quiet")
    assert r.exit_code == 0, r.output


def test_prompts_name_the_schema_or_file_they_replace(database_url: str, tmp_path: Path) -> None:
    _needs_pg_tools(database_url)
    from bondline.store import parse
    from tests.cli.test_operator import app, runner

    url = parse(database_url)
    where = url.path if url.kind == "sqlite" else f"schema {url.search_path or 'public'} of PostgreSQL database"
    assert cli(database_url, "users", "add", "keep", "--email", "k@example.com", "--name", "K").exit_code == 0
    backup = tmp_path / "b.bak"
    assert cli(database_url, "backup", str(backup), "--quiet").exit_code == 0

    r = runner.invoke(app, ["restore", str(backup), "--database-url", database_url], input="n\n")
    said = " ".join(r.output.split())
    assert r.exit_code == 1 and f"Replace everything in {'the SQLite database ' if url.kind == 'sqlite' else ''}" \
        f"{where}" in said, said
    if url.search_path:
        assert f"search_path={url.search_path}" in said
    r = runner.invoke(app, ["users", "delete", "keep", "--database-url", database_url], input="n\n")
    said = " ".join(r.output.split())
    assert r.exit_code == 1 and "Delete keep and all their relations from" in said and where in said, said
    assert "keep" in cli(database_url, "users", "list").stdout
