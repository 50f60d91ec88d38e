"""Groups: /group (list, create, remove by name), /group/by-id, /group/by-name, /group/picker, members
by id and by name, adding and removing members, /user/memberof."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import API, confluence_error


async def _group(client: Any, site: Any, name: str) -> dict[str, Any]:
    r = await client.post(f"{API}/group", headers=site.admin.bearer, json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_site_admin_makes_groups_and_fills_them(client, site) -> None:  # type: ignore[no-untyped-def]
    eng = await _group(client, site, "Engineering")
    assert (eng["type"], eng["name"]) == ("group", "engineering") and len(eng["id"]) == 36
    ops = await _group(client, site, "ops-team")
    for who, gid in ((site.alice, eng["id"]), (site.bob, eng["id"]), (site.bob, ops["id"])):
        r = await client.post(f"{API}/group/userByGroupId?groupId={gid}", headers=site.admin.bearer,
                              json={"accountId": who.account_id})
        assert r.status_code == 201
    # adding a member twice changes nothing
    r = await client.post(f"{API}/group/user?name=engineering", headers=site.admin.bearer,
                          json={"accountId": site.alice.account_id})
    assert r.status_code == 201

    r = await client.get(f"{API}/group", headers=site.carol.bearer)
    assert [(g["name"], g["id"]) for g in r.json()["results"]] == [("engineering", eng["id"]), ("ops-team", ops["id"])]
    r = await client.get(f"{API}/group/{eng['id']}/membersByGroupId?limit=1000", headers=site.carol.bearer)
    assert [u["accountId"] for u in r.json()["results"]] == [site.alice.account_id, site.bob.account_id]
    assert r.json()["limit"] == 200  # capped, as Cloud does
    r = await client.get(f"{API}/group/member?name=ENGINEERING&limit=1&start=1", headers=site.carol.bearer)
    assert [u["accountId"] for u in r.json()["results"]] == [site.bob.account_id]
    r = await client.get(f"{API}/user/memberof?accountId={site.bob.account_id}", headers=site.carol.bearer)
    assert [g["name"] for g in r.json()["results"]] == ["engineering", "ops-team"]
    r = await client.get(f"{API}/group/picker?query=OPS", headers=site.carol.bearer)
    assert [g["name"] for g in r.json()["results"]] == ["ops-team"]
    r = await client.get(f"{API}/group/by-id?id={ops['id']}", headers=site.carol.bearer)
    assert r.json() == ops
    r = await client.get(f"{API}/group/by-name?name=ops-team", headers=site.carol.bearer)
    assert r.json()["id"] == ops["id"]

    r = await client.delete(f"{API}/group/userByGroupId?groupId={eng['id']}&accountId={site.alice.account_id}",
                            headers=site.admin.bearer)
    assert r.status_code == 204
    r = await client.delete(f"{API}/group/user?name=engineering&accountId={site.alice.account_id}",
                            headers=site.admin.bearer)
    assert r.status_code == 204  # not a member any more: still 204, as the document says
    r = await client.get(f"{API}/group/{eng['id']}/membersByGroupId", headers=site.carol.bearer)
    assert [u["accountId"] for u in r.json()["results"]] == [site.bob.account_id]

    assert (await client.delete(f"{API}/group/by-id?id={eng['id']}", headers=site.admin.bearer)).status_code == 204
    assert (await client.delete(f"{API}/group?name=ops-team", headers=site.admin.bearer)).status_code == 204
    assert (await client.get(f"{API}/group", headers=site.carol.bearer)).json()["results"] == []
    r = await client.get(f"{API}/user/memberof?accountId={site.bob.account_id}", headers=site.carol.bearer)
    assert r.json()["results"] == []


async def test_only_site_admins_change_groups(client, site) -> None:  # type: ignore[no-untyped-def]
    eng = await _group(client, site, "eng")
    confluence_error(await client.post(f"{API}/group", headers=site.alice.bearer, json={"name": "mine"}), 403)
    confluence_error(await client.delete(f"{API}/group/by-id?id={eng['id']}", headers=site.alice.bearer), 403)
    confluence_error(await client.post(f"{API}/group/userByGroupId?groupId={eng['id']}", headers=site.alice.bearer,
                                       json={"accountId": site.alice.account_id}), 403)
    confluence_error(await client.delete(
        f"{API}/group/userByGroupId?groupId={eng['id']}&accountId={site.alice.account_id}",
        headers=site.alice.bearer), 403)
    r = await client.get(f"{API}/group", headers=site.admin.bearer)
    assert [g["name"] for g in r.json()["results"]] == ["eng"]  # nothing changed
    r = await client.get(f"{API}/group/{eng['id']}/membersByGroupId", headers=site.admin.bearer)
    assert r.json()["results"] == []


@pytest.mark.parametrize("method,path,body,status,fragment", [
    ("POST", "/group", {"name": ""}, 400, "empty"),
    ("POST", "/group", {"name": "x" * 256}, 400, "too long"),
    ("POST", "/group", {"name": "Eng"}, 400, "already exists"),
    ("POST", "/group", {}, 400, "name"),
    ("GET", "/group/by-id?id=nope", None, 404, "No group"),
    ("GET", "/group/by-id", None, 400, "id"),
    ("GET", "/group/by-name?name=nope", None, 404, "No group"),
    ("DELETE", "/group/by-id?id=nope", None, 404, "No group"),
    ("GET", "/group/nope/membersByGroupId", None, 404, "No group"),
    ("POST", "/group/userByGroupId?groupId={eng}", {"accountId": "nobody"}, 404, "No user"),
    ("POST", "/group/userByGroupId?groupId=nope", {"accountId": "acc-bob"}, 404, "No group"),
    ("POST", "/group/userByGroupId?groupId={eng}", {}, 400, "accountId"),
    ("POST", "/group/userByGroupId", {"accountId": "acc-bob"}, 400, "groupId"),
    ("DELETE", "/group/userByGroupId?groupId={eng}", None, 400, "accountId"),
    ("GET", "/user/memberof?accountId=nobody", None, 404, "No user"),
    ("GET", "/user/memberof", None, 400, "accountId"),
])
async def test_bad_group_requests(client, site, method, path, body, status,  # type: ignore[no-untyped-def]
                                  fragment) -> None:
    eng = await _group(client, site, "eng")
    r = await client.request(method, API + path.replace("{eng}", eng["id"]), headers=site.admin.bearer, json=body)
    confluence_error(r, status, fragment)
    r = await client.get(f"{API}/group", headers=site.admin.bearer)
    assert [g["name"] for g in r.json()["results"]] == ["eng"]


async def test_a_deleted_user_leaves_their_groups(client, site, app) -> None:  # type: ignore[no-untyped-def]
    from bondline.services import accounts

    eng = await _group(client, site, "eng")
    await client.post(f"{API}/group/userByGroupId?groupId={eng['id']}", headers=site.admin.bearer,
                      json={"accountId": site.carol.account_id})
    await accounts.delete_user(app.store, site.carol.account_id)
    r = await client.get(f"{API}/group/{eng['id']}/membersByGroupId", headers=site.admin.bearer)
    assert r.json()["results"] == []
