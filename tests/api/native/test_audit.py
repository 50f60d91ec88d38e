"""The audit trail: every change recorded in its own transaction, append-only, readable by site
admins over HTTP and by the operator with `bondline audit`."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bondline.cli import app as cli_app
from bondline.domain.audit import OPERATOR_ACTOR
from tests.api.reltio.conftest import api as reltio_api
from tests.helpers import API, make_page, make_space

runner = CliRunner()


async def _entries(client, admin, **query):  # type: ignore[no-untyped-def]
    r = await client.get("/api/v1/audit", headers=admin.bearer, params={"limit": 500, **query})
    assert r.status_code == 200, r.text
    return r.json()["results"]


async def test_confluence_changes_are_recorded(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "AUD")
    page = await make_page(client, site.alice, "AUD", "Audited")
    pid = page["id"]
    await client.put(f"{API}/content/{pid}", headers=site.alice.bearer,
                     json={"type": "page", "title": "Audited v2", "version": {"number": 2}})
    fav = f"{API}/relation/favourite/from/user/current/to/content/{pid}"
    await client.put(fav, headers=site.bob.bearer)
    await client.put(fav, headers=site.bob.bearer)  # idempotent: no second entry
    await client.delete(fav, headers=site.bob.bearer)
    await client.delete(fav, headers=site.bob.bearer)  # nothing to delete: no entry
    await client.post(f"{API}/user/watch/content/{pid}", headers={**site.bob.bearer, "X-Atlassian-Token": "no-check"})
    await client.post(f"{API}/content/{pid}/label", headers=site.bob.bearer, json={"name": "x"})
    await client.delete(f"{API}/content/{pid}", headers=site.alice.bearer)
    await client.delete(f"{API}/content/{pid}?status=trashed", headers=site.alice.bearer)

    entries = await _entries(client, site.admin)
    actions = [(e["actor"], e["action"]) for e in reversed(entries) if e["actor"] != "bondline-operator"]
    assert actions == [
        (site.alice.account_id, "space.create"),
        (site.alice.account_id, "content.create"),
        (site.alice.account_id, "content.update"),
        (site.bob.account_id, "relation.create"),
        (site.bob.account_id, "relation.delete"),
        (site.bob.account_id, "watch.add"),
        (site.bob.account_id, "label.add"),
        (site.alice.account_id, "content.trash"),
        (site.alice.account_id, "content.purge"),
    ]
    update = next(e for e in entries if e["action"] == "content.update")
    assert update["before"]["title"] == "Audited" and update["after"]["title"] == "Audited v2"
    assert update["object"] == f"content/{pid}" and update["at"].endswith("Z")
    created = next(e for e in entries if e["action"] == "relation.create")
    assert created["object"] == f"relation/confluence/favourite/user:{site.bob.account_id}/content:{pid}"
    assert created["before"] is None and created["after"]["name"] == "favourite"
    deleted = next(e for e in entries if e["action"] == "relation.delete")
    assert deleted["before"]["name"] == "favourite" and deleted["after"] is None


async def test_reltio_changes_and_dcr_states_are_recorded(client, acme) -> None:  # type: ignore[no-untyped-def]
    from tests.api.reltio.conftest import address

    _, _, rel = await address(client, acme.alice)
    dcr = (await client.delete(reltio_api(f"/{rel['uri']}"), headers=acme.bob.bearer)).json()
    assert (await client.post(reltio_api(f"/{dcr['uri']}/_apply"), headers=acme.carol.bearer)).status_code == 200
    entries = await _entries(client, acme.admin, objectPrefix="reltio/acme/")
    actions = [e["action"] for e in reversed(entries)]
    assert actions.count("entity.create") == 2
    assert "reltio.relation.create" in actions
    tail = actions[actions.index("dcr.create"):]
    # A new change request is written once, as it ends up: created, then its items staged.
    assert tail == ["dcr.create", "dcr.stage", "reltio.relation.delete", "dcr.applied"], tail
    applied = entries[0]
    assert applied["before"]["state"] == "AWAITING_REVIEW" and applied["after"]["state"] == "APPLIED"
    assert applied["actor"] == acme.carol.account_id


async def test_a_failed_change_records_nothing(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "FAIL")
    page = await make_page(client, site.alice, "FAIL", "P")
    before = len(await _entries(client, site.admin))
    r = await client.put(f"{API}/content/{page['id']}", headers=site.alice.bearer,
                         json={"type": "page", "title": "P", "version": {"number": 9}})
    assert r.status_code == 409
    assert len(await _entries(client, site.admin)) == before


async def test_the_log_is_append_only(app, client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "APP")
    for statement in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            async with app.store.write(OPERATOR_ACTOR) as tx:
                await tx.conn.execute(sa.text(statement))
    assert [e["action"] for e in await _entries(client, site.admin)][0] == "space.create"


async def test_emptying_the_database_takes_the_log_and_leaves_it_append_only(app, client, site) -> None:  # type: ignore[no-untyped-def]
    """`Store.wipe` (a test server's reset) empties the log as TRUNCATE does, on either backend; the
    guard is in force again at once, for rows written after it."""
    await make_space(client, site.alice, "GONE")
    await app.store.wipe()
    async with app.store.read() as tx:
        assert await tx.conn.scalar(sa.text("SELECT count(*) FROM audit_log")) == 0
    async with app.store.write(OPERATOR_ACTOR) as tx:
        await tx.conn.execute(sa.text("INSERT INTO audit_log (id, at, actor, action, object) "
                                      "VALUES (1, 0, 'someone', 'space.create', 'space/NEW')"))
    for statement in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            async with app.store.write(OPERATOR_ACTOR) as tx:
                await tx.conn.execute(sa.text(statement))
    async with app.store.read() as tx:
        assert [tuple(row) for row in await tx.conn.all(sa.text("SELECT id, actor FROM audit_log"))] == [(1, "someone")]


async def test_only_site_admins_read_it_and_it_pages(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/api/v1/audit", headers=site.alice.bearer)
    assert r.status_code == 403 and r.json()["error"]["status"] == 403
    assert (await client.get("/api/v1/audit")).status_code == 401
    for key in ("PA", "PB", "PC"):
        await make_space(client, site.alice, key)
    first = await client.get("/api/v1/audit", headers=site.admin.bearer,
                             params={"actor": site.alice.account_id, "limit": 2})
    page = first.json()
    assert [e["object"] for e in page["results"]] == ["space/PC", "space/PB"]
    second = await client.get(page["_links"]["next"], headers=site.admin.bearer)
    assert [e["object"] for e in second.json()["results"]] == ["space/PA"]
    for bad in ({"limit": "0"}, {"limit": "9999"}, {"since": "yesterday"}, {"before": "-1"}):
        assert (await client.get("/api/v1/audit", headers=site.admin.bearer, params=bad)).status_code == 400


async def test_request_ids_tie_entries_to_requests(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/space", headers={**site.alice.bearer, "X-Request-Id": "trace-me-123"},
                          json={"key": "RID", "name": "Rid"})
    assert r.headers["x-request-id"] == "trace-me-123"
    entry = (await _entries(client, site.admin, object="space/RID"))[0]
    assert entry["requestId"] == "trace-me-123"


def test_audit_command(database_url: str) -> None:
    runner.invoke(cli_app, ["users", "add", "ops", "--email", "ops@example.com", "--name", "Ops",
                            "--database-url", database_url])
    r = runner.invoke(cli_app, ["audit", "--json", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert lines[0]["action"] == "user.create" and lines[0]["actor"] == "bondline-operator"
    r = runner.invoke(cli_app, ["audit", "--object", "user/", "--since", "2020-01-01", "--database-url", database_url])
    assert r.exit_code == 0 and "user.create" in r.stdout
    r = runner.invoke(cli_app, ["audit", "--since", "not a date", "--database-url", database_url])
    assert r.exit_code == 1 and "ISO date-time" in r.output


def test_tokens_made_and_revoked_are_recorded_without_secrets(database_url: str) -> None:
    runner.invoke(cli_app, ["users", "add", "tok", "--email", "tok@example.com", "--name", "Tok",
                            "--database-url", database_url])
    made = runner.invoke(cli_app, ["tokens", "create", "tok", "--database-url", database_url])
    assert made.exit_code == 0, made.output
    token = next(w for w in made.stdout.split() if w.startswith("blt_"))
    revoked = runner.invoke(cli_app, ["tokens", "revoke", token, "--database-url", database_url])
    assert revoked.exit_code == 0, revoked.output
    r = runner.invoke(cli_app, ["audit", "--json", "--object", "user/tok/", "--database-url", database_url])
    entries = [json.loads(line) for line in r.stdout.splitlines()]
    assert [e["action"] for e in entries] == ["token.revoke", "token.create"]
    assert entries[0]["after"]["revoked_at"] is not None and entries[0]["before"]["revoked_at"] is None
    text = r.stdout
    secret = token.split("_", 2)[-1]
    assert secret not in text and "secret_hash" not in text
