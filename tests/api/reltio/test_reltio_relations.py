"""Relations: POST /relations (by objectURI or crosswalk, one per type/start/end), GET, DELETE, and
bad input."""

from __future__ import annotations

from tests.api.reltio.conftest import LOCATION, address, api, make_entity, reltio_error


async def test_create_by_crosswalk_and_read(client, acme) -> None:  # type: ignore[no-untyped-def]
    person = await make_entity(client, acme.alice)
    org = await make_entity(client, acme.alice, {"type": "configuration/entityTypes/Organization",
                                                 "attributes": {"Name": [{"value": "Harley-Davidson"}]},
                                                 "crosswalks": [{"type": "configuration/sources/LNKD",
                                                                 "value": "LNKD.7891"}]})
    r = await client.post(api("/relations"), headers=acme.alice.bearer, json=[{
        "type": "configuration/relationTypes/affiliatedwith",
        "startObject": {"crosswalks": [{"type": "configuration/sources/LNKD", "value": "ada"}]},
        "endObject": {"crosswalks": [{"type": "configuration/sources/LNKD", "value": "LNKD.7891"}]},
        "attributes": {"Title": [{"value": "Co-Founder"}]}}])
    assert r.status_code == 200, r.text
    (result,) = r.json()
    assert result["index"] == 0 and result["successful"] is True
    rel = result["object"]
    assert list(rel) == ["uri", "type", "createdBy", "createdTime", "updatedBy", "updatedTime", "startRefPinned",
                         "startRefIgnored", "endRefPinned", "endRefIgnored", "attributes", "crosswalks",
                         "startObject", "endObject"]
    assert rel["startObject"]["objectURI"] == person["uri"] and rel["endObject"]["objectURI"] == org["uri"]
    assert rel["startObject"]["directionalLabel"] == "affiliated with"
    assert rel["endObject"]["label"] == "Harley-Davidson"
    assert rel["startObject"]["crosswalks"] == person["crosswalks"]
    (xw,) = rel["crosswalks"]
    assert xw["type"] == "configuration/sources/Reltio" and xw["value"] == rel["uri"].split("/")[1]
    assert rel["attributes"]["Title"][0]["type"] == "configuration/relationTypes/affiliatedwith/attributes/Title"
    got = await client.get(api(f"/{rel['uri']}"), headers=acme.bob.bearer)
    assert got.status_code == 200 and got.json() == rel


async def test_one_relation_per_type_start_and_end(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    r = await client.post(api("/relations"), headers=acme.alice.bearer, json=[{
        "type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": person["uri"]},
        "endObject": {"objectURI": place["uri"]}, "attributes": {"AddressType": [{"value": "Home"}]},
        "crosswalks": [{"type": "configuration/sources/CRM", "value": "r-1"}]}])
    again = r.json()[0]["object"]
    assert again["uri"] == rel["uri"]
    assert set(again["attributes"]) == {"AddressRank", "AddressType"}
    assert [x["type"] for x in again["crosswalks"]] == ["configuration/sources/Reltio", "configuration/sources/CRM"]


async def test_delete_relation(client, acme) -> None:  # type: ignore[no-untyped-def]
    _, _, rel = await address(client, acme.alice)
    for prefix in ("/services/reltio/api/acme", "/reltio/api/acme"):
        r = await client.delete(f"{prefix}/{rel['uri']}", headers=acme.alice.bearer)
        if prefix.startswith("/services"):
            assert r.status_code == 200 and r.json() == {"status": "success"}
        else:
            reltio_error(r, 404, 101, "Object with id=" + rel["uri"] + " not found")


async def test_bad_relations(client, acme) -> None:  # type: ignore[no-untyped-def]
    person = await make_entity(client, acme.alice)
    place = await make_entity(client, acme.alice, LOCATION)
    r = await client.post(api("/relations"), headers=acme.alice.bearer, json=[
        {"type": "configuration/relationTypes/Nope", "startObject": {"objectURI": person["uri"]},
         "endObject": {"objectURI": place["uri"]}},
        {"type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": "entities/missing1"},
         "endObject": {"objectURI": place["uri"]}},
        {"type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": place["uri"]},
         "endObject": {"objectURI": person["uri"]}},
        {"type": "configuration/relationTypes/HasAddress", "endObject": {"objectURI": place["uri"]}},
        {"type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": person["uri"]},
         "endObject": {"objectURI": place["uri"]}, "attributes": []},
    ])
    assert r.status_code == 200
    results = r.json()
    assert [x["successful"] for x in results] == [False] * 5
    assert results[0]["errors"]["errorCode"] == 119
    assert results[1]["errors"]["errorCode"] == 101
    assert "cannot start at" in results[2]["errors"]["errorMessage"]
    reltio_error(await client.post(api("/relations"), headers=acme.alice.bearer, content=b"{oops",
                                   ), 400, 150)
    reltio_error(await client.get(api("/relations/ZZZ"), headers=acme.alice.bearer), 404, 101)
    reltio_error(await client.delete(api("/relations/ZZZ"), headers=acme.alice.bearer), 404, 101)


async def test_relation_read_again_is_unchanged_and_sees_changes(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    """A relation read is kept parsed by the worker's read cache and handed to every request that
    repeats it until something commits: reading it with `select` must not change what the next
    read shows, and a change is seen by the very next read."""
    person, place, rel = await address(client, acme.alice)
    url = api(f"/{rel['uri']}")
    first = (await client.get(url, headers=acme.alice.bearer)).json()
    hits = app.store.pool_stats()["read_cache_hits"]
    for query in ("?select=attributes", "?select=uri,crosswalks,startObject", "?options=resolveMergedEntities",
                  "?select=attributes.AddressRank", ""):
        r = await client.get(url + query, headers=acme.bob.bearer)
        assert r.status_code == 200, r.text
    assert r.json() == first
    assert (await client.get(url, headers=acme.alice.bearer)).json() == first
    assert app.store.pool_stats()["read_cache_hits"] > hits  # the reads were answered from the cache
    r = await client.post(api("/relations"), headers=acme.alice.bearer, json=[{
        "type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": person["uri"]},
        "endObject": {"objectURI": place["uri"]}, "attributes": {"AddressType": [{"value": "Work"}]}}])
    assert r.status_code == 200 and r.json()[0]["successful"], r.text
    after = (await client.get(url, headers=acme.bob.bearer)).json()
    assert [v["value"] for v in after["attributes"]["AddressType"]] == ["Work"]
    assert after["updatedTime"] >= first["updatedTime"] and after != first
