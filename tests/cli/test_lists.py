"""The list commands for scripts (`--json`: a JSON array of objects with stable keys) and for people
(tables that never cut an id short), against each backend."""

from __future__ import annotations

import json

from tests.cli.test_operator import cli

LONG_ID = "5b10ac8d82e05b22cc7d4ef5-with-a-long-suffix-0123456789"


def test_users_tokens_tenants_and_webhooks_list_as_json(database_url: str) -> None:
    assert cli(database_url, "users", "add", "ada", "--email", "ada@example.com", "--name", "Ada",
               "--site-admin").exit_code == 0
    token_id = cli(database_url, "tokens", "create", "ada", "--name", "laptop").stdout.strip()[4:14]
    assert cli(database_url, "tenants", "add", "T1").exit_code == 0
    assert cli(database_url, "tenants", "grant", "T1", "ada", "ROLE_REVIEWER").exit_code == 0

    users = json.loads(cli(database_url, "users", "list", "--json").stdout)
    assert [{k: v for k, v in u.items() if k != "createdAt"} for u in users] == [
        {"accountId": "ada", "email": "ada@example.com", "displayName": "Ada", "siteAdmin": True}]
    assert isinstance(users[0]["createdAt"], int)

    tokens = json.loads(cli(database_url, "tokens", "list", "ada", "--json").stdout)
    assert [(t["id"], t["name"], t["expiresAt"], t["revokedAt"]) for t in tokens] == [
        (token_id, "laptop", None, None)]
    assert set(tokens[0]) == {"id", "name", "createdAt", "expiresAt", "revokedAt"}

    tenants = json.loads(cli(database_url, "tenants", "list", "--json").stdout)
    assert [(t["tenant"], t["members"]) for t in tenants] == [("T1", [{"accountId": "ada", "role": "ROLE_REVIEWER"}])]

    assert json.loads(cli(database_url, "webhooks", "list", "--json").stdout) == []


def test_users_list_shows_whole_account_ids(database_url: str) -> None:
    r = cli(database_url, "users", "add", LONG_ID, "--email", "someone.with.a.long.address@example.com",
            "--name", "Someone With A Rather Long Display Name")
    assert r.exit_code == 0, r.output
    # Not a terminal: rich lays the table out in 80 columns, and would cut the id short with "…".
    r = cli(database_url, "users", "list")
    assert r.exit_code == 0, r.output
    assert LONG_ID in r.stdout, r.stdout


def test_messages_name_the_cli_flags(database_url: str) -> None:
    r = cli(database_url, "audit", "--since", "yesterday")
    assert r.exit_code == 1 and "--since must be an ISO date-time" in r.output and "'since'" not in r.output
    r = cli(database_url, "webhooks", "deliveries", "--status", "lost")
    assert r.exit_code == 1 and "--status must be one of pending" in r.output
