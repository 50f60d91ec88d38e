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
