"""atlassian-python-api (PyPI), unchanged: its Confluence client's generic get/put/post/delete
against bondline's relation and watch paths, with Basic email:token as Confluence Cloud uses."""

from __future__ import annotations

import pytest

from bondline.client import Client

atlassian = pytest.importorskip("atlassian",
                                reason="atlassian-python-api is not installed (pip install atlassian-python-api)")
from requests import HTTPError  # noqa: E402  (comes with atlassian-python-api)

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def page(live):  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create("APA", "atlassian-python-api")
        return alice.content.create("APA", "Their client")["id"]


@pytest.fixture(scope="module")
def confluence(live):  # type: ignore[no-untyped-def]
    return atlassian.Confluence(url=live.url + "/wiki", username=live.bob.email, password=live.bob.token, cloud=True)


def test_relation_paths(confluence, page) -> None:  # type: ignore[no-untyped-def]
    path = f"rest/api/relation/favourite/from/user/current/to/content/{page}"
    created = confluence.put(path)
    assert created["name"] == "favourite"
    got = confluence.get(path, params={"expand": "relationData,target"})
    assert got["target"]["id"] == page and got["relationData"]["createdBy"]["email"] == "bob@example.com"
    assert confluence.delete(path) is None
    with pytest.raises(HTTPError) as err:
        confluence.get(path)
    assert err.value.response.status_code == 404
    confluence.put(f"rest/api/relation/reviewer/from/user/current/to/content/{page}")
    listed = confluence.get(f"rest/api/relation/reviewer/to/content/{page}/from/user", params={"expand": "source"})
    assert [r["source"]["email"] for r in listed["results"]] == ["bob@example.com"]


def test_watch_paths(confluence, page) -> None:  # type: ignore[no-untyped-def]
    path = f"rest/api/user/watch/content/{page}"
    assert confluence.get(path) == {"watching": False}
    confluence.post(path, headers=confluence.no_check_headers)
    assert confluence.get(path) == {"watching": True}
    watchers = confluence.get(f"rest/api/content/{page}/notification/child-created")
    assert "bob@example.com" in [w["watcher"]["email"] for w in watchers["results"]]
    confluence.delete(path, headers=confluence.no_check_headers)
    assert confluence.get(path) == {"watching": False}
    with pytest.raises(HTTPError) as err:
        confluence.post(path)  # no X-Atlassian-Token
    assert err.value.response.status_code == 403


def test_label_listings_and_the_anonymous_user(confluence, page, live) -> None:  # type: ignore[no-untyped-def]
    confluence.post(f"rest/api/content/{page}/label", data=[{"prefix": "global", "name": "apa"}])
    alice = atlassian.Confluence(url=live.url + "/wiki", username=live.alice.email, password=live.alice.token,
                                 cloud=True)  # she administers APA
    alice.post("rest/api/space/APA/label", data=[{"prefix": "team", "name": "clients"}])
    labels = confluence.get("rest/api/space/APA/label")
    assert [(x["prefix"], x["name"]) for x in labels["results"]] == [("global", "apa"), ("team", "clients")]
    details = confluence.get("rest/api/label", params={"name": "apa"})
    assert [c["contentId"] for c in details["associatedContents"]["results"]] == [int(page)]
    assert confluence.get("rest/api/user/anonymous")["type"] == "anonymous"


def test_groups_and_their_members(confluence, live) -> None:  # type: ignore[no-untyped-def]
    admin = atlassian.Confluence(url=live.url + "/wiki", username=live.admin.email, password=live.admin.token,
                                 cloud=True)
    made = admin.post("rest/api/group", data={"name": "apa-readers"})
    admin.post("rest/api/group/userByGroupId", params={"groupId": made["id"]},
               data={"accountId": live.bob.account_id})
    assert made["name"] in [g["name"] for g in confluence.get_all_groups()]
    assert confluence.get_group(made["id"])["name"] == "apa-readers"
    assert [m["accountId"] for m in confluence.get_all_members(made["id"])] == [live.bob.account_id]
