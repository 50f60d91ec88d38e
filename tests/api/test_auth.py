"""Authentication: bearer and basic, and every way credentials can be wrong."""

from __future__ import annotations

import base64

import pytest

from bondline import ids
from bondline.domain.audit import OPERATOR_ACTOR
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
    async with app.store.write(OPERATOR_ACTOR) as tx:
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


# --- tokens at rest and in comparison -----------------------------------------------------------------

async def _every_row(app) -> str:  # type: ignore[no-untyped-def]
    """Every row of every table, as text."""
    import sqlalchemy as sa

    from bondline.store.tables import metadata

    rows = []
    async with app.store.read() as tx:
        for table in metadata.sorted_tables:
            rows += [tuple(r) for r in await tx.conn.all(sa.select(table))]
    return repr(rows)


async def test_no_table_holds_a_raw_token(app, client, site) -> None:  # type: ignore[no-untyped-def]
    """API tokens, OAuth access and refresh tokens, revoked ones: only their SHA-256 is stored, in
    api_tokens, and nowhere else (not in the audit trail, not in any other table). The same for a
    review inbox session: its cookie's secret is stored only as SHA-256 (in ui_sessions), and its
    CSRF token not at all."""
    import re

    from bondline.services import ui_sessions
    from bondline.services.reltio import tenants

    await tenants.add(app.store, "acme")
    r = await client.post("/oauth/token", auth=(site.alice.email, site.alice.token),
                          data={"grant_type": "client_credentials"})
    assert r.status_code == 200, r.text
    grant = r.json()
    r = await client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]})
    assert r.status_code == 200, r.text
    raw_tokens = [p.token for p in site.people.values()] + [grant["access_token"], grant["refresh_token"],
                                                            r.json()["access_token"]]
    await accounts.revoke_token(app.store, ids.token_id_of(site.bob.token))
    form = await client.get("/ui/sign-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    r = await client.post("/ui/sign-in", data={"csrf": csrf, "token": site.alice.token})
    assert r.status_code == 303, r.text
    session = client.cookies["bondline_ui"]
    page = await client.get("/ui/")
    assert page.status_code == 200
    session_csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    dump = await _every_row(app)
    for token in raw_tokens:
        secret = token.rsplit("_", 1)[1]
        assert token not in dump and secret not in dump
    for person in site.people.values():
        assert dump.count(ids.hash_token(person.token)) == 1  # its api_tokens row, only
    secret = session.split(".", 1)[1]
    assert secret not in dump and session_csrf not in dump and csrf not in dump
    assert dump.count(ui_sessions.hash_of(secret)) == 1  # its ui_sessions row, only


async def test_tokens_are_compared_in_constant_time(app, client, site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The presented token is looked up by its public id, then its hash compared with the stored
    one by hmac.compare_digest — never by `==` or in SQL."""
    import hmac

    calls = []
    compare = hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(ids.hmac, "compare_digest", spy)
    assert (await client.get(ME, headers=site.alice.bearer)).status_code == 200
    assert calls == [(ids.hash_token(site.alice.token), ids.hash_token(site.alice.token))]
    tampered = site.alice.token[:-1] + ("A" if site.alice.token[-1] != "A" else "B")
    assert (await client.get(ME, headers={"Authorization": f"Bearer {tampered}"})).status_code == 401
    assert len(calls) == 2 and calls[1][0] == ids.hash_token(tampered)


@pytest.mark.parametrize("path", [ME, "/reltio/api/acme/entities/x", "/api/v1/audit"])
async def test_no_error_body_or_header_echoes_a_presented_token(app, client, site, path) -> None:  # type: ignore[no-untyped-def]
    """Bad, tampered, revoked and expired tokens, as Bearer and in Basic: the 401 of every dialect
    names none of them."""
    record, revoked = await accounts.create_token(app.store, site.bob.account_id)
    await accounts.revoke_token(app.store, record.id)
    expired_id, expired = ids.new_token()
    now = ids.now_ms()
    async with app.store.write(OPERATOR_ACTOR) as tx:
        await tx.tokens.add(Token(expired_id, site.bob.user_id, ids.hash_token(expired), None, now - 10_000, now - 1,
                                  None))
    tampered = site.bob.token[:-4] + "ZZZZ"
    for token in ("blt_AAAAAAAAAA_" + "S" * 32, "not-a-token-at-all", tampered, revoked, expired):
        for header in (f"Bearer {token}",
                       "Basic " + base64.b64encode(f"bob@example.com:{token}".encode()).decode()):
            r = await client.get(path, headers={"Authorization": header})
            assert r.status_code == 401
            shown = r.text + repr(r.headers.raw)
            assert token not in shown and token.rsplit("_", 1)[-1] not in shown
            assert header.split(" ", 1)[1] not in shown


async def test_oauth_errors_never_echo_credentials(app, client, site) -> None:  # type: ignore[no-untyped-def]
    secret = site.bob.token[:-4] + "ZZZZ"
    for r in (await client.post("/oauth/token", auth=("bob@example.com", secret),
                                data={"grant_type": "client_credentials"}),
              await client.post("/oauth/token", data={"grant_type": "password", "username": "bob@example.com",
                                                      "password": secret}),
              await client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": secret})):
        assert r.status_code in (400, 401), r.text
        assert secret not in r.text and secret.rsplit("_", 1)[-1] not in r.text
