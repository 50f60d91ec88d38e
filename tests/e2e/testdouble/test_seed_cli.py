"""`bondline seed FILE` and `bondline serve --seed FILE`, on each backend."""

from __future__ import annotations

import json
import pathlib

import httpx
import pytest
from typer.testing import CliRunner

from bondline.cli import app
from tests.live import LiveServer

HERE = pathlib.Path(__file__).parent
runner = CliRunner()


def test_seed_loads_a_file_and_prints_tokens(database_url: str) -> None:
    r = runner.invoke(app, ["seed", str(HERE / "site.yaml"), "--database-url", database_url])
    assert r.exit_code == 0, r.output
    assert "3 users, 2 spaces, 5 content items, 3 relations, 3 watches, 2 Reltio tenants" in r.stdout
    assert "ada <ada@example.com>  token: blt_AdaFixed01_abcdefghijklmnopqrstuvwxyz012345" in r.stdout
    # again: the users exist, the error names the line, nothing more is written
    r = runner.invoke(app, ["seed", str(HERE / "site.yaml"), "--database-url", database_url])
    assert r.exit_code == 1
    # the console wraps at its width, at a space whose place depends on how long the file's path is
    assert "site.yaml:3:5: users[0]: A user with accountId ada already exists" in " ".join(r.output.split())


def test_seed_json_output_and_stdin(database_url: str) -> None:
    doc = {"users": [{"accountId": "j", "email": "j@example.com", "name": "J"}],
           "spaces": [{"key": "J", "name": "J", "admins": ["j"]}],
           "content": [{"key": "home", "space": "J", "title": "Home"}]}
    r = runner.invoke(app, ["seed", "-", "--json", "--database-url", database_url], input=json.dumps(doc))
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["content"] == {"home": 2} and report["tokens"]["j"].startswith("blt_")


def test_seed_errors_are_one_line_with_the_position(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "users": [\n    {"accountId": "a", "email": "a@x.io", "name": "A", "siteAdmin": "yes"}\n]}')
    r = runner.invoke(app, ["seed", str(bad), "--database-url", f"sqlite:///{tmp_path}/x.db"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"{bad}:3:69: users[0].siteAdmin: Expected `bool`, got `str`" in " ".join(r.output.split())
    r = runner.invoke(app, ["seed", "builtin:nope", "--database-url", f"sqlite:///{tmp_path}/x.db"])
    assert r.exit_code == 1 and "no built-in seed file 'nope'" in r.output


def test_builtin_demo_seed(database_url: str) -> None:
    r = runner.invoke(app, ["seed", "builtin:demo", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    assert "demo-alice" in r.stdout and "demo-bob" in r.stdout


@pytest.mark.live
def test_serve_with_a_seed_file(database_url: str) -> None:
    server = LiveServer(database_url, "--seed", str(HERE / "site.yaml"))
    try:
        lines = []
        for line in server.stdout:
            if not line.strip():
                break
            lines.append(line.strip())
        server.wait_ready()
        assert lines[0] == f"seeded {HERE / 'site.yaml'}"
        tokens = dict(line.split(" ")[0:1] + line.split("token: ")[1:] for line in lines[1:])
        r = httpx.get(server.url + "/wiki/rest/api/space/ENG", headers={"Authorization": f"Bearer {tokens['bob']}"})
        assert r.status_code == 200 and r.json()["name"] == "Engineering"
        # not a test server: the control endpoints are absent
        assert httpx.get(server.url + "/api/v1/_journal").status_code == 404
        assert httpx.post(server.url + "/api/v1/_reset").status_code == 404
    finally:
        server.stop()
