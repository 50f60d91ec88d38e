"""The Confluence watch API: status, add, remove for content, spaces and labels; watcher lists;
XSRF; acting for another user; watches as relations."""

from __future__ import annotations

import pytest

from bondline.services import watches
from tests.helpers import API, confluence_error, make_page, make_space

XSRF = {"X-Atlassian-Token": "no-check"}
W = f"{API}/user/watch"


def h(who, xsrf: bool = True) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**who.bearer, **(XSRF if xsrf else {})}


@pytest.fixture
async def world(client, site):  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "WAT")
    page = await make_page(client, site.alice, "WAT", "Watched")
    await make_space(client, site.alice, "SEC", private=True)
    secret = await make_page(client, site.alice, "SEC", "Secret")
    r = await client.post(f"{API}/content/{page['id']}/label", headers=site.alice.bearer,
                          json=[{"prefix": "global", "name": "Release"}, {"name": "docs"}])
    assert r.status_code == 200, r.text
    return {"page": page["id"], "secret": secret["id"]}


TARGETS = [("content", "page"), ("space", "WAT"), ("label", "release")]


def target_path(kind: str, key: str, world: dict) -> str:  # type: ignore[type-arg]
    return f"{W}/{kind}/{world[key] if kind == 'content' else key}"


@pytest.mark.parametrize("kind,key", TARGETS)
async def test_add_status_remove(client, site, world, kind, key) -> None:  # type: ignore[no-untyped-def]
    path = target_path(kind, key, world)
    assert (await client.get(path, headers=h(site.bob, xsrf=False))).json() == {"watching": False}
    for _ in range(2):  # adding twice: 204, one watch
        r = await client.post(path, headers=h(site.bob))
        assert r.status_code == 204 and r.content == b""
    assert (await client.get(path, headers=h(site.bob, xsrf=False))).json() == {"watching": True}
    assert (await client.get(path, headers=h(site.carol))).json() == {"watching": False}
    for _ in range(2):  # removing twice: 204
        assert (await client.delete(path, headers=h(site.bob))).status_code == 204
    assert (await client.get(path, headers=h(site.bob))).json() == {"watching": False}


@pytest.mark.parametrize("kind,key", TARGETS)
async def test_writes_need_the_xsrf_header(client, site, world, kind, key) -> None:  # type: ignore[no-untyped-def]
    path = target_path(kind, key, world)
    for method in ("POST", "DELETE"):
        confluence_error(await client.request(method, path, headers=h(site.bob, xsrf=False)), 403, "X-Atlassian-Token")
        r = await client.request(method, path, headers={**site.bob.bearer, "X-Atlassian-Token": "please-check"})
        confluence_error(r, 403, "X-Atlassian-Token")
    r = await client.post(path, headers={**site.bob.bearer, "X-Atlassian-Token": "nocheck"})
    assert r.status_code == 204
    assert (await client.get(path, headers=h(site.bob))).json() == {"watching": True}


@pytest.mark.parametrize("kind,missing", [("content", "999999"), ("content", "abc"), ("space", "NOPE"),
                                          ("label", "no-such-label"), ("label", "bad%2Flabel")])
async def test_missing_targets_are_403(client, site, world, kind, missing) -> None:  # type: ignore[no-untyped-def]
    path = f"{W}/{kind}/{missing}"
    for method in ("GET", "POST", "DELETE"):
        confluence_error(await client.request(method, path, headers=h(site.bob)), 403, "exists for the specified")


@pytest.mark.parametrize("kind", ["content", "space", "label"])
async def test_missing_path_segment_is_404(client, site, kind) -> None:  # type: ignore[no-untyped-def]
    for method in ("GET", "POST", "DELETE"):
        confluence_error(await client.request(method, f"{W}/{kind}/", headers=h(site.bob)), 404)


async def test_targets_the_caller_cannot_see_are_403(client, site, world) -> None:  # type: ignore[no-untyped-def]
    for path in (f"{W}/content/{world['secret']}", f"{W}/space/SEC"):
        for method in ("GET", "POST", "DELETE"):
            confluence_error(await client.request(method, path, headers=h(site.bob)), 403)
        assert (await client.post(path, headers=h(site.alice))).status_code == 204


@pytest.mark.parametrize("kind,key", TARGETS)
async def test_acting_for_another_user_needs_a_site_admin(client, site, world, kind, key) -> None:  # type: ignore[no-untyped-def]
    path = target_path(kind, key, world)
    other = f"?accountId={site.bob.account_id}"
    for method in ("GET", "POST", "DELETE"):
        confluence_error(await client.request(method, path + other, headers=h(site.carol)), 403, "administrator")
    assert (await client.post(path + other, headers=h(site.admin))).status_code == 204
    assert (await client.get(path, headers=h(site.bob))).json() == {"watching": True}
    assert (await client.get(path + other, headers=h(site.admin))).json() == {"watching": True}
    assert (await client.delete(path + other, headers=h(site.admin))).status_code == 204
    assert (await client.get(path, headers=h(site.bob))).json() == {"watching": False}
    # naming yourself is fine; an unknown account is refused
    assert (await client.post(path + f"?accountId={site.carol.account_id}", headers=h(site.carol))).status_code == 204
    confluence_error(await client.post(path + "?accountId=ghost", headers=h(site.admin)), 403, "No user")


async def test_deprecated_key_and_username_are_ignored(client, site, world) -> None:  # type: ignore[no-untyped-def]
    path = f"{W}/content/{world['page']}?key=someone-else&username=admin"
    assert (await client.post(path, headers=h(site.bob))).status_code == 204
    assert (await client.get(f"{W}/content/{world['page']}", headers=h(site.bob))).json() == {"watching": True}


async def test_space_watch_by_content_type_is_a_separate_watch(client, site, world) -> None:  # type: ignore[no-untyped-def]
    assert (await client.post(f"{W}/space/WAT?contentType=blogpost", headers=h(site.bob))).status_code == 204
    assert (await client.get(f"{W}/space/WAT?contentType=blogpost", headers=h(site.bob))).json() == {"watching": True}
    assert (await client.get(f"{W}/space/WAT", headers=h(site.bob))).json() == {"watching": False}
    confluence_error(await client.post(f"{W}/space/WAT?contentType=comment", headers=h(site.bob)), 400, "contentType")


async def test_creating_a_page_makes_its_author_a_watcher(client, site, world) -> None:  # type: ignore[no-untyped-def]
    page = await make_page(client, site.bob, "WAT", "Bob writes")
    assert (await client.get(f"{W}/content/{page['id']}", headers=h(site.bob))).json() == {"watching": True}
    assert (await client.get(f"{W}/content/{page['id']}", headers=h(site.carol))).json() == {"watching": False}


async def test_watchers_of_a_page(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await client.post(f"{W}/content/{world['page']}", headers=h(site.bob))
    r = await client.get(f"{API}/content/{world['page']}/notification/child-created", headers=site.carol.bearer)
    assert r.status_code == 200
    body = r.json()
    assert body["start"] == 0 and body["limit"] == 200 and body["size"] == 2
    assert {w["watcher"]["accountId"] for w in body["results"]} == {site.alice.account_id, site.bob.account_id}
    entry = body["results"][0]
    assert entry["type"] == "watch" and entry["contentId"] == int(world["page"])
    for field in ("type", "accountId", "profilePicture", "displayName", "operations", "isExternalCollaborator",
                  "accountType", "email", "publicName", "personalSpace", "externalCollaborator"):
        assert field in entry["watcher"]
    assert "_links" not in entry["watcher"]
    r = await client.get(f"{API}/content/{world['page']}/notification/child-created?limit=1", headers=site.bob.bearer)
    assert r.json()["size"] == 1 and "next" in r.json()["_links"]


async def test_space_watchers(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await client.post(f"{W}/space/WAT", headers=h(site.bob))
    await client.post(f"{W}/space/WAT?contentType=page", headers=h(site.carol))
    for path in (f"{API}/space/WAT/watch", f"{API}/content/{world['page']}/notification/created"):
        r = await client.get(path, headers=site.bob.bearer)
        assert r.status_code == 200, r.text
        body = r.json()
        assert {w["watcher"]["accountId"] for w in body["results"]} == {site.bob.account_id, site.carol.account_id}
        assert all(w["spaceKey"] == "WAT" and w["type"] == "watch" for w in body["results"])
    confluence_error(await client.get(f"{API}/space/NOPE/watch", headers=site.bob.bearer), 404)
    r = await client.get(f"{API}/space/WAT/watch?start=1&limit=1", headers=site.bob.bearer)
    assert r.json()["start"] == 1 and r.json()["size"] == 1


async def test_watches_are_relations(client, site, world) -> None:  # type: ignore[no-untyped-def]
    await client.post(f"{W}/content/{world['page']}", headers=h(site.bob))
    r = await client.get(f"{API}/relation/watch/from/user/current/to/content?expand=target", headers=site.bob.bearer)
    assert r.status_code == 200
    assert [x["target"]["id"] for x in r.json()["results"]] == [world["page"]]
    r = await client.get(f"{API}/relation/watch/from/user/{site.bob.account_id}/to/content", headers=site.admin.bearer)
    assert r.json()["size"] == 1
    # and the relation API manages the same watch
    r = await client.delete(f"{API}/relation/watch/from/user/current/to/content/{world['page']}",
                            headers=site.bob.bearer)
    assert r.status_code == 204
    assert (await client.get(f"{W}/content/{world['page']}", headers=h(site.bob))).json() == {"watching": False}


async def test_trashed_content_keeps_watches_but_not_as_active(client, site, world) -> None:  # type: ignore[no-untyped-def]
    page = await make_page(client, site.bob, "WAT", "To trash")
    assert (await client.delete(f"{API}/content/{page['id']}", headers=site.bob.bearer)).status_code == 204
    r = await client.get(f"{API}/relation/watch/from/user/current/to/content", headers=site.bob.bearer)
    assert r.json()["results"] == []
    r = await client.get(f"{API}/relation/watch/from/user/current/to/content/{page['id']}?targetStatus=trashed",
                         headers=site.bob.bearer)
    assert r.status_code == 200  # still stored
    confluence_error(await client.get(f"{W}/content/{page['id']}", headers=h(site.bob)), 403)
    # restored: active again
    r = await client.put(f"{API}/content/{page['id']}", headers=site.bob.bearer,
                         json={"type": "page", "title": "To trash", "status": "current", "version": {"number": 2}})
    assert r.status_code == 200
    assert (await client.get(f"{W}/content/{page['id']}", headers=h(site.bob))).json() == {"watching": True}
    # purged: gone
    await client.delete(f"{API}/content/{page['id']}", headers=site.bob.bearer)
    assert (await client.delete(f"{API}/content/{page['id']}?status=trashed",
                                headers=site.alice.bearer)).status_code == 204
    r = await client.get(f"{API}/relation/watch/from/user/current/to/content?targetStatus=trashed",
                         headers=site.bob.bearer)
    assert r.json()["results"] == []


async def test_label_watch_needs_the_label_to_be_used(client, site, world) -> None:  # type: ignore[no-untyped-def]
    assert (await client.post(f"{W}/label/docs", headers=h(site.bob))).status_code == 204
    r = await client.delete(f"{API}/content/{world['page']}/label/docs", headers=site.alice.bearer)
    assert r.status_code == 204
    confluence_error(await client.get(f"{W}/label/docs", headers=h(site.bob)), 403, "No label exists")


async def test_watch_endpoints_need_credentials(client, world) -> None:  # type: ignore[no-untyped-def]
    for path in (f"{W}/content/{world['page']}", f"{API}/content/{world['page']}/notification/child-created",
                 f"{API}/space/WAT/watch"):
        confluence_error(await client.get(path, headers=XSRF), 401)


async def test_a_label_only_on_content_the_caller_cannot_see_looks_missing(client, site, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A label carried only by a page in a private space, or by another user's draft, answers
    exactly as a label no content carries (403, same body but for the name), and cannot be
    watched; once content the caller sees carries it, it can."""
    draft = await make_page(client, site.alice, "WAT", "Draft", status="draft")
    for content_id, label in ((world["secret"], "hush"), (draft["id"], "quiet")):
        r = await client.post(f"{API}/content/{content_id}/label", headers=site.alice.bearer, json={"name": label})
        assert r.status_code == 200, r.text
        for method in ("GET", "POST", "DELETE"):
            hidden = await client.request(method, f"{W}/label/{label}", headers=h(site.bob))
            missing = await client.request(method, f"{W}/label/nothing", headers=h(site.bob))
            assert hidden.status_code == missing.status_code == 403
            assert hidden.text.replace(label, "nothing") == missing.text
        assert (await client.get(f"{W}/label/{label}", headers=h(site.alice))).json() == {"watching": False}
        # the refused POST watched nothing (a site admin sees the label and reads bob's watch)
        r = await client.get(f"{W}/label/{label}?accountId={site.bob.account_id}", headers=h(site.admin))
        assert r.json() == {"watching": False}
    # once a page bob sees carries it, the label is there for him too (also when the carriers are
    # looked at one per statement, the hidden one first)
    monkeypatch.setattr(watches, "LABEL_CHUNK", 1)
    later = await make_page(client, site.alice, "WAT", "Later")
    assert (await client.post(f"{API}/content/{later['id']}/label", headers=site.alice.bearer,
                              json={"name": "hush"})).status_code == 200
    assert (await client.post(f"{W}/label/hush", headers=h(site.bob))).status_code == 204
    assert (await client.get(f"{W}/label/hush", headers=h(site.bob))).json() == {"watching": True}
