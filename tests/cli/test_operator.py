"""The operator CLI: users, tokens and spaces, against each backend."""

from __future__ import annotations

import dataclasses
import os
import re

import pytest
from typer.testing import CliRunner

from bondline.cli import app
from bondline.config import Settings

runner = CliRunner()


def cli(database_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--database-url", database_url])


def test_users_and_tokens(database_url: str) -> None:
    r = cli(database_url, "users", "add", "acc-1", "--email", "One@Example.com", "--name", "One", "--site-admin")
    assert r.exit_code == 0, r.output
    r = cli(database_url, "tokens", "create", "acc-1", "--expires-in", "7")
    assert r.exit_code == 0, r.output
    token = r.stdout.strip()
    assert re.fullmatch(r"blt_[0-9A-Za-z]{10}_[0-9A-Za-z]{32}", token), "only the token goes to stdout"
    r = cli(database_url, "tokens", "list", "acc-1")
    assert r.exit_code == 0 and token[4:14] in r.stdout and token[15:] not in r.stdout
    r = cli(database_url, "tokens", "revoke", token[4:10])
    assert r.exit_code == 0 and "revoked" in r.stdout
    r = cli(database_url, "tokens", "revoke", token[4:10])
    assert r.exit_code == 0  # revoking twice is harmless
    r = cli(database_url, "users", "list")
    assert "one@example.com" in r.stdout


def test_cli_errors_are_one_line(database_url: str) -> None:
    cli(database_url, "users", "add", "dup", "--email", "d@example.com", "--name", "D")
    r = cli(database_url, "users", "add", "dup", "--email", "e@example.com", "--name", "D")
    assert r.exit_code == 1
    assert "already exists" in r.output and "Traceback" not in r.output
    r = cli(database_url, "users", "add", "bad id!", "--email", "x@example.com", "--name", "X")
    assert r.exit_code == 1 and "Invalid accountId" in r.output
    r = cli(database_url, "tokens", "create", "nobody")
    assert r.exit_code == 1 and "No user" in r.output
    r = cli(database_url, "tokens", "create", "dup", "--expires-in", "-1")
    assert r.exit_code == 1 and "positive" in r.output


def test_grant_space_admin(database_url: str) -> None:
    import asyncio

    from bondline.config import Settings
    from bondline.domain.model import Caller
    from bondline.services import accounts, spaces
    from bondline.store import create_store

    cli(database_url, "users", "add", "owner", "--email", "o@example.com", "--name", "O")
    cli(database_url, "users", "add", "helper", "--email", "h@example.com", "--name", "H")

    async def make_space() -> None:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        owner = await accounts.get_user(store, "owner")
        await spaces.create(store, Caller.of(owner), "OPS", "Ops")
        await store.close()

    asyncio.run(make_space())
    r = cli(database_url, "spaces", "grant-admin", "OPS", "helper")
    assert r.exit_code == 0, r.output
    r = cli(database_url, "spaces", "grant-admin", "NOPE", "helper")
    assert r.exit_code == 1 and "No space" in r.output

    async def role() -> str | None:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        async with store.read() as tx:
            space = await tx.spaces.by_key("OPS")
            helper = await tx.users.by_account_id("helper")
            found = await tx.spaces.role_of(space.id, helper.id)
        await store.close()
        return found

    assert asyncio.run(role()) == "admin"


def test_database_url_from_environment(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/env.db"
    monkeypatch.setenv("BONDLINE_DATABASE_URL", url)
    r = runner.invoke(app, ["users", "add", "envy", "--email", "env@example.com", "--name", "Env"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "env.db").exists()


def test_every_setting_reaches_the_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` hands its settings to granian's workers through `to_env`, and each worker reads them
    back with `from_env`: every field, changed from its default, must survive the trip."""
    strings = {"database_url": "postgresql://db.elsewhere/bondline", "sqlite_synchronous": "FULL", "log_format": "json",
               "pg_replica_url": "postgresql://replica.elsewhere/bondline", "pg_replica_mode": "replica"}
    changed = {}
    for field in dataclasses.fields(Settings):
        default = field.default
        if field.name in strings:
            changed[field.name] = strings[field.name]
        elif isinstance(default, bool):
            changed[field.name] = not default
        elif isinstance(default, (int, float)):
            changed[field.name] = default + 3
        else:
            changed[field.name] = f"{field.name}-value"
    settings = Settings(**changed)
    for name in [n for n in os.environ if n.startswith("BONDLINE_")]:
        monkeypatch.delenv(name)
    for name, value in settings.to_env().items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env() == settings


def test_bad_database_url_is_a_clear_error() -> None:
    r = runner.invoke(app, ["migrate", "--database-url", "mysql://x"])
    assert r.exit_code == 1 and "unsupported database URL" in r.output
