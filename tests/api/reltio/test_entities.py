"""Entities: POST /entities (per-item results, crosswalk merges, Reltio's documented example), GET,
DELETE (with its relations), cumulative update, both path prefixes, and bad input."""

from __future__ import annotations

from tests.api.reltio.conftest import INDIVIDUAL, LOCATION, TENANT, address, api, make_entity, reltio_error


async def test_create_and_get_under_both_prefixes(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice)
    assert created["type"] == "configuration/entityTypes/Individual"
    assert created["label"] == "Ada Lovelace" and created["secondaryLabel"] == ""
    (first,) = created["attributes"]["FirstName"]
    assert first["value"] == "Ada" and first["ov"] is True
    assert first["type"] == "configuration/entityTypes/Individual/attributes/FirstName"
    assert first["uri"].startswith(created["uri"] + "/attributes/FirstName/")
    (xw,) = created["crosswalks"]
    assert xw["type"] == "configuration/sources/LNKD" and first["uri"] in xw["attributes"]
    assert created["createdBy"] == "alice@example.com" and isinstance(created["createdTime"], int)
    for prefix in (f"/reltio/api/{TENANT}", f"/services/reltio/api/{TENANT}"):
        r = await client.get(f"{prefix}/{created['uri']}", headers=acme.bob.bearer)
        assert r.status_code == 200 and r.json() == created


async def test_reltio_documented_example_runs_as_written(client, acme) -> None:  # type: ignore[no-untyped-def]
    from bondline.openapi import vendor

    spec = vendor.raw("reltio")
    op = spec["paths"]["/services/reltio/api/{tenantId}/entities"]["post"]
    example = op["requestBody"]["content"]["application/json"]["examples"]["sample"]["value"]
    r = await client.post(api("/entities"), headers=acme.alice.bearer, json=example)
    assert r.status_code == 200, r.text
    results = r.json()
    assert [x["index"] for x in results] == [0, 1] and all(x["successful"] for x in results)
    person, org = results[0]["object"], results[1]["object"]
    assert set(person["attributes"]) == {"FirstName", "LastName", "Education"}  # BithCity is not declared: dropped
    assert person["tags"] == ["motorcycles"]
    assert org["label"] == "Harley-Davidson"
    (addr,) = org["attributes"]["Address"]
    assert addr["value"]["City"][0]["type"] == "configuration/entityTypes/Location/attributes/City"


async def test_crosswalk_match_updates_the_entity(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice)
    again = {**INDIVIDUAL, "attributes": {"FirstName": [{"value": "Augusta Ada"}], "LastName": [{"value": "Lovelace"}]}}
    updated = await make_entity(client, acme.alice, again)
    assert updated["uri"] == created["uri"]
    assert [v["value"] for v in updated["attributes"]["FirstName"]] == ["Augusta Ada"]
    # an unchanged value keeps its URI
    assert updated["attributes"]["LastName"][0]["uri"] == created["attributes"]["LastName"][0]["uri"]
    assert updated["label"] == "Augusta Ada Lovelace"
    # partialOverride leaves attributes that are not posted alone
    r = await client.post(api("/entities?options=partialOverride"), headers=acme.alice.bearer, json=[
        {**INDIVIDUAL, "attributes": {"MiddleName": [{"value": "King"}]}}])
    attrs = r.json()[0]["object"]["attributes"]
    assert set(attrs) == {"FirstName", "LastName", "MiddleName"}


async def test_entity_without_crosswalk_gets_reltios_own(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice, {"type": "configuration/entityTypes/Organization",
                                                     "attributes": {"Name": [{"value": "Acme"}]}})
    (xw,) = created["crosswalks"]
    assert xw["type"] == "configuration/sources/Reltio" and xw["value"] == created["uri"].split("/")[1]
    assert created["label"] == "Acme"


async def test_per_item_results_with_errors(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(api("/entities"), headers=acme.alice.bearer, json=[
        {"type": "configuration/entityTypes/Unicorn", "attributes": {}},
        LOCATION,
        {"type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": {"x": 1}}]}},
        "not an object",
    ])
    assert r.status_code == 200
    results = r.json()
    assert [x["successful"] for x in results] == [False, True, False, False]
    assert results[0]["errors"]["errorCode"] == 119
    assert results[0]["errors"]["errorMessage"] == (
        f"Type is not found for URI configuration/entityTypes/Unicorn and tenant {TENANT}")
    assert "TYPE_IS_NOT_FOUND" in results[0]["errors"]["innerErrorData"]["exception"]
    assert "object" not in results[0] and results[1]["object"]["type"].endswith("Location")
    r = await client.post(api("/entities?returnObjects=false"), headers=acme.alice.bearer, json=[LOCATION])
    assert r.json() == [{"index": 0, "uri": results[1]["object"]["uri"], "successful": True}]


async def test_delete_entity_removes_its_relations(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    r = await client.delete(api(f"/{person['uri']}"), headers=acme.alice.bearer)
    assert r.status_code == 200 and r.json() == {"status": "success"}
    reltio_error(await client.get(api(f"/{person['uri']}"), headers=acme.alice.bearer), 404, 101)
    reltio_error(await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer), 404, 101)
    assert (await client.get(api(f"/{place['uri']}"), headers=acme.alice.bearer)).status_code == 200
    # its crosswalk is free again: posting it creates a new entity
    again = await make_entity(client, acme.alice)
    assert again["uri"] != person["uri"]
    reltio_error(await client.delete(api(f"/{person['uri']}"), headers=acme.alice.bearer), 404, 101)


async def test_cumulative_update(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice)
    first = created["attributes"]["FirstName"][0]["uri"]
    last = created["attributes"]["LastName"][0]["uri"]
    r = await client.post(api(f"/{created['uri']}/_update"), headers=acme.alice.bearer, json=[
        {"type": "UPDATE_ATTRIBUTE", "uri": first, "newValue": [{"value": "Willy"}],
         "crosswalk": {"type": "configuration/sources/LNKD", "value": "ada"}},
        {"type": "DELETE_ATTRIBUTE", "uri": last},
        {"type": "INSERT_ATTRIBUTE", "uri": f"{created['uri']}/attributes/Email", "newValue": [{"value": "a@x.org"}]},
    ])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["attributes"]["FirstName"][0] == {**created["attributes"]["FirstName"][0], "value": "Willy"}
    assert "LastName" not in body["attributes"] and body["attributes"]["Email"][0]["value"] == "a@x.org"
    assert body["label"] == "Willy"
    # a crosswalk of another entity is refused, as Reltio documents
    await make_entity(client, acme.alice, LOCATION)
    r = await client.post(api(f"/{created['uri']}/_update"), headers=acme.alice.bearer, json=[
        {"type": "INSERT_ATTRIBUTE", "uri": f"{created['uri']}/attributes/Email", "newValue": [{"value": "b"}],
         "crosswalk": {"type": "configuration/sources/LNKD", "value": "loc1"}}])
    reltio_error(r, 400, fragment="Cumulative update request should not contain crosswalk of already existing entity")


async def test_malformed_and_mistyped_bodies(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(api("/entities"), headers={**acme.alice.bearer, "Content-Type": "application/json"},
                          content=b"[{")
    body = reltio_error(r, 400, 150)
    assert body == {
        "severity": "Error", "errorMessage": "Failed to parse content as JSON", "errorCode": 150,
        "errorDetailMessage": "Expecting request content in JSON format, failed to parse. Reason: Code: "
                              "UNMARSHALLING_IO_ERROR; Message parameters: []. UnMarshalling I/O Error. UnMarshalling "
                              "I/O Error",
        "innerErrorData": {"exception": "com.reltio.rest.data.marshalling.MarshallerException:Code: "
                                        "UNMARSHALLING_IO_ERROR; Message parameters: []. UnMarshalling I/O Error. "
                                        "UnMarshalling I/O Error"}}
    reltio_error(await client.post(api("/entities"), headers=acme.alice.bearer, json={"type": "x"}), 400, 150)
    reltio_error(await client.post(api("/entities"), headers=acme.alice.bearer), 400, 150)
    r = await client.post(api("/entities/abc/_update"), headers=acme.alice.bearer, json=[{"type": "NOPE"}])
    reltio_error(r, 400)


async def test_unknown_and_over_long_ids(client, acme) -> None:  # type: ignore[no-untyped-def]
    body = reltio_error(await client.get(api("/entities/XYZ"), headers=acme.alice.bearer), 404, 101)
    assert body["errorMessage"] == "Object with id=entities/XYZ not found"
    assert body["errorDetailMessage"] == "No object with specified id found"
    assert body["innerErrorData"]["exception"] == (
        "com.reltio.metadata.errors.CommonException:Code: OBJECT_NOT_FOUND; Message parameters: [entities/XYZ]. "
        "Object with id=entities/XYZ not found. No object with specified id found")
    reltio_error(await client.get(api("/entities/" + "A" * 300), headers=acme.alice.bearer), 404, 101)
    reltio_error(await client.get(api("/entities/a%20b"), headers=acme.alice.bearer), 404, 101)
    reltio_error(await client.get(api("/nothing/here"), headers=acme.alice.bearer), 404)


async def test_options_and_select(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice)
    r = await client.get(api(f"/{created['uri']}?select=uri,label,attributes.FirstName"), headers=acme.alice.bearer)
    assert r.json() == {"uri": created["uri"], "label": "Ada Lovelace",
                        "attributes": {"FirstName": created["attributes"]["FirstName"]}}
    r = await client.get(api(f"/{created['uri']}?options=nonOvOnly"), headers=acme.alice.bearer)
    assert r.json()["attributes"] == {}
