"""Labels on content: GET/POST /content/{id}/label, DELETE /content/{id}/label[/{label}]."""

from __future__ import annotations

import pytest

from tests.helpers import API, confluence_error, make_page, make_space


@pytest.fixture
async def page(client, site):  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "LAB")
    await make_space(client, site.alice, "HID", private=True)
    return (await make_page(client, site.alice, "LAB", "Labelled"))["id"]


async def test_add_list_remove(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/content/{page}/label", headers=site.bob.bearer,
                          json={"prefix": "global", "name": "Alpha"})
    assert r.status_code == 200
    assert [(x["prefix"], x["name"], x["label"]) for x in r.json()["results"]] == [("global", "alpha", "alpha")]
    r = await client.post(f"{API}/content/{page}/label", headers=site.bob.bearer,
                          json=[{"prefix": "global", "name": "beta"}, {"prefix": "team", "name": "gamma"},
                                {"prefix": "global", "name": "alpha"}])
    assert {x["name"] for x in r.json()["results"]} == {"alpha", "beta", "gamma"}
    assert all(x["id"].isdigit() for x in r.json()["results"])
    r = await client.get(f"{API}/content/{page}/label?prefix=team", headers=site.carol.bearer)
    assert [x["name"] for x in r.json()["results"]] == ["gamma"]
    assert (await client.delete(f"{API}/content/{page}/label/beta", headers=site.bob.bearer)).status_code == 204
    r = await client.delete(f"{API}/content/{page}/label?name=team:gamma", headers=site.bob.bearer)
    assert r.status_code == 204
    assert (await client.delete(f"{API}/content/{page}/label/never", headers=site.bob.bearer)).status_code == 204
    r = await client.get(f"{API}/content/{page}/label", headers=site.bob.bearer)
    assert [x["name"] for x in r.json()["results"]] == ["alpha"]
    assert r.json()["limit"] == 200


@pytest.mark.parametrize("body,fragment", [
    ({"prefix": "global", "name": "has space"}, "not allowed"),
    ({"prefix": "global", "name": "a/b"}, "not allowed"),
    ({"prefix": "weird", "name": "x"}, "prefix"),
    ({"prefix": "global", "name": ""}, "empty"),
    ({"prefix": "global", "name": "x" * 256}, "too long"),
    ([], "At least one"),
    ([{"name": f"l{i}"} for i in range(101)], "Too many"),
    ({"prefix": "global"}, "name"),
    ("label", "Expected"),
])
async def test_bad_labels_are_400(client, site, page, body, fragment) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/content/{page}/label", headers=site.bob.bearer, json=body)
    confluence_error(r, 400, fragment)


async def test_label_on_unknown_or_hidden_content_is_404(client, site, page) -> None:  # type: ignore[no-untyped-def]
    hidden = (await make_page(client, site.alice, "HID", "Hidden"))["id"]
    for content_id in ("999999", hidden):
        confluence_error(await client.get(f"{API}/content/{content_id}/label", headers=site.bob.bearer), 404)
        confluence_error(await client.post(f"{API}/content/{content_id}/label", headers=site.bob.bearer,
                                           json={"name": "x"}), 404)
    confluence_error(await client.get(f"{API}/content/abc/label", headers=site.bob.bearer), 400)
    confluence_error(await client.delete(f"{API}/content/{page}/label", headers=site.bob.bearer), 400, "name")


# --- labels on spaces (GET/POST/DELETE /space/{spaceKey}/label) and GET /label -----------------------

async def test_space_labels_list_the_space_and_its_content(client, site, page) -> None:  # type: ignore[no-untyped-def]
    await client.post(f"{API}/content/{page}/label", headers=site.bob.bearer, json=[{"name": "onpage"}])
    r = await client.post(f"{API}/space/LAB/label", headers=site.alice.bearer,
                          json=[{"prefix": "team", "name": "Engineering"}, {"prefix": "global", "name": "kb"}])
    assert r.status_code == 200
    assert [(x["prefix"], x["name"]) for x in r.json()["results"]] == [("team", "engineering"), ("global", "kb")]
    r = await client.get(f"{API}/space/LAB/label", headers=site.carol.bearer)
    assert r.status_code == 200
    assert [(x["prefix"], x["name"]) for x in r.json()["results"]] == [
        ("team", "engineering"), ("global", "kb"), ("global", "onpage")]
    assert r.json()["_links"]["self"].endswith("/rest/api/space/LAB/label")
    r = await client.get(f"{API}/space/LAB/label?prefix=team", headers=site.carol.bearer)
    assert [x["name"] for x in r.json()["results"]] == ["engineering"]
    r = await client.delete(f"{API}/space/LAB/label?name=engineering&prefix=team", headers=site.alice.bearer)
    assert r.status_code == 204
    r = await client.get(f"{API}/space/LAB/label?limit=1&start=1", headers=site.carol.bearer)
    assert [x["name"] for x in r.json()["results"]] == ["onpage"]


async def test_space_labels_take_admin_to_change_and_view_to_read(client, site, page) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.post(f"{API}/space/LAB/label", headers=site.bob.bearer, json=[{"name": "x"}]),
                     404)
    confluence_error(await client.delete(f"{API}/space/LAB/label?name=x", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{API}/space/HID/label", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{API}/space/NOPE/label", headers=site.bob.bearer), 404)
    confluence_error(await client.delete(f"{API}/space/LAB/label", headers=site.alice.bearer), 400, "name")
    confluence_error(await client.post(f"{API}/space/LAB/label", headers=site.alice.bearer,
                                       json=[{"name": "a b"}]), 400, "not allowed")
    r = await client.post(f"{API}/space/LAB/label", headers=site.alice.bearer, json=[])
    assert r.status_code == 200 and r.json()["results"] == []
    confluence_error(await client.post(f"{API}/space/NOPE/label", headers=site.alice.bearer, json=[]), 404)
    r = await client.post(f"{API}/space/LAB/label", headers=site.alice.bearer, json=[{"name": "dflt"}])
    assert r.status_code == 200
    assert (await client.delete(f"{API}/space/LAB/label?name=dflt&prefix=", headers=site.alice.bearer)
            ).status_code == 204
    r = await client.get(f"{API}/space/LAB/label", headers=site.alice.bearer)
    assert r.json()["results"] == []


async def test_label_details_list_only_what_the_caller_sees(client, site, page) -> None:  # type: ignore[no-untyped-def]
    hidden = (await make_page(client, site.alice, "HID", "Hidden"))["id"]
    blog = (await make_page(client, site.alice, "LAB", "A post", type="blogpost"))["id"]
    for content_id in (page, hidden, blog):
        r = await client.post(f"{API}/content/{content_id}/label", headers=site.alice.bearer, json=[{"name": "shared"}])
        assert r.status_code == 200
    r = await client.get(f"{API}/label?name=shared", headers=site.bob.bearer)
    assert r.status_code == 200
    body = r.json()
    assert body["label"]["name"] == "shared" and body["label"]["prefix"] == "global"
    assert [(x["contentId"], x["contentType"], x["title"]) for x in body["associatedContents"]["results"]] == [
        (int(page), "page", "Labelled"), (int(blog), "blogpost", "A post")]
    r = await client.get(f"{API}/label?name=shared", headers=site.alice.bearer)
    assert int(hidden) in [x["contentId"] for x in r.json()["associatedContents"]["results"]]
    r = await client.get(f"{API}/label?name=shared&type=blogpost", headers=site.bob.bearer)
    assert [x["contentId"] for x in r.json()["associatedContents"]["results"]] == [int(blog)]
    confluence_error(await client.get(f"{API}/label?name=never", headers=site.bob.bearer), 404)
    confluence_error(await client.get(f"{API}/label", headers=site.bob.bearer), 400, "name")
    confluence_error(await client.get(f"{API}/label?name=shared&type=folder", headers=site.bob.bearer), 400)


async def test_anonymous_user(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/user/anonymous", headers=site.bob.bearer)
    assert r.status_code == 200
    assert r.json()["type"] == "anonymous" and r.json()["displayName"] == "Anonymous"
