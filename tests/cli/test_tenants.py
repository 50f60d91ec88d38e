"""`bondline tenants add|grant|types|list`, against each backend."""

from __future__ import annotations

import json

from tests.cli.test_operator import cli


def test_tenants_cli(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert cli(database_url, "users", "add", "ada", "--email", "ada@example.com", "--name", "Ada").exit_code == 0
    r = cli(database_url, "tenants", "add", "T1")
    assert r.exit_code == 0 and "added tenant T1" in r.stdout
    r = cli(database_url, "tenants", "add", "T1")
    assert r.exit_code == 1 and "already exists" in r.output
    assert cli(database_url, "tenants", "add", "bad tenant!").exit_code == 1
    r = cli(database_url, "tenants", "grant", "T1", "ada", "ROLE_USER", "ROLE_REVIEWER")
    assert r.exit_code == 0, r.output
    r = cli(database_url, "tenants", "grant", "T1", "ada", "ROLE_WIZARD")
    assert r.exit_code == 1 and "Unknown role" in r.output
    assert cli(database_url, "tenants", "grant", "T2", "ada", "ROLE_USER").exit_code == 1
    r = cli(database_url, "tenants", "list")
    assert "T1" in r.stdout and "ada (ROLE_REVIEWER)" in r.stdout and "ada (ROLE_USER)" in r.stdout

    r = cli(database_url, "tenants", "types", "T1")
    config = json.loads(r.stdout)
    assert {t["uri"] for t in config["relationTypes"]} == {
        "configuration/relationTypes/HasAddress", "configuration/relationTypes/Employment",
        "configuration/relationTypes/affiliatedwith"}
    types = tmp_path / "types.json"
    types.write_text(json.dumps({"entityTypes": [{"uri": "configuration/entityTypes/Product",
                                                  "attributes": [{"name": "SKU", "type": "String"}]}],
                                 "relationTypes": []}))
    r = cli(database_url, "tenants", "types", "T1", "--file", str(types))
    assert r.exit_code == 0 and "1 entity types and 0 relation types" in r.stdout
    assert [t["uri"] for t in json.loads(cli(database_url, "tenants", "types", "T1").stdout)["entityTypes"]] == [
        "configuration/entityTypes/Product"]
    types.write_text("{nope")
    r = cli(database_url, "tenants", "types", "T1", "--file", str(types))
    assert r.exit_code == 1 and "cannot read" in r.output
    types.write_text(json.dumps({"entityTypes": [{"uri": "configuration/relationTypes/Wrong"}]}))
    r = cli(database_url, "tenants", "types", "T1", "--file", str(types))
    assert r.exit_code == 1 and "must start with" in r.output and "Traceback" not in r.output
