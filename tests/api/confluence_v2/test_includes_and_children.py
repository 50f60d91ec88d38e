"""v2's `include-likes` on a page and a blog post (the `like` relation v1's relation API writes, as
`/likes/users` lists it), the other `include-*` fields of a blog post, and the sort orders of
`/pages/{id}/children` — read in that order by the tree's query, so a cursor continues it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.confluence_v2.conftest import V1, V2, error
from tests.api.confluence_v2.test_tree_and_versions import _page


async def _blogpost(client, who, title: str) -> str:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V1}/content", headers=who.bearer, json={
        "type": "blogpost", "title": title, "space": {"key": "DOC"},
        "body": {"storage": {"value": "<p>news</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    return r.json()["id"]  # type: ignore[no-any-return]


async def _get(client, who, url: str) -> Any:  # type: ignore[no-untyped-def]
    r = await client.get(url, headers=who.bearer)
    assert r.status_code == 200, r.text
    return r.json()


# --- include-likes --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["pages", "blogposts"])
async def test_include_likes_lists_who_liked_it_through_v1(client, site, space, kind: str) -> None:  # type: ignore[no-untyped-def]
    made = await (_page(client, site.bob, "Doc") if kind == "pages" else _blogpost(client, site.bob, "News"))
    url = f"{V2}/{kind}/{made}?include-likes=true"
    assert (await _get(client, site.bob, url))["likes"] == {
        "results": [], "meta": {"hasMore": False}, "_links": {"self": f"{V2}/{kind}/{made}/likes/users"}}
    for who in (site.alice, site.carol):
        r = await client.put(f"{V1}/relation/like/from/user/current/to/content/{made}", headers=who.bearer)
        assert r.status_code == 200, r.text
    got = await _get(client, site.bob, url)
    assert {x["accountId"] for x in got["likes"]["results"]} == {site.alice.account_id, site.carol.account_id}
    assert got["likes"]["meta"] == {"hasMore": False} and list(got)[-1] == "_links"
    # the same people as the likes listing gives, and as many as it counts
    listed = await _get(client, site.bob, f"{V2}/{kind}/{made}/likes/users")
    assert [x["accountId"] for x in listed["results"]] == [x["accountId"] for x in got["likes"]["results"]]
    assert (await _get(client, site.bob, f"{V2}/{kind}/{made}/likes/count"))["count"] == 2
    r = await client.delete(f"{V1}/relation/like/from/user/current/to/content/{made}", headers=site.alice.bearer)
    assert r.status_code == 204, r.text
    got = await _get(client, site.bob, url)
    assert [x["accountId"] for x in got["likes"]["results"]] == [site.carol.account_id]
    assert "likes" not in await _get(client, site.bob, f"{V2}/{kind}/{made}?include-likes=false")
    error(await client.get(f"{V2}/{kind}/{made}?include-likes=maybe", headers=site.bob.bearer), 400, "BAD_REQUEST")


async def test_a_blogposts_include_fields(client, site, space) -> None:  # type: ignore[no-untyped-def]
    post = await _blogpost(client, site.alice, "News")
    r = await client.post(f"{V1}/content/{post}/label", headers=site.alice.bearer,
                          json=[{"prefix": "global", "name": "release"}])
    assert r.status_code == 200, r.text
    r = await client.put(f"{V1}/relation/favourite/from/user/current/to/content/{post}", headers=site.alice.bearer)
    assert r.status_code == 200, r.text
    plain = await _get(client, site.alice, f"{V2}/blogposts/{post}")
    assert not {"labels", "versions", "operations", "likes", "isFavoritedByCurrentUser"} & set(plain)
    flags = "&".join(f"include-{f}=true" for f in ("labels", "versions", "operations",
                                                   "favorited-by-current-user-status"))
    got = await _get(client, site.alice, f"{V2}/blogposts/{post}?{flags}")
    assert [x["name"] for x in got["labels"]["results"]] == ["release"]
    assert got["labels"]["_links"] == {"self": f"{V2}/blogposts/{post}/labels"}
    assert [v["number"] for v in got["versions"]["results"]] == [1]
    assert ("update", "blogpost") in {(o["operation"], o["targetType"]) for o in got["operations"]["results"]}
    assert got["isFavoritedByCurrentUser"] is True and list(got)[-1] == "_links"


# --- the sort orders of /children -------------------------------------------------------------------

@pytest.mark.parametrize("sort", ["child-position", "-child-position", "id", "-id", "created-date", "-created-date",
                                  "modified-date", "-modified-date", None])
async def test_children_sorted(client, site, space, sort: str | None) -> None:  # type: ignore[no-untyped-def]
    root = await _page(client, site.bob, "Root")
    made = {t: await _page(client, site.bob, t, root) for t in ("b", "C", "a")}  # ids: b < C < a
    r = await client.put(f"{V1}/content/{made['a']}/move/before/{made['b']}", headers=site.bob.bearer)
    assert r.status_code == 200, r.text  # positions: a, b, C
    for title in ("C", "b"):  # modified: a (its move is no new version), then C, then b
        await asyncio.sleep(0.003)
        r = await client.put(f"{V1}/content/{made[title]}", headers=site.bob.bearer,
                             json={"type": "page", "title": title, "version": {"number": 2}})
        assert r.status_code == 200, r.text
    field = (sort or "child-position").lstrip("-")
    expected = {"child-position": ["a", "b", "C"], "id": ["b", "C", "a"], "created-date": ["b", "C", "a"],
                "modified-date": ["a", "C", "b"]}[field]
    if sort and sort.startswith("-"):
        expected = expected[::-1]
    seen: list[str] = []
    url: str | None = f"{V2}/pages/{root}/children?limit=1" + (f"&sort={sort}" if sort else "")
    while url:
        got = await _get(client, site.bob, url)
        seen += [c["title"] for c in got["results"]]
        url = got["_links"].get("next")
    assert seen == expected


@pytest.mark.parametrize("query", ["sort=title", "sort=name", "sort=-title"])
async def test_children_refuse_other_sorts(client, site, space, query: str) -> None:  # type: ignore[no-untyped-def]
    root = await _page(client, site.bob, "Root")
    error(await client.get(f"{V2}/pages/{root}/children?{query}", headers=site.bob.bearer), 400,
           "BAD_REQUEST")


async def test_a_childrens_cursor_keeps_its_sort(client, site, space) -> None:  # type: ignore[no-untyped-def]
    root = await _page(client, site.bob, "Root")
    for t in ("x", "y"):
        await _page(client, site.bob, t, root)
    first = await _get(client, site.bob, f"{V2}/pages/{root}/children?limit=1&sort=-id")
    cursor = first["_links"]["next"].split("cursor=")[1].split("&")[0]
    error(await client.get(f"{V2}/pages/{root}/children?limit=1&sort=id&cursor={cursor}", headers=site.bob.bearer),
           400, "BAD_REQUEST")
