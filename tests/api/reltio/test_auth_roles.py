"""Reltio authentication (bondline tokens, OAuth tokens, the 401 body clients retry on) and the
tenant role matrix."""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa

from bondline import ids
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.services import accounts
from bondline.services.reltio import oauth, tenants
from bondline.store.tables import api_tokens
from tests.api.reltio.conftest import LOCATION, TENANT, api, make_entity, reltio_error


async def test_401_body_is_exactly_oauths(client, acme) -> None:  # type: ignore[no-untyped-def]
    tampered = acme.alice.token[:-1] + ("x" if acme.alice.token[-1] != "x" else "y")
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Bearer " + tampered}):
        r = await client.get(api("/entities/abc"), headers=headers)
        assert r.status_code == 401
        body = r.json()
        assert set(body) == {"error", "error_description"} and body["error"] == "invalid_token"
        assert isinstance(body["error_description"], str) and body["error_description"]
    r = await client.get(f"/services/reltio/api/{TENANT}/changeRequests/x", headers={"Authorization": "Token x"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"


async def test_basic_auth_works_too(client, acme) -> None:  # type: ignore[no-untyped-def]
    person = await make_entity(client, acme.alice)
    r = await client.get(api(f"/{person['uri']}"), auth=acme.alice.basic)
    assert r.status_code == 200


async def _token(client, **form: str) -> object:  # type: ignore[no-untyped-def]
    return await client.post("/oauth/token", data=form)


async def test_password_grant_and_refresh(client, acme) -> None:  # type: ignore[no-untyped-def]
    client_header = {"Authorization": "Basic " + base64.b64encode(b"reltio_ui:makita").decode()}
    r = await client.post("/oauth/token", headers=client_header, data={
        "grant_type": "password", "username": "alice@example.com", "password": acme.alice.token})
    assert r.status_code == 200, r.text
    grant = r.json()
    assert set(grant) == {"access_token", "token_type", "refresh_token", "expires_in", "scope"}
    assert grant["token_type"] == "bearer" and grant["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {grant['access_token']}"}
    person = await make_entity(client, type("P", (), {"bearer": bearer})())
    assert person["createdBy"] == "alice@example.com"
    # the refresh token is not a bearer credential
    r = await client.get(api(f"/{person['uri']}"), headers={"Authorization": f"Bearer {grant['refresh_token']}"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    # but it buys a new access token (query-string form, as in Reltio's examples)
    r = await client.post(f"/oauth/token?grant_type=refresh_token&refresh_token={grant['refresh_token']}")
    assert r.status_code == 200
    again = r.json()
    assert again["access_token"] != grant["access_token"] and again["refresh_token"] == grant["refresh_token"]
    r = await client.get(api(f"/{person['uri']}"), headers={"Authorization": f"Bearer {again['access_token']}"})
    assert r.status_code == 200
    # accountId works as the username; the query string carries the grant
    r = await client.post(f"/oauth/token?grant_type=password&username={acme.bob.account_id}&password={acme.bob.token}")
    assert r.status_code == 200


async def test_client_credentials_grant(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/oauth/token", auth=(acme.carol.email, acme.carol.token),
                          data={"grant_type": "client_credentials"})
    assert r.status_code == 200
    token = r.json()["access_token"]
    r = await client.post(api("/changeRequests"), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403  # carol reviews; she does not initiate
    r = await client.post("/oauth/token", auth=(acme.carol.email, acme.alice.token),
                          data={"grant_type": "client_credentials"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = await client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


@pytest.mark.parametrize("form,status,error", [
    ({"grant_type": "password", "username": "alice@example.com", "password": "wrong"}, 401, "invalid_grant"),
    ({"grant_type": "password", "username": "nobody@example.com", "password": "x"}, 401, "invalid_grant"),
    ({"grant_type": "password", "username": "alice@example.com"}, 400, "invalid_request"),
    ({"grant_type": "refresh_token", "refresh_token": "blt_AAAAAAAAAA_" + "A" * 32}, 401, "invalid_grant"),
    ({"grant_type": "implicit"}, 400, "unsupported_grant_type"),
    ({}, 400, "invalid_request"),
])
async def test_bad_grants(client, acme, form, status, error) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/oauth/token", data=form)
    assert r.status_code == status and r.json()["error"] == error and r.json()["error_description"]


async def test_password_must_be_the_users_own_api_token(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/oauth/token", data={"grant_type": "password", "username": "alice@example.com",
                                                "password": acme.bob.token})
    assert r.status_code == 401
    # an access token is not a password either
    grant = (await client.post("/oauth/token", data={"grant_type": "password", "username": "alice@example.com",
                                                     "password": acme.alice.token})).json()
    r = await client.post("/oauth/token", data={"grant_type": "password", "username": "alice@example.com",
                                                "password": grant["access_token"]})
    assert r.status_code == 401


async def test_expired_access_token_is_invalid_token(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    grant = (await client.post("/oauth/token", data={"grant_type": "password", "username": "alice@example.com",
                                                     "password": acme.alice.token})).json()
    token_id = ids.token_id_of(grant["access_token"])
    async with app.store.write(OPERATOR_ACTOR) as tx:
        await tx.conn.execute(api_tokens.update().where(api_tokens.c.id == sa.bindparam("id")).values(expires_at=1),
                              {"id": token_id})
    r = await client.get(api("/entities/abc"), headers={"Authorization": f"Bearer {grant['access_token']}"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_token" and "expired" in r.json()["error_description"]
    assert oauth.ACCESS_SECONDS == 3600


# --- roles ----------------------------------------------------------------------------------------

async def test_role_matrix(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    """Who can read, write directly, stage, and accept — per role."""
    await accounts.add_user(app.store, "dave", "dave@example.com", "Dave")
    _, dave_token = await accounts.create_token(app.store, "dave")
    await tenants.grant(app.store, TENANT, "dave", ["ROLE_READONLY"])
    await accounts.add_user(app.store, "erin", "erin@example.com", "Erin")
    _, erin_token = await accounts.create_token(app.store, "erin")
    await tenants.grant(app.store, TENANT, "erin", ["ROLE_ADMIN_TENANT"])
    await accounts.add_user(app.store, "frank", "frank@example.com", "Frank")
    _, frank_token = await accounts.create_token(app.store, "frank")  # no role on the tenant
    people = {
        "readonly": {"Authorization": f"Bearer {dave_token}"},
        "user": acme.alice.bearer,
        "initiator": acme.bob.bearer,
        "reviewer": acme.carol.bearer,
        "admin_tenant": {"Authorization": f"Bearer {erin_token}"},
        "site_admin": acme.admin.bearer,
        "none": {"Authorization": f"Bearer {frank_token}"},
    }
    expected = {  # read, create (direct | staged | 403), apply
        "readonly": (200, "403", 403),
        "user": (200, "direct", 403),
        "initiator": (200, "staged", 403),
        "reviewer": (200, "direct", 200),
        "admin_tenant": (200, "direct", 200),
        "site_admin": (200, "direct", 200),
        "none": (403, "403", 403),
    }
    person = await make_entity(client, acme.alice)
    for role, headers in people.items():
        read, create, apply = expected[role]
        r = await client.get(api(f"/{person['uri']}"), headers=headers)
        assert r.status_code == read, (role, r.text)
        if read == 403:
            reltio_error(r, 403, 804, "Security error. This endpoint is forbidden for current user.")
        r = await client.post(api("/entities"), headers=headers, json=[LOCATION])
        if create == "403":
            reltio_error(r, 403, 804)
        elif create == "staged":
            assert r.status_code == 200 and r.json()["state"] == "AWAITING_REVIEW", (role, r.text)
        else:
            assert r.status_code == 200 and r.json()[0]["successful"], (role, r.text)
        dcr = (await client.post(api("/changeRequests"), headers=acme.bob.bearer)).json()
        r = await client.post(api(f"/{dcr['uri']}/_apply"), headers=headers)
        assert r.status_code == apply, (role, r.text)


async def test_unknown_tenant_and_configuration(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/reltio/api/nosuch/entities/abc", headers=acme.admin.bearer)
    body = reltio_error(r, 404, fragment="Tenant nosuch not found")
    assert "TENANT_NOT_FOUND" in body["innerErrorData"]["exception"]
    reltio_error(await client.get("/reltio/api/" + "x" * 300 + "/entities/abc", headers=acme.admin.bearer), 404)
    config = (await client.get(api("/configuration"), headers=acme.bob.bearer)).json()
    assert [t["uri"].rsplit("/", 1)[1] for t in config["entityTypes"]] == ["Individual", "Location", "Organization"]
    assert [t["uri"].rsplit("/", 1)[1] for t in config["relationTypes"]] == ["Employment", "HasAddress",
                                                                             "affiliatedwith"]
    config.pop("uri")
    reltio_error(await client.put(api("/configuration"), headers=acme.alice.bearer, json=config), 403, 804)
    config["entityTypes"].append({"uri": "configuration/entityTypes/Product",
                                  "attributes": [{"name": "SKU", "type": "String"}], "dataLabelPattern": "{SKU}"})
    r = await client.put(api("/configuration"), headers=acme.admin.bearer, json=config)
    assert r.status_code == 200
    product = await make_entity(client, acme.alice, {"type": "configuration/entityTypes/Product",
                                                     "attributes": {"SKU": [{"value": "P-1"}]}})
    assert product["label"] == "P-1"
    reltio_error(await client.put(api("/configuration"), headers=acme.admin.bearer,
                                  json={"entityTypes": [{"uri": "configuration/entityTypes/X",
                                                         "attributes": [{"name": "A", "type": "Weird"}]}]}), 400)


async def test_expired_oauth_tokens_are_forgotten(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    form = {"grant_type": "password", "username": "alice@example.com", "password": acme.alice.token}
    first = (await client.post("/oauth/token", data=form)).json()
    async with app.store.write(OPERATOR_ACTOR) as tx:
        await tx.conn.execute(api_tokens.update().where(api_tokens.c.kind != "api").values(expires_at=1))
    await client.post("/oauth/token", data=form)
    async with app.store.read() as tx:
        left = await tx.tokens.for_user(acme.alice.user_id)
    assert ids.token_id_of(first["access_token"]) not in {t.id for t in left}
    assert sorted(t.kind for t in left) == ["api", "oauth_access", "oauth_refresh"]


async def test_tenants_are_isolated(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    await tenants.add(app.store, "other")
    await tenants.grant(app.store, "other", acme.bob.account_id, ["ROLE_ADMIN_TENANT"])
    person = await make_entity(client, acme.alice)
    dcr = (await client.post(api("/changeRequests"), headers=acme.bob.bearer)).json()
    # alice has no role on `other`
    reltio_error(await client.get(f"/reltio/api/other/{person['uri']}", headers=acme.alice.bearer), 403, 804)
    # bob administers `other`, but acme's objects and requests are not there
    reltio_error(await client.get(f"/reltio/api/other/{person['uri']}", headers=acme.bob.bearer), 404, 101)
    reltio_error(await client.get(f"/reltio/api/other/{dcr['uri']}", headers=acme.bob.bearer), 404, 101)
    reltio_error(await client.post(f"/reltio/api/other/{dcr['uri']}/_apply", headers=acme.bob.bearer), 404, 101)
    # and the same crosswalk makes a separate entity in each tenant
    r = await client.post("/reltio/api/other/entities", headers=acme.bob.bearer, json=[{
        "type": "configuration/entityTypes/Individual", "crosswalks": person["crosswalks"][:1]}])
    assert r.json()[0]["object"]["uri"] != person["uri"]


# --- OAuth tokens die with the API token they were minted from (issue 27) --------------------------

async def _grant(client, person, grant_type: str = "password") -> dict:  # type: ignore[no-untyped-def]
    if grant_type == "password":
        r = await client.post("/oauth/token", data={"grant_type": "password", "username": person.email,
                                                    "password": person.token})
    else:
        r = await client.post("/oauth/token", auth=(person.email, person.token),
                              data={"grant_type": "client_credentials"})
    assert r.status_code == 200, r.text
    return r.json()


async def _refresh(client, grant: dict):  # type: ignore[no-untyped-def]
    return await client.post("/oauth/token", data={"grant_type": "refresh_token",
                                                   "refresh_token": grant["refresh_token"]})


async def _parent_gone(app, person, how: str) -> None:  # type: ignore[no-untyped-def]
    if how == "revoked":
        await accounts.revoke_token(app.store, ids.token_id_of(person.token))
    elif how == "expired":
        async with app.store.write(OPERATOR_ACTOR) as tx:
            await tx.conn.execute(api_tokens.update().where(api_tokens.c.id == sa.bindparam("id"))
                                  .values(expires_at=1), {"id": ids.token_id_of(person.token)})
    else:
        await accounts.delete_user(app.store, person.account_id)


@pytest.mark.parametrize("grant_type", ["password", "client_credentials"])
@pytest.mark.parametrize("how", ["revoked", "expired", "user deleted"])
async def test_oauth_tokens_die_with_their_api_token(app, client, acme, how, grant_type) -> None:  # type: ignore[no-untyped-def]
    grant = await _grant(client, acme.alice, grant_type)
    bearer = {"Authorization": f"Bearer {grant['access_token']}"}
    assert (await client.get(api("/entities/abc"), headers=bearer)).status_code == 404  # works: a Reltio 404
    fresh = (await _refresh(client, grant)).json()
    await _parent_gone(app, acme.alice, how)
    for token in (grant["access_token"], fresh["access_token"]):
        r = await client.get(api("/entities/abc"), headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and r.json()["error"] == "invalid_token", r.text
    r = await _refresh(client, grant)
    assert r.status_code == 401 and r.json()["error"] == "invalid_grant", r.text
    async with app.store.read() as tx:  # and no token was minted by the refused refresh
        left = [] if how == "user deleted" else await tx.tokens.for_user(acme.alice.user_id)
    assert len([t for t in left if t.kind == "oauth_access"]) <= 2


async def test_another_api_token_keeps_its_own_oauth_tokens(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    """Revoking one API token ends the OAuth tokens minted from it, not those of the user's others."""
    _, second = await accounts.create_token(app.store, acme.alice.account_id)
    other = type(acme.alice)(acme.alice.account_id, acme.alice.email, second, acme.alice.user_id)
    kept, ended = await _grant(client, other), await _grant(client, acme.alice)
    await accounts.revoke_token(app.store, ids.token_id_of(acme.alice.token))
    r = await client.get(api("/entities/abc"), headers={"Authorization": f"Bearer {ended['access_token']}"})
    assert r.status_code == 401
    r = await client.get(api("/entities/abc"), headers={"Authorization": f"Bearer {kept['access_token']}"})
    assert r.status_code == 404
    assert (await _refresh(client, kept)).status_code == 200


async def test_oauth_tokens_are_audited_as_the_users_doing(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    grant = await _grant(client, acme.bob)
    await _refresh(client, grant)
    async with app.store.read() as tx:
        entries = await tx.audit.entries(limit=50)
    created = [e for e in entries if e.action == "token.create"
               and e.after.get("kind", "api") in ("oauth_access", "oauth_refresh")]
    assert len(created) == 3 and {e.actor for e in created} == {acme.bob.account_id}
    assert {e.after["parent_id"] for e in created} == {ids.token_id_of(acme.bob.token)}
