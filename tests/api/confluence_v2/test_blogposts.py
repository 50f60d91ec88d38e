"""v2 blog posts (/wiki/api/v2/blogposts, /spaces/{id}/blogposts) over the content v1 serves as type
"blogpost": one blog post through either API; drafts, trash and purge; v2's 4xx body on bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.confluence_v2.conftest import V1, V2, error


async def _v1_post(client, who, title: str, body: str | None = None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = await client.post(f"{V1}/content", headers=who.bearer, json={
        "type": "blogpost", "title": title, "space": {"key": "DOC"},
        "body": {"storage": {"value": body or f"<p>{title}</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def _v2_post(client, who, space_id: str, title: str, **extra: Any) -> dict:  # type: ignore[no-untyped-def,type-arg]
    body = {"spaceId": space_id, "title": title, "body": {"representation": "storage", "value": f"<p>{title}</p>"},
            **extra}
    r = await client.post(f"{V2}/blogposts", headers=who.bearer, json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_a_v2_blog_post_has_the_blog_post_shape(client, site, space) -> None:  # type: ignore[no-untyped-def]
    post = await _v2_post(client, site.bob, space["id"], "Launch news")
    assert set(post) == {"id", "status", "title", "spaceId", "authorId", "createdAt", "version", "body", "_links"}
    assert (post["status"], post["title"], post["spaceId"]) == ("current", "Launch news", space["id"])
    assert post["authorId"] == site.bob.account_id and post["version"]["number"] == 1
    assert post["body"] == {"storage": {"representation": "storage", "value": "<p>Launch news</p>"}}
    assert post["_links"]["base"] == "http://bondline.test/wiki"
    assert post["_links"]["webui"].startswith("/spaces/DOC/blog/") and post["_links"]["webui"].endswith(
        f"/{post['id']}/Launch+news")
    # Through v1, the same blog post; not a page through v2, and not in the page listing.
    v1 = (await client.get(f"{V1}/content/{post['id']}?expand=body.storage,space", headers=site.bob.bearer)).json()
    assert (v1["type"], v1["title"], v1["space"]["key"]) == ("blogpost", "Launch news", "DOC")
    assert v1["body"]["storage"]["value"] == "<p>Launch news</p>"
    error(await client.get(f"{V2}/pages/{post['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")
    pages = (await client.get(f"{V2}/pages?space-id={space['id']}", headers=site.bob.bearer)).json()["results"]
    assert post["id"] not in [p["id"] for p in pages]


async def test_a_page_is_not_a_blog_post(client, site, space) -> None:  # type: ignore[no-untyped-def]
    home = space["homepageId"]
    for method in ("get", "delete"):
        error(await getattr(client, method)(f"{V2}/blogposts/{home}", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.put(f"{V2}/blogposts/{home}", headers=site.alice.bearer, json={
        "id": home, "status": "current", "title": "Hijack", "version": {"number": 2},
        "body": {"representation": "storage", "value": "<p>x</p>"}}), 404, "NOT_FOUND")
    error(await client.get(f"{V2}/blogposts/{home}/versions", headers=site.bob.bearer), 404, "NOT_FOUND")


# --- a table: written through one API, read back through the other --------------------------------

async def _read(client, who, api: str, post_id: str, status: str = "current") -> dict:  # type: ignore[no-untyped-def,type-arg]
    if api == "v1":
        r = await client.get(f"{V1}/content/{post_id}?status={status}&expand=body.storage,version",
                             headers=who.bearer)
        assert r.status_code == 200, r.text
        post = r.json()
        return {"type": post["type"], "title": post["title"], "body": post["body"]["storage"]["value"],
                "version": post["version"]["number"], "status": post["status"]}
    r = await client.get(f"{V2}/blogposts/{post_id}?status={status}&body-format=storage", headers=who.bearer)
    assert r.status_code == 200, r.text
    post = r.json()
    return {"type": "blogpost", "title": post["title"], "body": post["body"]["storage"]["value"],
            "version": post["version"]["number"], "status": post["status"]}


@pytest.mark.parametrize("writer,reader", [("v1", "v2"), ("v2", "v1"), ("v2", "v2")])
@pytest.mark.parametrize("case", ["create", "update", "trash", "restore"])
async def test_written_through_one_api_read_through_the_other(client, site, space, case: str, writer: str,  # type: ignore[no-untyped-def]
                                                             reader: str) -> None:
    who = site.alice
    if writer == "v1":
        post = (await _v1_post(client, who, "Post"))["id"]
    else:
        post = (await _v2_post(client, who, space["id"], "Post"))["id"]
    expected = {"type": "blogpost", "title": "Post", "body": "<p>Post</p>", "version": 1, "status": "current"}
    if case in ("update", "restore"):
        if case == "restore":
            url = f"{V1}/content/{post}" if writer == "v1" else f"{V2}/blogposts/{post}"
            assert (await client.delete(url, headers=who.bearer)).status_code == 204
        if writer == "v1":
            r = await client.put(f"{V1}/content/{post}", headers=who.bearer, json={
                "type": "blogpost", "title": "Edited", "version": {"number": 2}, "status": "current",
                "body": {"storage": {"value": "<p>Edited</p>", "representation": "storage"}}})
        else:
            r = await client.put(f"{V2}/blogposts/{post}", headers=who.bearer, json={
                "id": post, "status": "current", "title": "Edited", "version": {"number": 2, "message": "m"},
                "body": {"representation": "storage", "value": "<p>Edited</p>"}})
        assert r.status_code == 200, r.text
        expected = {**expected, "title": "Edited", "body": "<p>Edited</p>", "version": 2}
    if case == "trash":
        url = f"{V1}/content/{post}" if writer == "v1" else f"{V2}/blogposts/{post}"
        assert (await client.delete(url, headers=who.bearer)).status_code == 204
        assert await _read(client, who, reader, post, "trashed") == {**expected, "status": "trashed"}
        return
    assert await _read(client, who, reader, post) == expected


async def test_trash_then_purge_and_drafts(client, site, space) -> None:  # type: ignore[no-untyped-def]
    post = await _v2_post(client, site.alice, space["id"], "Doomed")
    assert (await client.delete(f"{V2}/blogposts/{post['id']}", headers=site.alice.bearer)).status_code == 204
    listed = (await client.get(f"{V2}/blogposts?status=trashed", headers=site.alice.bearer)).json()["results"]
    assert [(p["id"], p["status"]) for p in listed] == [(post["id"], "trashed")]
    r = await client.delete(f"{V2}/blogposts/{post['id']}?purge=true", headers=site.alice.bearer)
    assert r.status_code == 204, r.text
    assert (await client.get(f"{V1}/content/{post['id']}?status=any", headers=site.alice.bearer)).status_code == 404
    # A draft: only its author sees it (get-draft), deleting it with draft=true removes it.
    draft = await _v2_post(client, site.alice, space["id"], "Draft post", status="draft")
    assert draft["status"] == "draft"
    r = await client.get(f"{V2}/blogposts/{draft['id']}?get-draft=true", headers=site.alice.bearer)
    assert r.status_code == 200 and r.json()["status"] == "draft"
    error(await client.get(f"{V2}/blogposts/{draft['id']}?get-draft=true", headers=site.bob.bearer), 404,
           "NOT_FOUND")
    r = await client.delete(f"{V2}/blogposts/{draft['id']}?draft=true", headers=site.alice.bearer)
    assert r.status_code == 204, r.text
    error(await client.get(f"{V2}/blogposts/{draft['id']}?get-draft=true", headers=site.alice.bearer), 404,
           "NOT_FOUND")


async def test_a_spaces_blog_posts_page_with_a_cursor(client, site, space) -> None:  # type: ignore[no-untyped-def]
    made = [(await _v1_post(client, site.bob, f"B{i}"))["id"] for i in range(3)]
    await client.post(f"{V1}/space", headers=site.bob.bearer, json={"key": "ELSE", "name": "Elsewhere"})
    r = await client.post(f"{V1}/content", headers=site.bob.bearer,
                          json={"type": "blogpost", "title": "Elsewhere", "space": {"key": "ELSE"}})
    elsewhere = r.json()["id"]
    seen: list[str] = []
    url: str | None = f"{V2}/spaces/{space['id']}/blogposts?limit=2&body-format=storage"
    while url:
        r = await client.get(url, headers=site.bob.bearer)
        assert r.status_code == 200, r.text
        seen += [p["id"] for p in r.json()["results"]]
        assert all(p["body"]["storage"]["value"].startswith("<p>B") for p in r.json()["results"])
        url = r.json()["_links"].get("next")
    assert seen == made
    everywhere = (await client.get(f"{V2}/blogposts", headers=site.bob.bearer)).json()["results"]
    assert [p["id"] for p in everywhere] == [*made, elsewhere]
    by_id = (await client.get(f"{V2}/blogposts?id={made[1]}", headers=site.bob.bearer)).json()["results"]
    assert [p["id"] for p in by_id] == [made[1]]
    by_title = (await client.get(f"{V2}/blogposts?title=B2&space-id={space['id']}",
                                 headers=site.bob.bearer)).json()["results"]
    assert [p["id"] for p in by_title] == [made[2]]
    error(await client.get(f"{V2}/spaces/999999/blogposts", headers=site.bob.bearer), 404, "NOT_FOUND")


async def test_a_private_spaces_blog_posts_are_hidden(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V1}/space/_private", headers=site.alice.bearer, json={"key": "SEC", "name": "Secret"})
    assert r.status_code == 200, r.text
    secret = (await client.get(f"{V2}/spaces?keys=SEC", headers=site.alice.bearer)).json()["results"][0]
    post = await _v2_post(client, site.alice, secret["id"], "Hush")
    error(await client.get(f"{V2}/blogposts/{post['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")
    assert (await client.get(f"{V2}/blogposts", headers=site.bob.bearer)).json()["results"] == []
    error(await client.get(f"{V2}/spaces/{secret['id']}/blogposts", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.post(f"{V2}/blogposts", headers=site.bob.bearer, json={
        "spaceId": secret["id"], "title": "Intruder"}), 403, "FORBIDDEN")


@pytest.mark.parametrize("query", [
    "body-format=wiki", "limit=0", "limit=251", "sort=title", "sort=sideways",
    "status=draft", "status=archived", "space-id=abc", "id=x", "cursor=garbage",
])
async def test_bad_list_parameters(client, site, space, query: str) -> None:  # type: ignore[no-untyped-def]
    error(await client.get(f"{V2}/blogposts?{query}", headers=site.bob.bearer), 400, "BAD_REQUEST")
    if not query.startswith(("space-id", "id")):  # (the space's listing takes neither)
        error(await client.get(f"{V2}/spaces/{space['id']}/blogposts?{query}", headers=site.bob.bearer), 400,
               "BAD_REQUEST")


async def test_bad_writes(client, site, space) -> None:  # type: ignore[no-untyped-def]
    post = await _v2_post(client, site.bob, space["id"], "Stale")
    update = {"id": post["id"], "status": "current", "title": "Stale", "version": {"number": 5},
              "body": {"representation": "storage", "value": "<p>x</p>"}}
    url = f"{V2}/blogposts/{post['id']}"
    error(await client.put(url, headers=site.bob.bearer, json=update), 409, "CONFLICT")
    error(await client.put(url, headers=site.bob.bearer, json={**update, "version": {"number": 2}, "id": "1"}),
           400, "BAD_REQUEST")
    await client.post(f"{V1}/space", headers=site.bob.bearer, json={"key": "OTHER", "name": "Other"})
    other = (await client.get(f"{V2}/spaces?keys=OTHER", headers=site.bob.bearer)).json()["results"][0]
    error(await client.put(url, headers=site.bob.bearer, json={**update, "version": {"number": 2},
                                                                "spaceId": other["id"]}), 400, "BAD_REQUEST")
    for bad in ({"title": "No space"}, {"spaceId": "abc", "title": "x"}, {"spaceId": space["id"], "title": ""},
                {"spaceId": space["id"], "title": "x", "createdAt": "2020-01-01T00:00:00.000Z"},
                {"spaceId": space["id"], "title": "x", "body": {"representation": "wiki", "value": "h1. x"}},
                {"spaceId": space["id"], "title": "x", "status": "archived"}):
        error(await client.post(f"{V2}/blogposts", headers=site.bob.bearer, json=bad), 400, "BAD_REQUEST")
    error(await client.post(f"{V2}/blogposts?private=true", headers=site.bob.bearer,
                             json={"spaceId": space["id"], "title": "Private"}), 400, "BAD_REQUEST")
    error(await client.post(f"{V2}/blogposts", headers=site.bob.bearer, content=b"{not json"), 400, "BAD_REQUEST")
    error(await client.get(f"{V2}/blogposts/abc", headers=site.bob.bearer), 400, "BAD_REQUEST")
    error(await client.get(f"{V2}/blogposts/{post['id']}?version=9", headers=site.bob.bearer), 404, "NOT_FOUND")
