"""Spaces on the Confluence paths: create, get, list, update, delete, private spaces, errors."""

from __future__ import annotations

import pytest

from bondline.services import spaces

API = "/wiki/rest/api"


def _error(r, status: int, fragment: str = "") -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert r.status_code == status, r.text
    body = r.json()
    assert body["statusCode"] == status
    assert set(body["data"]) == {"authorized", "valid", "errors", "successful"}
    assert body["data"]["successful"] is False
    assert fragment in body["message"], body["message"]
    return body


async def test_create_and_get_space(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/space", headers=site.alice.bearer,
                          json={"key": "ENG", "name": "Engineering",
                                "description": {"plain": {"value": "Builders", "representation": "plain"}}})
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["key"] == "ENG" and created["name"] == "Engineering"
    assert created["type"] == "global" and created["status"] == "current"
    assert isinstance(created["id"], int)
    assert created["description"]["plain"]["value"] == "Builders"
    assert created["_links"]["self"] == "http://bondline.test/wiki/rest/api/space/ENG"
    assert created["_links"]["base"] == "http://bondline.test/wiki"
    assert created["_links"]["context"] == "/wiki"

    r = await client.get(f"{API}/space/ENG?expand=history,description.plain", headers=site.bob.bearer)
    assert r.status_code == 200
    got = r.json()
    assert got["id"] == created["id"]
    assert got["history"]["createdBy"]["accountId"] == site.alice.account_id
    assert got["history"]["createdDate"].endswith("Z")
    assert "description" not in got["_expandable"] and "icon" in got["_expandable"]


async def test_list_spaces_is_paginated_by_key(client, site) -> None:  # type: ignore[no-untyped-def]
    for key in ("CCC", "AAA", "BBB"):
        assert (await client.post(f"{API}/space", headers=site.alice.bearer,
                                  json={"key": key, "name": key})).status_code == 200
    r = await client.get(f"{API}/space?limit=2", headers=site.bob.bearer)
    body = r.json()
    assert [s["key"] for s in body["results"]] == ["AAA", "BBB"]
    assert body["start"] == 0 and body["limit"] == 2 and body["size"] == 2
    assert body["_links"]["next"] == "/rest/api/space?limit=2&start=2"
    r = await client.get(f"{API}/space?limit=2&start=2", headers=site.bob.bearer)
    assert [s["key"] for s in r.json()["results"]] == ["CCC"]
    assert "next" not in r.json()["_links"]
    r = await client.get(f"{API}/space?spaceKey=BBB&spaceKey=CCC", headers=site.bob.bearer)
    assert [s["key"] for s in r.json()["results"]] == ["BBB", "CCC"]


async def test_duplicate_space_key_is_400(client, site) -> None:  # type: ignore[no-untyped-def]
    await client.post(f"{API}/space", headers=site.alice.bearer, json={"key": "DUP", "name": "One"})
    r = await client.post(f"{API}/space", headers=site.bob.bearer, json={"key": "DUP", "name": "Two"})
    _error(r, 400, "already exists")


@pytest.mark.parametrize("body,fragment", [
    ({"key": "has space", "name": "x"}, "alphanumeric"),
    ({"key": "K" * 256, "name": "x"}, "alphanumeric"),
    ({"key": "OK", "name": ""}, "name cannot be empty"),
    ({"key": "OK", "name": "n" * 201}, "too long"),
    ({"name": "no key"}, "key"),
    ({"key": 5, "name": "wrong type"}, "Expected `str`"),
])
async def test_invalid_space_bodies_are_400(client, site, body, fragment) -> None:  # type: ignore[no-untyped-def]
    _error(await client.post(f"{API}/space", headers=site.alice.bearer, json=body), 400, fragment)


async def test_malformed_json_is_400(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/space", headers={**site.alice.bearer, "Content-Type": "application/json"},
                          content=b'{"key": "X",')
    _error(r, 400, "Malformed JSON")


async def test_unknown_space_is_404(client, site) -> None:  # type: ignore[no-untyped-def]
    _error(await client.get(f"{API}/space/NOPE", headers=site.alice.bearer), 404, "No space with key : NOPE")


async def test_private_space_is_hidden_from_others(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/space/_private", headers=site.alice.bearer, json={"key": "SECRET", "name": "S"})
    assert r.status_code == 200
    assert (await client.get(f"{API}/space/SECRET", headers=site.alice.bearer)).status_code == 200
    _error(await client.get(f"{API}/space/SECRET", headers=site.bob.bearer), 404)
    assert (await client.get(f"{API}/space/SECRET", headers=site.admin.bearer)).status_code == 200
    listed = (await client.get(f"{API}/space", headers=site.bob.bearer)).json()["results"]
    assert "SECRET" not in [s["key"] for s in listed]


async def test_update_space_needs_space_admin(app, client, site) -> None:  # type: ignore[no-untyped-def]
    await client.post(f"{API}/space", headers=site.alice.bearer, json={"key": "UPD", "name": "Before"})
    _error(await client.put(f"{API}/space/UPD", headers=site.bob.bearer, json={"name": "Hijack"}), 404)
    await spaces.set_admin(app.store, None, "UPD", site.carol.account_id)
    r = await client.put(f"{API}/space/UPD", headers=site.carol.bearer, json={"name": "After"})
    assert r.status_code == 200 and r.json()["name"] == "After"
    got = await client.get(f"{API}/space/UPD", headers=site.bob.bearer)
    assert got.json()["name"] == "After"


async def test_delete_space_returns_a_finished_long_task(client, site) -> None:  # type: ignore[no-untyped-def]
    await client.post(f"{API}/space", headers=site.alice.bearer, json={"key": "GONE", "name": "Gone"})
    r = await client.post(f"{API}/content", headers=site.alice.bearer,
                          json={"type": "page", "title": "p", "space": {"key": "GONE"}})
    page_id = r.json()["id"]
    _error(await client.delete(f"{API}/space/GONE", headers=site.bob.bearer), 404)
    r = await client.delete(f"{API}/space/GONE", headers=site.alice.bearer)
    assert r.status_code == 202
    task = r.json()
    assert task["links"]["status"] == f"/rest/api/longtask/{task['id']}"
    r = await client.get(f"{API}/longtask/{task['id']}", headers=site.alice.bearer)
    assert r.json()["finished"] is True and r.json()["successful"] is True
    _error(await client.get(f"{API}/space/GONE", headers=site.alice.bearer), 404)
    _error(await client.get(f"{API}/content/{page_id}", headers=site.alice.bearer), 404)


async def test_grant_admin_needs_a_site_admin(app, site) -> None:  # type: ignore[no-untyped-def]
    from bondline.domain.errors import Forbidden
    from bondline.domain.model import Caller
    from bondline.services.accounts import get_user

    await spaces.create(app.store, Caller.of(await get_user(app.store, site.alice.account_id)), "ADM", "Adm")
    bob = Caller.of(await get_user(app.store, site.bob.account_id))
    with pytest.raises(Forbidden):
        await spaces.set_admin(app.store, bob, "ADM", site.bob.account_id)
    admin = Caller.of(await get_user(app.store, site.admin.account_id))
    await spaces.set_admin(app.store, admin, "ADM", site.bob.account_id)


async def test_space_settings_and_the_links_a_space_gives(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/space", headers=site.alice.bearer, json={"key": "SET", "name": "Settings"})
    assert r.status_code == 200, r.text
    space = r.json()
    assert space["_expandable"]["settings"] == "/rest/api/space/SET/settings"
    # No themes and no look and feel are kept: expandable, but at no URL (which would answer 404).
    assert space["_expandable"]["theme"] == "" and space["_expandable"]["lookAndFeel"] == ""
    r = await client.get(f"{API}/space/SET/settings", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    assert r.json() == {"routeOverrideEnabled": False, "editor": {"page": "v2", "blogpost": "v2", "default": "v2"},
                        "spaceKey": "SET", "_links": {"self": "http://bondline.test/wiki/rest/api/space/SET/settings",
                                                      "base": "http://bondline.test/wiki", "context": "/wiki"}}
    _error(await client.get(f"{API}/space/NOPE/settings", headers=site.bob.bearer), 404)
    # A space shown inside its content names its home page, as the space itself does.
    home = space["_expandable"]["homepage"]
    assert home.startswith("/rest/api/content/")
    r = await client.post(f"{API}/content", headers=site.alice.bearer, json={
        "type": "page", "title": "Inside", "space": {"key": "SET"}})
    assert r.status_code == 200, r.text
    assert r.json()["space"]["_expandable"]["homepage"] == home
    r = await client.get(f"{API}/content/{r.json()['id']}", headers=site.bob.bearer)
    assert r.json()["space"]["_expandable"]["homepage"] == home
