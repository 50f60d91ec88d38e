"""The computed `link` relation: kept from page and blog-post bodies on every write, read through
the relation API, never written by clients, and hidden where the caller may not see the linking page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import API, confluence_error, make_page, make_space

REL = f"{API}/relation/link"


def storage(value: str) -> dict[str, Any]:
    return {"storage": {"value": value, "representation": "storage"}}


def by_title(title: str, space: str | None = None) -> str:
    key = f' ri:space-key="{space}"' if space else ""
    return f'<p><ac:link><ri:page ri:content-title="{title}"{key}/></ac:link></p>'


async def backlinks(client: Any, who: Any, page_id: str) -> list[str]:
    r = await client.get(f"{REL}/to/content/{page_id}/from/content?expand=source", headers=who.bearer)
    assert r.status_code == 200, r.text
    return sorted(x["source"]["id"] for x in r.json()["results"])


async def write(client: Any, who: Any, page: dict[str, Any], number: int, body: str,
                **extra: Any) -> dict[str, Any]:
    r = await client.put(f"{API}/content/{page['id']}", headers=who.bearer, json={
        "type": page["type"], "title": page["title"], "version": {"number": number}, "body": storage(body),
        **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture
async def world(client, site):  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "DOC")
    await make_space(client, site.alice, "OPS")
    target = await make_page(client, site.alice, "DOC", "Target")
    other = await make_page(client, site.alice, "OPS", "Runbook")
    return {"target": target, "other": other}


async def test_backlinks_follow_create_update_trash_restore_and_purge(client, site, world) -> None:  # type: ignore[no-untyped-def]
    tid = world["target"]["id"]
    src = await make_page(client, site.alice, "DOC", "Source", body=storage(by_title("Target")))
    assert await backlinks(client, site.bob, tid) == [src["id"]]
    r = await client.get(f"{REL}/from/content/{src['id']}/to/content/{tid}", headers=site.bob.bearer)
    assert r.status_code == 200 and r.json()["name"] == "link"

    # an edit that links elsewhere moves the link
    await write(client, site.alice, src, 2, by_title("Runbook", "OPS"))
    assert await backlinks(client, site.bob, tid) == []
    assert await backlinks(client, site.bob, world["other"]["id"]) == [src["id"]]
    confluence_error(await client.get(f"{REL}/from/content/{src['id']}/to/content/{tid}", headers=site.bob.bearer),
                     404)

    # trashing the linking page removes its links; restoring it brings them back
    assert (await client.delete(f"{API}/content/{src['id']}", headers=site.alice.bearer)).status_code == 204
    assert await backlinks(client, site.bob, world["other"]["id"]) == []
    r = await client.put(f"{API}/content/{src['id']}", headers=site.alice.bearer,
                         json={"type": "page", "title": "Source", "status": "current", "version": {"number": 3}})
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.bob, world["other"]["id"]) == [src["id"]]

    # restoring an old version restores its links
    r = await client.post(f"{API}/content/{src['id']}/version", headers=site.alice.bearer,
                          json={"operationKey": "restore", "params": {"versionNumber": 1, "message": "back"}})
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.bob, tid) == [src["id"]]
    assert await backlinks(client, site.bob, world["other"]["id"]) == []

    # purging removes them for good
    assert (await client.delete(f"{API}/content/{src['id']}", headers=site.alice.bearer)).status_code == 204
    assert (await client.delete(f"{API}/content/{src['id']}?status=trashed",
                                headers=site.alice.bearer)).status_code == 204
    assert await backlinks(client, site.admin, tid) == []


async def test_the_three_link_forms_and_title_links(client, site, world) -> None:  # type: ignore[no-untyped-def]
    tid, oid = world["target"]["id"], world["other"]["id"]
    third = await make_page(client, site.alice, "OPS", "Third")
    fourth = await make_page(client, site.alice, "DOC", "Fourth")
    body = (f'<p><a href="/wiki/spaces/DOC/pages/{tid}/Target">a</a>'
            f'<a href="https://example.test/wiki/pages/viewpage.action?pageId={oid}">b</a>'
            f'<a href="/x/{third["id"]}">c</a>'
            '<ac:link><ri:page ri:content-title="Fourth"/></ac:link>'  # own space when no key
            '<ac:link><ri:page ri:content-title="Not yet written" ri:space-key="DOC"/></ac:link>'
            '<a href="https://elsewhere.test/about">not a page</a></p>')
    src = await make_page(client, site.alice, "DOC", "Hub", body=storage(body))
    for target in (tid, oid, third["id"], fourth["id"]):
        assert await backlinks(client, site.bob, target) == [src["id"]]
    r = await client.get(f"{REL}/from/content/{src['id']}/to/content?expand=target", headers=site.bob.bearer)
    assert r.status_code == 200
    assert sorted(x["target"]["id"] for x in r.json()["results"]) == sorted([tid, oid, third["id"], fourth["id"]])


async def test_blog_posts_link_too(client, site, world) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/content", headers=site.alice.bearer, json={
        "type": "blogpost", "title": "News", "space": {"key": "DOC"}, "body": storage(by_title("Target"))})
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.bob, world["target"]["id"]) == [r.json()["id"]]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_clients_cannot_write_links(client, site, world, method) -> None:  # type: ignore[no-untyped-def]
    tid, oid = world["target"]["id"], world["other"]["id"]
    src = await make_page(client, site.alice, "DOC", "Source", body=storage(by_title("Target")))
    for target in (tid, oid):
        confluence_error(await client.request(method, f"{REL}/from/content/{src['id']}/to/content/{target}",
                                              headers=site.admin.bearer), 400, "cannot be created or deleted")
    assert await backlinks(client, site.bob, tid) == [src["id"]]
    assert await backlinks(client, site.bob, oid) == []


async def test_a_page_the_caller_cannot_see_is_no_backlink(client, site, world) -> None:  # type: ignore[no-untyped-def]
    tid = world["target"]["id"]
    await make_space(client, site.alice, "PRIV", private=True)
    private = await make_page(client, site.alice, "PRIV", "Secret", body=storage(by_title("Target", "DOC")))
    restricted = await make_page(client, site.alice, "DOC", "Restricted", body=storage(by_title("Target")))
    r = await client.put(f"{API}/content/{restricted['id']}/restriction", headers=site.alice.bearer, json=[
        {"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": site.alice.account_id}],
                                               "group": []}}])
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.alice, tid) == sorted([private["id"], restricted["id"]])
    assert await backlinks(client, site.bob, tid) == []
    confluence_error(await client.get(f"{REL}/from/content/{restricted['id']}/to/content/{tid}",
                                      headers=site.bob.bearer), 404)


async def test_a_copy_links_like_its_original(client, site, world) -> None:  # type: ignore[no-untyped-def]
    tid = world["target"]["id"]
    # (the copy goes into OPS: a title link without a space key would name a page there)
    src = await make_page(client, site.alice, "DOC", "Source", body=storage(by_title("Target", "DOC")))
    r = await client.post(f"{API}/content/{src['id']}/copy", headers=site.alice.bearer, json={
        "destination": {"type": "parent_page", "value": world["other"]["id"]}, "pageTitle": "Source (copy)"})
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.bob, tid) == sorted([src["id"], r.json()["id"]])


async def test_moving_into_a_private_space_hides_the_backlink(client, site, world) -> None:  # type: ignore[no-untyped-def]
    tid = world["target"]["id"]
    await make_space(client, site.alice, "PRIV", private=True)
    home = await make_page(client, site.alice, "PRIV", "Home")
    src = await make_page(client, site.alice, "DOC", "Source", body=storage(by_title("Target")))
    assert await backlinks(client, site.bob, tid) == [src["id"]]
    r = await client.put(f"{API}/content/{src['id']}/move/append/{home['id']}", headers=site.alice.bearer)
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.bob, tid) == []
    assert await backlinks(client, site.alice, tid) == [src["id"]]


async def test_renaming_keeps_links_and_a_title_link_resolves_when_written(client, site, world) -> None:  # type: ignore[no-untyped-def]
    src = await make_page(client, site.alice, "DOC", "Source", body=storage(by_title("Later")))
    later = await make_page(client, site.alice, "DOC", "Later")
    assert await backlinks(client, site.bob, later["id"]) == []  # it did not exist when Source was written
    src = await write(client, site.alice, src, 2, by_title("Later"))
    assert await backlinks(client, site.bob, later["id"]) == [src["id"]]
    r = await client.put(f"{API}/content/{later['id']}", headers=site.alice.bearer, json={
        "type": "page", "title": "Renamed", "version": {"number": 2}})
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.bob, later["id"]) == [src["id"]]


async def test_copying_over_an_existing_page_takes_the_sources_links(client, site, world) -> None:  # type: ignore[no-untyped-def]
    tid, oid = world["target"]["id"], world["other"]["id"]
    src = await make_page(client, site.alice, "DOC", "Source", body=storage(by_title("Target", "DOC")))
    dest = await make_page(client, site.alice, "DOC", "Dest", body=storage(by_title("Runbook", "OPS")))
    assert await backlinks(client, site.bob, oid) == [dest["id"]]
    r = await client.post(f"{API}/content/{src['id']}/copy", headers=site.alice.bearer, json={
        "destination": {"type": "existing_page", "value": dest["id"]}, "pageTitle": "Dest"})
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.bob, oid) == []
    assert await backlinks(client, site.bob, tid) == sorted([src["id"], dest["id"]])


async def test_a_draft_links_once_published(client, site, world) -> None:  # type: ignore[no-untyped-def]
    tid = world["target"]["id"]
    draft = await make_page(client, site.alice, "DOC", "Draft", status="draft", body=storage(by_title("Target")))
    assert await backlinks(client, site.alice, tid) == []
    r = await client.put(f"{API}/content/{draft['id']}", headers=site.alice.bearer,
                         json={"type": "page", "title": "Draft", "status": "current", "version": {"number": 1}})
    assert r.status_code == 200, r.text
    assert await backlinks(client, site.bob, tid) == [draft["id"]]
