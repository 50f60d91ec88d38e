"""Content restrictions: reading and changing them (by user and group, by operation), the permission
check, and restrictions deciding what each caller sees everywhere content shows — the page itself,
its subtree, listings, comments, labels, relations, watches — as the tree changes. On both backends."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from bondline.domain import events as ev
from bondline.store.tables import content as content_table
from bondline.store.tables import (
    content_restriction_groups,
    content_restriction_users,
    outbox_events,
    read_guards,
)
from tests.helpers import API, confluence_error, make_page, make_space

XSRF = {"X-Atlassian-Token": "no-check"}


def _user(who: Any) -> dict[str, str]:
    return {"type": "known", "accountId": who.account_id}


def _grant(operation: str, users: list[Any] = (), groups: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {"operation": operation, "restrictions": {"user": [_user(u) for u in users],
                                                     "group": [{"type": "group", "id": g} for g in groups]}}


async def _group(client: Any, site: Any, name: str, *members: Any) -> str:
    r = await client.post(f"{API}/group", headers=site.admin.bearer, json={"name": name})
    assert r.status_code == 201, r.text
    gid: str = r.json()["id"]
    for member in members:
        r = await client.post(f"{API}/group/userByGroupId?groupId={gid}", headers=site.admin.bearer,
                              json={"accountId": member.account_id})
        assert r.status_code == 201
    return gid


async def _restrict(client: Any, who: Any, page: dict[str, Any], *grants: dict[str, Any]) -> dict[str, Any]:
    r = await client.put(f"{API}/content/{page['id']}/restriction", headers=who.bearer, json=list(grants))
    assert r.status_code == 200, r.text
    return r.json()


def _named(body: dict[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    return {r["operation"]: ([u["accountId"] for u in r["restrictions"]["user"]["results"]],
                             [g["name"] for g in r["restrictions"]["group"]["results"]]) for r in body["results"]}


async def _status(client: Any, who: Any, path: str) -> int:
    return int((await client.get(f"{API}{path}", headers=who.bearer)).status_code)


async def _titles(client: Any, who: Any, path: str) -> list[str]:
    r = await client.get(f"{API}{path}", headers=who.bearer)
    assert r.status_code == 200, r.text
    return [c["title"] for c in r.json()["results"]]


async def _flags_agree(app: Any) -> None:
    """The flags on `content` say exactly what the restriction tables say (decision 0018)."""
    c = content_table.c
    guarded = sa.select(read_guards.c.content_id).where(read_guards.c.content_id == c.id).exists()
    update = sa.or_(
        sa.select(content_restriction_users.c.content_id).where(
            content_restriction_users.c.content_id == c.id, content_restriction_users.c.operation == "update").exists(),
        sa.select(content_restriction_groups.c.content_id).where(
            content_restriction_groups.c.content_id == c.id,
            content_restriction_groups.c.operation == "update").exists())
    async with app.store.read() as tx:
        rows = await tx.conn.all(sa.select(c.id, c.read_guarded, guarded, c.update_restricted, update))
    assert rows and all(bool(r[1]) == bool(r[2]) and bool(r[3]) == bool(r[4]) for r in rows), rows


# --- reading and writing restrictions ----------------------------------------------------------------

async def test_restrictions_are_replaced_added_named_and_removed(app, client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "RES")
    page = await make_page(client, site.alice, "RES", "Plans")
    eng = await _group(client, site, "eng", site.bob)

    r = await client.get(f"{API}/content/{page['id']}/restriction", headers=site.bob.bearer)
    assert r.status_code == 200
    body = r.json()
    assert _named(body) == {"read": ([], []), "update": ([], [])}
    assert (body["start"], body["size"], body["limit"]) == (0, 2, 100) and body["restrictionsHash"]
    assert body["results"][0]["_expandable"] == {"content": f"/rest/api/content/{page['id']}"}
    empty_hash = body["restrictionsHash"]

    body = await _restrict(client, site.alice, page, _grant("read", [site.alice], [eng]),
                           _grant("update", [site.alice]))
    assert _named(body) == {"read": ([site.alice.account_id], ["eng"]), "update": ([site.alice.account_id], [])}
    assert body["restrictionsHash"] != empty_hash

    # POST adds (the older request shape: {results: [...]}, users as a UserArray, a group by name)
    r = await client.post(f"{API}/content/{page['id']}/restriction", headers=site.alice.bearer, json={"results": [
        {"operation": "update", "restrictions": {"user": {"results": [_user(site.bob)]},
                                                  "group": [{"type": "group", "name": "ENG"}]}}]})
    assert r.status_code == 200, r.text
    assert _named(r.json())["update"] == ([site.alice.account_id, site.bob.account_id], ["eng"])
    await _flags_agree(app)

    by_op = (await client.get(f"{API}/content/{page['id']}/restriction/byOperation",
                              headers=site.alice.bearer)).json()
    assert set(by_op) == {"read", "update", "_links"}
    assert [u["accountId"] for u in by_op["read"]["restrictions"]["user"]["results"]] == [site.alice.account_id]
    one = (await client.get(f"{API}/content/{page['id']}/restriction/byOperation/update?expand=restrictions.group",
                            headers=site.alice.bearer)).json()
    assert one["operation"] == "update" and [g["name"] for g in one["restrictions"]["group"]["results"]] == ["eng"]
    assert "user" not in one["restrictions"] and one["restrictions"]["_expandable"]["user"]

    base = f"{API}/content/{page['id']}/restriction/byOperation"
    ok = await client.get(f"{base}/read/user?accountId={site.alice.account_id}", headers=site.bob.bearer)
    assert (ok.status_code, ok.content) == (200, b"")
    confluence_error(await client.get(f"{base}/read/user?accountId={site.carol.account_id}",
                                      headers=site.bob.bearer), 404)
    assert (await client.get(f"{base}/read/byGroupId/{eng}", headers=site.bob.bearer)).status_code == 200
    assert (await client.get(f"{base}/read/group/eng", headers=site.bob.bearer)).status_code == 200

    # one user, one group at a time
    assert (await client.put(f"{base}/read/user?accountId={site.carol.account_id}", headers=site.alice.bearer,
                             )).status_code == 200
    assert (await client.delete(f"{base}/read/byGroupId/{eng}", headers=site.alice.bearer)).status_code == 200
    confluence_error(await client.delete(f"{base}/read/byGroupId/{eng}", headers=site.alice.bearer), 404)
    r = await client.get(f"{API}/content/{page['id']}/restriction", headers=site.alice.bearer)
    assert _named(r.json())["read"] == ([site.alice.account_id, site.carol.account_id], [])

    r = await client.delete(f"{API}/content/{page['id']}/restriction", headers=site.alice.bearer)
    assert r.status_code == 200 and _named(r.json()) == {"read": ([], []), "update": ([], [])}
    assert r.json()["restrictionsHash"] == empty_hash
    await _flags_agree(app)


async def test_expand_content_on_restrictions(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "EXP")
    page = await make_page(client, site.alice, "EXP", "Shown")
    r = await client.get(f"{API}/content/{page['id']}/restriction?expand=content", headers=site.alice.bearer)
    assert r.status_code == 200
    assert {x["content"]["title"] for x in r.json()["results"]} == {"Shown"}


async def test_content_expands_its_restrictions(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "CEX")
    page = await make_page(client, site.alice, "CEX", "With restrictions")
    await _restrict(client, site.alice, page, _grant("read", [site.alice, site.bob]))
    r = await client.get(f"{API}/content/{page['id']}?expand=restrictions.read.restrictions.user",
                         headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    shown = r.json()["restrictions"]
    assert [u["accountId"] for u in shown["read"]["restrictions"]["user"]["results"]] == [
        site.alice.account_id, site.bob.account_id]
    assert "group" not in shown["read"]["restrictions"] and "update" not in shown
    assert shown["_expandable"]["update"].endswith("/restriction/byOperation/update")
    assert "restrictions" not in r.json()["_expandable"]
    r = await client.get(f"{API}/content?spaceKey=CEX&expand=restrictions", headers=site.bob.bearer)
    assert {x["title"]: sorted(x["restrictions"]) for x in r.json()["results"]}["With restrictions"] == [
        "_expandable", "_links", "read", "update"]


@pytest.mark.parametrize("body,fragment", [
    ([{"operation": "administer", "restrictions": {"user": []}}], "not supported"),
    ([{"operation": "read"}], "restrictions"),
    ([{"operation": "read", "restrictions": {"user": [{"type": "known"}]}}], "accountId"),
    ([{"operation": "read", "restrictions": {"group": [{"type": "group"}]}}], "group"),
    ({"results": "nope"}, "array"),
    ([{"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": "acc-nobody"}]}}],
     "acc-nobody"),
    ([{"operation": "read", "restrictions": {"group": [{"type": "group", "id": "no-such-group"}]}}], "no-such-group"),
])
async def test_bad_restrictions_are_400_and_change_nothing(client, site, body, fragment) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "BAD")
    page = await make_page(client, site.alice, "BAD", "Kept")
    before = await _restrict(client, site.alice, page, _grant("update", [site.alice]))
    # a valid grant beside the bad one is not written either
    payload = body if not isinstance(body, list) else [_grant("read", [site.alice])] + body
    confluence_error(await client.put(f"{API}/content/{page['id']}/restriction", headers=site.alice.bearer,
                                      json=payload), 400, fragment)
    after = (await client.get(f"{API}/content/{page['id']}/restriction", headers=site.alice.bearer)).json()
    assert _named(after) == _named(before)


async def test_what_cannot_be_restricted_or_named(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "NOT")
    page = await make_page(client, site.alice, "NOT", "Page")
    r = await client.post(f"{API}/content", headers=site.alice.bearer, json={
        "type": "comment", "container": {"id": page["id"], "type": "page"},
        "body": {"storage": {"value": "<p>c</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    comment = r.json()
    confluence_error(await client.put(f"{API}/content/{comment['id']}/restriction", headers=site.alice.bearer,
                                      json=[_grant("read", [site.alice])]), 400, "pages and blog posts")
    base = f"{API}/content/{page['id']}/restriction/byOperation"
    confluence_error(await client.get(f"{base}/delete", headers=site.alice.bearer), 404)
    confluence_error(await client.put(f"{base}/read/user?accountId=acc-nobody", headers=site.alice.bearer), 400)
    confluence_error(await client.get(f"{base}/read/user", headers=site.alice.bearer), 400, "accountId")
    confluence_error(await client.get(f"{base}/read/user?username=alice", headers=site.alice.bearer), 400)
    confluence_error(await client.get(f"{base}/read/byGroupId/nope", headers=site.alice.bearer), 404)


# --- what restrictions hide ----------------------------------------------------------------------------

async def test_read_restrictions_hide_a_subtree_everywhere(app, client, site) -> None:  # type: ignore[no-untyped-def]
    space = await make_space(client, site.alice, "HID")
    home_id = space["_expandable"]["homepage"].rsplit("/", 1)[1]
    eng = await _group(client, site, "eng", site.bob)
    top = await make_page(client, site.alice, "HID", "Top", ancestors=[{"id": home_id}])
    child = await make_page(client, site.alice, "HID", "Child", ancestors=[{"id": top["id"]}])
    grandchild = await make_page(client, site.alice, "HID", "Grandchild", ancestors=[{"id": child["id"]}])
    r = await client.post(f"{API}/content", headers=site.alice.bearer, json={
        "type": "comment", "container": {"id": child["id"], "type": "page"},
        "body": {"storage": {"value": "<p>note</p>", "representation": "storage"}}})
    assert r.status_code == 200
    comment = r.json()
    assert (await client.post(f"{API}/content/{child['id']}/label", headers=site.alice.bearer,
                              json=[{"prefix": "global", "name": "hush"}])).status_code == 200
    # carol favourites the child and watches it before it is restricted
    r = await client.put(f"{API}/relation/favourite/from/user/current/to/content/{child['id']}",
                         headers=site.carol.bearer)
    assert r.status_code == 200, r.text

    await _restrict(client, site.alice, top, _grant("read", [site.alice], [eng]))

    hidden = [top, child, grandchild, comment]
    for who, sees in ((site.alice, True), (site.bob, True), (site.admin, True), (site.carol, False)):
        for item in hidden:
            assert await _status(client, who, f"/content/{item['id']}") == (200 if sees else 404), (who, item["title"])
        expected_children = ["Top"] if sees else []
        assert await _titles(client, who, f"/content/{home_id}/child/page") == expected_children
        listed = await _titles(client, who, "/content?spaceKey=HID&type=page&limit=50")
        assert ("Grandchild" in listed) is sees
        assert await _titles(client, who, "/space/HID/content/page?limit=50") == listed
        descendants = await _titles(client, who, f"/content/{home_id}/descendant/page")
        assert descendants == (["Top", "Child", "Grandchild"] if sees else [])
        assert await _status(client, who, f"/content/{child['id']}/child/comment") == (200 if sees else 404)
        labelled = (await client.get(f"{API}/label?name=hush", headers=who.bearer)).json()["associatedContents"]
        assert [c["title"] for c in labelled["results"]] == (["Child"] if sees else [])
        watch = await client.get(f"{API}/user/watch/content/{child['id']}", headers=who.bearer)
        assert watch.status_code == (200 if sees else 403)
        found = await client.get(f"{API}/search", headers=who.bearer,
                                 params={"cql": "space = HID and type = page and title ~ child"})
        assert [r["content"]["title"] for r in found.json()["results"]] == (["Child"] if sees else [])
        assert found.json()["totalSize"] == (1 if sees else 0)
        found = await client.get(f"{API}/content/search", headers=who.bearer, params={"cql": "ancestor = " + top["id"]})
        assert sorted(c["title"] for c in found.json()["results"]) == (["Child", "Grandchild"] if sees else [])
    # carol's favourite is hers still, but the page it points at is hidden from her
    r = await client.get(f"/api/v1/users/{site.carol.account_id}/relations/favourite", headers=site.carol.bearer)
    assert r.status_code == 200 and r.json()["results"] == []
    confluence_error(await client.get(f"{API}/relation/favourite/from/user/current/to/content/{child['id']}",
                                      headers=site.carol.bearer), 404)
    confluence_error(await client.put(f"{API}/relation/favourite/from/user/current/to/content/{grandchild['id']}",
                                      headers=site.carol.bearer), 404)
    confluence_error(await client.put(f"{API}/content/{child['id']}", headers=site.carol.bearer, json={
        "type": "page", "title": "Mine now", "version": {"number": 2}}), 404)

    # a restriction below narrows further: bob (through eng) loses the grandchild only
    await _restrict(client, site.alice, grandchild, _grant("read", [site.alice]))
    assert await _titles(client, site.bob, f"/content/{home_id}/descendant/page") == ["Top", "Child"]
    assert await _status(client, site.bob, f"/content/{grandchild['id']}") == 404

    # moved out from under Top, the child (unrestricted itself) is carol's to see again; the grandchild
    # keeps its own restriction
    r = await client.put(f"{API}/content/{child['id']}/move/append/{home_id}", headers=site.alice.bearer)
    assert r.status_code == 200, r.text
    assert await _status(client, site.carol, f"/content/{child['id']}") == 200
    assert await _status(client, site.carol, f"/content/{comment['id']}") == 200
    assert await _status(client, site.carol, f"/content/{grandchild['id']}") == 404
    assert await _status(client, site.bob, f"/content/{grandchild['id']}") == 404
    # and moved back under Top (by a page update naming its parent), hidden again
    r = await client.put(f"{API}/content/{child['id']}", headers=site.alice.bearer, json={
        "type": "page", "title": "Child", "version": {"number": 2}, "ancestors": [{"id": top["id"]}]})
    assert r.status_code == 200, r.text
    assert await _status(client, site.carol, f"/content/{child['id']}") == 404
    # a page created under a restricted one is restricted from its first moment
    r = await client.post(f"{API}/content", headers=site.alice.bearer, json={
        "type": "page", "title": "New below", "space": {"key": "HID"}, "ancestors": [{"id": top["id"]}]})
    assert await _status(client, site.carol, f"/content/{r.json()['id']}") == 404
    await _flags_agree(app)
    # lifting the restriction shows everything to carol again
    r = await client.delete(f"{API}/content/{top['id']}/restriction", headers=site.alice.bearer)
    assert r.status_code == 200
    assert await _status(client, site.carol, f"/content/{child['id']}") == 200
    await _flags_agree(app)


async def test_group_membership_decides_at_once(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "GRP")
    eng = await _group(client, site, "eng")
    page = await make_page(client, site.alice, "GRP", "Team page")
    await _restrict(client, site.alice, page, _grant("read", [site.alice], [eng]))
    assert await _status(client, site.bob, f"/content/{page['id']}") == 404
    await client.post(f"{API}/group/userByGroupId?groupId={eng}", headers=site.admin.bearer,
                      json={"accountId": site.bob.account_id})
    assert await _status(client, site.bob, f"/content/{page['id']}") == 200
    await client.delete(f"{API}/group/userByGroupId?groupId={eng}&accountId={site.bob.account_id}",
                        headers=site.admin.bearer)
    assert await _status(client, site.bob, f"/content/{page['id']}") == 404


async def test_update_restrictions_stop_edits_not_reading_or_commenting(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "UPD")
    page = await make_page(client, site.alice, "UPD", "Locked")
    await _restrict(client, site.alice, page, _grant("update", [site.alice]))
    assert await _status(client, site.bob, f"/content/{page['id']}") == 200
    confluence_error(await client.put(f"{API}/content/{page['id']}", headers=site.bob.bearer, json={
        "type": "page", "title": "Bob's", "version": {"number": 2}}), 404, "edit")
    confluence_error(await client.post(f"{API}/content/{page['id']}/label", headers=site.bob.bearer,
                                       json=[{"prefix": "global", "name": "x"}]), 404)
    confluence_error(await client.put(f"{API}/content/{page['id']}/restriction", headers=site.bob.bearer,
                                      json=[]), 404)
    confluence_error(await client.delete(f"{API}/content/{page['id']}", headers=site.carol.bearer), 404)
    r = await client.post(f"{API}/content", headers=site.bob.bearer, json={
        "type": "comment", "container": {"id": page["id"], "type": "page"},
        "body": {"storage": {"value": "<p>may I?</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    r = await client.get(f"{API}/content/{page['id']}", headers=site.alice.bearer)
    assert r.json()["title"] == "Locked" and r.json()["version"]["number"] == 1
    assert (await client.put(f"{API}/content/{page['id']}", headers=site.alice.bearer, json={
        "type": "page", "title": "Still mine", "version": {"number": 2}})).status_code == 200


# --- the permission check --------------------------------------------------------------------------------

async def _check(client: Any, who: Any, page: dict[str, Any], subject: dict[str, str], operation: str,
                 ) -> dict[str, Any]:
    r = await client.post(f"{API}/content/{page['id']}/permission/check", headers=who.bearer | XSRF,
                          json={"subject": subject, "operation": operation})
    assert r.status_code == 200, r.text
    return r.json()


async def test_permission_check_follows_space_and_restrictions(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "CHK")
    await make_space(client, site.alice, "PRV", private=True)
    eng = await _group(client, site, "eng", site.bob)
    page = await make_page(client, site.alice, "CHK", "Checked")
    secret = await make_page(client, site.alice, "PRV", "Private")
    await _restrict(client, site.alice, page, _grant("read", [site.alice], [eng]), _grant("update", [site.alice]))

    def user(who: Any) -> dict[str, str]:
        return {"type": "user", "identifier": who.account_id}

    assert (await _check(client, site.alice, page, user(site.alice), "update")) == {
        "hasPermission": True, "errors": [], "_links": (await _check(client, site.alice, page, user(site.alice),
                                                                      "read"))["_links"]}
    bob_read = await _check(client, site.admin, page, user(site.bob), "read")
    assert bob_read["hasPermission"] is True
    bob_update = await _check(client, site.admin, page, user(site.bob), "update")
    assert (bob_update["hasPermission"], bob_update["errors"]) == (
        False, [{"translation": "User does not have permission to the content", "args": []}])
    carol = await _check(client, site.admin, page, user(site.carol), "read")
    assert carol["errors"][0]["translation"] == "User does not have permission to the content"
    assert (await _check(client, site.admin, page, {"type": "group", "identifier": eng}, "read"))["hasPermission"]
    assert not (await _check(client, site.admin, page, {"type": "group", "identifier": eng}, "update"))["hasPermission"]
    nobody = await _check(client, site.admin, secret, user(site.bob), "read")
    assert nobody["errors"][0]["translation"] == "User does not have permission to the space"
    group = await _check(client, site.admin, secret, {"type": "group", "identifier": eng}, "read")
    assert group["errors"][0]["translation"] == "Group does not have permission to the space"
    anonymous = await _check(client, site.admin, page, {"type": "user", "identifier": "anonymous"}, "read")
    assert anonymous["hasPermission"] is False

    confluence_error(await client.post(f"{API}/content/{page['id']}/permission/check", headers=site.bob.bearer,
                                       json={"subject": user(site.carol), "operation": "read"}), 403)
    confluence_error(await client.post(f"{API}/content/{page['id']}/permission/check", headers=site.carol.bearer,
                                       json={"subject": user(site.carol), "operation": "read"}), 404)
    confluence_error(await client.post(f"{API}/content/{page['id']}/permission/check", headers=site.alice.bearer,
                                       json={"subject": user(site.alice), "operation": "purge"}), 400)
    confluence_error(await client.post(f"{API}/content/{page['id']}/permission/check", headers=site.alice.bearer,
                                       json={"subject": {"type": "team", "identifier": "x"}, "operation": "read"}),
                     400)
    confluence_error(await client.post(f"{API}/content/{page['id']}/permission/check", headers=site.alice.bearer,
                                       json={"operation": "read"}), 400)


# --- watchers ------------------------------------------------------------------------------------------

async def test_watchers_hear_only_of_what_they_may_read(app, client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/webhooks", headers=site.admin.bearer,
                          json={"url": "https://example.com/hook", "events": ["*"], "secret": "s" * 16})
    assert r.status_code == 201, r.text
    await make_space(client, site.alice, "WAT")
    page = await make_page(client, site.alice, "WAT", "Watched")  # alice watches what she creates
    for who in (site.bob, site.carol):
        assert (await client.post(f"{API}/user/watch/content/{page['id']}", headers=who.bearer | XSRF)
                ).status_code == 204
    assert (await client.post(f"{API}/user/watch/space/WAT", headers=site.carol.bearer | XSRF)).status_code == 204
    await _restrict(client, site.alice, page, _grant("read", [site.alice, site.bob]))
    r = await client.put(f"{API}/content/{page['id']}", headers=site.alice.bearer, json={
        "type": "page", "title": "Watched, edited", "version": {"number": 2}})
    assert r.status_code == 200
    await make_page(client, site.alice, "WAT", "Below", ancestors=[{"id": page["id"]}])
    async with app.store.read() as tx:
        rows = await tx.conn.all(sa.select(outbox_events.c.type, outbox_events.c.payload).order_by(outbox_events.c.id))
    seen = [(kind, msgspec.json.decode(payload)) for kind, payload in rows]
    updated = [p["watcher"]["accountId"] for kind, p in seen if kind == ev.CONTENT_UPDATED]
    assert sorted(updated) == sorted([site.alice.account_id, site.bob.account_id])  # not carol
    below = [(kind, p["watcher"]["accountId"]) for kind, p in seen
             if p.get("data", {}).get("content", {}).get("title") == "Below"]
    assert site.carol.account_id not in [who for _, who in below]  # nor as the space's watcher
    assert (ev.CONTENT_CHILD_CREATED, site.bob.account_id) in below


async def test_trashing_a_restricted_page_lets_its_children_go(client, site) -> None:  # type: ignore[no-untyped-def]
    """Trashed, a page's children move up into its place (the tree's rule) and are governed by their
    new parent: the trashed page's read restriction no longer covers them. Restored, it is restricted
    still."""
    await make_space(client, site.alice, "TRA")
    parent = await make_page(client, site.alice, "TRA", "Parent")
    child = await make_page(client, site.alice, "TRA", "Child", ancestors=[{"id": parent["id"]}])
    await _restrict(client, site.alice, parent, _grant("read", [site.alice]))
    assert await _status(client, site.bob, f"/content/{child['id']}") == 404
    assert (await client.delete(f"{API}/content/{parent['id']}", headers=site.alice.bearer)).status_code == 204
    assert await _status(client, site.bob, f"/content/{child['id']}") == 200
    r = await client.put(f"{API}/content/{parent['id']}", headers=site.alice.bearer, json={
        "type": "page", "title": "Parent", "status": "current", "version": {"number": 2}})
    assert r.status_code == 200, r.text
    assert await _status(client, site.bob, f"/content/{parent['id']}") == 404
    assert await _status(client, site.alice, f"/content/{parent['id']}") == 200
