"""The Confluence relation API: every operation, every status code it documents, on each backend."""

from __future__ import annotations

import pytest

from bondline.services import accounts, spaces
from tests.helpers import API, confluence_error, edit_page, make_page, make_space

REL = f"{API}/relation"


@pytest.fixture
async def world(client, site):  # type: ignore[no-untyped-def]
    """Alice owns space DOC (with a page that has two versions); bob and carol are plain users."""
    await make_space(client, site.alice, "DOC")
    page = await make_page(client, site.alice, "DOC", "Guide")
    await edit_page(client, site.alice, page, 2)
    other = await make_page(client, site.alice, "DOC", "Other")
    await make_space(client, site.alice, "PRIV", private=True)
    hidden = await make_page(client, site.alice, "PRIV", "Hidden")
    return {"page": page["id"], "other": other["id"], "hidden": hidden["id"]}


def fav(source: str, target_type: str, target_key: str) -> str:
    return f"{REL}/favourite/from/user/{source}/to/{target_type}/{target_key}"


# --- getRelationship ----------------------------------------------------------------------------

async def test_get_existing_relation(client, site, world) -> None:  # type: ignore[no-untyped-def]
    assert (await client.put(fav("current", "content", world["page"]), headers=site.bob.bearer)).status_code == 200
    r = await client.get(fav("current", "content", world["page"]), headers=site.bob.bearer)
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "favourite"
    assert body["_expandable"] == {"relationData": "", "source": f"/rest/api/user?accountId={site.bob.account_id}",
                                   "target": f"/rest/api/content/{world['page']}"}
    assert body["_links"]["self"].endswith(f"/relation/favourite/from/user/{site.bob.account_id}/to/content/"
                                           f"{world['page']}")
    r = await client.get(fav(site.bob.account_id, "content", world["page"]) + "?expand=relationData,source,target",
                         headers=site.bob.bearer)
    body = r.json()
    assert body["relationData"]["createdBy"]["accountId"] == site.bob.account_id
    assert body["relationData"]["createdDate"].endswith("Z")
    assert body["relationData"]["friendlyCreatedDate"]
    assert body["source"]["type"] == "known" and body["source"]["accountId"] == site.bob.account_id
    assert body["target"]["id"] == world["page"] and body["target"]["type"] == "page"
    assert "_expandable" not in body


async def test_get_missing_relation_is_404(client, site, world) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.get(fav("current", "content", world["page"]), headers=site.bob.bearer), 404,
                     "No 'favourite' relationship")


async def test_every_relation_endpoint_needs_credentials(client, world) -> None:  # type: ignore[no-untyped-def]
    for method in ("GET", "PUT", "DELETE"):
        confluence_error(await client.request(method, fav("current", "content", world["page"])), 401)
    confluence_error(await client.get(f"{REL}/read/from/user/current/to/content"), 401)
    confluence_error(await client.get(f"{REL}/read/to/content/{world['page']}/from/user"), 401)


async def test_get_someone_elses_favourite_is_403(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await client.put(fav("current", "content", world["page"]), headers=site.bob.bearer)
    confluence_error(await client.get(fav(site.bob.account_id, "content", world["page"]), headers=site.carol.bearer),
                     403)
    # a site admin, and the administrator of the page's space, may look
    assert (await client.get(fav(site.bob.account_id, "content", world["page"]),
                             headers=site.admin.bearer)).status_code == 200
    assert (await client.get(fav(site.bob.account_id, "content", world["page"]),
                             headers=site.alice.bearer)).status_code == 200


@pytest.mark.parametrize("path,fragment", [
    (f"{REL}/favourite/from/group/x/to/content/1", "Invalid sourceType"),
    (f"{REL}/favourite/from/user/current/to/blog/1", "Invalid targetType"),
    (f"{REL}/bad name!/from/user/current/to/content/1", "Invalid relation name"),
    (f"{REL}/{'n' * 65}/from/user/current/to/content/1", "Invalid relation name"),
    (f"{REL}/favourite/from/user/current/to/content/abc", "content ids are positive integers"),
    (f"{REL}/favourite/from/space/DOC/to/content/1", "sourceType of a 'favourite' relationship must be 'user'"),
    (f"{REL}/favourite/from/user/current/to/user/current", "targetType of a 'favourite'"),
    (f"{REL}/favourite/from/user/current/to/content/1?targetStatus=bogus", "Invalid targetStatus"),
    (f"{REL}/favourite/from/user/current/to/content/1?targetVersion=1", "only used when targetStatus is 'historical'"),
    (f"{REL}/favourite/from/user/current/to/content/1?targetStatus=historical", "needs targetVersion"),
    (f"{REL}/favourite/from/user/current/to/content/1?targetStatus=historical&targetVersion=x", "must be an integer"),
    (f"{REL}/favourite/from/user/current/to/space/{'K' * 300}", "1-255 characters"),
])
async def test_bad_requests_are_400(client, site, world, path, fragment) -> None:  # type: ignore[no-untyped-def]
    for method in ("GET", "PUT", "DELETE"):
        confluence_error(await client.request(method, path, headers=site.bob.bearer), 400, fragment)


@pytest.mark.parametrize("target", ["content/999999", "space/NOPE"])
async def test_unknown_target_is_404(client, site, world, target) -> None:  # type: ignore[no-untyped-def]
    kind, key = target.split("/")
    for method in ("GET", "PUT", "DELETE"):
        confluence_error(await client.request(method, fav("current", kind, key), headers=site.bob.bearer), 404)


async def test_unknown_user_is_404(client, site, world) -> None:  # type: ignore[no-untyped-def]
    for method in ("GET", "PUT", "DELETE"):
        r = await client.request(method, fav("no-such-user", "content", world["page"]), headers=site.admin.bearer)
        confluence_error(r, 404, "No user found with accountId : no-such-user")


async def test_target_in_a_private_space_is_404_for_outsiders(client, site, world) -> None:  # type: ignore[no-untyped-def]
    for method in ("GET", "PUT", "DELETE"):
        confluence_error(await client.request(method, fav("current", "content", world["hidden"]),
                                              headers=site.bob.bearer), 404)
    assert (await client.put(fav("current", "content", world["hidden"]),
                             headers=site.alice.bearer)).status_code == 200


# --- createRelationship -------------------------------------------------------------------------

async def test_put_creates_once_and_is_idempotent(app, client, site, world) -> None:  # type: ignore[no-untyped-def]
    first = await client.put(fav("current", "space", "DOC") + "?expand=relationData", headers=site.bob.bearer)
    assert first.status_code == 200
    second = await client.put(fav("current", "space", "DOC") + "?expand=relationData", headers=site.bob.bearer)
    assert second.status_code == 200
    assert first.json() == second.json()
    async with app.store.read() as tx:
        rows = await tx.relations.listing(direction="forward", ns="confluence", name="favourite", kind="user",
                                          key=site.bob.account_id, other_type="space", viewer=None)
    assert len(rows) == 1


async def test_put_for_another_user_is_403_unless_site_admin(client, site, world) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.put(fav(site.bob.account_id, "content", world["page"]), headers=site.carol.bearer),
                     403)
    assert (await client.put(fav(site.bob.account_id, "content", world["page"]),
                             headers=site.admin.bearer)).status_code == 200


async def test_custom_relations_between_any_entities(client, site, world) -> None:  # type: ignore[no-untyped-def]
    path = f"{REL}/sibling/from/content/{world['page']}/to/content/{world['other']}"
    r = await client.put(path, headers=site.carol.bearer)
    assert r.status_code == 200 and r.json()["name"] == "sibling"
    assert (await client.get(path, headers=site.bob.bearer)).status_code == 200
    assert (await client.put(f"{REL}/mentor.of/from/user/current/to/user/{site.bob.account_id}",
                             headers=site.carol.bearer)).status_code == 200
    assert (await client.put(f"{REL}/home_of/from/space/DOC/to/user/current",
                             headers=site.carol.bearer)).status_code == 200


async def test_historical_version_is_a_distinct_target(client, site, world) -> None:  # type: ignore[no-untyped-def]
    v1 = fav("current", "content", world["page"]) + "?targetStatus=historical&targetVersion=1"
    r = await client.put(v1 + "&expand=target", headers=site.bob.bearer)
    assert r.status_code == 200
    assert r.json()["target"]["status"] == "historical"
    assert r.json()["_links"]["self"].endswith("?targetStatus=historical&targetVersion=1")
    confluence_error(await client.get(fav("current", "content", world["page"]), headers=site.bob.bearer), 404)
    assert (await client.get(v1, headers=site.bob.bearer)).status_code == 200
    # version 2 is the current version, not a historical one; version 7 does not exist
    for version in (2, 7):
        confluence_error(await client.put(fav("current", "content", world["page"])
                                          + f"?targetStatus=historical&targetVersion={version}",
                                          headers=site.bob.bearer), 404)


# --- deleteRelationship -------------------------------------------------------------------------

async def test_delete_is_204_whether_or_not_it_existed(client, site, world) -> None:  # type: ignore[no-untyped-def]
    path = fav("current", "content", world["page"])
    await client.put(path, headers=site.bob.bearer)
    r = await client.delete(path, headers=site.bob.bearer)
    assert r.status_code == 204 and r.content == b""
    confluence_error(await client.get(path, headers=site.bob.bearer), 404)
    assert (await client.delete(path, headers=site.bob.bearer)).status_code == 204


async def test_only_owner_space_admin_or_site_admin_may_delete_a_favourite(app, client, site, world) -> None:  # type: ignore[no-untyped-def]
    path = fav(site.bob.account_id, "content", world["page"])
    await client.put(fav("current", "content", world["page"]), headers=site.bob.bearer)
    confluence_error(await client.delete(path, headers=site.carol.bearer), 403)
    assert (await client.get(path, headers=site.bob.bearer)).status_code == 200
    # alice administers DOC (she created it): she may remove favourites of its content
    assert (await client.delete(path, headers=site.alice.bearer)).status_code == 204
    await client.put(fav("current", "space", "DOC"), headers=site.bob.bearer)
    await spaces.set_admin(app.store, None, "DOC", site.carol.account_id)
    assert (await client.delete(fav(site.bob.account_id, "space", "DOC"), headers=site.carol.bearer)).status_code == 204
    await client.put(fav("current", "space", "DOC"), headers=site.bob.bearer)
    assert (await client.delete(fav(site.bob.account_id, "space", "DOC"), headers=site.admin.bearer)).status_code == 204


# --- the list endpoints -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["favourite", "like"])
async def test_list_endpoints_refuse_favourite_and_like_with_501(client, site, world, name) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.get(f"{REL}/{name}/from/user/current/to/content", headers=site.bob.bearer), 501)
    confluence_error(await client.get(f"{REL}/{name}/to/content/{world['page']}/from/user", headers=site.bob.bearer),
                     501)


async def test_targets_of_a_source_newest_first_and_paginated(client, site, world) -> None:  # type: ignore[no-untyped-def]
    pages = [(await make_page(client, site.alice, "DOC", f"Read {i}"))["id"] for i in range(5)]
    for pid in pages:
        assert (await client.put(f"{REL}/read/from/user/current/to/content/{pid}",
                                 headers=site.bob.bearer)).status_code == 200
    r = await client.get(f"{REL}/read/from/user/current/to/content?limit=2&expand=target", headers=site.bob.bearer)
    body = r.json()
    assert body["start"] == 0 and body["limit"] == 2 and body["size"] == 2
    assert [x["target"]["id"] for x in body["results"]] == [pages[4], pages[3]]
    assert body["_links"]["next"] == ("/rest/api/relation/read/from/user/current/to/content?expand=target"
                                      "&limit=2&start=2")
    r = await client.get(f"{REL}/read/from/user/current/to/content?start=4&limit=2&expand=target",
                         headers=site.bob.bearer)
    assert [x["target"]["id"] for x in r.json()["results"]] == [pages[0]]
    assert "next" not in r.json()["_links"]
    r = await client.get(f"{REL}/read/from/user/current/to/content", headers=site.bob.bearer)
    assert r.json()["limit"] == 25 and r.json()["size"] == 5


async def test_sources_of_a_target(client, site, world) -> None:  # type: ignore[no-untyped-def]
    for who in (site.bob, site.carol, site.alice):
        await client.put(f"{REL}/reviewer/from/user/current/to/content/{world['page']}", headers=who.bearer)
    r = await client.get(f"{REL}/reviewer/to/content/{world['page']}/from/user?expand=source,relationData",
                         headers=site.bob.bearer)
    assert r.status_code == 200
    assert [x["source"]["accountId"] for x in r.json()["results"]] == [
        site.alice.account_id, site.carol.account_id, site.bob.account_id]


async def test_lists_leave_out_what_the_caller_cannot_see(client, site, world) -> None:  # type: ignore[no-untyped-def]
    linked = f"{REL}/linked/from/content/{world['page']}/to/content"
    await client.put(f"{linked}/{world['hidden']}", headers=site.alice.bearer)
    await client.put(f"{linked}/{world['other']}", headers=site.alice.bearer)
    mine = await client.get(f"{REL}/linked/from/content/{world['page']}/to/content?expand=target",
                            headers=site.alice.bearer)
    assert {x["target"]["id"] for x in mine.json()["results"]} == {world["hidden"], world["other"]}
    theirs = await client.get(f"{REL}/linked/from/content/{world['page']}/to/content?expand=target",
                              headers=site.bob.bearer)
    assert [x["target"]["id"] for x in theirs.json()["results"]] == [world["other"]]


@pytest.mark.parametrize("query,fragment", [("limit=-1", "limit"), ("start=-5", "start"), ("limit=abc", "integer"),
                                            ("start=99999999999", "start")])
async def test_list_paging_out_of_range_is_400(client, site, world, query, fragment) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.get(f"{REL}/read/from/user/current/to/content?{query}", headers=site.bob.bearer),
                     400, fragment)


async def test_huge_limit_is_capped(client, site, world) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{REL}/read/from/user/current/to/content?limit=100000", headers=site.bob.bearer)
    assert r.status_code == 200 and r.json()["limit"] == 200


async def test_list_of_unknown_source_is_404(client, site, world) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.get(f"{REL}/read/from/content/999999/to/content", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{REL}/read/to/space/NOPE/from/user", headers=site.bob.bearer), 404)


async def test_listing_someone_elses_personal_relations_is_403(client, site, world) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.get(f"{REL}/watch/from/user/{site.bob.account_id}/to/content",
                                      headers=site.carol.bearer), 403)


async def test_historical_filter_on_lists(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await client.put(f"{REL}/cites/from/content/{world['other']}/to/content/{world['page']}"
                     "?targetStatus=historical&targetVersion=1", headers=site.bob.bearer)
    await client.put(f"{REL}/cites/from/content/{world['other']}/to/content/{world['page']}", headers=site.bob.bearer)
    everything = await client.get(f"{REL}/cites/from/content/{world['other']}/to/content?expand=target",
                                  headers=site.bob.bearer)
    assert [x["target"]["status"] for x in everything.json()["results"]] == ["current", "historical"]
    old = await client.get(f"{REL}/cites/from/content/{world['other']}/to/content"
                           "?targetStatus=historical&targetVersion=1&expand=target", headers=site.bob.bearer)
    assert [x["target"]["status"] for x in old.json()["results"]] == ["historical"]


# --- lifecycle: purge removes relations, trash keeps them ----------------------------------------

async def test_trash_keeps_relations_and_purge_removes_them(client, site, world) -> None:  # type: ignore[no-untyped-def]
    pid = world["other"]
    await client.put(fav("current", "content", pid), headers=site.bob.bearer)
    await client.put(f"{REL}/sibling/from/content/{world['page']}/to/content/{pid}", headers=site.bob.bearer)
    assert (await client.delete(f"{API}/content/{pid}", headers=site.alice.bearer)).status_code == 204
    r = await client.get(fav("current", "content", pid) + "?targetStatus=trashed", headers=site.bob.bearer)
    assert r.status_code == 200
    assert (await client.delete(f"{API}/content/{pid}?status=trashed", headers=site.alice.bearer)).status_code == 204
    r = await client.get(f"{REL}/sibling/from/content/{world['page']}/to/content", headers=site.bob.bearer)
    assert r.json()["results"] == []
    r = await client.get("/api/v1/users/current/relations/favourite", headers=site.bob.bearer)
    assert r.json()["results"] == []


async def test_deleting_a_space_removes_relations_to_it_and_its_content(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await client.put(fav("current", "space", "DOC"), headers=site.bob.bearer)
    await client.put(fav("current", "content", world["page"]), headers=site.bob.bearer)
    await client.put(fav("current", "content", world["hidden"]), headers=site.alice.bearer)
    assert (await client.delete(f"{API}/space/DOC", headers=site.alice.bearer)).status_code == 202
    r = await client.get("/api/v1/users/current/relations/favourite", headers=site.bob.bearer)
    assert r.json()["results"] == []
    r = await client.get("/api/v1/users/current/relations/favourite", headers=site.alice.bearer)
    assert [x["target"]["key"] for x in r.json()["results"]] == [world["hidden"]]


async def test_deleting_a_user_removes_their_relations(app, client, site, world) -> None:  # type: ignore[no-untyped-def]
    await client.put(fav("current", "content", world["page"]), headers=site.bob.bearer)
    await client.put(f"{REL}/mentor/from/user/current/to/user/{site.bob.account_id}", headers=site.carol.bearer)
    await accounts.delete_user(app.store, site.bob.account_id)
    r = await client.get(f"{REL}/mentor/from/user/current/to/user", headers=site.carol.bearer)
    assert r.json()["results"] == []
    async with app.store.read() as tx:
        rows = await tx.relations.listing(direction="reverse", ns="confluence", name="favourite", kind="content",
                                          key=world["page"], other_type="user", viewer=None)
    assert rows == []


# --- bondline's favourites listing -----------------------------------------------------------------

async def test_favourites_listing_with_cursor(client, site, world) -> None:  # type: ignore[no-untyped-def]
    pages = [(await make_page(client, site.alice, "DOC", f"Fav {i}"))["id"] for i in range(5)]
    for pid in pages:
        await client.put(fav("current", "content", pid), headers=site.bob.bearer)
    await client.put(fav("current", "space", "DOC"), headers=site.bob.bearer)
    seen: list[str] = []
    url = "/api/v1/users/current/relations/favourite?targetType=content&limit=2"
    while url:
        r = await client.get(url, headers=site.bob.bearer)
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [x["target"]["key"] for x in body["results"]]
        url = body["_links"].get("next")
        assert (body["nextCursor"] is None) == (url is None)
    assert seen == list(reversed(pages))
    everything = await client.get(f"/api/v1/users/{site.bob.account_id}/relations/favourite", headers=site.bob.bearer)
    assert everything.json()["results"][0]["target"] == {"type": "space", "key": "DOC", "name": "Space DOC"}


async def test_favourites_listing_is_private(client, site, world) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"/api/v1/users/{site.bob.account_id}/relations/favourite", headers=site.carol.bearer)
    assert r.status_code == 403 and r.json()["error"]["status"] == 403
    r = await client.get(f"/api/v1/users/{site.bob.account_id}/relations/favourite", headers=site.admin.bearer)
    assert r.status_code == 200


@pytest.mark.parametrize("query", ["cursor=%%%", "cursor=abc", "limit=0", "limit=500", "targetType=group"])
async def test_favourites_listing_bad_input_is_400(client, site, world, query) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"/api/v1/users/current/relations/favourite?{query}", headers=site.bob.bearer)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["status"] == 400
