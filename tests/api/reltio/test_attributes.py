"""bondline's attribute endpoints, applied at once (callers with UPDATE): insert, update, delete,
pin, ignore — on entities, nested values and relations — and how `ov` follows pins and ignores."""

from __future__ import annotations

from tests.api.reltio.conftest import address, api, make_entity, reltio_error


async def test_insert_update_delete_values(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice)
    uri = created["uri"]
    r = await client.post(api(f"/{uri}/attributes/FirstName"), headers=acme.alice.bearer,
                          json=[{"value": "Augusta"}])
    assert r.status_code == 200, r.text
    names = r.json()["attributes"]["FirstName"]
    assert [(v["value"], v["ov"]) for v in names] == [("Ada", False), ("Augusta", True)]
    assert r.json()["label"] == "Augusta Lovelace"
    new_uri = names[1]["uri"]
    r = await client.put(api(f"/{new_uri}"), headers=acme.alice.bearer, json={"value": "Augusta Ada"})
    assert r.json()["attributes"]["FirstName"][1] == {**names[1], "value": "Augusta Ada"}
    r = await client.delete(api(f"/{new_uri}"), headers=acme.alice.bearer)
    assert [v["value"] for v in r.json()["attributes"]["FirstName"]] == ["Ada"]
    reltio_error(await client.delete(api(f"/{new_uri}"), headers=acme.alice.bearer), 404, 101,
                 f"Object with id={new_uri} not found")


async def test_pin_and_ignore_choose_the_ov(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice)
    uri = created["uri"]
    body = (await client.post(api(f"/{uri}/attributes/FirstName"), headers=acme.alice.bearer,
                              json={"value": "Augusta"})).json()
    ada, augusta = body["attributes"]["FirstName"]
    r = await client.put(api(f"/{ada['uri']}/pin"), headers=acme.alice.bearer, json={"value": True})
    values = r.json()["attributes"]["FirstName"]
    assert values[0]["pin"] is True and values[0]["ov"] is True and values[1]["ov"] is False
    r = await client.put(api(f"/{ada['uri']}/pin"), headers=acme.alice.bearer, json={"value": False})
    r = await client.put(api(f"/{augusta['uri']}/ignored"), headers=acme.alice.bearer, json={"value": "true"})
    values = r.json()["attributes"]["FirstName"]
    assert values[1]["ignored"] is True and values[1]["ov"] is False and values[0]["ov"] is True
    assert "pin" not in values[0]
    reltio_error(await client.put(api(f"/{ada['uri']}/pin"), headers=acme.alice.bearer, json={"value": "maybe"}), 400)


async def test_nested_values(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice)
    uri = created["uri"]
    r = await client.post(api(f"/{uri}/attributes/Phone"), headers=acme.alice.bearer,
                          json=[{"value": {"Type": [{"value": "Mobile"}], "Number": [{"value": "555"}]}}])
    (phone,) = r.json()["attributes"]["Phone"]
    assert phone["label"] == "Mobile 555"
    number_type = "configuration/entityTypes/Individual/attributes/Phone/attributes/Number"
    assert phone["value"]["Number"][0]["type"] == number_type
    number = phone["value"]["Number"][0]["uri"]
    assert number.startswith(phone["uri"] + "/Number/")
    r = await client.put(api(f"/{number}"), headers=acme.alice.bearer, json={"value": "556"})
    assert r.json()["attributes"]["Phone"][0]["value"]["Number"][0]["value"] == "556"
    r = await client.post(api(f"/{phone['uri']}/Extension"), headers=acme.alice.bearer, json={"value": "12"})
    assert r.json()["attributes"]["Phone"][0]["value"]["Extension"][0]["value"] == "12"
    r = await client.delete(api(f"/{number}"), headers=acme.alice.bearer)
    assert "Number" not in r.json()["attributes"]["Phone"][0]["value"]


async def test_relation_attributes(client, acme) -> None:  # type: ignore[no-untyped-def]
    _, _, rel = await address(client, acme.alice)
    r = await client.post(api(f"/{rel['uri']}/attributes/AddressType"), headers=acme.alice.bearer,
                          json={"value": "Home"})
    assert r.status_code == 200, r.text
    assert r.json()["attributes"]["AddressType"][0]["uri"].startswith(rel["uri"] + "/attributes/AddressType/")
    assert r.json()["startObject"]["objectURI"] == rel["startObject"]["objectURI"]


async def test_bad_attribute_requests(client, acme) -> None:  # type: ignore[no-untyped-def]
    created = await make_entity(client, acme.alice)
    uri = created["uri"]
    body = reltio_error(await client.post(api(f"/{uri}/attributes/Shoe"), headers=acme.alice.bearer,
                                          json={"value": "42"}), 400, 9005)
    assert "configuration/entityTypes/Individual/attributes/Shoe" in body["errorMessage"]
    reltio_error(await client.post(api(f"/{uri}/attributes/FirstName"), headers=acme.alice.bearer,
                                   json={"value": ["x"]}), 400)
    reltio_error(await client.post(api(f"/{uri}/attributes/FirstName"), headers=acme.alice.bearer, json=[]), 400)
    reltio_error(await client.put(api(f"/{uri}/attributes/FirstName/nope"), headers=acme.alice.bearer,
                                  json={"value": "x"}), 404, 101)
    reltio_error(await client.put(api(f"/{uri}/attributes/FirstName/nope"), headers=acme.alice.bearer,
                                  json={"novalue": "x"}), 400, 150)
    reltio_error(await client.post(api("/entities/missing/attributes/FirstName"), headers=acme.alice.bearer,
                                   json={"value": "x"}), 404, 101)
