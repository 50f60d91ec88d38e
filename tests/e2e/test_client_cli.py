"""The client CLI (`bondline relation|watch …`) against a live server."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bondline.cli import app
from bondline.client import Client

pytestmark = pytest.mark.live
runner = CliRunner()


@pytest.fixture(scope="module")
def page(live):  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create("CLI", "CLI")
        return alice.content.create("CLI", "CLI page")["id"]


def cli(live, who, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--url", live.url, "--token", who.token])


def test_relation_commands(live, page) -> None:  # type: ignore[no-untyped-def]
    r = cli(live, live.bob, "relation", "put", "favourite", "user:current", f"content:{page}", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["relationData"]["createdBy"]["accountId"] == live.bob.account_id
    r = cli(live, live.bob, "relation", "get", "favourite", "user:current", f"content:{page}")
    assert r.exit_code == 0 and "favourite" in r.stdout and f"content:{page}" in r.stdout
    r = cli(live, live.bob, "relation", "put", "reviewer", "user:current", f"content:{page}")
    r = cli(live, live.bob, "relation", "sources", "reviewer", f"content:{page}", "user", "--json")
    assert json.loads(r.stdout)["size"] == 1
    r = cli(live, live.bob, "relation", "targets", "reviewer", "user:current", "content")
    assert r.exit_code == 0 and "CLI page" in r.stdout
    r = cli(live, live.bob, "relation", "delete", "favourite", "user:current", f"content:{page}")
    assert r.exit_code == 0
    r = cli(live, live.bob, "relation", "get", "favourite", "user:current", f"content:{page}")
    assert r.exit_code == 1 and "404" in r.output
    r = cli(live, live.bob, "relation", "get", "favourite", "nonsense", f"content:{page}")
    assert r.exit_code == 2 and "TYPE:KEY" in r.output


def test_watch_commands(live, page) -> None:  # type: ignore[no-untyped-def]
    assert cli(live, live.bob, "watch", "add", f"content:{page}").exit_code == 0
    r = cli(live, live.bob, "watch", "status", f"content:{page}", "--json")
    assert json.loads(r.stdout) == {"watching": True}
    assert cli(live, live.bob, "watch", "remove", f"content:{page}").exit_code == 0
    assert cli(live, live.bob, "watch", "status", f"content:{page}").stdout.strip() == "not watching"
    r = cli(live, live.bob, "watch", "add", f"content:{page}", "--account-id", live.alice.account_id)
    assert r.exit_code == 1 and "403" in r.output


def test_token_from_environment_and_missing_token(live, page, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BONDLINE_URL", live.url)
    monkeypatch.setenv("BONDLINE_TOKEN", live.bob.token)
    r = runner.invoke(app, ["watch", "status", f"content:{page}"])
    assert r.exit_code == 0, r.output
    monkeypatch.delenv("BONDLINE_TOKEN")
    r = runner.invoke(app, ["watch", "status", f"content:{page}"])
    assert r.exit_code == 2 and "token" in r.output
