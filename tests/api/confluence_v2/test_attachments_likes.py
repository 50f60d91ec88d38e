"""v2's attachments (list, get, delete, versions; the upload stays v1's, as on Cloud) and likes
(`/likes/count`, `/likes/users` of pages, blog posts and comments: the `like` relation v1's relation
API writes), over the services v1 uses."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.confluence_v2.conftest import V1, V2, error, v1_page
from tests.api.confluence_v2.test_comments import _footer, _inline

XSRF = {"X-Atlassian-Token": "no-check"}




async def _upload(client, who, page_id: str, name: str, data: bytes, comment: str = "") -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = await client.put(f"{V1}/content/{page_id}/child/attachment", headers={**who.bearer, **XSRF},
                         files=[("file", (name, data, "text/plain"))], data={"comment": comment} if comment else {})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]  # type: ignore[no-any-return]


# --- attachments ----------------------------------------------------------------------------------

async def test_an_attachment_uploaded_through_v1_is_read_through_v2(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
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
    assert none["results"] == []  # (none made yet)


async def test_comments_on_an_attachment(client, site, space) -> None:  # type: ignore[no-untyped-def]
    """A footer comment on an attachment, written through v2 (`attachmentId`) or v1 (its container
    the attachment), listed by the attachment's `footer-comments` and v1's `child/comment`; hidden
    with the page when its read is restricted afterwards; gone when the page is purged."""
    page = await v1_page(client, site.alice, "Doc")
    att = await _upload(client, site.alice, page["id"], "a.txt", b"a")
    r = await client.post(f"{V2}/footer-comments", headers=site.bob.bearer, json={
        "attachmentId": att["id"], "body": {"representation": "storage", "value": "<p>Looks fine</p>"}})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["attachmentId"] == att["id"] and "pageId" not in made and made["title"] == "Re: a.txt"
    r = await client.post(f"{V1}/content", headers=site.alice.bearer, json={
        "type": "comment", "container": {"id": att["id"].removeprefix("att"), "type": "attachment"},
        "body": {"storage": {"value": "<p>Thanks</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    v1_made = r.json()
    r = await client.get(f"{V2}/attachments/{att['id']}/footer-comments?body-format=storage&sort=-created-date",
                         headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    listed = r.json()["results"]
    assert [c["id"] for c in listed] == [v1_made["id"], made["id"]]
    assert listed[1]["body"]["storage"]["value"] == "<p>Looks fine</p>"
    assert listed[1]["attachmentId"] == att["id"] and listed[1]["version"]["number"] == 1
    r = await client.get(f"{V1}/content/{att['id'].removeprefix('att')}/child/comment", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    assert {c["id"] for c in r.json()["results"]} == {made["id"], v1_made["id"]}
    got = (await client.get(f"{V2}/footer-comments/{made['id']}", headers=site.bob.bearer)).json()
    assert got["attachmentId"] == att["id"]
    # an inline comment on an attachment: refused (there is no body to highlight)
    error(await client.post(f"{V2}/inline-comments", headers=site.bob.bearer, json={
        "attachmentId": att["id"], "body": {"representation": "storage", "value": "<p>x</p>"},
        "inlineCommentProperties": {"textSelection": "a"}}), 400, "BAD_REQUEST")
    error(await client.post(f"{V2}/footer-comments", headers=site.bob.bearer, json={
        "attachmentId": "att999999", "body": {"representation": "storage", "value": "<p>x</p>"}}), 404, "NOT_FOUND")
    # restricting the page afterwards hides the attachment's comments from bob
    r = await client.put(f"{V1}/content/{page['id']}/restriction", headers=site.alice.bearer, json=[
        {"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": site.alice.account_id}]}}])
    assert r.status_code == 200, r.text
    for path in (f"attachments/{att['id']}/footer-comments", f"footer-comments/{made['id']}"):
        error(await client.get(f"{V2}/{path}", headers=site.bob.bearer), 404, "NOT_FOUND")
        assert (await client.get(f"{V2}/{path}", headers=site.alice.bearer)).status_code == 200, path
    # purging the page purges the attachment and the comments on it
    assert (await client.delete(f"{V2}/pages/{page['id']}", headers=site.alice.bearer)).status_code == 204
    assert (await client.delete(f"{V2}/pages/{page['id']}?purge=true", headers=site.alice.bearer)).status_code == 204
    error(await client.get(f"{V2}/footer-comments/{made['id']}", headers=site.alice.bearer), 404, "NOT_FOUND")


@pytest.mark.parametrize("sort", ["created-date", "-created-date", "modified-date", "-modified-date"])
async def test_attachments_in_every_sort_order(client, site, space, sort: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    made = []
    for n in range(3):
        made.append(await _upload(client, site.bob, page["id"], f"f{n}.txt", b"x"))
        await asyncio.sleep(0.003)  # (times are in milliseconds)
    await _upload(client, site.bob, page["id"], "f0.txt", b"new version")  # f0 modified last
    ids = [a["id"] for a in made]
    expected = {"created-date": ids, "-created-date": ids[::-1], "modified-date": ids[1:] + ids[:1],
                "-modified-date": ids[:1] + ids[1:][::-1]}[sort]
    for path in (f"pages/{page['id']}/attachments", "attachments"):
        seen: list[str] = []
        url = f"{V2}/{path}?sort={sort}&limit=2"
        while url:
            r = await client.get(url, headers=site.bob.bearer)
            assert r.status_code == 200, r.text
            seen += [a["id"] for a in r.json()["results"]]
            url = r.json()["_links"].get("next") or ""
        assert seen == expected, (path, sort)


async def test_delete_trashes_then_purges(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    att = await _upload(client, site.bob, page["id"], "gone.txt", b"x")
    # carol did not upload it and does not administer the space.
    error(await client.delete(f"{V2}/attachments/{att['id']}", headers=site.carol.bearer), 403, "FORBIDDEN")
    assert (await client.delete(f"{V2}/attachments/{att['id']}", headers=site.bob.bearer)).status_code == 204
    trashed = (await client.get(f"{V2}/pages/{page['id']}/attachments?status=trashed", headers=site.bob.bearer)).json()
    assert [(a["id"], a["status"]) for a in trashed["results"]] == [(att["id"], "trashed")]
    assert (await client.get(f"{V2}/pages/{page['id']}/attachments", headers=site.bob.bearer)).json()["results"] == []
    v1 = await client.get(f"{V1}/content/{att['id']}?status=trashed", headers=site.bob.bearer)
    assert v1.status_code == 200 and v1.json()["status"] == "trashed"
    # Purging is for the space's administrators (alice created DOC).
    error(await client.delete(f"{V2}/attachments/{att['id']}?purge=true", headers=site.bob.bearer), 403, "FORBIDDEN")
    assert (await client.delete(f"{V2}/attachments/{att['id']}?purge=true",
                                headers=site.alice.bearer)).status_code == 204
    error(await client.get(f"{V2}/attachments/{att['id']}", headers=site.alice.bearer), 404, "NOT_FOUND")


async def test_attachments_of_a_read_restricted_page_are_hidden(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.alice, "Secret")
    att = await _upload(client, site.alice, page["id"], "s.txt", b"s")
    r = await client.put(f"{V1}/content/{page['id']}/restriction", headers=site.alice.bearer, json=[
        {"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": site.alice.account_id}]}}])
    assert r.status_code == 200, r.text
    for path in (f"attachments/{att['id']}", f"attachments/{att['id']}/versions",
                 f"attachments/{att['id']}/versions/1", f"pages/{page['id']}/attachments",
                 f"attachments/{att['id']}/footer-comments"):
        error(await client.get(f"{V2}/{path}", headers=site.bob.bearer), 404, "NOT_FOUND")
        assert (await client.get(f"{V2}/{path}", headers=site.alice.bearer)).status_code == 200, path
    assert (await client.get(f"{V2}/attachments", headers=site.bob.bearer)).json()["results"] == []
    error(await client.delete(f"{V2}/attachments/{att['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")


@pytest.mark.parametrize("path", [
    "attachments/abc", "attachments/att0", "attachments/{att}?version=zero", "attachments/{att}/versions/x",
    "attachments?limit=0", "attachments?limit=251", "attachments?sort=sideways", "attachments?status=bogus",
    "attachments?cursor=garbage", "pages/{page}/attachments?sort=title", "pages/abc/attachments",
])
async def test_bad_attachment_requests(client, site, space, path: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    att = await _upload(client, site.bob, page["id"], "a.txt", b"a")
    url = f"{V2}/" + path.format(att=att["id"], page=page["id"])
    error(await client.get(url, headers=site.bob.bearer), 400, "BAD_REQUEST")


# --- likes: one relation, two APIs ----------------------------------------------------------------

async def _like(client, who, content_id: str) -> None:  # type: ignore[no-untyped-def]
    r = await client.put(f"{V1}/relation/like/from/user/current/to/content/{content_id}", headers=who.bearer)
    assert r.status_code == 200, r.text


async def _unlike(client, who, content_id: str) -> None:  # type: ignore[no-untyped-def]
    r = await client.delete(f"{V1}/relation/like/from/user/current/to/content/{content_id}", headers=who.bearer)
    assert r.status_code == 204, r.text


@pytest.mark.parametrize("kind", ["pages", "blogposts", "footer-comments", "inline-comments"])
async def test_a_like_through_the_relation_api_is_counted_by_v2(client, site, space, kind: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
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
    error(await client.get(f"{V2}/{other}/{target['id']}/likes/count", headers=site.bob.bearer), 404, "NOT_FOUND")


async def test_likes_of_a_read_restricted_page_are_hidden(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.alice, "Secret")
    await _like(client, site.alice, page["id"])
    r = await client.put(f"{V1}/content/{page['id']}/restriction", headers=site.alice.bearer, json=[
        {"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": site.alice.account_id}]}}])
    assert r.status_code == 200, r.text
    for tail in ("count", "users"):
        error(await client.get(f"{V2}/pages/{page['id']}/likes/{tail}", headers=site.bob.bearer), 404, "NOT_FOUND")
    assert (await client.get(f"{V2}/pages/{page['id']}/likes/count", headers=site.alice.bearer)).json() == {"count": 1}


@pytest.mark.parametrize("path", ["pages/abc/likes/count", "pages/{page}/likes/users?limit=251",
                                  "pages/{page}/likes/users?limit=-1", "pages/{page}/likes/users?cursor=garbage",
                                  "footer-comments/0/likes/users"])
async def test_bad_like_requests(client, site, space, path: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    error(await client.get(f"{V2}/" + path.format(page=page["id"]), headers=site.bob.bearer), 400, "BAD_REQUEST")
