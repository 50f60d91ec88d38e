"""Authentication: bearer and basic, and every way credentials can be wrong."""

from __future__ import annotations

import base64

import pytest

from bondline import ids
from bondline.domain.model import Token
from bondline.services import accounts

ME = "/wiki/rest/api/user/current"


async def test_bearer_token_authenticates(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(ME, headers=site.alice.bearer)
    assert r.status_code == 200
    assert r.json()["accountId"] == site.alice.account_id


async def test_basic_auth_with_email_and_token(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(ME, auth=site.alice.basic)
    assert r.status_code == 200
    assert r.json()["email"] == "alice@example.com"


async def test_basic_auth_email_is_case_insensitive(client, site) -> None:  # type: ignore[no-untyped-def]
    creds = base64.b64encode(f"ALICE@Example.com:{site.alice.token}".encode()).decode()
    r = await client.get(ME, headers={"Authorization": f"Basic {creds}"})
    assert r.status_code == 200


def _confluence_401(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 401
    body = r.json()
    assert body["statusCode"] == 401
    assert body["data"] == {"authorized": False, "valid": True, "errors": [], "successful": False}
    assert body["message"]


async def test_missing_credentials_get_401_with_confluence_body(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(ME)
    _confluence_401(r)
    assert "requires authentication" in r.json()["message"]


@pytest.mark.parametrize("header", [
    "Bearer blt_nope",
    "Bearer blt_AAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "Basic !!!notbase64",
    "Basic " + base64.b64encode(b"no-colon").decode(),
    "Token abc",
    "Bearer ",
])
async def test_bad_credentials_get_401(client, site, header: str) -> None:  # type: ignore[no-untyped-def]
    _confluence_401(await client.get(ME, headers={"Authorization": header}))


async def test_basic_auth_with_someone_elses_email_is_refused(client, site) -> None:  # type: ignore[no-untyped-def]
    creds = base64.b64encode(f"bob@example.com:{site.alice.token}".encode()).decode()
    _confluence_401(await client.get(ME, headers={"Authorization": f"Basic {creds}"}))


async def test_tampered_secret_is_refused(client, site) -> None:  # type: ignore[no-untyped-def]
    token = site.alice.token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    _confluence_401(await client.get(ME, headers={"Authorization": f"Bearer {tampered}"}))


async def test_revoked_token_is_refused(app, client, site) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get(ME, headers=site.bob.bearer)).status_code == 200
    await accounts.revoke_token(app.store, ids.token_id_of(site.bob.token))
    r = await client.get(ME, headers=site.bob.bearer)
    _confluence_401(r)
    assert "revoked" in r.json()["message"]


async def test_expired_token_is_refused(app, client, site) -> None:  # type: ignore[no-untyped-def]
    token_id, token = ids.new_token()
    now = ids.now_ms()
    async with app.store.write() as tx:
        await tx.tokens.add(Token(token_id, site.bob.user_id, ids.hash_token(token), None, now - 10_000, now - 1, None))
    r = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    _confluence_401(r)
    assert "expired" in r.json()["message"]


async def test_token_with_future_expiry_works(app, client, site) -> None:  # type: ignore[no-untyped-def]
    record, token = await accounts.create_token(app.store, site.bob.account_id, expires_in_days=1)
    assert record.expires_at is not None and record.expires_at > ids.now_ms()
    assert (await client.get(ME, headers={"Authorization": f"Bearer {token}"})).status_code == 200


async def test_tokens_are_stored_only_as_hashes(app, site) -> None:  # type: ignore[no-untyped-def]
    async with app.store.read() as tx:
        rows = await tx.conn.all(__import__("sqlalchemy").text("SELECT * FROM api_tokens"))
    dump = repr([tuple(r) for r in rows])
    for person in site.people.values():
        secret = person.token.rsplit("_", 1)[1]
        assert secret not in dump
        assert ids.hash_token(person.token) in dump


async def test_errors_never_echo_the_token(client, site) -> None:  # type: ignore[no-untyped-def]
    bad = "blt_AAAAAAAAAA_" + "S" * 32
    r = await client.get(ME, headers={"Authorization": f"Bearer {bad}"})
    assert bad not in r.text and "SSSS" not in r.text


async def test_health_needs_no_credentials(client) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/healthz")).json()["status"] == "ok"
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"


async def test_unknown_path_gets_the_dialects_404(client) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/wiki/rest/api/nothing-here")
    assert r.status_code == 404 and r.json()["statusCode"] == 404
    r = await client.get("/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
