"""v2's `sort` on page, blog post and space listings (read in that order by the services' query, so a
cursor's next page continues it), creating a space through v2, and convert-ids-to-types."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.confluence_v2.conftest import V1, V2, error


async def _all(client, who, url: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """Every result of a listing, following its cursor page by page."""
    out: list[dict] = []  # type: ignore[type-arg]
    next_url: str | None = url
    while next_url:
        r = await client.get(next_url, headers=who.bearer)
        assert r.status_code == 200, r.text
        out += r.json()["results"]
        next_url = r.json()["_links"].get("next")
    return out


async def _write(client, who, kind: str, title: str) -> str:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V1}/content", headers=who.bearer,
                          json={"type": kind, "title": title, "space": {"key": "DOC"}})
    assert r.status_code == 200, r.text
    return r.json()["id"]  # type: ignore[no-any-return]


# Titles chosen so that creation order, id order, code-point order and modification order differ.
TITLES = ["banana", "Apple", "cherry", "apple pie"]


@pytest.mark.parametrize("kind,segment", [("page", "pages"), ("blogpost", "blogposts")])
@pytest.mark.parametrize("sort", ["id", "-id", "created-date", "-created-date", "modified-date", "-modified-date",
                                  "title", "-title"])
async def test_sorted_listings_page_in_a_stable_order(client, site, space, kind: str, segment: str,  # type: ignore[no-untyped-def]
                                                      sort: str) -> None:
    if kind == "blogpost" and sort.lstrip("-") == "title":
        error(await client.get(f"{V2}/blogposts?sort={sort}", headers=site.bob.bearer), 400, "BAD_REQUEST")
        return
    made = {title: await _write(client, site.bob, kind, title) for title in TITLES}
    # Edited in another order than written: banana last.
    for title in ("cherry", "Apple", "banana"):
        await asyncio.sleep(0.003)  # (times are in milliseconds: each edit in a later one)
        r = await client.put(f"{V1}/content/{made[title]}", headers=site.bob.bearer,
                             json={"type": kind, "title": title, "version": {"number": 2}})
        assert r.status_code == 200, r.text
    ids = {cid: title for title, cid in made.items()}
    key = {"id": lambda t: int(made[t]), "created-date": lambda t: int(made[t]),
           "modified-date": lambda t: ["apple pie", "cherry", "Apple", "banana"].index(t),
           "title": lambda t: t}[sort.lstrip("-")]
    expected = sorted(TITLES, key=key, reverse=sort.startswith("-"))
    for url in (f"{V2}/{segment}?space-id={space['id']}&sort={sort}&limit=1",
                f"{V2}/spaces/{space['id']}/{segment}?sort={sort}&limit=1"):
        listed = [ids[p["id"]] for p in await _all(client, site.bob, url) if p["id"] in ids]
        assert listed == expected, url


async def test_sorting_pages_over_statuses_and_spaces(client, site, space) -> None:  # type: ignore[no-untyped-def]
    """Listings that merge several queries (statuses, spaces) keep the order across them."""
    await client.post(f"{V1}/space", headers=site.bob.bearer, json={"key": "TWO", "name": "Two"})
    two = (await client.get(f"{V2}/spaces?keys=TWO", headers=site.bob.bearer)).json()["results"][0]
    a = await _write(client, site.bob, "page", "m-doc")
    r = await client.post(f"{V1}/content", headers=site.bob.bearer,
                          json={"type": "page", "title": "a-two", "space": {"key": "TWO"}})
    b = r.json()["id"]
    c = await _write(client, site.bob, "page", "z-trashed")
    assert (await client.delete(f"{V1}/content/{c}", headers=site.bob.bearer)).status_code == 204
    url = f"{V2}/pages?space-id={space['id']}&space-id={two['id']}&status=current&status=trashed&sort=-title&limit=1"
    listed = [p["id"] for p in await _all(client, site.bob, url) if p["id"] in (a, b, c)]
    assert listed == [c, a, b]


@pytest.mark.parametrize("kind,segment", [("page", "pages"), ("blogpost", "blogposts")])
async def test_ids_select_across_cursor_pages(client, site, space, kind: str, segment: str) -> None:  # type: ignore[no-untyped-def]
    made = [await _write(client, site.bob, kind, f"{kind} {i}") for i in range(6)]
    wanted = [made[4], made[0], made[5]]
    r = await client.post(f"{V1}/space/_private", headers=site.alice.bearer, json={"key": "SEC", "name": "Secret"})
    assert r.status_code == 200, r.text
    hidden = (await client.post(f"{V1}/content", headers=site.alice.bearer, json={
        "type": kind, "title": "Hidden", "space": {"key": "SEC"}})).json()["id"]
    query = "&".join(f"id={i}" for i in [*wanted, hidden, "999999"])
    listed = await _all(client, site.bob, f"{V2}/{segment}?{query}&sort=-id&limit=1&body-format=storage")
    assert [p["id"] for p in listed] == sorted(wanted, key=int, reverse=True)
    assert all("storage" in p["body"] for p in listed)
    listed = await _all(client, site.bob, f"{V2}/{segment}?{query}&space-id=999999")
    assert listed == []
    listed = await _all(client, site.alice, f"{V2}/{segment}?{query}&title=Hidden")
    assert [p["id"] for p in listed] == [hidden]
    many = "&".join(f"id={i}" for i in range(1, 252))
    error(await client.get(f"{V2}/{segment}?{many}", headers=site.bob.bearer), 400, "BAD_REQUEST")


@pytest.mark.parametrize("sort", ["id", "-id", "key", "-key", "name", "-name"])
async def test_spaces_sorted(client, site, sort: str) -> None:  # type: ignore[no-untyped-def]
    # Keys and names in different orders; two spaces share a name (ties by id).
    for key, name in (("BEE", "zeta"), ("ANT", "Alpha"), ("CAT", "alpha"), ("DOG", "Alpha")):
        r = await client.post(f"{V2}/spaces", headers=site.bob.bearer, json={"key": key, "name": name})
        assert r.status_code == 201, r.text
    listed = await _all(client, site.bob, f"{V2}/spaces?sort={sort}&limit=1")
    field = sort.lstrip("-")
    key = {"id": lambda s: (int(s["id"]),), "key": lambda s: (s["key"],),
           "name": lambda s: (s["name"], int(s["id"]))}[field]
    assert listed == sorted(listed, key=key, reverse=sort.startswith("-"))
    assert len(listed) == 4


async def test_a_space_created_through_v2_is_v1s_space(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V2}/spaces", headers=site.bob.bearer, json={
        "name": "Team", "key": "TEAM", "description": {"value": "Our space", "representation": "plain"}})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["key"], made["name"], made["type"], made["status"]) == ("TEAM", "Team", "global", "current")
    assert made["authorId"] == site.bob.account_id and made["_links"]["base"] == "http://bondline.test/wiki"
    v1 = (await client.get(f"{V1}/space/TEAM?expand=description.plain,homepage", headers=site.bob.bearer)).json()
    assert v1["name"] == "Team" and v1["description"]["plain"]["value"] == "Our space"
    assert str(v1["homepage"]["id"]) == made["homepageId"]
    got = (await client.get(f"{V2}/spaces/{made['id']}?description-format=plain", headers=site.bob.bearer)).json()
    assert got["description"]["plain"]["value"] == "Our space"
    # A private space: only its creator sees it.
    r = await client.post(f"{V2}/spaces", headers=site.bob.bearer,
                          json={"name": "Mine", "alias": "MINE", "createPrivateSpace": True})
    assert r.status_code == 201, r.text
    error(await client.get(f"{V2}/spaces/{r.json()['id']}", headers=site.carol.bearer), 404, "NOT_FOUND")
    assert (await client.get(f"{V1}/space/MINE", headers=site.bob.bearer)).status_code == 200


@pytest.mark.parametrize("body", [
    {"key": "NONAME"}, {"name": "No key"}, {"name": "Bad", "key": "not a key!"},
    {"name": "Mismatch", "key": "ONE", "alias": "TWO"},
    {"name": "Fancy", "key": "FANCY", "description": {"value": "<p>x</p>", "representation": "view"}},
    {"name": "Roles", "key": "ROLES", "roleAssignments": []},  # no administrator
    {"name": "Roles", "key": "ROLES", "roleAssignments": [
        {"principal": {"principalType": "USER", "principalId": "acc-bob"}, "roleId": "member"}]},
    {"name": "Roles", "key": "ROLES", "roleAssignments": [
        {"principal": {"principalType": "GROUP", "principalId": "g"}, "roleId": "admin"}]},
    {"name": "Roles", "key": "ROLES", "roleAssignments": [
        {"principal": {"principalType": "USER", "principalId": "acc-bob"}, "roleId": "owner"}]},
    {"name": "Roles", "key": "ROLES", "roleAssignments": [
        {"principal": {"principalType": "USER", "principalId": "acc-nobody"}, "roleId": "admin"}]},
    {"name": "Roles", "key": "ROLES", "roleAssignments": [{"roleId": "admin"}]},
    {"name": "Copy", "key": "COPY", "copySpaceAccessConfiguration": 0},
    {"name": "Copy", "key": "COPY", "copySpaceAccessConfiguration": 1, "roleAssignments": [
        {"principal": {"principalType": "USER", "principalId": "acc-bob"}, "roleId": "admin"}]},
    {"name": 5, "key": "NUM"},
])
async def test_bad_space_creation(client, site, body: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    error(await client.post(f"{V2}/spaces", headers=site.bob.bearer, json=body), 400, "BAD_REQUEST")


def _roles(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"principal": {"principalType": "USER", "principalId": f"acc-{who}"}, "roleId": role}
            for who, role in pairs]


# (who creates, the request's extra fields, the status, who then sees the new space, who administers it)
CREATIONS = [
    ("bob", {"roleAssignments": _roles(("bob", "admin"))}, 201, {"admin", "bob"}, {"bob"}),  # only the creator: private
    ("bob", {"roleAssignments": _roles(("bob", "admin"), ("alice", "member"))}, 403, set(), set()),
    ("admin", {"roleAssignments": _roles(("bob", "admin"), ("alice", "member"))}, 201,
     {"admin", "bob", "alice", "carol"}, {"bob"}),
    ("admin", {"roleAssignments": _roles(("bob", "ADMIN"), ("bob", "member")), "createPrivateSpace": True}, 201,
     {"admin", "bob"}, {"bob"}),
    ("bob", {"templateKey": "project-space"}, 201, {"admin", "bob", "alice", "carol"}, {"bob"}),  # no templates
    ("carol", {"copySpaceAccessConfiguration": "{sec}"}, 201, {"admin", "carol"}, {"carol"}),  # SEC's: carol's
    ("bob", {"copySpaceAccessConfiguration": "{sec}"}, 404, set(), set()),  # bob may not see SEC
    ("admin", {"copySpaceAccessConfiguration": "{eng}"}, 201, {"admin", "bob", "alice", "carol"}, {"admin", "carol"}),
]


@pytest.mark.parametrize(("creator", "extra", "status", "viewers", "admins"), CREATIONS)
async def test_space_creation_with_roles(client, site, creator: str, extra: dict[str, Any], status: int,  # type: ignore[no-untyped-def]
                                         viewers: set[str], admins: set[str]) -> None:
    """roleAssignments (users in bondline's two roles, exactly the set given, private when only the
    creator administers it) and copySpaceAccessConfiguration (the creator and the roles of a space
    they may see, its privacy with them); giving others a role is a site administrator's."""
    made = {}
    for key, private in (("ENG", False), ("SEC", True)):
        r = await client.post(f"{V1}/space" + ("/_private" if private else ""), headers=site.carol.bearer,
                              json={"key": key, "name": key})
        assert r.status_code == 200, r.text
        made[key.lower()] = (await client.get(f"{V2}/spaces?keys={key}", headers=site.carol.bearer)).json()[
            "results"][0]["id"]
    body = {"name": "New", "key": "NEW", **{k: (int(v.format(**made)) if isinstance(v, str) and "{" in v else v)
                                            for k, v in extra.items()}}
    who = {name: getattr(site, name) for name in ("admin", "alice", "bob", "carol")}
    r = await client.post(f"{V2}/spaces", headers=who[creator].bearer, json=body)
    if status != 201:
        error(r, status)
        assert (await client.get(f"{V1}/space/NEW", headers=site.admin.bearer)).status_code == 404  # none made
        return
    assert r.status_code == 201, r.text
    space_id = r.json()["id"]
    seen = {name for name, user in who.items()
            if (await client.get(f"{V2}/spaces/{space_id}", headers=user.bearer)).status_code == 200}
    assert seen == viewers
    got = (await client.get(f"{V2}/spaces/{space_id}/permissions?limit=250", headers=site.admin.bearer)).json()
    holders = {x["principal"]["id"] for x in got["results"] if x["operation"] == {"key": "administer",
                                                                                  "targetType": "space"}}
    assert holders == {who[name].account_id for name in admins}


async def test_a_space_key_taken_is_400(client, site, space) -> None:  # type: ignore[no-untyped-def]
    error(await client.post(f"{V2}/spaces", headers=site.bob.bearer, json={"name": "Again", "key": "DOC"}),
           400, "BAD_REQUEST")


async def test_convert_ids_to_types(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await _write(client, site.bob, "page", "A page")
    post = await _write(client, site.bob, "blogpost", "A post")
    r = await client.post(f"{V1}/content", headers=site.bob.bearer, json={
        "type": "comment", "container": {"id": page, "type": "page"},
        "body": {"storage": {"value": "<p>c</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    comment = r.json()["id"]
    r = await client.post(f"{V1}/space/_private", headers=site.alice.bearer, json={"key": "SEC", "name": "Secret"})
    assert r.status_code == 200, r.text
    hidden = (await client.post(f"{V1}/content", headers=site.alice.bearer,
                                json={"type": "page", "title": "Hidden", "space": {"key": "SEC"}})).json()["id"]
    r = await client.post(f"{V2}/content/convert-ids-to-types", headers=site.bob.bearer,
                          json={"contentIds": [page, int(post), comment, hidden, "999999", page]})
    assert r.status_code == 200, r.text
    assert r.json() == {"results": {page: "page", post: "blogpost", comment: "footer-comment"}}
    r = await client.post(f"{V2}/content/convert-ids-to-types", headers=site.alice.bearer,
                          json={"contentIds": [hidden]})
    assert r.json() == {"results": {hidden: "page"}}


@pytest.mark.parametrize("body", [{}, {"contentIds": "1"}, {"contentIds": ["abc"]}, {"contentIds": [-1]},
                                  {"contentIds": [1.5]}, {"contentIds": list(range(1, 102))}])
async def test_bad_convert_ids(client, site, body: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    error(await client.post(f"{V2}/content/convert-ids-to-types", headers=site.bob.bearer, json=body), 400,
           "BAD_REQUEST")
