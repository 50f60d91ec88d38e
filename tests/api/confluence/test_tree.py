"""The page tree: home pages, children and descendants in order, moves, copies (one page, or a
hierarchy as a long task), trashing and restoring in the tree, a space's content, and the watchers
who hear of new children. On both backends."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa

from bondline.domain import events as ev
from bondline.store.tables import content as content_table
from bondline.store.tables import outbox_events
from tests.helpers import API, confluence_error, edit_page, make_page, make_space


async def _child(client: Any, who: Any, space: str, title: str, parent: dict[str, Any]) -> dict[str, Any]:
    return await make_page(client, who, space, title, ancestors=[{"id": parent["id"]}])


async def _titles(client: Any, who: Any, path: str) -> list[str]:
    r = await client.get(f"{API}{path}", headers=who.bearer)
    assert r.status_code == 200, r.text
    return [c["title"] for c in r.json()["results"]]


async def _pages_in(app: Any, space_id: int) -> int:
    async with app.store.read() as tx:
        return int(await tx.conn.scalar(sa.select(sa.func.count()).select_from(content_table).where(
            content_table.c.space_id == space_id)))


# --- home pages ------------------------------------------------------------------------------------

async def test_a_new_space_has_a_home_page(client, site) -> None:  # type: ignore[no-untyped-def]
    space = await make_space(client, site.alice, "HOME")
    link = space["_expandable"]["homepage"]
    assert link.startswith("/rest/api/content/")
    home_id = link.rsplit("/", 1)[1]
    r = await client.get(f"{API}/space/HOME?expand=homepage", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    home = r.json()["homepage"]
    assert home["id"] == home_id and home["title"] == "Space HOME Home" and home["type"] == "page"
    assert "homepage" not in r.json()["_expandable"]
    r = await client.get(f"{API}/content/{home_id}?expand=ancestors,space", headers=site.bob.bearer)
    assert r.status_code == 200 and r.json()["ancestors"] == [] and r.json()["space"]["key"] == "HOME"
    # A page created without ancestors is a top-level page, beside the home page (the v1 API's rule).
    page = await make_page(client, site.bob, "HOME", "Loose")
    r = await client.get(f"{API}/content/{page['id']}?expand=ancestors", headers=site.bob.bearer)
    assert r.json()["ancestors"] == []
    assert await _titles(client, site.bob, "/space/HOME/content/page?depth=root") == ["Space HOME Home", "Loose"]
    assert await _titles(client, site.bob, f"/content/{home_id}/child/page") == []


async def test_a_trashed_home_page_is_no_home(client, site) -> None:  # type: ignore[no-untyped-def]
    space = await make_space(client, site.alice, "TH")
    home_id = space["_expandable"]["homepage"].rsplit("/", 1)[1]
    assert (await client.delete(f"{API}/content/{home_id}", headers=site.alice.bearer)).status_code == 204
    r = await client.get(f"{API}/space/TH?expand=homepage", headers=site.alice.bearer)
    assert r.json()["_expandable"]["homepage"] == "" and "homepage" not in r.json()


# --- children and descendants ---------------------------------------------------------------------

async def _tree(client: Any, who: Any, key: str) -> dict[str, dict[str, Any]]:
    """root -> (a -> (a1, a2 -> a2x), b, c)"""
    await make_space(client, who, key)
    root = await make_page(client, who, key, "root")
    a = await _child(client, who, key, "a", root)
    b = await _child(client, who, key, "b", root)
    c = await _child(client, who, key, "c", root)
    a1 = await _child(client, who, key, "a1", a)
    a2 = await _child(client, who, key, "a2", a)
    a2x = await _child(client, who, key, "a2x", a2)
    return {"root": root, "a": a, "b": b, "c": c, "a1": a1, "a2": a2, "a2x": a2x}


async def test_children_in_order_and_the_children_map(client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "KID")
    rid = t["root"]["id"]
    r = await client.get(f"{API}/content/{rid}/child/page?expand=ancestors", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["title"] for c in body["results"]] == ["a", "b", "c"]
    assert body["size"] == 3 and body["start"] == 0 and body["limit"] == 25
    assert [a["title"] for a in body["results"][0]["ancestors"]] == ["root"]
    assert [c["extensions"]["position"] for c in body["results"]] == [1, 2, 3]
    paged = (await client.get(f"{API}/content/{rid}/child/page?limit=2", headers=site.bob.bearer)).json()
    assert [c["title"] for c in paged["results"]] == ["a", "b"] and "next" in paged["_links"]
    # the map: pages when expanded, links to the other kinds of child
    r = await client.get(f"{API}/content/{rid}/child?expand=page", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    children = r.json()
    assert [c["title"] for c in children["page"]["results"]] == ["a", "b", "c"]
    assert children["_expandable"] == {"comment": f"/rest/api/content/{rid}/child/comment",
                                       "attachment": f"/rest/api/content/{rid}/child/attachment"}
    assert (await client.get(f"{API}/content/{rid}/child", headers=site.bob.bearer)).json()["_expandable"]["page"]
    assert (await client.get(f"{API}/content/{rid}/child/comment", headers=site.bob.bearer)).json()["size"] == 0
    # expand=children.page on the content itself
    r = await client.get(f"{API}/content/{rid}?expand=children.page", headers=site.bob.bearer)
    assert [c["title"] for c in r.json()["children"]["page"]["results"]] == ["a", "b", "c"]
    assert "children" not in r.json()["_expandable"]


async def test_a_listing_read_again_shows_every_change_made_in_between(client, site) -> None:  # type: ignore[no-untyped-def]
    """Children listed without their bodies may come from the worker's read cache: listed twice (the
    second from memory), then after each kind of change, they show the change."""
    t = await _tree(client, site.alice, "AGAIN")
    rid = t["root"]["id"]
    path = f"/content/{rid}/child/page"
    for _ in range(2):
        assert await _titles(client, site.bob, path) == ["a", "b", "c"]
    a = (await client.get(f"{API}/content/{t['a']['id']}", headers=site.alice.bearer)).json()
    await edit_page(client, site.alice, a, 2, title="a2")
    assert await _titles(client, site.bob, path) == ["a2", "b", "c"]
    await _child(client, site.alice, "AGAIN", "d", t["root"])
    assert await _titles(client, site.bob, path) == ["a2", "b", "c", "d"]
    assert (await client.delete(f"{API}/content/{t['b']['id']}", headers=site.alice.bearer)).status_code == 204
    assert await _titles(client, site.bob, path) == ["a2", "c", "d"]
    r = await client.get(f"{API}{path}?expand=body.storage", headers=site.bob.bearer)
    assert [c["body"]["storage"]["value"] for c in r.json()["results"]] == ["<p>a</p>", "<p>c</p>", "<p>d</p>"]
    r = await client.get(f"{API}{path}", headers=site.bob.bearer)
    assert ["body" in c for c in r.json()["results"]] == [False, False, False]


async def test_children_refusals(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "KR")
    post = (await client.post(f"{API}/content", headers=site.alice.bearer,
                              json={"type": "blogpost", "title": "News", "space": {"key": "KR"}})).json()
    confluence_error(await client.get(f"{API}/content/{post['id']}/child/page", headers=site.alice.bearer), 400,
                     "blogpost")
    r = await client.get(f"{API}/content/{post['id']}/child?expand=page", headers=site.alice.bearer)
    assert r.status_code == 200 and "page" not in r.json() and "page" not in r.json()["_expandable"]
    confluence_error(await client.get(f"{API}/content/99999/child/page", headers=site.alice.bearer), 404)
    private = await make_space(client, site.alice, "KRP", private=True)
    assert private
    hidden = await make_page(client, site.alice, "KRP", "Hidden")
    confluence_error(await client.get(f"{API}/content/{hidden['id']}/child/page", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{API}/content/{hidden['id']}/descendant/page", headers=site.bob.bearer),
                     404)
    confluence_error(await client.get(f"{API}/content/{hidden['id']}/child/folder", headers=site.alice.bearer), 400)
    confluence_error(await client.get(f"{API}/content/{hidden['id']}/descendant/page?depth=0",
                                      headers=site.alice.bearer), 400, "depth")


async def test_descendants_are_the_whole_subtree_in_tree_order(client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "DSC")
    rid = t["root"]["id"]
    assert await _titles(client, site.bob, f"/content/{rid}/descendant/page") == ["a", "a1", "a2", "a2x", "b", "c"]
    assert await _titles(client, site.bob, f"/content/{rid}/descendant/page?depth=root") == ["a", "b", "c"]
    assert await _titles(client, site.bob, f"/content/{rid}/descendant/page?depth=2") == [
        "a", "a1", "a2", "b", "c"]
    assert await _titles(client, site.bob, f"/content/{rid}/descendant/page?start=2&limit=2") == ["a2", "a2x"]
    r = await client.get(f"{API}/content/{rid}/descendant/page?expand=ancestors", headers=site.bob.bearer)
    deepest = r.json()["results"][3]
    assert [a["title"] for a in deepest["ancestors"]] == ["root", "a", "a2"]
    r = await client.get(f"{API}/content/{rid}/descendant?expand=page", headers=site.bob.bearer)
    assert [c["title"] for c in r.json()["page"]["results"]] == ["a", "a1", "a2", "a2x", "b", "c"]
    r = await client.get(f"{API}/content/{t['a']['id']}?expand=descendants.page", headers=site.bob.bearer)
    assert [c["title"] for c in r.json()["descendants"]["page"]["results"]] == ["a1", "a2", "a2x"]


# --- moving -----------------------------------------------------------------------------------------

async def test_move_before_after_append(client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "MV")
    rid, a, b, c = t["root"]["id"], t["a"]["id"], t["b"]["id"], t["c"]["id"]
    r = await client.put(f"{API}/content/{c}/move/before/{a}", headers=site.alice.bearer)
    assert r.status_code == 200 and r.json() == {"pageId": c}
    assert await _titles(client, site.bob, f"/content/{rid}/child/page") == ["c", "a", "b"]
    assert (await client.put(f"{API}/content/{c}/move/after/{b}", headers=site.alice.bearer)).status_code == 200
    assert await _titles(client, site.bob, f"/content/{rid}/child/page") == ["a", "b", "c"]
    # append: under the target, last; a2x moves up next to its parent
    assert (await client.put(f"{API}/content/{b}/move/append/{t['a2']['id']}",
                             headers=site.alice.bearer)).status_code == 200
    assert await _titles(client, site.bob, f"/content/{t['a2']['id']}/child/page") == ["a2x", "b"]
    assert await _titles(client, site.bob, f"/content/{rid}/child/page") == ["a", "c"]
    r = await client.get(f"{API}/content/{b}?expand=ancestors", headers=site.bob.bearer)
    assert [x["title"] for x in r.json()["ancestors"]] == ["root", "a", "a2"]
    # before a top-level page: the page becomes top-level
    assert (await client.put(f"{API}/content/{t['a2x']['id']}/move/after/{rid}",
                             headers=site.alice.bearer)).status_code == 200
    assert (await _titles(client, site.bob, "/space/MV/content/page?depth=root"))[-2:] == ["root", "a2x"]


async def test_a_move_that_makes_a_loop_is_refused_and_changes_nothing(client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "LOOP")
    a = t["a"]["id"]
    for position, target in (("append", t["a2x"]["id"]), ("before", t["a1"]["id"]), ("append", a)):
        confluence_error(await client.put(f"{API}/content/{a}/move/{position}/{target}", headers=site.alice.bearer),
                         400, "loop")
    assert await _titles(client, site.bob, f"/content/{t['root']['id']}/descendant/page") == [
        "a", "a1", "a2", "a2x", "b", "c"]
    confluence_error(await client.put(f"{API}/content/{a}/move/inside/{t['b']['id']}", headers=site.alice.bearer),
                     400, "position")
    confluence_error(await client.put(f"{API}/content/{a}/move/append/424242", headers=site.alice.bearer), 404)
    confluence_error(await client.put(f"{API}/content/424242/move/append/{a}", headers=site.alice.bearer), 404)


async def test_a_move_to_another_space_takes_the_subtree(client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "SRC")
    await make_space(client, site.alice, "DST")
    target = await make_page(client, site.alice, "DST", "landing")
    r = await client.put(f"{API}/content/{t['a']['id']}/move/append/{target['id']}", headers=site.alice.bearer)
    assert r.status_code == 200, r.text
    for name in ("a", "a1", "a2", "a2x"):
        got = (await client.get(f"{API}/content/{t[name]['id']}", headers=site.bob.bearer)).json()
        assert got["space"]["key"] == "DST", name
    assert await _titles(client, site.bob, f"/content/{target['id']}/descendant/page") == ["a", "a1", "a2", "a2x"]
    assert await _titles(client, site.bob, f"/content/{t['root']['id']}/child/page") == ["b", "c"]
    # a title taken in the target space: 400, and nothing moves
    await make_page(client, site.alice, "DST", "b")
    confluence_error(await client.put(f"{API}/content/{t['b']['id']}/move/append/{target['id']}",
                                      headers=site.alice.bearer), 400, "already exists")
    assert (await client.get(f"{API}/content/{t['b']['id']}", headers=site.bob.bearer)).json()["space"]["key"] == "SRC"


# --- trash and restore ------------------------------------------------------------------------------

async def test_trashing_moves_the_children_up_and_restoring_puts_the_page_back(client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "TR")
    rid, a = t["root"]["id"], t["a"]["id"]
    assert (await client.delete(f"{API}/content/{a}", headers=site.alice.bearer)).status_code == 204
    # a's children take its place, in order, under root
    assert await _titles(client, site.bob, f"/content/{rid}/child/page") == ["a1", "a2", "b", "c"]
    assert await _titles(client, site.bob, f"/content/{rid}/descendant/page") == ["a1", "a2", "a2x", "b", "c"]
    r = await client.put(f"{API}/content/{a}", headers=site.alice.bearer,
                         json={"type": "page", "title": "a", "status": "current", "version": {"number": 2}})
    assert r.status_code == 200, r.text
    assert await _titles(client, site.bob, f"/content/{rid}/child/page") == ["a1", "a2", "b", "c", "a"]
    assert await _titles(client, site.bob, f"/content/{a}/child/page") == []
    # a page restored after its parent went to the trash comes back at the top level
    assert (await client.delete(f"{API}/content/{t['a2x']['id']}", headers=site.alice.bearer)).status_code == 204
    assert (await client.delete(f"{API}/content/{t['a2']['id']}", headers=site.alice.bearer)).status_code == 204
    r = await client.put(f"{API}/content/{t['a2x']['id']}?expand=ancestors", headers=site.alice.bearer,
                         json={"type": "page", "title": "a2x", "status": "current", "version": {"number": 2}})
    assert r.status_code == 200 and r.json()["ancestors"] == []


async def test_deleting_a_space_removes_its_whole_tree(app, client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "GONE")
    space = (await client.get(f"{API}/space/GONE", headers=site.alice.bearer)).json()
    assert await _pages_in(app, space["id"]) == 8  # the home page and the seven
    r = await client.delete(f"{API}/space/GONE", headers=site.alice.bearer)
    assert r.status_code == 202, r.text
    assert await _pages_in(app, space["id"]) == 0
    for page in t.values():
        confluence_error(await client.get(f"{API}/content/{page['id']}", headers=site.alice.bearer), 404)


# --- copying ----------------------------------------------------------------------------------------

async def test_copy_one_page(client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "CP")
    a = t["a"]["id"]
    r = await client.post(f"{API}/content/{a}/label", headers=site.alice.bearer,
                          json=[{"prefix": "global", "name": "keep"}])
    assert r.status_code == 200, r.text
    r = await client.post(f"{API}/content/{a}/copy?expand=ancestors,body.storage", headers=site.bob.bearer, json={
        "destination": {"type": "parent_page", "value": t["c"]["id"]}, "pageTitle": "a (copy)",
        "copyLabels": True})
    assert r.status_code == 200, r.text
    copy = r.json()
    assert copy["title"] == "a (copy)" and copy["id"] != a and copy["version"]["number"] == 1
    assert [x["title"] for x in copy["ancestors"]] == ["root", "c"]
    assert copy["body"]["storage"]["value"] == "<p>a</p>" and copy["history"]["createdBy"]["accountId"] == \
        site.bob.account_id
    assert await _titles(client, site.bob, f"/content/{copy['id']}/child/page") == []  # not its children
    labels = (await client.get(f"{API}/content/{copy['id']}/label", headers=site.bob.bearer)).json()
    assert [x["name"] for x in labels["results"]] == ["keep"]
    # to a space's top level, with a new body; without copyLabels, no labels
    await make_space(client, site.bob, "CP2")
    r = await client.post(f"{API}/content/{a}/copy", headers=site.bob.bearer, json={
        "destination": {"type": "space", "value": "CP2"},
        "body": {"storage": {"value": "<p>new</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    assert r.json()["space"]["key"] == "CP2" and r.json()["title"] == "a"
    assert (await client.get(f"{API}/content/{r.json()['id']}/label", headers=site.bob.bearer)).json()["size"] == 0
    # over an existing page: a new version of it
    r = await client.post(f"{API}/content/{t['b']['id']}/copy", headers=site.alice.bearer, json={
        "destination": {"type": "existing_page", "value": t["c"]["id"]}, "pageTitle": "c"})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == t["c"]["id"] and r.json()["version"]["number"] == 2


async def test_copy_refusals(client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "CR")
    a = t["a"]["id"]
    confluence_error(await client.post(f"{API}/content/{a}/copy", headers=site.alice.bearer,
                                       json={"destination": {"type": "parent_page", "value": t["b"]["id"]}}),
                     400, "already exists")
    confluence_error(await client.post(f"{API}/content/{a}/copy", headers=site.alice.bearer,
                                       json={"destination": {"type": "folder", "value": "1"}}), 400, "destination")
    confluence_error(await client.post(f"{API}/content/{a}/copy", headers=site.alice.bearer, json={}), 400)
    confluence_error(await client.post(f"{API}/content/{a}/copy", headers=site.alice.bearer,
                                       json={"destination": {"type": "space", "value": "NOPE"}}), 404)
    confluence_error(await client.post(f"{API}/content/{a}/copy", headers=site.alice.bearer,
                                       json={"destination": {"type": "parent_page", "value": "777777"}}), 404)
    confluence_error(await client.post(f"{API}/content/777777/copy", headers=site.alice.bearer,
                                       json={"destination": {"type": "space", "value": "CR"}}), 404)
    post = (await client.post(f"{API}/content", headers=site.alice.bearer,
                              json={"type": "blogpost", "title": "News", "space": {"key": "CR"}})).json()
    confluence_error(await client.post(f"{API}/content/{post['id']}/copy", headers=site.alice.bearer,
                                       json={"destination": {"type": "parent_page", "value": a}}), 400, "only pages")


async def test_copy_a_hierarchy_as_a_long_task(app, client, site) -> None:  # type: ignore[no-untyped-def]
    t = await _tree(client, site.alice, "HC")
    space_id = (await client.get(f"{API}/space/HC", headers=site.alice.bearer)).json()["id"]
    before = await _pages_in(app, space_id)
    # in the same space without renaming, the titles clash: 400 and nothing is written
    confluence_error(await client.post(f"{API}/content/{t['a']['id']}/pagehierarchy/copy", headers=site.bob.bearer,
                                       json={"destinationPageId": t["c"]["id"]}), 400, "already exists")
    assert await _pages_in(app, space_id) == before
    r = await client.post(f"{API}/content/{t['a']['id']}/pagehierarchy/copy", headers=site.bob.bearer,
                          json={"destinationPageId": t["c"]["id"], "copyLabels": True,
                                "titleOptions": {"prefix": "Copy of "}})
    assert r.status_code == 202, r.text
    task = r.json()
    assert task["links"]["status"] == f"/rest/api/longtask/{task['id']}"
    status = (await client.get(f"{API}/longtask/{task['id']}", headers=site.bob.bearer)).json()
    assert status["finished"] is True and status["successful"] is True
    assert await _pages_in(app, space_id) == before + 4
    assert await _titles(client, site.bob, f"/content/{t['c']['id']}/descendant/page") == [
        "Copy of a", "Copy of a1", "Copy of a2", "Copy of a2x"]
    assert status["additionalDetails"]["destinationId"] == (await client.get(
        f"{API}/content/{t['c']['id']}/child/page", headers=site.bob.bearer)).json()["results"][0]["id"]
    listed = (await client.get(f"{API}/longtask", headers=site.bob.bearer)).json()
    assert [x["id"] for x in listed["results"]] == [task["id"]]
    assert (await client.get(f"{API}/longtask", headers=site.alice.bearer)).json()["size"] == 0
    # without descendants, search and replace
    r = await client.post(f"{API}/content/{t['a']['id']}/pagehierarchy/copy", headers=site.bob.bearer,
                          json={"destinationPageId": t["b"]["id"], "copyDescendants": False,
                                "titleOptions": {"search": "a", "replace": "z"}})
    assert r.status_code == 202, r.text
    assert await _titles(client, site.bob, f"/content/{t['b']['id']}/descendant/page") == ["z"]


# --- a space's content ------------------------------------------------------------------------------

async def test_space_content_listings(client, site) -> None:  # type: ignore[no-untyped-def]
    await _tree(client, site.alice, "SC")
    r = await client.post(f"{API}/content", headers=site.alice.bearer,
                          json={"type": "blogpost", "title": "News", "space": {"key": "SC"}})
    assert r.status_code == 200
    r = await client.get(f"{API}/space/SC/content", headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["title"] for c in body["page"]["results"]] == [
        "Space SC Home", "root", "a", "b", "c", "a1", "a2", "a2x"]
    assert [c["title"] for c in body["blogpost"]["results"]] == ["News"]
    assert await _titles(client, site.bob, "/space/SC/content/page?depth=root") == ["Space SC Home", "root"]
    assert await _titles(client, site.bob, "/space/SC/content/blogpost") == ["News"]
    confluence_error(await client.get(f"{API}/space/NOPE/content", headers=site.bob.bearer), 404)
    await make_space(client, site.alice, "SCP", private=True)
    confluence_error(await client.get(f"{API}/space/SCP/content/page", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{API}/space/SC/content/page?depth=2", headers=site.bob.bearer), 400)


# --- watchers ---------------------------------------------------------------------------------------

async def test_watchers_hear_of_new_children_and_copies(app, client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/webhooks", headers=site.admin.bearer,
                          json={"url": "https://example.com/hook", "events": ["*"], "secret": "s" * 16})
    assert r.status_code == 201, r.text
    await make_space(client, site.alice, "WT")
    parent = await make_page(client, site.alice, "WT", "parent")  # alice watches what she creates
    r = await client.post(f"{API}/user/watch/space/WT", headers={**site.carol.bearer, "X-Atlassian-Token": "no-check"})
    assert r.status_code == 204
    other = await make_page(client, site.bob, "WT", "other")
    r = await client.post(f"{API}/content/{other['id']}/copy", headers=site.bob.bearer,
                          json={"destination": {"type": "parent_page", "value": parent["id"]},
                                "pageTitle": "other copy"})
    assert r.status_code == 200, r.text
    async with app.store.read() as tx:
        rows = await tx.conn.all(sa.select(outbox_events.c.type, outbox_events.c.payload).order_by(outbox_events.c.id))
    seen = [(kind, msgspec.json.decode(payload)) for kind, payload in rows]
    child = [p for kind, p in seen if kind == ev.CONTENT_CHILD_CREATED]
    assert [(p["watcher"]["accountId"], p["data"]["content"]["title"]) for p in child] == [
        (site.alice.account_id, "other copy")]
    created = [p["data"]["content"]["title"] for kind, p in seen if kind == ev.SPACE_CONTENT_CREATED]
    assert created == ["other", "other copy"]


async def test_a_space_s_home_page_can_be_changed(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "HP")
    await make_space(client, site.alice, "HQ")
    page = await make_page(client, site.alice, "HP", "New home")
    elsewhere = await make_page(client, site.alice, "HQ", "Elsewhere")
    r = await client.put(f"{API}/space/HP", headers=site.alice.bearer, json={"homepage": {"id": page["id"]}})
    assert r.status_code == 200, r.text
    assert r.json()["_expandable"]["homepage"] == f"/rest/api/content/{page['id']}"
    r = await client.get(f"{API}/space/HP?expand=homepage", headers=site.bob.bearer)
    assert r.json()["homepage"]["title"] == "New home"
    confluence_error(await client.put(f"{API}/space/HP", headers=site.alice.bearer,
                                      json={"homepage": {"id": elsewhere["id"]}}), 400, "home page")
    confluence_error(await client.put(f"{API}/space/HP", headers=site.alice.bearer,
                                      json={"homepage": {"id": "888888"}}), 404)
    assert (await client.get(f"{API}/space/HP", headers=site.bob.bearer)).json()["_expandable"]["homepage"] == \
        f"/rest/api/content/{page['id']}"
