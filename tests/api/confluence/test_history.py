"""A page's history (getHistoryForContent, `expand=history.*`), the current version as a historical
one, restoring a version (restoreContentVersion) and deleting one (deleteContentVersion)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import API, confluence_error, make_page, make_space


@pytest.fixture
async def space(client, site) -> str:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "HIS")
    return "HIS"


async def _edit(client, who, pid: str, number: int, title: str, body: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = await client.put(f"{API}/content/{pid}", headers=who.bearer, json={
        "type": "page", "title": title, "version": {"number": number, "message": f"v{number}"},
        "body": {"storage": {"value": body, "representation": "storage"}}})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
async def page(client, site, space) -> str:  # type: ignore[no-untyped-def]
    """A page with three versions: bob made 1 and 3, alice 2."""
    pid = (await make_page(client, site.bob, space, "One"))["id"]
    await _edit(client, site.alice, pid, 2, "Two", "<p>two</p>")
    await _edit(client, site.bob, pid, 3, "Three", "<p>three</p>")
    return pid  # type: ignore[no-any-return]


async def _versions(client, who, pid: str) -> list[int]:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/content/{pid}/version", headers=who.bearer)
    assert r.status_code == 200, r.text
    return [v["number"] for v in r.json()["results"]]


async def _current(client, who, pid: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/content/{pid}?expand=body.storage,version", headers=who.bearer)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


# --- the history resource -------------------------------------------------------------------------

async def test_history_answers_the_last_update_without_being_asked(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/content/{page}/history", headers=site.carol.bearer)
    assert r.status_code == 200, r.text
    h = r.json()
    assert h["latest"] is True and h["createdBy"]["accountId"] == site.bob.account_id
    assert h["createdDate"].endswith("Z")
    assert h["lastUpdated"]["number"] == 3 and h["lastUpdated"]["message"] == "v3"
    assert h["lastUpdated"]["by"]["accountId"] == site.bob.account_id
    assert h["_expandable"] == {"previousVersion": "", "contributors": ""}
    assert h["_links"]["self"].endswith(f"/wiki/rest/api/content/{page}/history")


async def test_history_expands_previous_version_and_contributors(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/content/{page}/history?expand=previousVersion,contributors", headers=site.bob.bearer)
    h = r.json()
    assert h["previousVersion"]["number"] == 2 and h["previousVersion"]["by"]["accountId"] == site.alice.account_id
    publishers = h["contributors"]["publishers"]
    assert [u["accountId"] for u in publishers["users"]] == [site.bob.account_id, site.alice.account_id]
    assert publishers["userAccountIds"] == [site.bob.account_id, site.alice.account_id]
    assert h["_expandable"] == {}


async def test_history_of_a_first_version_has_no_previous_one(client, site, space) -> None:  # type: ignore[no-untyped-def]
    pid = (await make_page(client, site.bob, space, "Only"))["id"]
    h = (await client.get(f"{API}/content/{pid}/history?expand=previousVersion", headers=site.bob.bearer)).json()
    assert "previousVersion" not in h and h["lastUpdated"]["number"] == 1


async def test_history_of_content_nobody_may_see_is_404(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "HID", private=True)
    hidden = (await make_page(client, site.alice, "HID", "Hidden"))["id"]
    confluence_error(await client.get(f"{API}/content/{hidden}/history", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{API}/content/999999/history", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{API}/content/abc/history", headers=site.bob.bearer), 400)


async def test_content_expands_its_history(client, site, page) -> None:  # type: ignore[no-untyped-def]
    expand = "history.lastUpdated,history.previousVersion,history.contributors,history.nextVersion"
    current = (await client.get(f"{API}/content/{page}?expand={expand}", headers=site.bob.bearer)).json()
    h = current["history"]
    assert h["latest"] is True and h["lastUpdated"]["number"] == 3 and h["previousVersion"]["number"] == 2
    assert "nextVersion" not in h and h["_expandable"] == {}

    old = await client.get(f"{API}/content/{page}?status=historical&version=2&expand={expand}",
                           headers=site.bob.bearer)
    h = old.json()["history"]
    assert h["latest"] is False
    assert (h["lastUpdated"]["number"], h["previousVersion"]["number"], h["nextVersion"]["number"]) == (2, 1, 3)
    assert h["nextVersion"]["by"]["accountId"] == site.bob.account_id
    assert [u["accountId"] for u in h["contributors"]["publishers"]["users"]] == [
        site.bob.account_id, site.alice.account_id]

    listed = await client.get(f"{API}/content?spaceKey=HIS&expand=history.previousVersion", headers=site.bob.bearer)
    # the space's home page (version 1) has no previous version
    assert [c["history"].get("previousVersion", {}).get("number") for c in listed.json()["results"]
            if c["id"] == str(page)] == [2]


# --- the current version as a historical one ------------------------------------------------------

async def test_the_current_version_is_one_of_the_versions(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/content/{page}?status=historical&version=3&expand=body.storage",
                         headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    assert r.json()["version"]["number"] == 3 and r.json()["body"]["storage"]["value"] == "<p>three</p>"
    assert r.json()["status"] == "current"
    confluence_error(await client.get(f"{API}/content/{page}?status=historical&version=4", headers=site.bob.bearer),
                     404)
    confluence_error(await client.get(f"{API}/content/{page}?status=historical", headers=site.bob.bearer), 404)


# --- restore --------------------------------------------------------------------------------------

def _restore(number: Any, message: str = "back", restore_title: bool | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"versionNumber": number, "message": message}
    if restore_title is not None:
        params["restoreTitle"] = restore_title
    return {"operationKey": "restore", "params": params}


async def test_restore_makes_a_new_version_with_the_old_body(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/content/{page}/version", headers=site.carol.bearer, json=_restore(1))
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["number"] == 4 and v["message"] == "back" and v["by"]["accountId"] == site.carol.account_id
    assert v["content"]["id"] == page and v["content"]["title"] == "Three"  # restoreTitle defaults to false
    assert "content" not in v["_expandable"]
    now = await _current(client, site.bob, page)
    assert now["version"]["number"] == 4 and now["body"]["storage"]["value"] == "<p>One</p>"
    assert now["title"] == "Three"
    assert await _versions(client, site.bob, page) == [4, 3, 2, 1]
    # the version that was current is kept as it was
    three = await client.get(f"{API}/content/{page}?status=historical&version=3&expand=body.storage",
                             headers=site.bob.bearer)
    assert three.json()["body"]["storage"]["value"] == "<p>three</p>" and three.json()["status"] == "historical"


async def test_restore_with_its_title(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/content/{page}/version?expand=collaborators", headers=site.bob.bearer,
                          json=_restore(2, "title too", restore_title=True))
    assert r.status_code == 200, r.text
    assert r.json()["collaborators"]["userAccountIds"] == [site.bob.account_id]
    now = await _current(client, site.bob, page)
    assert (now["title"], now["body"]["storage"]["value"]) == ("Two", "<p>two</p>")


@pytest.mark.parametrize(("number", "fragment"), [(3, "current version"), (4, "No version 4"), (0, "No version 0"),
                                                  (-1, "No version -1")])
async def test_restore_refuses_what_is_not_a_historical_version(client, site, page, number, fragment) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/content/{page}/version", headers=site.bob.bearer, json=_restore(number))
    confluence_error(r, 400, fragment)
    assert await _versions(client, site.bob, page) == [3, 2, 1]


@pytest.mark.parametrize("body", [
    {"operationKey": "undo", "params": {"versionNumber": 1, "message": ""}},
    {"operationKey": "restore", "params": {"versionNumber": 1}},
    {"operationKey": "restore"},
    {"operationKey": "restore", "params": {"versionNumber": "one", "message": ""}},
])
async def test_restore_with_a_bad_body_is_400(client, site, page, body) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.post(f"{API}/content/{page}/version", headers=site.bob.bearer, json=body), 400)
    assert await _versions(client, site.bob, page) == [3, 2, 1]


async def test_restore_on_missing_or_hidden_content_is_400(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "HID", private=True)
    hidden = (await make_page(client, site.alice, "HID", "Hidden"))["id"]
    await _edit(client, site.alice, hidden, 2, "Hidden", "<p>2</p>")
    for pid in (hidden, "999999"):
        r = await client.post(f"{API}/content/{pid}/version", headers=site.bob.bearer, json=_restore(1))
        confluence_error(r, 400, f"No content found with id : {pid}")
    assert await _versions(client, site.alice, hidden) == [2, 1]


# --- delete ---------------------------------------------------------------------------------------

async def test_delete_a_historical_version(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.delete(f"{API}/content/{page}/version/2", headers=site.carol.bearer)
    assert r.status_code == 204, r.text
    assert await _versions(client, site.bob, page) == [3, 1]
    confluence_error(await client.get(f"{API}/content/{page}/version/2", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{API}/content/{page}?status=historical&version=2", headers=site.bob.bearer),
                     404)
    # numbers do not move: the current version is still 3, its previous one now 1
    h = (await client.get(f"{API}/content/{page}/history?expand=previousVersion,contributors",
                          headers=site.bob.bearer)).json()
    assert h["lastUpdated"]["number"] == 3 and h["previousVersion"]["number"] == 1
    assert h["contributors"]["publishers"]["userAccountIds"] == [site.bob.account_id]
    one = await client.get(f"{API}/content/{page}?status=historical&version=1&expand=history.nextVersion",
                           headers=site.bob.bearer)
    assert one.json()["history"]["nextVersion"]["number"] == 3
    # and the next update carries on from the current number
    assert (await _edit(client, site.bob, page, 4, "Four", "<p>4</p>"))["version"]["number"] == 4


@pytest.mark.parametrize(("number", "fragment"), [("3", "current version"), ("4", "No version 4"),
                                                  ("0", "No version 0")])
async def test_delete_refuses_the_current_or_a_missing_version(client, site, page, number, fragment) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.delete(f"{API}/content/{page}/version/{number}", headers=site.bob.bearer), 400,
                     fragment)
    assert await _versions(client, site.bob, page) == [3, 2, 1]


async def test_delete_twice_is_400_the_second_time(client, site, page) -> None:  # type: ignore[no-untyped-def]
    assert (await client.delete(f"{API}/content/{page}/version/1", headers=site.bob.bearer)).status_code == 204
    confluence_error(await client.delete(f"{API}/content/{page}/version/1", headers=site.bob.bearer), 400,
                     "No version 1")
    confluence_error(await client.delete(f"{API}/content/{page}/version/x", headers=site.bob.bearer), 400)
    confluence_error(await client.delete(f"{API}/content/999999/version/1", headers=site.bob.bearer), 400,
                     "No content found")


async def test_deleting_a_version_removes_relations_to_it(client, site, page) -> None:  # type: ignore[no-untyped-def]
    path = f"{API}/relation/favourite/from/user/current/to/content/{page}?targetStatus=historical&targetVersion=2"
    r = await client.put(path, headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    assert (await client.get(path, headers=site.bob.bearer)).status_code == 200
    assert (await client.delete(f"{API}/content/{page}/version/2", headers=site.bob.bearer)).status_code == 204
    confluence_error(await client.get(path, headers=site.bob.bearer), 404)
