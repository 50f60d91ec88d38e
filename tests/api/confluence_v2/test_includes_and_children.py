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


# --- include-* of comments, attachments and spaces --------------------------------------------------

async def _things(client, site) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A page in DOC with a footer comment, an inline comment and an attachment, each with a label
    (the attachment), a property, a like (the comments) and a second version; DOC with a label and a
    property of its own."""
    page = await _page(client, site.alice, "Doc")
    made: dict[str, str] = {"page": page}
    for kind in ("footer", "inline"):
        body: dict[str, Any] = {"pageId": page, "body": {"representation": "storage", "value": "<p>c</p>"}}
        if kind == "inline":
            body["inlineCommentProperties"] = {"textSelection": "Doc"}
        r = await client.post(f"{V2}/{kind}-comments", headers=site.alice.bearer, json=body)
        assert r.status_code == 201, r.text
        made[kind] = r.json()["id"]
    r = await client.put(f"{V1}/content/{page}/child/attachment", headers={**site.alice.bearer,
                                                                            "X-Atlassian-Token": "no-check"},
                         files=[("file", ("a.txt", b"a", "text/plain"))])
    assert r.status_code == 200, r.text
    made["attachment"] = r.json()["results"][0]["id"]
    r = await client.put(f"{V1}/content/{page}/child/attachment", headers={**site.alice.bearer,
                                                                            "X-Atlassian-Token": "no-check"},
                         files=[("file", ("a.txt", b"b", "text/plain"))])
    assert r.status_code == 200, r.text
    plain = made["attachment"].removeprefix("att")
    r = await client.post(f"{V1}/content/{plain}/label", headers=site.alice.bearer,
                          json=[{"prefix": "global", "name": "scan"}])
    assert r.status_code == 200, r.text
    for key in ("footer", "inline"):
        r = await client.put(f"{V2}/{key}-comments/{made[key]}", headers=site.alice.bearer, json={
            "version": {"number": 2}, "body": {"representation": "storage", "value": "<p>c2</p>"}})
        assert r.status_code == 200, r.text
        r = await client.put(f"{V1}/relation/like/from/user/current/to/content/{made[key]}", headers=site.bob.bearer)
        assert r.status_code == 200, r.text
    for owner in (made["footer"], made["inline"], plain):
        r = await client.post(f"{V1}/content/{owner}/property", headers=site.alice.bearer,
                              json={"key": "k", "value": "v"})
        assert r.status_code == 200, r.text
    r = await client.post(f"{V1}/space/DOC/label", headers=site.alice.bearer, json=[{"prefix": "team", "name": "docs"}])
    assert r.status_code == 200, r.text
    r = await client.post(f"{V1}/space/DOC/property", headers=site.alice.bearer, json={"key": "sk", "value": "v"})
    assert r.status_code == 200, r.text
    return made


# (path to the single read, field, what its results hold, its `_links.self`); {x}: the made ids
INCLUDES = [
    ("footer-comments/{footer}", "properties", lambda r, m: [x["key"] for x in r] == ["k"],
     "comments/{footer}/properties"),
    ("footer-comments/{footer}", "operations", lambda r, m: ("read", "comment") in {
        (x["operation"], x["targetType"]) for x in r},
     "footer-comments/{footer}/operations"),
    ("footer-comments/{footer}", "likes", lambda r, m: [x["accountId"] for x in r] == [m["bob"]],
     "footer-comments/{footer}/likes/users"),
    ("footer-comments/{footer}", "versions", lambda r, m: [x["number"] for x in r] == [2, 1],
     "footer-comments/{footer}/versions"),
    ("inline-comments/{inline}", "properties", lambda r, m: [x["key"] for x in r] == ["k"],
     "comments/{inline}/properties"),
    ("inline-comments/{inline}", "likes", lambda r, m: [x["accountId"] for x in r] == [m["bob"]],
     "inline-comments/{inline}/likes/users"),
    ("inline-comments/{inline}", "versions", lambda r, m: [x["number"] for x in r] == [2, 1],
     "inline-comments/{inline}/versions"),
    ("attachments/{attachment}", "labels", lambda r, m: [x["name"] for x in r] == ["scan"],
     "attachments/{attachment}/labels"),
    ("attachments/{attachment}", "properties", lambda r, m: [x["key"] for x in r] == ["k"],
     "attachments/{attachment}/properties"),
    ("attachments/{attachment}", "operations", lambda r, m: ("read", "attachment") in {
        (x["operation"], x["targetType"]) for x in r}, "attachments/{attachment}/operations"),
    ("attachments/{attachment}", "versions", lambda r, m: [x["number"] for x in r] == [2, 1],
     "attachments/{attachment}/versions"),
    ("spaces/{space}", "labels", lambda r, m: [(x["prefix"], x["name"]) for x in r] == [("team", "docs")],
     "spaces/{space}/labels"),
    ("spaces/{space}", "properties", lambda r, m: [x["key"] for x in r] == ["sk"], "spaces/{space}/properties"),
    ("spaces/{space}", "operations", lambda r, m: ("read", "space") in {(x["operation"], x["targetType"]) for x in r},
     "spaces/{space}/operations"),
    ("spaces/{space}", "permissions", lambda r, m: m["alice"] in {x["principal"]["id"] for x in r},
     "spaces/{space}/permissions"),
]


@pytest.mark.parametrize(("path", "field", "holds", "self_path"), INCLUDES,
                         ids=[f"{p.split('/')[0]}-{f}" for p, f, _, _ in INCLUDES])
async def test_include_fields_of_comments_attachments_and_spaces(client, site, space, path: str, field: str,  # type: ignore[no-untyped-def]
                                                                 holds: Any, self_path: str) -> None:
    made = {**await _things(client, site), "space": space["id"], "bob": site.bob.account_id,
            "alice": site.alice.account_id}
    url = f"{V2}/{path.format(**made)}"
    plain = await _get(client, site.bob, url)
    assert "results" not in plain.get(field, {})  # only when asked for
    got = await _get(client, site.bob, f"{url}?include-{field}=true")
    assert holds(got[field]["results"], made), got[field]["results"]
    assert got[field]["meta"] == {"hasMore": False}
    assert got[field]["_links"] == {"self": f"{V2}/{self_path.format(**made)}"}
    assert list(got)[-1] == "_links"
    if path.startswith("inline") and field == "properties":  # beside the inline comment's own properties
        assert got["properties"]["inlineOriginalSelection"] == "Doc" and "inlineMarkerRef" in got["properties"]
    error(await client.get(f"{url}?include-{field}=maybe", headers=site.bob.bearer), 400, "BAD_REQUEST")


@pytest.mark.parametrize("flag", ["include-icon", "include-role-assignments"])
async def test_space_flags_accepted_without_a_field(client, site, space, flag: str) -> None:  # type: ignore[no-untyped-def]
    got = await _get(client, site.bob, f"{V2}/spaces/{space['id']}?{flag}=true")
    assert not {"icon", "roleAssignments"} & set(got)
    error(await client.get(f"{V2}/spaces/{space['id']}?{flag}=maybe", headers=site.bob.bearer), 400, "BAD_REQUEST")
