"""v2's attachments (list, get, delete, versions; the upload stays v1's, as on Cloud) and likes
(`/likes/count`, `/likes/users` of pages, blog posts and comments: the `like` relation v1's relation
API writes), over the services v1 uses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.confluence_v2.test_comments import _footer, _inline
from tests.api.confluence_v2.test_pages import V1, V2, _error, _v1_page

XSRF = {"X-Atlassian-Token": "no-check"}


@pytest.fixture
async def space(client, site) -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = await client.post(f"{V1}/space", headers=site.alice.bearer, json={"key": "DOC", "name": "Docs"})
    assert r.status_code == 200, r.text
    return (await client.get(f"{V2}/spaces?keys=DOC", headers=site.alice.bearer)).json()["results"][0]  # type: ignore[no-any-return]


async def _upload(client, who, page_id: str, name: str, data: bytes, comment: str = "") -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = await client.put(f"{V1}/content/{page_id}/child/attachment", headers={**who.bearer, **XSRF},
                         files=[("file", (name, data, "text/plain"))], data={"comment": comment} if comment else {})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]  # type: ignore[no-any-return]


# --- attachments ----------------------------------------------------------------------------------

async def test_an_attachment_uploaded_through_v1_is_read_through_v2(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await _v1_page(client, site.bob, "Doc")
    first = await _upload(client, site.bob, page["id"], "notes.txt", b"one", "first")
    await _upload(client, site.bob, page["id"], "notes.txt", b"second", "second")
    r = await client.get(f"{V2}/attachments/{first['id']}", headers=site.alice.bearer)
    assert r.status_code == 200, r.text
    att = r.json()
    assert att["id"] == first["id"] and att["id"].startswith("att") and att["title"] == "notes.txt"
    assert att["pageId"] == page["id"] and att["status"] == "current" and att["mediaType"] == "text/plain"
    assert att["fileSize"] == 6 and att["comment"] == "second" and att["version"]["number"] == 2
    assert att["version"]["authorId"] == site.bob.account_id and att["_links"]["base"] == "http://bondline.test/wiki"
    assert att["downloadLink"] == att["_links"]["download"] and att["webuiLink"] == att["_links"]["webui"]
    # The download link is v1's, and gives the data.
    got = await client.get("/wiki" + att["downloadLink"], headers=site.alice.bearer)
    assert got.status_code == 200 and got.content == b"second"
    old = (await client.get(f"{V2}/attachments/{first['id']}?version=1", headers=site.alice.bearer)).json()
    assert old["version"]["number"] == 1 and old["fileSize"] == 3 and old["status"] == "historical"
    # By its bare number too.
    assert (await client.get(f"{V2}/attachments/{first['id'][3:]}", headers=site.alice.bearer)).status_code == 200

    versions = (await client.get(f"{V2}/attachments/{first['id']}/versions", headers=site.alice.bearer)).json()
    assert [(v["number"], v["attachment"]["id"]) for v in versions["results"]] == [(2, first["id"]), (1, first["id"])]
    one = (await client.get(f"{V2}/attachments/{first['id']}/versions/1", headers=site.alice.bearer)).json()
    assert one["number"] == 1 and one["nextVersion"] == 2 and one["authorId"] == site.bob.account_id

    listed = (await client.get(f"{V2}/pages/{page['id']}/attachments", headers=site.alice.bearer)).json()
    assert [a["id"] for a in listed["results"]] == [first["id"]]
    everywhere = (await client.get(f"{V2}/attachments?filename=notes.txt", headers=site.alice.bearer)).json()
    assert [a["id"] for a in everywhere["results"]] == [first["id"]]
    assert (await client.get(f"{V2}/attachments?mediaType=image/png", headers=site.alice.bearer)).json()[
        "results"] == []
    none = (await client.get(f"{V2}/attachments/{first['id']}/footer-comments", headers=site.alice.bearer)).json()
    assert none["results"] == []


async def test_delete_trashes_then_purges(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await _v1_page(client, site.bob, "Doc")
    att = await _upload(client, site.bob, page["id"], "gone.txt", b"x")
    # carol did not upload it and does not administer the space.
    _error(await client.delete(f"{V2}/attachments/{att['id']}", headers=site.carol.bearer), 403, "FORBIDDEN")
    assert (await client.delete(f"{V2}/attachments/{att['id']}", headers=site.bob.bearer)).status_code == 204
    trashed = (await client.get(f"{V2}/pages/{page['id']}/attachments?status=trashed", headers=site.bob.bearer)).json()
    assert [(a["id"], a["status"]) for a in trashed["results"]] == [(att["id"], "trashed")]
    assert (await client.get(f"{V2}/pages/{page['id']}/attachments", headers=site.bob.bearer)).json()["results"] == []
    v1 = await client.get(f"{V1}/content/{att['id']}?status=trashed", headers=site.bob.bearer)
    assert v1.status_code == 200 and v1.json()["status"] == "trashed"
    # Purging is for the space's administrators (alice created DOC).
    _error(await client.delete(f"{V2}/attachments/{att['id']}?purge=true", headers=site.bob.bearer), 403, "FORBIDDEN")
    assert (await client.delete(f"{V2}/attachments/{att['id']}?purge=true",
                                headers=site.alice.bearer)).status_code == 204
    _error(await client.get(f"{V2}/attachments/{att['id']}", headers=site.alice.bearer), 404, "NOT_FOUND")


async def test_attachments_of_a_read_restricted_page_are_hidden(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await _v1_page(client, site.alice, "Secret")
    att = await _upload(client, site.alice, page["id"], "s.txt", b"s")
    r = await client.put(f"{V1}/content/{page['id']}/restriction", headers=site.alice.bearer, json=[
        {"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": site.alice.account_id}]}}])
    assert r.status_code == 200, r.text
    for path in (f"attachments/{att['id']}", f"attachments/{att['id']}/versions",
                 f"attachments/{att['id']}/versions/1", f"pages/{page['id']}/attachments",
                 f"attachments/{att['id']}/footer-comments"):
        _error(await client.get(f"{V2}/{path}", headers=site.bob.bearer), 404, "NOT_FOUND")
        assert (await client.get(f"{V2}/{path}", headers=site.alice.bearer)).status_code == 200, path
    assert (await client.get(f"{V2}/attachments", headers=site.bob.bearer)).json()["results"] == []
    _error(await client.delete(f"{V2}/attachments/{att['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")


@pytest.mark.parametrize("path", [
    "attachments/abc", "attachments/att0", "attachments/{att}?version=zero", "attachments/{att}/versions/x",
    "attachments?limit=0", "attachments?limit=251", "attachments?sort=sideways", "attachments?status=bogus",
    "attachments?cursor=garbage", "pages/{page}/attachments?sort=created-date", "pages/abc/attachments",
])
async def test_bad_attachment_requests(client, site, space, path: str) -> None:  # type: ignore[no-untyped-def]
    page = await _v1_page(client, site.bob, "Doc")
    att = await _upload(client, site.bob, page["id"], "a.txt", b"a")
    url = f"{V2}/" + path.format(att=att["id"], page=page["id"])
    _error(await client.get(url, headers=site.bob.bearer), 400, "BAD_REQUEST")


# --- likes: one relation, two APIs ----------------------------------------------------------------

async def _like(client, who, content_id: str) -> None:  # type: ignore[no-untyped-def]
    r = await client.put(f"{V1}/relation/like/from/user/current/to/content/{content_id}", headers=who.bearer)
    assert r.status_code == 200, r.text


async def _unlike(client, who, content_id: str) -> None:  # type: ignore[no-untyped-def]
    r = await client.delete(f"{V1}/relation/like/from/user/current/to/content/{content_id}", headers=who.bearer)
    assert r.status_code == 204, r.text


@pytest.mark.parametrize("kind", ["pages", "blogposts", "footer-comments", "inline-comments"])
async def test_a_like_through_the_relation_api_is_counted_by_v2(client, site, space, kind: str) -> None:  # type: ignore[no-untyped-def]
    page = await _v1_page(client, site.bob, "Doc")
    target: dict[str, Any]
    if kind == "pages":
        target = page
    elif kind == "blogposts":
        target = (await client.post(f"{V1}/content", headers=site.bob.bearer, json={
            "type": "blogpost", "title": "News", "space": {"key": "DOC"}})).json()
    elif kind == "footer-comments":
        target = await _footer(client, site.bob, page["id"])
    else:
        target = await _inline(client, site.bob, page["id"])
    count = f"{V2}/{kind}/{target['id']}/likes/count"
    users = f"{V2}/{kind}/{target['id']}/likes/users"
    assert (await client.get(count, headers=site.bob.bearer)).json() == {"count": 0}
    await _like(client, site.alice, target["id"])
    await _like(client, site.carol, target["id"])
    await _like(client, site.alice, target["id"])  # (twice is once)
    assert (await client.get(count, headers=site.bob.bearer)).json() == {"count": 2}
    listed = (await client.get(users, headers=site.bob.bearer)).json()
    assert {u["accountId"] for u in listed["results"]} == {site.alice.account_id, site.carol.account_id}
    first = (await client.get(f"{users}?limit=1", headers=site.bob.bearer)).json()
    assert len(first["results"]) == 1 and "next" in first["_links"]
    rest = (await client.get(first["_links"]["next"], headers=site.bob.bearer)).json()
    assert {u["accountId"] for u in first["results"] + rest["results"]} == {site.alice.account_id,
                                                                           site.carol.account_id}
    await _unlike(client, site.alice, target["id"])
    assert (await client.get(count, headers=site.bob.bearer)).json() == {"count": 1}
    # The path names the kind of content: a page's id is no comment, a comment's no page.
    other = "footer-comments" if kind == "pages" else "pages"
    _error(await client.get(f"{V2}/{other}/{target['id']}/likes/count", headers=site.bob.bearer), 404, "NOT_FOUND")


async def test_likes_of_a_read_restricted_page_are_hidden(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await _v1_page(client, site.alice, "Secret")
    await _like(client, site.alice, page["id"])
    r = await client.put(f"{V1}/content/{page['id']}/restriction", headers=site.alice.bearer, json=[
        {"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": site.alice.account_id}]}}])
    assert r.status_code == 200, r.text
    for tail in ("count", "users"):
        _error(await client.get(f"{V2}/pages/{page['id']}/likes/{tail}", headers=site.bob.bearer), 404, "NOT_FOUND")
    assert (await client.get(f"{V2}/pages/{page['id']}/likes/count", headers=site.alice.bearer)).json() == {"count": 1}


@pytest.mark.parametrize("path", ["pages/abc/likes/count", "pages/{page}/likes/users?limit=251",
                                  "pages/{page}/likes/users?limit=-1", "pages/{page}/likes/users?cursor=garbage",
                                  "footer-comments/0/likes/users"])
async def test_bad_like_requests(client, site, space, path: str) -> None:  # type: ignore[no-untyped-def]
    page = await _v1_page(client, site.bob, "Doc")
    _error(await client.get(f"{V2}/" + path.format(page=page["id"]), headers=site.bob.bearer), 400, "BAD_REQUEST")
