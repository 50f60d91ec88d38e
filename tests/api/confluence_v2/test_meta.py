"""Confluence Cloud REST API v2: labels, content and space properties, space permissions, users,
operations and a page's include-* fields, over the services v1 uses — a label or property written
through one API is read (and changed) through the other; the caller's operations are the rules of
v1's permission check and restrictions; bad input gets v2's error body."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bondline.services import spaces as space_service
from tests.api.confluence_v2.conftest import V1, V2, error
from tests.helpers import make_space

XSRF = {"X-Atlassian-Token": "no-check"}




async def _ok(r, status: int = 200) -> Any:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    return r.json() if r.content else None


async def _content(client, who, type: str, title: str, space: str = "DOC", **extra: Any) -> str:  # type: ignore[no-untyped-def]
    body = {"type": type, "title": title, "space": {"key": space},
            "body": {"storage": {"value": f"<p>{title}</p>", "representation": "storage"}}, **extra}
    return (await _ok(await client.post(f"{V1}/content", headers=who.bearer, json=body)))["id"]  # type: ignore[no-any-return]


async def _attachment(client, who, page: str, name: str = "a.txt") -> str:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V1}/content/{page}/child/attachment", headers={**who.bearer, **XSRF},
                          files=[("file", (name, b"hello", "text/plain"))])
    return (await _ok(r))["results"][0]["id"].removeprefix("att")  # type: ignore[no-any-return]


async def _comment(client, who, page: str) -> str:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V1}/content", headers=who.bearer, json={
        "type": "comment", "container": {"id": page, "type": "page", "status": "current"},
        "body": {"storage": {"value": "<p>nice</p>", "representation": "storage"}}})
    return (await _ok(r))["id"]  # type: ignore[no-any-return]


async def _label(client, who, content_id: str, *names: str) -> None:  # type: ignore[no-untyped-def]
    await _ok(await client.post(f"{V1}/content/{content_id}/label", headers=who.bearer,
                                json=[{"prefix": "global", "name": n} for n in names]))


@pytest.fixture
async def world(client, site) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Space DOC (alice administers it) with a page, a blog post, an attachment and a comment by
    alice; the private space SEC (alice's) with a page."""
    await make_space(client, site.alice, "DOC")
    await make_space(client, site.alice, "SEC", private=True)
    spaces = (await _ok(await client.get(f"{V2}/spaces?keys=DOC,SEC", headers=site.alice.bearer)))["results"]
    ids = {s["key"]: s["id"] for s in spaces}
    page = await _content(client, site.alice, "page", "Page")
    blog = await _content(client, site.alice, "blogpost", "Blog")
    attachment = await _attachment(client, site.alice, page)
    comment = await _comment(client, site.alice, page)
    secret = await _content(client, site.alice, "page", "Secret", space="SEC")
    return {"doc": ids["DOC"], "sec": ids["SEC"], "page": page, "blog": blog, "attachment": attachment,
            "comment": comment, "secret": secret}


# --- labels ----------------------------------------------------------------------------------------

async def test_labels_written_through_v1_are_read_through_v2(client, site, world) -> None:  # type: ignore[no-untyped-def]
    for key, names in (("page", ("alpha", "beta")), ("blog", ("alpha",)), ("attachment", ("gamma",))):
        await _label(client, site.alice, world[key], *names)
    await _ok(await client.post(f"{V1}/content/{world['page']}/label", headers=site.alice.bearer,
                                json=[{"prefix": "team", "name": "squad"}]))
    bob = site.bob.bearer
    for path, expected in ((f"pages/{world['page']}", ["alpha", "beta", "squad"]),
                           (f"blogposts/{world['blog']}", ["alpha"]),
                           (f"attachments/{world['attachment']}", ["gamma"])):
        found = await _ok(await client.get(f"{V2}/{path}/labels", headers=bob))
        assert [x["name"] for x in found["results"]] == expected
        assert all(set(x) == {"id", "name", "prefix"} and x["id"].isdigit() for x in found["results"])
        assert found["_links"] == {"base": "http://bondline.test/wiki"}
    team = await _ok(await client.get(f"{V2}/pages/{world['page']}/labels?prefix=team", headers=bob))
    assert [(x["prefix"], x["name"]) for x in team["results"]] == [("team", "squad")]
    system = await _ok(await client.get(f"{V2}/pages/{world['page']}/labels?prefix=system", headers=bob))
    assert system["results"] == []
    # the attachment by v1's id form too
    att = await _ok(await client.get(f"{V2}/attachments/att{world['attachment']}/labels", headers=bob))
    assert [x["name"] for x in att["results"]] == ["gamma"]
    # a page's id on the blog post route (and the other way round) is not found
    error(await client.get(f"{V2}/blogposts/{world['page']}/labels", headers=bob), 404)
    error(await client.get(f"{V2}/pages/{world['blog']}/labels", headers=bob), 404)
    # v1 removes a label v2 listed
    await _ok(await client.delete(f"{V1}/content/{world['page']}/label/beta", headers=site.alice.bearer), 204)
    found = await _ok(await client.get(f"{V2}/pages/{world['page']}/labels", headers=bob))
    assert [x["name"] for x in found["results"]] == ["alpha", "squad"]


async def test_the_labels_listing_and_the_content_carrying_a_label(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await _label(client, site.alice, world["page"], "alpha", "shared")
    await _label(client, site.alice, world["blog"], "alpha")
    await _label(client, site.alice, world["attachment"], "alpha")
    await _label(client, site.alice, world["secret"], "hidden", "shared")
    everything = await _ok(await client.get(f"{V2}/labels", headers=site.alice.bearer))
    by_name = {x["name"]: x["id"] for x in everything["results"]}
    assert set(by_name) == {"alpha", "shared", "hidden"}
    # bob does not see SEC: its label is not there for him (the one also on DOC's page is)
    seen = await _ok(await client.get(f"{V2}/labels", headers=site.bob.bearer))
    assert {x["name"] for x in seen["results"]} == {"alpha", "shared"}
    error(await client.get(f"{V2}/labels/{by_name['hidden']}/pages", headers=site.bob.bearer), 404)
    only = await _ok(await client.get(f"{V2}/labels?label-id={by_name['alpha']}", headers=site.bob.bearer))
    assert [x["name"] for x in only["results"]] == ["alpha"]
    none = await _ok(await client.get(f"{V2}/labels?prefix=team", headers=site.bob.bearer))
    assert none["results"] == []

    alpha = by_name["alpha"]
    pages = await _ok(await client.get(f"{V2}/labels/{alpha}/pages?body-format=storage", headers=site.bob.bearer))
    assert [(p["id"], p["spaceId"]) for p in pages["results"]] == [(world["page"], world["doc"])]
    assert pages["results"][0]["body"] == {"storage": {"representation": "storage", "value": "<p>Page</p>"}}
    blogs = await _ok(await client.get(f"{V2}/labels/{alpha}/blogposts", headers=site.bob.bearer))
    assert [b["id"] for b in blogs["results"]] == [world["blog"]] and "parentId" not in blogs["results"][0]
    atts = await _ok(await client.get(f"{V2}/labels/{alpha}/attachments", headers=site.bob.bearer))
    assert [(a["id"], a["pageId"], a["title"]) for a in atts["results"]] == [
        (f"att{world['attachment']}", world["page"], "a.txt")]
    in_sec = await _ok(await client.get(f"{V2}/labels/{alpha}/pages?space-id={world['sec']}",
                                        headers=site.alice.bearer))
    assert in_sec["results"] == []
    shared = await _ok(await client.get(f"{V2}/labels/{by_name['shared']}/pages", headers=site.alice.bearer))
    assert [p["id"] for p in shared["results"]] == [world["page"], world["secret"]]
    shared = await _ok(await client.get(f"{V2}/labels/{by_name['shared']}/pages", headers=site.bob.bearer))
    assert [p["id"] for p in shared["results"]] == [world["page"]]


async def test_space_labels_and_the_labels_of_its_content(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await _label(client, site.alice, world["page"], "onpage")
    await _ok(await client.post(f"{V1}/space/DOC/label", headers=site.alice.bearer,
                                json=[{"prefix": "team", "name": "eng"}]))
    own = await _ok(await client.get(f"{V2}/spaces/{world['doc']}/labels", headers=site.bob.bearer))
    assert [(x["prefix"], x["name"]) for x in own["results"]] == [("team", "eng")]
    of_content = await _ok(await client.get(f"{V2}/spaces/{world['doc']}/content/labels", headers=site.bob.bearer))
    assert [(x["prefix"], x["name"]) for x in of_content["results"]] == [("global", "onpage")]
    mine = await _ok(await client.get(f"{V2}/spaces/{world['doc']}/labels?prefix=my", headers=site.bob.bearer))
    assert mine["results"] == []
    error(await client.get(f"{V2}/spaces/{world['doc']}/labels?prefix=global", headers=site.bob.bearer), 400)
    error(await client.get(f"{V2}/spaces/{world['sec']}/labels", headers=site.bob.bearer), 404)
    error(await client.get(f"{V2}/spaces/{world['sec']}/content/labels", headers=site.bob.bearer), 404)


async def test_label_listings_page_with_a_cursor(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await _label(client, site.alice, world["page"], "a1", "a2", "a3")
    r = await client.get(f"{V2}/pages/{world['page']}/labels?limit=2", headers=site.bob.bearer)
    first = await _ok(r)
    assert [x["name"] for x in first["results"]] == ["a1", "a2"]
    assert r.headers["link"].startswith(f"<{first['_links']['next']}>")
    second = await _ok(await client.get(first["_links"]["next"].removeprefix("/wiki").join(["/wiki", ""]),
                                        headers=site.bob.bearer))
    assert [x["name"] for x in second["results"]] == ["a3"] and "next" not in second["_links"]
    cursor = first["_links"]["next"].split("cursor=")[1]
    # the cursor is good for this listing only
    error(await client.get(f"{V2}/blogposts/{world['blog']}/labels?cursor={cursor}", headers=site.bob.bearer), 400)
    error(await client.get(f"{V2}/pages/{world['page']}/labels?prefix=team&cursor={cursor}",
                            headers=site.bob.bearer), 400)


@pytest.mark.parametrize("path", [
    "labels?limit=0", "labels?limit=251", "labels?label-id=x", "labels?prefix=nope", "labels?sort=nope",
    "labels?sort=created-date", "spaces/1/labels?sort=-created-date", "pages/1/properties?sort=id",
    "labels/x/pages", "labels/0/pages", "labels/1/pages?body-format=wiki",
    "labels/1/pages?space-id=abc", "labels/1/blogposts?sort=title", "pages/abc/labels", "pages/1/labels?prefix=x",
    "spaces/abc/labels", "spaces/1/content/labels?limit=-1", "labels?cursor=garbage",
])
async def test_bad_label_queries_get_v2s_400(client, site, world, path: str) -> None:  # type: ignore[no-untyped-def]
    error(await client.get(f"{V2}/{path}", headers=site.bob.bearer), 400)


@pytest.mark.parametrize("sort", ["name", "-name", "id", "-id", "created-date", "-created-date"])
async def test_labels_in_every_sort_order(client, site, world, sort: str) -> None:  # type: ignore[no-untyped-def]
    """LabelSortOrder inside the query: a page's labels by name, id or when each was put on it (the
    cursor's next page continues the order); `/labels` and a space's content labels by name or id."""
    for name in ("delta", "bravo", "alpha", "charlie"):  # put on one at a time, in this order
        await _label(client, site.alice, world["page"], name)
        await asyncio.sleep(0.003)  # (times are in milliseconds)
    every = (await _ok(await client.get(f"{V2}/pages/{world['page']}/labels", headers=site.bob.bearer)))["results"]
    ids = {x["name"]: int(x["id"]) for x in every}
    field = sort.lstrip("-")
    key = {"name": lambda n: n, "id": lambda n: ids[n],
           "created-date": lambda n: ["delta", "bravo", "alpha", "charlie"].index(n)}[field]
    expected = sorted(ids, key=key, reverse=sort.startswith("-"))  # type: ignore[operator]

    async def walk(path: str) -> list[str]:
        seen: list[str] = []
        url = f"{V2}/{path}?sort={sort}&limit=3"
        while url:
            got = await _ok(await client.get(url, headers=site.bob.bearer))
            seen += [x["name"] for x in got["results"]]
            url = got["_links"].get("next") or ""
        return seen

    assert await walk(f"pages/{world['page']}/labels") == expected
    if field != "created-date":
        assert await walk("labels") == expected
        assert await walk(f"spaces/{world['doc']}/content/labels") == expected
    else:
        error(await client.get(f"{V2}/labels?sort={sort}", headers=site.bob.bearer), 400)


@pytest.mark.parametrize("sort", [None, "key", "-key"])
async def test_properties_by_key_either_way(client, site, world, sort: str | None) -> None:  # type: ignore[no-untyped-def]
    for kind, owner in (("pages", world["page"]), ("spaces", world["doc"])):
        for key in ("b", "C", "a", "d"):
            r = await client.post(f"{V2}/{kind}/{owner}/properties", headers=site.alice.bearer,
                                  json={"key": key, "value": key})
            assert r.status_code in (200, 201), r.text
        seen: list[str] = []
        url = f"{V2}/{kind}/{owner}/properties?limit=3" + (f"&sort={sort}" if sort else "")
        while url:
            got = await _ok(await client.get(url, headers=site.alice.bearer))
            seen += [x["key"] for x in got["results"]]
            url = got["_links"].get("next") or ""
        assert seen == (["d", "b", "a", "C"] if sort == "-key" else ["C", "a", "b", "d"]), kind  # by code point


# --- content and space properties --------------------------------------------------------------------

OWNERS = [  # (v2 path, v1 path) for each kind of owner; {x} the world's id of the owner
    ("pages/{page}", "content/{page}"),
    ("blogposts/{blog}", "content/{blog}"),
    ("attachments/{attachment}", "content/{attachment}"),
    ("comments/{comment}", "content/{comment}"),
    ("spaces/{doc}", "space/DOC"),
]


@pytest.mark.parametrize(("v2", "v1"), OWNERS)
async def test_properties_through_either_api(client, site, world, v2: str, v1: str) -> None:  # type: ignore[no-untyped-def]
    v2, v1 = f"{V2}/{v2.format(**world)}/properties", f"{V1}/{v1.format(**world)}/property"
    alice = site.alice.bearer
    space = v2.startswith(f"{V2}/spaces")
    # written through v2, read through v1 by its key
    made = await _ok(await client.post(v2, headers=alice, json={"key": "colour", "value": {"hue": "red"}}),
                     201 if space else 200)
    assert made["key"] == "colour" and made["value"] == {"hue": "red"} and made["version"]["number"] == 1
    assert made["id"].isdigit()
    assert (made["version"]["createdBy"] if space else made["version"]["authorId"]) == site.alice.account_id
    v1_read = await _ok(await client.get(f"{v1}/colour", headers=alice))
    assert v1_read["value"] == {"hue": "red"} and v1_read["version"]["number"] == 1
    # updated through v1, read through v2 by its id
    await _ok(await client.put(f"{v1}/colour", headers=alice,
                               json={"key": "colour", "value": ["a", "b"], "version": {"number": 2}}))
    got = await _ok(await client.get(f"{v2}/{made['id']}", headers=alice))
    assert got["id"] == made["id"] and got["value"] == ["a", "b"] and got["version"]["number"] == 2
    # a stale version is a conflict, in v2's body
    stale = error(await client.put(f"{v2}/{made['id']}", headers=alice,
                                    json={"key": "colour", "value": "x", "version": {"number": 2}}), 409)
    assert stale["code"] == "CONFLICT"
    updated = await _ok(await client.put(f"{v2}/{made['id']}", headers=alice, json={
        "key": "colour", "value": True, "version": {"number": 3, "message": "third"}}))
    assert updated["value"] is True and updated["version"]["number"] == 3 and updated["version"]["message"] == "third"
    assert (await _ok(await client.get(f"{v1}/colour", headers=alice)))["version"]["number"] == 3
    # a property created through v1 is listed (and found by key) through v2
    await _ok(await client.post(v1, headers=alice, json={"key": "size", "value": "big"}))
    listed = await _ok(await client.get(v2, headers=alice))
    assert [(p["key"], p["value"]) for p in listed["results"]] == [("colour", True), ("size", "big")]
    keyed = await _ok(await client.get(f"{v2}?key=size", headers=alice))
    assert [p["key"] for p in keyed["results"]] == ["size"]
    paged = await _ok(await client.get(f"{v2}?limit=1", headers=alice))
    assert [p["key"] for p in paged["results"]] == ["colour"] and "next" in paged["_links"]
    # deleted through v2: gone through v1
    await _ok(await client.delete(f"{v2}/{made['id']}", headers=alice), 204)
    assert (await client.get(f"{v1}/colour", headers=alice)).status_code == 404
    error(await client.get(f"{v2}/{made['id']}", headers=alice), 404)
    error(await client.delete(f"{v2}/{made['id']}", headers=alice), 404)


async def test_property_rules_hold_through_v2(client, site, world) -> None:  # type: ignore[no-untyped-def]
    alice, bob = site.alice.bearer, site.bob.bearer
    page_props, space_props = f"{V2}/pages/{world['page']}/properties", f"{V2}/spaces/{world['doc']}/properties"
    made = await _ok(await client.post(page_props, headers=alice, json={"key": "k", "value": "1"}))
    # the key exists: content answers 400, a space 409 (as v1)
    error(await client.post(page_props, headers=alice, json={"key": "k", "value": "2"}), 400)
    await _ok(await client.post(space_props, headers=alice, json={"key": "k", "value": "1"}), 201)
    error(await client.post(space_props, headers=alice, json={"key": "k", "value": "2"}), 409)
    # space properties are written by the space's administrators; bob sees them but may not
    error(await client.post(space_props, headers=bob, json={"key": "b", "value": "1"}), 403)
    assert len((await _ok(await client.get(space_props, headers=bob)))["results"]) == 1
    # a property id belongs to its owner: on another page it is not found
    error(await client.get(f"{V2}/blogposts/{world['blog']}/properties/{made['id']}", headers=alice), 404)
    # the owner's type is the route's
    error(await client.get(f"{V2}/blogposts/{world['page']}/properties", headers=alice), 404)
    error(await client.get(f"{V2}/comments/{world['page']}/properties", headers=alice), 404)
    # a private space's page: hidden from bob
    error(await client.get(f"{V2}/pages/{world['secret']}/properties", headers=bob), 404)
    # renaming through an update is refused
    error(await client.put(f"{page_props}/{made['id']}", headers=alice,
                            json={"key": "other", "value": "1", "version": {"number": 2}}), 400)


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("POST", "", {"value": "1"}),
    ("POST", "", {"key": "k"}),
    ("POST", "", {"key": "", "value": "1"}),
    ("POST", "", {"key": 5, "value": "1"}),
    ("POST", "", {"key": "k2", "value": 1}),
    ("POST", "", {"key": "k2", "value": [1, 2]}),
    ("POST", "", {"key": "k2", "value": None}),
    ("POST", "", ["not", "an", "object"]),
    ("PUT", "/{prop}", {"key": "k", "value": "1"}),
    ("PUT", "/{prop}", {"key": "k", "value": "1", "version": {"number": "two"}}),
    ("PUT", "/{prop}", {"key": "k", "value": "1", "version": {"number": 0}}),
    ("PUT", "/abc", {"key": "k", "value": "1", "version": {"number": 2}}),
    ("GET", "/abc", None),
    ("GET", "/0", None),
    ("DELETE", "/-1", None),
    ("GET", "?sort=created", None),
    ("GET", "?limit=300", None),
])
async def test_bad_property_input_gets_v2s_400(client, site, world, method: str, suffix: str, body: Any) -> None:  # type: ignore[no-untyped-def]
    base = f"{V2}/pages/{world['page']}/properties"
    made = await _ok(await client.post(base, headers=site.alice.bearer, json={"key": "k", "value": "1"}))
    path = base + suffix.format(prop=made["id"])
    error(await client.request(method, path, headers=site.alice.bearer, json=body), 400)


# --- space permissions, users ------------------------------------------------------------------------

async def test_space_permissions_are_the_space_roles(client, app, site, world) -> None:  # type: ignore[no-untyped-def]
    await space_service.set_member(app.store, None, "SEC", site.bob.account_id)
    found = await _ok(await client.get(f"{V2}/spaces/{world['sec']}/permissions", headers=site.bob.bearer))
    held = {(a["principal"]["id"], a["operation"]["key"], a["operation"]["targetType"]) for a in found["results"]}
    assert (site.alice.account_id, "administer", "space") in held
    assert (site.bob.account_id, "read", "space") in held and (site.bob.account_id, "create", "page") in held
    assert (site.bob.account_id, "administer", "space") not in held
    assert all(a["principal"]["type"] == "user" for a in found["results"])
    assert len({a["id"] for a in found["results"]}) == len(found["results"])
    paged = await _ok(await client.get(f"{V2}/spaces/{world['sec']}/permissions?limit=2", headers=site.bob.bearer))
    assert len(paged["results"]) == 2 and "next" in paged["_links"]
    error(await client.get(f"{V2}/spaces/{world['sec']}/permissions", headers=site.carol.bearer), 404)
    error(await client.get(f"{V2}/spaces/x/permissions", headers=site.carol.bearer), 400)


async def test_users_bulk(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V2}/users-bulk", headers=site.alice.bearer, json={
        "accountIds": [site.bob.account_id, "acc-nobody", site.alice.account_id, site.bob.account_id]})
    found = (await _ok(r))["results"]
    assert [(u["accountId"], u["displayName"]) for u in found] == [(site.bob.account_id, "Bob"),
                                                                    (site.alice.account_id, "Alice")]
    assert [u["email"] for u in found] == ["", "alice@example.com"]  # one's own only
    for body in ({}, {"accountIds": []}, {"accountIds": ["a"] * 251}, {"accountIds": "acc-bob"}, [1]):
        error(await client.post(f"{V2}/users-bulk", headers=site.alice.bearer, json=body), 400)


# --- operations: what the caller may do ---------------------------------------------------------------

def _ops(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(o["operation"], o["targetType"]) for o in body["operations"]}


async def test_operations_follow_the_permission_rules(client, site, world) -> None:  # type: ignore[no-untyped-def]
    page = world["page"]
    author = _ops(await _ok(await client.get(f"{V2}/pages/{page}/operations", headers=site.alice.bearer)))
    assert author == {("read", "page"), ("update", "page"), ("delete", "page"), ("restrict_content", "page")}
    other = _ops(await _ok(await client.get(f"{V2}/pages/{page}/operations", headers=site.bob.bearer)))
    assert other == {("read", "page"), ("update", "page"), ("restrict_content", "page")}  # not its author
    # an update restriction naming alice only: bob may read, nothing else (as v1's permission check says)
    await _ok(await client.put(f"{V1}/content/{page}/restriction", headers=site.alice.bearer, json=[
        {"operation": "update", "restrictions": {"user": [{"type": "known", "accountId": site.alice.account_id}]}}]))
    assert _ops(await _ok(await client.get(f"{V2}/pages/{page}/operations", headers=site.bob.bearer))) == {
        ("read", "page")}
    check = await _ok(await client.post(f"{V1}/content/{page}/permission/check", headers=site.bob.bearer, json={
        "subject": {"type": "user", "identifier": site.bob.account_id}, "operation": "update"}))
    assert check["hasPermission"] is False
    # hidden content: not found
    error(await client.get(f"{V2}/pages/{world['secret']}/operations", headers=site.bob.bearer), 404)
    blog = _ops(await _ok(await client.get(f"{V2}/blogposts/{world['blog']}/operations", headers=site.bob.bearer)))
    assert ("read", "blogpost") in blog and ("delete", "blogpost") not in blog
    att = _ops(await _ok(await client.get(f"{V2}/attachments/{world['attachment']}/operations",
                                          headers=site.alice.bearer)))
    assert ("read", "attachment") in att and ("restrict_content", "attachment") not in att
    footer = _ops(await _ok(await client.get(f"{V2}/footer-comments/{world['comment']}/operations",
                                             headers=site.alice.bearer)))
    assert ("delete", "comment") in footer
    error(await client.get(f"{V2}/inline-comments/{world['comment']}/operations", headers=site.alice.bearer), 404)
    error(await client.get(f"{V2}/pages/{world['blog']}/operations", headers=site.alice.bearer), 404)
    error(await client.get(f"{V2}/pages/abc/operations", headers=site.alice.bearer), 400)


async def test_space_operations(client, site, world) -> None:  # type: ignore[no-untyped-def]
    admin = _ops(await _ok(await client.get(f"{V2}/spaces/{world['doc']}/operations", headers=site.alice.bearer)))
    assert {("read", "space"), ("create", "page"), ("administer", "space")} <= admin
    user = _ops(await _ok(await client.get(f"{V2}/spaces/{world['doc']}/operations", headers=site.bob.bearer)))
    assert ("create", "page") in user and ("administer", "space") not in user
    error(await client.get(f"{V2}/spaces/{world['sec']}/operations", headers=site.bob.bearer), 404)


# --- a page's include-* fields ------------------------------------------------------------------------

async def test_a_pages_include_fields(client, site, world) -> None:  # type: ignore[no-untyped-def]
    page, alice = world["page"], site.alice.bearer
    await _label(client, site.alice, page, *[f"l{i:02}" for i in range(51)])
    await _ok(await client.post(f"{V1}/content/{page}/property", headers=alice, json={"key": "p", "value": "one"}))
    await _ok(await client.put(f"{V1}/content/{page}", headers=alice,
                               json={"type": "page", "title": "Page 2", "version": {"number": 2}}))
    await _ok(await client.put(f"{V1}/relation/favourite/from/user/current/to/content/{page}", headers=alice))
    plain = await _ok(await client.get(f"{V2}/pages/{page}", headers=alice))
    assert not {"labels", "properties", "operations", "versions", "isFavoritedByCurrentUser"} & set(plain)
    flags = "&".join(f"include-{f}=true" for f in ("labels", "properties", "operations", "versions",
                                                   "favorited-by-current-user-status", "likes"))
    got = await _ok(await client.get(f"{V2}/pages/{page}?{flags}", headers=alice))
    labels = got["labels"]
    assert len(labels["results"]) == 50 and labels["meta"]["hasMore"] is True
    assert labels["_links"] == {"self": f"{V2}/pages/{page}/labels"}
    rest = await _ok(await client.get(f"{V2}/pages/{page}/labels?cursor={labels['meta']['cursor']}", headers=alice))
    assert [x["name"] for x in rest["results"]] == ["l50"]
    assert got["properties"]["results"][0]["key"] == "p" and got["properties"]["meta"] == {"hasMore": False}
    assert {(o["operation"], o["targetType"]) for o in got["operations"]["results"]} >= {("update", "page")}
    assert [v["number"] for v in got["versions"]["results"]] == [2, 1]
    assert got["isFavoritedByCurrentUser"] is True
    assert list(got)[-1] == "_links"
    other = await _ok(await client.get(f"{V2}/pages/{page}?include-favorited-by-current-user-status=true",
                                       headers=site.bob.bearer))
    assert other["isFavoritedByCurrentUser"] is False
    error(await client.get(f"{V2}/pages/{page}?include-labels=yes", headers=alice), 400)


async def test_operations_agree_with_v1s_permission_check(client, site, world) -> None:  # type: ignore[no-untyped-def]
    """A table: every caller × page (open, update-restricted, read-restricted, private space): v2's
    operations are exactly what v1's /permission/check allows the caller (one rule, domain/access.py)."""
    update_only = await _content(client, site.alice, "page", "Update restricted")
    read_only = await _content(client, site.alice, "page", "Read restricted")
    alice = [{"type": "known", "accountId": site.alice.account_id}]
    await _ok(await client.put(f"{V1}/content/{update_only}/restriction", headers=site.alice.bearer,
                               json=[{"operation": "update", "restrictions": {"user": alice}}]))
    await _ok(await client.put(f"{V1}/content/{read_only}/restriction", headers=site.alice.bearer,
                               json=[{"operation": "read", "restrictions": {"user": alice}}]))
    for page in (world["page"], update_only, read_only, world["secret"]):
        for name in ("alice", "bob", "carol", "admin"):
            who = getattr(site, name)
            r = await client.get(f"{V2}/pages/{page}/operations", headers=who.bearer)
            checks = {}
            for operation in ("read", "update", "delete"):
                c = await client.post(f"{V1}/content/{page}/permission/check", headers=who.bearer, json={
                    "subject": {"type": "user", "identifier": who.account_id}, "operation": operation})
                checks[operation] = c.status_code == 200 and c.json()["hasPermission"]
            if r.status_code == 404:  # hidden: v1 cannot even check it
                assert not any(checks.values()), (page, name, checks)
                continue
            got = {o["operation"] for o in (await _ok(r))["operations"]} - {"restrict_content"}
            assert got == {op for op, allowed in checks.items() if allowed}, (page, name, got, checks)


@pytest.mark.parametrize(("plural", "key"), [("pages", "page"), ("blogposts", "blog")])
async def test_likes_and_the_other_include_fields_of_pages_and_blog_posts(client, site, world, plural: str,
                                                                          key: str) -> None:  # type: ignore[no-untyped-def]
    content_id = world[key]
    await _label(client, site.alice, content_id, "tagged")
    for who in (site.bob, site.carol):  # likes through v1's relation API
        await _ok(await client.put(f"{V1}/relation/like/from/user/current/to/content/{content_id}", headers=who.bearer))
    flags = "include-likes=true&include-labels=true&include-operations=true&include-versions=true"
    got = await _ok(await client.get(f"{V2}/{plural}/{content_id}?{flags}", headers=site.bob.bearer))
    assert sorted(x["accountId"] for x in got["likes"]["results"]) == [site.bob.account_id, site.carol.account_id]
    assert got["likes"]["meta"] == {"hasMore": False}
    assert got["likes"]["_links"] == {"self": f"{V2}/{plural}/{content_id}/likes/users"}
    assert [x["name"] for x in got["labels"]["results"]] == ["tagged"]
    target = "page" if plural == "pages" else "blogpost"
    assert ("read", target) in {(o["operation"], o["targetType"]) for o in got["operations"]["results"]}
    assert [v["number"] for v in got["versions"]["results"]] == [1]
    plain = await _ok(await client.get(f"{V2}/{plural}/{content_id}", headers=site.bob.bearer))
    assert not {"likes", "labels", "operations", "versions"} & set(plain)
