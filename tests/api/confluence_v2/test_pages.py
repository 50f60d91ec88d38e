"""Confluence Cloud REST API v2 (/wiki/api/v2): pages and spaces over the same services as v1, so one
page is the same page through either API; cursor paging; v2's error body on every bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.confluence_v2.conftest import V1, V2, error, v1_page


async def _v2_page(client, who, space_id: str, title: str, **extra: Any) -> dict:  # type: ignore[no-untyped-def,type-arg]
    body = {"spaceId": space_id, "title": title, "body": {"representation": "storage", "value": f"<p>{title}</p>"},
            **extra}
    r = await client.post(f"{V2}/pages", headers=who.bearer, json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


# --- one page, two APIs ---------------------------------------------------------------------------

async def test_a_v1_page_is_the_same_page_through_v2(client, site, space) -> None:  # type: ignore[no-untyped-def]
    parent = await v1_page(client, site.bob, "Parent")
    child = await v1_page(client, site.bob, "Child", parent=parent["id"])
    r = await client.get(f"{V2}/pages/{child['id']}?body-format=storage", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["id"] == child["id"] and page["title"] == "Child" and page["status"] == "current"
    assert page["spaceId"] == space["id"] and page["parentId"] == parent["id"] and page["parentType"] == "page"
    assert page["body"] == {"storage": {"representation": "storage", "value": "<p>Child</p>"}}
    assert page["version"]["number"] == 1 and page["version"]["authorId"] == site.bob.account_id
    assert page["authorId"] == site.bob.account_id
    assert page["_links"]["base"] == "http://bondline.test/wiki"
    ancestors = (await client.get(f"{V2}/pages/{child['id']}/ancestors", headers=site.bob.bearer)).json()
    assert [a["id"] for a in ancestors["results"]][-1] == parent["id"]
    children = (await client.get(f"{V2}/pages/{parent['id']}/children", headers=site.bob.bearer)).json()
    assert [(c["id"], c["title"]) for c in children["results"]] == [(child["id"], "Child")]


async def test_a_v2_page_is_the_same_page_through_v1(client, site, space) -> None:  # type: ignore[no-untyped-def]
    created = await _v2_page(client, site.bob, space["id"], "From v2")
    # No parent given: under the space's home page, as Confluence Cloud puts it.
    assert created["parentId"] == space["homepageId"]
    r = await client.get(f"{V1}/content/{created['id']}?expand=body.storage,space,version,ancestors",
                         headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    v1 = r.json()
    assert v1["title"] == "From v2" and v1["space"]["key"] == "DOC" and v1["version"]["number"] == 1
    assert v1["body"]["storage"]["value"] == "<p>From v2</p>"
    assert [a["id"] for a in v1["ancestors"]] == [space["homepageId"]]
    # A v1 update is a new version through v2, and a v2 update one through v1.
    r = await client.put(f"{V1}/content/{created['id']}", headers=site.bob.bearer, json={
        "type": "page", "title": "Renamed", "version": {"number": 2},
        "body": {"storage": {"value": "<p>two</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    r = await client.put(f"{V2}/pages/{created['id']}", headers=site.bob.bearer, json={
        "id": created["id"], "status": "current", "title": "Again", "version": {"number": 3, "message": "v2"},
        "body": {"representation": "storage", "value": "<p>three</p>"}})
    assert r.status_code == 200, r.text
    assert r.json()["version"]["number"] == 3 and r.json()["version"]["message"] == "v2"
    v1 = (await client.get(f"{V1}/content/{created['id']}?expand=body.storage,version",
                           headers=site.bob.bearer)).json()
    assert (v1["title"], v1["version"]["number"], v1["body"]["storage"]["value"]) == ("Again", 3, "<p>three</p>")
    old = (await client.get(f"{V2}/pages/{created['id']}?version=2&body-format=storage",
                            headers=site.bob.bearer)).json()
    assert old["title"] == "Renamed" and old["body"]["storage"]["value"] == "<p>two</p>"


@pytest.mark.parametrize("writer", ["v1", "v2"])
async def test_delete_trashes_then_purges_through_either_api(client, site, space, writer: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.alice, "Doomed")
    if writer == "v1":
        assert (await client.delete(f"{V1}/content/{page['id']}", headers=site.alice.bearer)).status_code == 204
    else:
        assert (await client.delete(f"{V2}/pages/{page['id']}", headers=site.alice.bearer)).status_code == 204
    trashed = await client.get(f"{V2}/pages/{page['id']}?status=trashed", headers=site.alice.bearer)
    assert trashed.status_code == 200 and trashed.json()["status"] == "trashed"
    error(await client.get(f"{V2}/pages/{page['id']}", headers=site.alice.bearer), 404, "NOT_FOUND")
    r = await client.delete(f"{V2}/pages/{page['id']}?purge=true", headers=site.alice.bearer)
    assert r.status_code == 204, r.text
    assert (await client.get(f"{V1}/content/{page['id']}?status=any", headers=site.alice.bearer)).status_code == 404


async def test_a_blog_post_is_not_a_page(client, site, space) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V1}/content", headers=site.bob.bearer,
                          json={"type": "blogpost", "title": "News", "space": {"key": "DOC"}})
    post = r.json()
    error(await client.get(f"{V2}/pages/{post['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.delete(f"{V2}/pages/{post['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")


# --- listing and cursors --------------------------------------------------------------------------

async def test_cursor_pages_through_a_space(client, site, space) -> None:  # type: ignore[no-untyped-def]
    made = [await _v2_page(client, site.bob, space["id"], f"P{i}") for i in range(5)]
    seen: list[str] = []
    url: str | None = f"{V2}/pages?space-id={space['id']}&limit=2&body-format=storage"
    pages = 0
    while url:
        r = await client.get(url, headers=site.bob.bearer)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["_links"]["base"] == "http://bondline.test/wiki"
        seen += [p["id"] for p in body["results"]]
        assert all("storage" in p["body"] for p in body["results"])
        url = body["_links"].get("next")
        if url:
            assert r.headers["link"].startswith(f"<{url}>; rel=\"next\"")
            assert url.startswith(f"{V2}/pages?")
        else:
            assert "link" not in r.headers
        pages += 1
    ids = [p["id"] for p in made]
    assert [i for i in seen if i in ids] == ids  # (and the space's home page)
    assert len(seen) == len(set(seen)) == 6 and pages == 3


async def test_titles_and_ids_filter(client, site, space) -> None:  # type: ignore[no-untyped-def]
    one = await _v2_page(client, site.bob, space["id"], "One")
    await _v2_page(client, site.bob, space["id"], "Two")
    r = await client.get(f"{V2}/pages?title=One", headers=site.bob.bearer)
    assert [p["id"] for p in r.json()["results"]] == [one["id"]]
    assert "body" in r.json()["results"][0] and r.json()["results"][0]["body"] == {}
    r = await client.get(f"{V2}/spaces/{space['id']}", headers=site.bob.bearer)
    assert r.status_code == 200 and r.json()["key"] == "DOC" and r.json()["_links"]["base"].endswith("/wiki")
    r = await client.get(f"{V2}/spaces?ids={space['id']}&description-format=plain", headers=site.bob.bearer)
    assert [s["key"] for s in r.json()["results"]] == ["DOC"]
    assert r.json()["results"][0]["description"]["plain"]["representation"] == "plain"


async def test_a_spaces_pages_all_or_root(client, site, space) -> None:  # type: ignore[no-untyped-def]
    top = await _v2_page(client, site.bob, space["id"], "Top")
    root = await client.post(f"{V2}/pages?root-level=true", headers=site.bob.bearer,
                             json={"spaceId": space["id"], "title": "Root level"})
    assert root.status_code == 200 and "parentId" not in root.json()
    everything = (await client.get(f"{V2}/spaces/{space['id']}/pages?limit=2", headers=site.bob.bearer)).json()
    listed = [p["id"] for p in everything["results"]]
    nxt = (await client.get(everything["_links"]["next"], headers=site.bob.bearer)).json()
    listed += [p["id"] for p in nxt["results"]]
    assert listed == [space["homepageId"], top["id"], root.json()["id"]] and "next" not in nxt["_links"]
    roots = (await client.get(f"{V2}/spaces/{space['id']}/pages?depth=root", headers=site.bob.bearer)).json()
    assert [p["id"] for p in roots["results"]] == [space["homepageId"], root.json()["id"]]
    error(await client.get(f"{V2}/spaces/999999/pages", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.get(f"{V2}/spaces/{space['id']}/pages?depth=deep", headers=site.bob.bearer), 400,
           "BAD_REQUEST")


# --- bad input: v2's 4xx body ---------------------------------------------------------------------

async def test_unknown_paths_answer_v2s_404(client, site) -> None:  # type: ignore[no-untyped-def]
    found = error(await client.get(f"{V2}/no-such-thing", headers=site.bob.bearer), 404, "NOT_FOUND")
    assert found == {"status": 404, "code": "NOT_FOUND", "title": "Not Found", "detail": None}
    error(await client.get(f"{V2}/pages/999999", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.get(f"{V2}/spaces/999999", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.get(f"{V2}/pages"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("query", [
    "body-format=wiki-markup", "body-format=view", "limit=0", "limit=251", "limit=ten",
    "sort=sideways", "status=bogus", "space-id=abc", "cursor=garbage", "cursor=eyJvIjoyfQ.AAAA",
])
async def test_bad_list_parameters(client, site, space, query: str) -> None:  # type: ignore[no-untyped-def]
    found = error(await client.get(f"{V2}/pages?{query}", headers=site.bob.bearer), 400, "BAD_REQUEST")
    assert found["detail"]


async def test_a_cursor_from_another_query_is_refused(client, site, space) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        await _v2_page(client, site.bob, space["id"], f"C{i}")
    first = (await client.get(f"{V2}/pages?space-id={space['id']}&limit=1", headers=site.bob.bearer)).json()
    cursor = first["_links"]["next"].split("cursor=")[1]
    r = await client.get(f"{V2}/pages?title=C1&limit=1&cursor={cursor}", headers=site.bob.bearer)
    error(r, 400, "BAD_REQUEST")
    r = await client.get(f"{V2}/spaces?limit=1&cursor={cursor}", headers=site.bob.bearer)
    error(r, 400, "BAD_REQUEST")
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    error(await client.get(f"{V2}/pages?space-id={space['id']}&limit=1&cursor={tampered}",
                            headers=site.bob.bearer), 400, "BAD_REQUEST")


async def test_bad_writes(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await _v2_page(client, site.bob, space["id"], "Stale")
    stale = {"id": page["id"], "status": "current", "title": "Stale", "version": {"number": 5},
             "body": {"representation": "storage", "value": "<p>x</p>"}}
    error(await client.put(f"{V2}/pages/{page['id']}", headers=site.bob.bearer, json=stale), 409, "CONFLICT")
    error(await client.post(f"{V2}/pages", headers=site.bob.bearer, json={"title": "No space"}), 400, "BAD_REQUEST")
    error(await client.post(f"{V2}/pages", headers=site.bob.bearer, json={
        "spaceId": space["id"], "title": "X", "body": {"representation": "atlas_doc_format", "value": "{}"}}),
        400, "BAD_REQUEST")
    # A parent in another space.
    await client.post(f"{V1}/space", headers=site.bob.bearer, json={"key": "OTHER", "name": "Other"})
    other = (await client.get(f"{V2}/spaces?keys=OTHER", headers=site.bob.bearer)).json()["results"][0]
    error(await client.post(f"{V2}/pages", headers=site.bob.bearer, json={
        "spaceId": space["id"], "title": "Lost", "parentId": other["homepageId"]}), 400, "BAD_REQUEST")
    error(await client.post(f"{V2}/pages", headers=site.bob.bearer, json={
        "spaceId": "999999", "title": "Nowhere"}), 403, "FORBIDDEN")


# --- table: a write through one API, read back through the other ----------------------------------

async def _create(client, who, api: str, space: dict, title: str, parent: str | None) -> str:  # type: ignore[no-untyped-def,type-arg]
    if api == "v1":
        return (await v1_page(client, who, title, parent=parent))["id"]  # type: ignore[no-any-return]
    extra = {"parentId": parent} if parent else {}
    return (await _v2_page(client, who, space["id"], title, **extra))["id"]  # type: ignore[no-any-return]


async def _update(client, who, api: str, page_id: str, title: str, version: int, parent: str | None = None):  # type: ignore[no-untyped-def]
    if api == "v1":
        body: dict[str, Any] = {"type": "page", "title": title, "version": {"number": version},
                                "body": {"storage": {"value": f"<p>{title}</p>", "representation": "storage"}}}
        if parent:
            body["ancestors"] = [{"id": parent}]
        r = await client.put(f"{V1}/content/{page_id}", headers=who.bearer, json=body)
    else:
        body = {"id": page_id, "status": "current", "title": title, "version": {"number": version},
                "body": {"representation": "storage", "value": f"<p>{title}</p>"}}
        if parent:
            body["parentId"] = parent
        r = await client.put(f"{V2}/pages/{page_id}", headers=who.bearer, json=body)
    assert r.status_code == 200, r.text


async def _read(client, who, api: str, page_id: str, status: str = "current") -> dict:  # type: ignore[no-untyped-def,type-arg]
    """What a user sees of a page, the same through either API: title, body, version, parent, status."""
    if api == "v1":
        r = await client.get(f"{V1}/content/{page_id}?status={status}&expand=body.storage,version,ancestors",
                             headers=who.bearer)
        assert r.status_code == 200, r.text
        page = r.json()
        parent = page["ancestors"][-1]["id"] if page["ancestors"] else None
        return {"title": page["title"], "body": page["body"]["storage"]["value"],
                "version": page["version"]["number"], "parent": parent, "status": page["status"]}
    r = await client.get(f"{V2}/pages/{page_id}?status={status}&body-format=storage", headers=who.bearer)
    assert r.status_code == 200, r.text
    page = r.json()
    return {"title": page["title"], "body": page["body"]["storage"]["value"], "version": page["version"]["number"],
            "parent": page.get("parentId"), "status": page["status"]}


CASES = ["create", "create under a parent", "update", "move", "trash"]


@pytest.mark.parametrize("writer,reader", [("v1", "v2"), ("v2", "v1"), ("v2", "v2"), ("v1", "v1")])
@pytest.mark.parametrize("case", CASES)
async def test_written_through_one_api_read_through_the_other(client, site, space, case: str, writer: str,  # type: ignore[no-untyped-def]
                                                             reader: str) -> None:
    who = site.alice
    home = space["homepageId"]
    # The parent a page gets when none is named: v1 puts it at the space's root, v2 under its home page.
    default_parent = None if writer == "v1" else home
    other = await _create(client, who, "v1", space, "Other parent", None)
    if case == "create":
        page = await _create(client, who, writer, space, "Made", None)
        expected = {"title": "Made", "body": "<p>Made</p>", "version": 1, "parent": default_parent,
                    "status": "current"}
    elif case == "create under a parent":
        page = await _create(client, who, writer, space, "Child", other)
        expected = {"title": "Child", "body": "<p>Child</p>", "version": 1, "parent": other, "status": "current"}
    elif case == "update":
        page = await _create(client, who, "v1" if writer == "v2" else "v2", space, "Before", None)
        await _update(client, who, writer, page, "After", 2)
        expected = {"title": "After", "body": "<p>After</p>", "version": 2,
                    "parent": None if writer == "v2" else home, "status": "current"}
    elif case == "move":
        page = await _create(client, who, "v1", space, "Mover", None)
        await _update(client, who, writer, page, "Moved", 2, parent=other)
        expected = {"title": "Moved", "body": "<p>Moved</p>", "version": 2, "parent": other, "status": "current"}
    else:
        page = await _create(client, who, "v1", space, "Trash me", None)
        url = f"{V1}/content/{page}" if writer == "v1" else f"{V2}/pages/{page}"
        assert (await client.delete(url, headers=who.bearer)).status_code == 204
        expected = {"title": "Trash me", "body": "<p>Trash me</p>", "version": 1, "parent": None, "status": "trashed"}
        assert await _read(client, who, reader, page, status="trashed") == expected
        return
    assert await _read(client, who, reader, page) == expected
