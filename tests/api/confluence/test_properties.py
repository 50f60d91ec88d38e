"""Content and space properties: JSON values by key with versions (the 409 on a stale one), their
listing, the size limit (413), who may read and write them, and `expand=metadata.properties`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import API, confluence_error, make_page, make_space

VALUE = {"colour": "blue", "tags": ["a", "b"], "nested": {"n": 1, "ok": True, "none": None}}


@pytest.fixture
async def page(client, site) -> str:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "PROP")
    return (await make_page(client, site.alice, "PROP", "Carrier"))["id"]  # type: ignore[no-any-return]


def _path(page: str, key: str | None = None) -> str:
    return f"{API}/content/{page}/property" + (f"/{key}" if key is not None else "")


async def _create(client, who, page: str, key: str, value: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = await client.post(_path(page), headers=who.bearer, json={"key": key, "value": value})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def _stored(client, who, page: str, key: str) -> Any:  # type: ignore[no-untyped-def]
    r = await client.get(_path(page, key), headers=who.bearer)
    return r.json() if r.status_code == 200 else r.status_code


# --- content properties ---------------------------------------------------------------------------

async def test_create_and_read_a_content_property(client, site, page) -> None:  # type: ignore[no-untyped-def]
    made = await _create(client, site.bob, page, "my-key", VALUE)
    assert made["key"] == "my-key" and made["value"] == VALUE and isinstance(made["id"], str)
    assert made["version"]["number"] == 1 and made["version"]["minorEdit"] is False
    assert made["version"]["message"] == "" and made["version"]["when"].endswith("Z")
    assert made["_links"]["self"].endswith(f"/wiki/rest/api/content/{page}/property/my-key")
    assert made["_expandable"]["content"] == f"/rest/api/content/{page}"
    got = await _stored(client, site.carol, page, "my-key")
    assert (got["id"], got["value"], got["version"]["number"]) == (made["id"], VALUE, 1)
    with_content = await client.get(_path(page, "my-key") + "?expand=content,version", headers=site.bob.bearer)
    assert with_content.json()["content"]["id"] == page and "content" not in with_content.json()["_expandable"]


@pytest.mark.parametrize("value", ["text", True, False, ["x", "y"], [], {}, ""])
async def test_every_kind_of_value_the_document_allows(client, site, page, value) -> None:  # type: ignore[no-untyped-def]
    assert (await _create(client, site.bob, page, "k", value))["value"] == value
    assert (await _stored(client, site.bob, page, "k"))["value"] == value


@pytest.mark.parametrize("value", [5, 1.5, None, [1, 2], [{"a": 1}]])
async def test_a_value_the_document_does_not_allow_is_400(client, site, page, value) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(_path(page), headers=site.bob.bearer, json={"key": "k", "value": value})
    confluence_error(r, 400)
    assert await _stored(client, site.bob, page, "k") == 404


async def test_create_for_key_and_duplicates(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(_path(page, "by-path"), headers=site.bob.bearer, json={"value": "one"})
    assert r.status_code == 200, r.text
    assert r.json()["key"] == "by-path" and r.json()["version"]["number"] == 1
    confluence_error(await client.post(_path(page, "by-path"), headers=site.bob.bearer, json={"value": "two"}), 400,
                     "already exists")
    confluence_error(await client.post(_path(page), headers=site.bob.bearer, json={"key": "by-path", "value": "x"}),
                     400, "already exists")
    assert (await _stored(client, site.bob, page, "by-path"))["value"] == "one"


async def test_update_needs_the_next_version(client, site, page) -> None:  # type: ignore[no-untyped-def]
    await _create(client, site.bob, page, "k", "one")
    r = await client.put(_path(page, "k"), headers=site.alice.bearer,
                         json={"key": "k", "value": {"two": True}, "version": {"number": 2, "minorEdit": False}})
    assert r.status_code == 200, r.text
    assert r.json()["value"] == {"two": True} and r.json()["version"]["number"] == 2
    assert r.json()["version"]["minorEdit"] is False
    for stale in (2, 1, 4):
        r = await client.put(_path(page, "k"), headers=site.bob.bearer,
                             json={"value": "x", "version": {"number": stale}})
        confluence_error(r, 409, "Current version is: 2")
    # the newest document allows the number as a string; minorEdit defaults to true
    r = await client.put(_path(page, "k"), headers=site.bob.bearer, json={"value": "three", "version": {"number": "3"}})
    assert r.status_code == 200 and r.json()["version"] == {**r.json()["version"], "number": 3, "minorEdit": True}
    assert (await _stored(client, site.bob, page, "k"))["value"] == "three"


async def test_update_creates_a_missing_key_only_at_version_1(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.put(_path(page, "new"), headers=site.bob.bearer, json={"value": "x", "version": {"number": 2}})
    confluence_error(r, 404, "Cannot find property 'new'")
    assert await _stored(client, site.bob, page, "new") == 404
    r = await client.put(_path(page, "new"), headers=site.bob.bearer, json={"value": "x", "version": {"number": 1}})
    assert r.status_code == 200 and r.json()["version"]["number"] == 1
    assert (await _stored(client, site.bob, page, "new"))["value"] == "x"


@pytest.mark.parametrize(("body", "fragment"), [
    ({"value": "x"}, "version"),
    ({"value": "x", "version": None}, "version is required"),
    ({"version": {"number": 2}}, "value"),
    ({"key": "other", "value": "x", "version": {"number": 2}}, "not the one in the path"),
    ({"value": "x", "version": {"number": "two"}}, "not a number"),
    ({"value": "x", "version": {"number": 0}}, "out of range"),
])
async def test_bad_updates_are_400(client, site, page, body, fragment) -> None:  # type: ignore[no-untyped-def]
    await _create(client, site.bob, page, "k", "one")
    confluence_error(await client.put(_path(page, "k"), headers=site.bob.bearer, json=body), 400, fragment)
    got = await _stored(client, site.bob, page, "k")
    assert (got["value"], got["version"]["number"]) == ("one", 1)


@pytest.mark.parametrize(("key", "fragment"), [("", "cannot be empty"), ("k" * 256, "too long"),
                                               ("a\tb", "control characters")])
async def test_bad_keys_are_400(client, site, page, key, fragment) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.post(_path(page), headers=site.bob.bearer, json={"key": key, "value": "x"}), 400,
                     fragment)
    listed = await client.get(_path(page), headers=site.bob.bearer)
    assert listed.json()["results"] == []


async def test_a_value_over_32_kb_is_413_and_stores_nothing(client, site, page) -> None:  # type: ignore[no-untyped-def]
    fits = "x" * (32 * 1024 - 2)  # with its quotes, 32 KB of JSON
    assert (await _create(client, site.bob, page, "big", fits))["value"] == fits
    over = fits + "y"
    r = await client.put(_path(page, "big"), headers=site.bob.bearer, json={"value": over, "version": {"number": 2}})
    confluence_error(r, 413, "too long")
    confluence_error(await client.post(_path(page), headers=site.bob.bearer, json={"key": "bigger", "value": over}),
                     413)
    got = await _stored(client, site.bob, page, "big")
    assert (got["value"], got["version"]["number"]) == (fits, 1)
    assert await _stored(client, site.bob, page, "bigger") == 404


async def test_list_by_key_with_paging(client, site, page) -> None:  # type: ignore[no-untyped-def]
    for i in range(12):
        await _create(client, site.bob, page, f"k{i:02}", i % 2 == 0)
    first = (await client.get(_path(page), headers=site.bob.bearer)).json()
    assert [p["key"] for p in first["results"]] == [f"k{i:02}" for i in range(10)]
    assert (first["start"], first["limit"], first["size"]) == (0, 10, 10) and "next" in first["_links"]
    rest = (await client.get(_path(page) + "?start=10", headers=site.bob.bearer)).json()
    assert [p["key"] for p in rest["results"]] == ["k10", "k11"]
    some = (await client.get(_path(page) + "?key=k03&key=k01,nope", headers=site.bob.bearer)).json()
    assert [(p["key"], p["value"]) for p in some["results"]] == [("k01", False), ("k03", False)]


async def test_delete_a_content_property(client, site, page) -> None:  # type: ignore[no-untyped-def]
    await _create(client, site.bob, page, "k", "v")
    assert (await client.delete(_path(page, "k"), headers=site.alice.bearer)).status_code == 204
    assert await _stored(client, site.bob, page, "k") == 404
    confluence_error(await client.delete(_path(page, "k"), headers=site.alice.bearer), 404)


async def test_properties_of_content_one_cannot_see_are_404(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "HID", private=True)
    hidden = (await make_page(client, site.alice, "HID", "Hidden"))["id"]
    await _create(client, site.alice, hidden, "k", "v")
    for r in (await client.get(_path(hidden), headers=site.bob.bearer),
              await client.get(_path(hidden, "k"), headers=site.bob.bearer),
              await client.post(_path(hidden), headers=site.bob.bearer, json={"key": "x", "value": "v"}),
              await client.put(_path(hidden, "k"), headers=site.bob.bearer,
                               json={"value": "x", "version": {"number": 2}}),
              await client.delete(_path(hidden, "k"), headers=site.bob.bearer),
              await client.get(_path("999999"), headers=site.bob.bearer)):
        confluence_error(r, 404, "No content found")
    assert (await _stored(client, site.alice, hidden, "k"))["value"] == "v"


async def test_a_trashed_pages_properties_need_its_status(client, site, page) -> None:  # type: ignore[no-untyped-def]
    await _create(client, site.alice, page, "k", "v")
    assert (await client.delete(f"{API}/content/{page}", headers=site.alice.bearer)).status_code == 204
    confluence_error(await client.get(_path(page, "k"), headers=site.alice.bearer), 404)
    r = await client.get(_path(page, "k") + "?status=trashed", headers=site.alice.bearer)
    assert r.status_code == 200 and r.json()["value"] == "v"
    confluence_error(await client.get(_path(page, "k") + "?status=nonsense", headers=site.alice.bearer), 400)


async def test_content_expands_its_properties(client, site, page) -> None:  # type: ignore[no-untyped-def]
    await _create(client, site.bob, page, "one", "1")
    await _create(client, site.bob, page, "two.dotted", ["2"])
    r = await client.get(f"{API}/content/{page}?expand=metadata.properties.two.dotted", headers=site.bob.bearer)
    props = r.json()["metadata"]["properties"]
    assert set(props) == {"two.dotted", "_links"} and props["two.dotted"]["value"] == ["2"]
    assert "metadata" not in r.json()["_expandable"]
    r = await client.get(f"{API}/content/{page}?expand=metadata.properties", headers=site.bob.bearer)
    assert {k: v["value"] for k, v in r.json()["metadata"]["properties"].items() if k != "_links"} == {
        "one": "1", "two.dotted": ["2"]}
    listed = await client.get(f"{API}/content?spaceKey=PROP&expand=metadata.properties.one", headers=site.bob.bearer)
    assert [c["metadata"]["properties"]["one"]["value"] for c in listed.json()["results"]
            if c["id"] == str(page)] == ["1"]  # (beside the space's home page, which has no properties)


async def test_property_writes_are_in_the_audit_trail(client, site, page) -> None:  # type: ignore[no-untyped-def]
    await _create(client, site.bob, page, "k", "v")
    await client.put(_path(page, "k"), headers=site.bob.bearer, json={"value": "w", "version": {"number": 2}})
    await client.delete(_path(page, "k"), headers=site.bob.bearer)
    r = await client.get(f"/api/v1/audit?object=content/{page}/property/k", headers=site.admin.bearer)
    assert r.status_code == 200, r.text
    actions = [(e["action"], e["actor"]) for e in r.json()["results"]]
    assert actions == [("content.property.delete", site.bob.account_id), ("content.property.update",
                       site.bob.account_id), ("content.property.create", site.bob.account_id)]


# --- space properties ------------------------------------------------------------------------------

def _space_path(space: str, key: str | None = None) -> str:
    return f"{API}/space/{space}/property" + (f"/{key}" if key is not None else "")


async def test_space_properties_are_written_by_its_administrators(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "SPR")
    r = await client.post(_space_path("SPR"), headers=site.alice.bearer, json={"key": "k", "value": VALUE})
    assert r.status_code == 200, r.text
    made = r.json()
    assert made["value"] == VALUE and made["version"]["number"] == 1
    assert made["version"]["by"]["accountId"] == site.alice.account_id
    assert made["_expandable"] == {"space": "/rest/api/space/SPR"}
    # bob sees the space: he reads its properties, and may not write them
    got = await client.get(_space_path("SPR", "k") + "?expand=space", headers=site.bob.bearer)
    assert got.status_code == 200 and got.json()["space"]["key"] == "SPR" and got.json()["value"] == VALUE
    for r in (await client.post(_space_path("SPR"), headers=site.bob.bearer, json={"key": "b", "value": "v"}),
              await client.post(_space_path("SPR", "b"), headers=site.bob.bearer, json={"value": "v"}),
              await client.put(_space_path("SPR", "k"), headers=site.bob.bearer,
                               json={"value": "v", "version": {"number": 2}}),
              await client.delete(_space_path("SPR", "k"), headers=site.bob.bearer)):
        confluence_error(r, 403, "'Admin' permission")
    listed = await client.get(_space_path("SPR"), headers=site.bob.bearer)
    assert [(p["key"], p["value"]) for p in listed.json()["results"]] == [("k", VALUE)]


async def test_space_property_versions_duplicates_and_deletion(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "SPV")
    r = await client.post(_space_path("SPV", "k"), headers=site.alice.bearer, json={"value": "one"})
    assert r.status_code == 200
    confluence_error(await client.post(_space_path("SPV"), headers=site.alice.bearer, json={"key": "k", "value": "x"}),
                     409, "already exists")
    r = await client.put(_space_path("SPV", "k"), headers=site.alice.bearer,
                         json={"key": "k", "value": "two", "version": {"number": 2}, "space": {"key": "SPV"}})
    assert r.status_code == 200 and r.json()["version"]["number"] == 2
    confluence_error(await client.put(_space_path("SPV", "k"), headers=site.alice.bearer,
                                      json={"value": "x", "version": {"number": 2}}), 409)
    confluence_error(await client.put(_space_path("SPV", "k"), headers=site.alice.bearer,
                                      json={"value": "x", "version": {"number": 3}, "space": {"key": "OTHER"}}),
                     400, "space key")
    assert (await client.get(_space_path("SPV", "k"), headers=site.alice.bearer)).json()["value"] == "two"
    assert (await client.delete(_space_path("SPV", "k"), headers=site.alice.bearer)).status_code == 204
    confluence_error(await client.get(_space_path("SPV", "k"), headers=site.alice.bearer), 404)


@pytest.mark.parametrize("space", [{"key": 5}, {"key": None}, "SPQ", None])
async def test_a_space_property_with_a_bad_space_is_400(client, site, space) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "SPQ")
    r = await client.post(_space_path("SPQ"), headers=site.alice.bearer,
                          json={"key": "k", "value": "v", "space": space})
    confluence_error(r, 400)
    confluence_error(await client.get(_space_path("SPQ", "k"), headers=site.alice.bearer), 404)


async def test_space_property_limit_is_64_kb(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "SPB")
    forty = "x" * 40_000  # over a content property's limit, within a space property's
    assert (await client.post(_space_path("SPB"), headers=site.alice.bearer,
                              json={"key": "k", "value": forty})).status_code == 200
    r = await client.post(_space_path("SPB"), headers=site.alice.bearer, json={"key": "j", "value": "x" * 70_000})
    confluence_error(r, 413)
    confluence_error(await client.get(_space_path("SPB", "j"), headers=site.alice.bearer), 404)


async def test_space_properties_of_a_hidden_or_missing_space_are_404(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "SPH", private=True)
    assert (await client.post(_space_path("SPH"), headers=site.alice.bearer,
                              json={"key": "k", "value": "v"})).status_code == 200
    for r in (await client.get(_space_path("SPH"), headers=site.bob.bearer),
              await client.get(_space_path("SPH", "k"), headers=site.bob.bearer),
              await client.put(_space_path("SPH", "k"), headers=site.bob.bearer,
                               json={"value": "x", "version": {"number": 2}}),
              await client.get(_space_path("NOPE"), headers=site.bob.bearer)):
        confluence_error(r, 404, "No space with key")


# --- metadata.properties in a content create or update ---------------------------------------------

async def test_content_is_created_and_updated_with_its_properties(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/content", headers=site.bob.bearer, json={
        "type": "page", "title": "With properties", "space": {"key": "PROP"},
        "metadata": {"properties": {"appearance": {"value": "fixed-width"}, "labels-like": {"value": ["a"]}},
                     "labels": [{"name": "not-read-here"}]}})
    assert r.status_code == 200, r.text
    pid = r.json()["id"]
    got = await _stored(client, site.bob, pid, "appearance")
    assert (got["value"], got["version"]["number"]) == ("fixed-width", 1)
    r = await client.put(f"{API}/content/{pid}", headers=site.bob.bearer, json={
        "type": "page", "title": "With properties", "version": {"number": 2},
        "metadata": {"properties": {"appearance": {"value": "full-width"},
                                    "new": {"key": "new", "value": {"x": "y"}, "version": {"number": 1}}}}})
    assert r.status_code == 200, r.text
    got = await _stored(client, site.bob, pid, "appearance")
    assert (got["value"], got["version"]["number"]) == ("full-width", 2)
    assert (await _stored(client, site.bob, pid, "new"))["value"] == {"x": "y"}
    assert (await _stored(client, site.bob, pid, "labels-like"))["value"] == ["a"]


@pytest.mark.parametrize(("properties", "status"), [
    ({"appearance": {"value": "x", "version": {"number": 1}}}, 409),  # stale: it is at 1
    ({"big": {"value": "x" * 40_000}}, 413),
    ({"": {"value": "x"}}, 400),
    ({"k": {"key": "other", "value": "x"}}, 400),
    ({"k": {"value": 5}}, 400),
])
async def test_a_bad_property_leaves_the_update_unmade(client, site, page, properties, status) -> None:  # type: ignore[no-untyped-def]
    await _create(client, site.bob, page, "appearance", "fixed-width")
    r = await client.put(f"{API}/content/{page}", headers=site.bob.bearer, json={
        "type": "page", "title": "Changed", "version": {"number": 2}, "metadata": {"properties": properties}})
    confluence_error(r, status)
    now = (await client.get(f"{API}/content/{page}", headers=site.bob.bearer)).json()
    assert (now["title"], now["version"]["number"]) == ("Carrier", 1)
    listed = (await client.get(_path(page), headers=site.bob.bearer)).json()
    assert [(p["key"], p["version"]["number"]) for p in listed["results"]] == [("appearance", 1)]


async def test_a_bad_property_leaves_the_page_uncreated(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/content", headers=site.bob.bearer, json={
        "type": "page", "title": "Never", "space": {"key": "PROP"},
        "metadata": {"properties": {"big": {"value": "x" * 40_000}}}})
    confluence_error(r, 413)
    listed = (await client.get(f"{API}/content?spaceKey=PROP&title=Never", headers=site.bob.bearer)).json()
    assert listed["results"] == []
