"""v2's page tree beyond children (descendants with `depth`, direct children, renaming) and the
versions of pages and blog posts, over the tree and history v1 serves: one tree, one history."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.confluence_v2.conftest import V1, V2, error


async def _page(client, who, title: str, parent: str | None = None) -> str:  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"type": "page", "title": title, "space": {"key": "DOC"},
                            "body": {"storage": {"value": f"<p>{title}</p>", "representation": "storage"}}}
    if parent:
        body["ancestors"] = [{"id": parent}]
    r = await client.post(f"{V1}/content", headers=who.bearer, json=body)
    assert r.status_code == 200, r.text
    return r.json()["id"]  # type: ignore[no-any-return]


async def _tree(client, who) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """root > a > (a1 > a1x), b — written through v1."""
    root = await _page(client, who, "Root")
    a = await _page(client, who, "A", root)
    a1 = await _page(client, who, "A1", a)
    a1x = await _page(client, who, "A1x", a1)
    b = await _page(client, who, "B", root)
    return {"root": root, "a": a, "a1": a1, "a1x": a1x, "b": b}


@pytest.mark.parametrize("depth,expected", [
    (None, [("a", 1), ("a1", 2), ("b", 1)]),  # the document's default depth: 2
    ("1", [("a", 1), ("b", 1)]),
    ("3", [("a", 1), ("a1", 2), ("a1x", 3), ("b", 1)]),
    ("10", [("a", 1), ("a1", 2), ("a1x", 3), ("b", 1)]),
])
async def test_descendants_down_to_a_depth(client, site, space, depth: str | None,  # type: ignore[no-untyped-def]
                                           expected: list[tuple[str, int]]) -> None:
    t = await _tree(client, site.bob)
    query = f"?depth={depth}" if depth else ""
    r = await client.get(f"{V2}/pages/{t['root']}/descendants{query}", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [(d["id"], d["depth"]) for d in results] == [(t[name], n) for name, n in expected]
    first = results[0]
    assert first == {"id": t["a"], "status": "current", "title": "A", "type": "page", "parentId": t["root"],
                     "depth": 1, "childPosition": first["childPosition"]}


async def test_descendants_page_with_a_cursor_and_hide_what_is_restricted(client, site, space) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice)
    seen: list[str] = []
    url: str | None = f"{V2}/pages/{t['root']}/descendants?depth=5&limit=1"
    while url:
        r = await client.get(url, headers=site.bob.bearer)
        assert r.status_code == 200, r.text
        seen += [d["id"] for d in r.json()["results"]]
        url = r.json()["_links"].get("next")
    assert seen == [t["a"], t["a1"], t["a1x"], t["b"]]
    # A read restriction on A (alice only) hides A and what is under it from bob, through v2 as through v1.
    r = await client.put(f"{V1}/content/{t['a']}/restriction", headers=site.alice.bearer, json=[
        {"operation": "read", "restrictions": {"user": [{"accountId": site.alice.account_id}]}}])
    assert r.status_code == 200, r.text
    r = await client.get(f"{V2}/pages/{t['root']}/descendants?depth=5", headers=site.bob.bearer)
    assert [d["id"] for d in r.json()["results"]] == [t["b"]]
    r = await client.get(f"{V2}/pages/{t['root']}/direct-children", headers=site.bob.bearer)
    assert [d["id"] for d in r.json()["results"]] == [t["b"]]
    error(await client.get(f"{V2}/pages/{t['a']}/descendants", headers=site.bob.bearer), 404, "NOT_FOUND")


async def test_direct_children(client, site, space) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.bob)
    r = await client.get(f"{V2}/pages/{t['root']}/direct-children?sort=child-position", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [(c["id"], c["title"], c["type"], c["spaceId"]) for c in results] == [
        (t["a"], "A", "page", space["id"]), (t["b"], "B", "page", space["id"])]
    assert results[0]["childPosition"] < results[1]["childPosition"]
    # Moved through v1 (B before A), the order through v2 follows.
    r = await client.put(f"{V1}/content/{t['b']}/move/before/{t['a']}", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    r = await client.get(f"{V2}/pages/{t['root']}/direct-children", headers=site.bob.bearer)
    assert [c["id"] for c in r.json()["results"]] == [t["b"], t["a"]]


@pytest.mark.parametrize("sort", ["child-position", "-child-position", "id", "-id", "created-date", "-created-date",
                                  "modified-date", "-modified-date", "title", "-title"])
async def test_direct_children_sorted(client, site, space, sort: str) -> None:  # type: ignore[no-untyped-def]
    root = await _page(client, site.bob, "Root")
    made = {t: await _page(client, site.bob, t, root) for t in ("b", "C", "a")}  # ids: b < C < a
    r = await client.put(f"{V1}/content/{made['a']}/move/before/{made['b']}", headers=site.bob.bearer)
    assert r.status_code == 200, r.text  # positions: a, b, C
    for title in ("C", "b"):  # modified: a (its move is no new version), then C, then b
        await asyncio.sleep(0.003)
        r = await client.put(f"{V1}/content/{made[title]}", headers=site.bob.bearer,
                             json={"type": "page", "title": title, "version": {"number": 2}})
        assert r.status_code == 200, r.text
    expected = {"child-position": ["a", "b", "C"], "id": ["b", "C", "a"], "created-date": ["b", "C", "a"],
                "modified-date": ["a", "C", "b"], "title": ["C", "a", "b"]}[sort.lstrip("-")]
    if sort.startswith("-"):
        expected = expected[::-1]
    seen: list[str] = []
    url: str | None = f"{V2}/pages/{root}/direct-children?sort={sort}&limit=1"
    while url:
        r = await client.get(url, headers=site.bob.bearer)
        assert r.status_code == 200, r.text
        seen += [c["title"] for c in r.json()["results"]]
        url = r.json()["_links"].get("next")
    assert seen == expected


async def test_a_title_update_is_a_new_version(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await _page(client, site.bob, "Old title")
    r = await client.put(f"{V2}/pages/{page}/title", headers=site.bob.bearer,
                         json={"status": "current", "title": "New title"})
    assert r.status_code == 200, r.text
    assert (r.json()["title"], r.json()["version"]["number"]) == ("New title", 2)
    v1 = (await client.get(f"{V1}/content/{page}?expand=body.storage,version", headers=site.bob.bearer)).json()
    assert (v1["title"], v1["version"]["number"]) == ("New title", 2)
    assert v1["body"]["storage"]["value"] == "<p>Old title</p>"  # the body kept
    r = await client.get(f"{V2}/pages/{page}?version=1", headers=site.bob.bearer)
    assert r.status_code == 200 and r.json()["title"] == "Old title"


@pytest.mark.parametrize("body,status", [
    ({"title": "no status"}, 400), ({"status": "current"}, 400), ({"status": "current", "title": ""}, 400),
    ({"status": "archived", "title": "x"}, 400), ({"status": "draft", "title": "x"}, 409),
])
async def test_bad_title_updates(client, site, space, body: dict, status: int) -> None:  # type: ignore[no-untyped-def,type-arg]
    page = await _page(client, site.bob, "Kept")
    r = await client.put(f"{V2}/pages/{page}/title", headers=site.bob.bearer, json=body)
    error(r, status, {400: "BAD_REQUEST", 409: "CONFLICT"}[status])
    v1 = (await client.get(f"{V1}/content/{page}?expand=version", headers=site.bob.bearer)).json()
    assert (v1["title"], v1["version"]["number"]) == ("Kept", 1)


# --- versions -------------------------------------------------------------------------------------

async def _three_versions(client, who, kind: str) -> str:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V1}/content", headers=who.bearer, json={
        "type": kind, "title": "T1", "space": {"key": "DOC"},
        "body": {"storage": {"value": "<p>1</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    cid = r.json()["id"]
    for n in (2, 3):
        r = await client.put(f"{V1}/content/{cid}", headers=who.bearer, json={
            "type": kind, "title": f"T{n}", "version": {"number": n, "message": f"m{n}"},
            "body": {"storage": {"value": f"<p>{n}</p>", "representation": "storage"}}})
        assert r.status_code == 200, r.text
    return cid  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind,segment,field", [("page", "pages", "page"), ("blogpost", "blogposts", "blogpost")])
async def test_versions_written_through_v1_read_through_v2(client, site, space, kind: str, segment: str,  # type: ignore[no-untyped-def]
                                                          field: str) -> None:
    cid = await _three_versions(client, site.bob, kind)
    r = await client.get(f"{V2}/{segment}/{cid}/versions?body-format=storage", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [v["number"] for v in results] == [3, 2, 1]  # newest first
    assert results[0]["message"] == "m3" and results[0]["authorId"] == site.bob.account_id
    assert results[0][field] == {"title": "T3", "id": cid,
                                 "body": {"storage": {"representation": "storage", "value": "<p>3</p>"}}}
    assert results[2][field]["title"] == "T1"
    r = await client.get(f"{V2}/{segment}/{cid}/versions?sort=modified-date&limit=2", headers=site.bob.bearer)
    assert [v["number"] for v in r.json()["results"]] == [1, 2] and "body" not in r.json()["results"][0][field]
    r = await client.get(r.json()["_links"]["next"], headers=site.bob.bearer)
    assert [v["number"] for v in r.json()["results"]] == [3] and "next" not in r.json()["_links"]
    detail = (await client.get(f"{V2}/{segment}/{cid}/versions/2", headers=site.bob.bearer)).json()
    assert detail["number"] == 2 and detail["message"] == "m2" and detail["authorId"] == site.bob.account_id
    assert (detail["prevVersion"], detail["nextVersion"]) == (1, 3)
    assert detail["collaborators"] == [site.bob.account_id] and detail["contentTypeModified"] is False
    latest = (await client.get(f"{V2}/{segment}/{cid}/versions/3", headers=site.bob.bearer)).json()
    assert latest["prevVersion"] == 2 and "nextVersion" not in latest
    first = (await client.get(f"{V2}/{segment}/{cid}/versions/1", headers=site.bob.bearer)).json()
    assert "prevVersion" not in first and first["nextVersion"] == 2
    # An older version itself, through v2's get with `version`.
    old = (await client.get(f"{V2}/{segment}/{cid}?version=2&body-format=storage", headers=site.bob.bearer)).json()
    assert (old["title"], old["body"]["storage"]["value"], old["version"]["number"]) == ("T2", "<p>2</p>", 2)
    # A version deleted through v1 is gone from v2's list.
    r = await client.delete(f"{V1}/content/{cid}/version/2", headers=site.bob.bearer)
    assert r.status_code == 204, r.text
    r = await client.get(f"{V2}/{segment}/{cid}/versions", headers=site.bob.bearer)
    assert [v["number"] for v in r.json()["results"]] == [3, 1]
    error(await client.get(f"{V2}/{segment}/{cid}/versions/2", headers=site.bob.bearer), 404, "NOT_FOUND")


@pytest.mark.parametrize("path", [
    "pages/{id}/versions/0", "pages/{id}/versions/x", "pages/{id}/versions?sort=id", "pages/{id}/versions?limit=0",
    "pages/{id}/versions?body-format=view", "pages/{id}/versions?cursor=junk",
    "pages/{id}/versions?cursor=.%F0%AF%A5%8F%1F", "pages/{id}/descendants?cursor=e30.%C3%A9",
    "pages/{id}/descendants?depth=0",
    "pages/{id}/descendants?depth=11", "pages/{id}/descendants?depth=x", "pages/{id}/direct-children?sort=name",
    "pages/{id}/direct-children?limit=300", "pages/abc/descendants", "pages/{id}?version=0",
])
async def test_bad_input(client, site, space, path: str) -> None:  # type: ignore[no-untyped-def]
    page = await _page(client, site.bob, "Bad")
    error(await client.get(f"{V2}/{path.format(id=page)}", headers=site.bob.bearer), 400, "BAD_REQUEST")


async def test_missing_or_hidden_is_404(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await _page(client, site.bob, "Here")
    for path in (f"pages/{page}/versions/9", "pages/999999/versions", "pages/999999/versions/1",
                 "pages/999999/descendants", "pages/999999/direct-children", f"blogposts/{page}/versions/1",
                 f"pages/{page}?version=9"):
        error(await client.get(f"{V2}/{path}", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.put(f"{V2}/pages/999999/title", headers=site.bob.bearer,
                            json={"status": "current", "title": "x"}), 404, "NOT_FOUND")
