"""Reference attributes (Organization's and Individual's `Address`): made of HasAddress relations to
Location entities, as in Reltio — posting one creates (or finds) the Location and the relation; the
value shows both."""

from __future__ import annotations

import json
import pathlib

from tests.api.reltio.conftest import address, api, make_entity, reltio_error

# Reltio's definitions as vendored (byte for byte Reltio's current "Operate" and "Ingest" documents,
# SOURCES.md): always in the checkout, so these tests never skip.
SPECS = pathlib.Path(__file__).resolve().parents[3] / "src" / "bondline" / "openapi" / "vendor" / "reltio"
ORGANIZATION = {
    "type": "configuration/entityTypes/Organization",
    "attributes": {
        "Name": [{"value": "Harley-Davidson"}],
        "Address": {"value": {"AddressLine1": [{"value": "3700 West Juneau Avenue"}], "City": [{"value": "Milwaukee"}],
                              "Country": [{"value": "US"}], "AddressRank": [{"value": "1"}]},
                    "refEntity": {"crosswalks": [{"type": "configuration/sources/LNKD", "value": "LNKD.00000"}]}},
    },
    "crosswalks": [{"type": "configuration/sources/LNKD", "value": "LNKD.7891"}],
}


def shape(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return type(value).__name__


async def test_posting_a_reference_makes_the_entity_and_the_relation(client, acme) -> None:  # type: ignore[no-untyped-def]
    org = await make_entity(client, acme.alice, ORGANIZATION)
    (addr,) = org["attributes"]["Address"]
    rel_uri, loc_uri = addr["refRelation"]["objectURI"], addr["refEntity"]["objectURI"]
    assert addr["uri"] == f"{org['uri']}/attributes/Address/{rel_uri.split('/')[1]}"
    assert addr["label"] == "3700 West Juneau Avenue" and addr["ov"] is True
    assert addr["value"]["City"][0]["type"] == "configuration/entityTypes/Location/attributes/City"
    assert addr["value"]["City"][0]["uri"].startswith(addr["uri"] + "/City/")
    assert addr["value"]["AddressRank"][0]["type"] == "configuration/relationTypes/HasAddress/attributes/AddressRank"
    assert addr["refEntity"]["type"] == "configuration/entityTypes/Location"
    assert addr["refEntity"]["crosswalks"][0]["value"] == "LNKD.00000"
    assert addr["refRelation"]["type"] == "configuration/relationTypes/HasAddress"
    assert addr["startObjectCrosswalks"] == [{"type": "configuration/sources/LNKD", "value": "LNKD.7891"}]
    location = (await client.get(api(f"/{loc_uri}"), headers=acme.alice.bearer)).json()
    assert set(location["attributes"]) == {"AddressLine1", "City", "Country"}
    relation = (await client.get(api(f"/{rel_uri}"), headers=acme.alice.bearer)).json()
    assert relation["startObject"]["objectURI"] == org["uri"] and relation["endObject"]["objectURI"] == loc_uri
    assert [v["value"] for v in relation["attributes"]["AddressRank"]] == ["1"]
    # posting it again finds the same Location (its crosswalk) and the same relation
    again = await make_entity(client, acme.alice, ORGANIZATION)
    assert again["uri"] == org["uri"] and again["attributes"]["Address"] == org["attributes"]["Address"]
    # GET shows the same value
    assert (await client.get(api(f"/{org['uri']}"), headers=acme.bob.bearer)).json()["attributes"]["Address"] == [addr]


async def test_documented_response_shape(client, acme) -> None:  # type: ignore[no-untyped-def]
    spec = json.loads((SPECS / "data-ingestion.openapi.json").read_text())
    op = spec["paths"]["/services/reltio/api/{tenantId}/entities"]["post"]
    documented = op["responses"]["200"]["content"]["application/json"]["example"][1]["object"]["attributes"]["Address"]
    org = await make_entity(client, acme.alice, ORGANIZATION)
    ours = org["attributes"]["Address"]
    want, got = shape(documented), shape(ours)
    # the same keys and value types as Reltio's example (bondline adds the schema's `type`; Reltio's
    # lookup attributes add lookupCode/lookupRawValue, which bondline's types have none of)
    got[0].pop("type")
    for values in want[0]["value"].values():
        for v in values:
            v.pop("lookupCode", None)
            v.pop("lookupRawValue", None)
    assert set(got[0]) == set(want[0])
    assert got[0]["refEntity"] == want[0]["refEntity"] and got[0]["refRelation"] == want[0]["refRelation"]
    assert got[0]["value"]["City"] == want[0]["value"]["City"]


async def test_reference_by_object_uri_and_relations_as_values(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    (addr,) = person["attributes"]["Address"]
    assert addr["refEntity"]["objectURI"] == place["uri"] and addr["refRelation"]["objectURI"] == rel["uri"]
    assert addr["value"]["AddressRank"][0]["value"] == "1"
    # a second address by objectURI, with a value for the Location and one for the relation
    r = await client.post(api("/entities"), headers=acme.alice.bearer, json=[{
        "type": "configuration/entityTypes/Individual", "crosswalks": [person["crosswalks"][0]],
        "attributes": {"Address": [{"value": {"City": [{"value": "Oxford"}], "AddressType": [{"value": "Work"}]},
                                    "refEntity": {"objectURI": place["uri"]}}]}}],
        params={"options": "partialOverride"})
    assert r.status_code == 200 and r.json()[0]["successful"], r.text
    (addr,) = r.json()[0]["object"]["attributes"]["Address"]  # one relation per type between two entities
    # by objectURI the value comes from the Location's own crosswalk: it replaces that source's City
    assert [v["value"] for v in addr["value"]["City"]] == ["Oxford"]
    assert [v["value"] for v in addr["value"]["AddressLine1"]] == ["12 Analytical Row"]
    assert addr["value"]["AddressType"][0]["value"] == "Work"
    # ignoring the relation's start reference makes the value non-ov; deleting the relation removes it
    await client.post(api("/relations"), headers=acme.alice.bearer, json=[{
        "type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": person["uri"]},
        "endObject": {"objectURI": place["uri"]}, "startRefIgnored": True}])
    got = (await client.get(api(f"/{person['uri']}"), headers=acme.alice.bearer)).json()
    assert got["attributes"]["Address"][0]["ov"] is False and got["attributes"]["Address"][0]["ignored"] is True
    assert (await client.delete(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 200
    assert "Address" not in (await client.get(api(f"/{person['uri']}"), headers=acme.alice.bearer)).json()["attributes"]


async def test_bad_references(client, acme) -> None:  # type: ignore[no-untyped-def]
    person = await make_entity(client, acme.alice)
    org = await make_entity(client, acme.alice, {"type": "configuration/entityTypes/Organization",
                                                 "attributes": {"Name": [{"value": "Acme"}]}})
    r = await client.post(api("/entities"), headers=acme.alice.bearer, json=[
        {"type": "configuration/entityTypes/Individual",
         "attributes": {"Address": [{"value": {}, "refEntity": {"objectURI": "entities/missing1"}}]}},
        {"type": "configuration/entityTypes/Individual",
         "attributes": {"Address": [{"value": {}, "refEntity": {"objectURI": org["uri"]}}]}},
        {"type": "configuration/entityTypes/Individual", "attributes": {"Address": ["not an object"]}},
    ])
    results = r.json()
    assert [x["successful"] for x in results] == [False, False, False]
    assert results[0]["errors"]["errorCode"] == 101
    # reference values are relations: the attribute endpoints refuse them
    body = reltio_error(await client.post(api(f"/{person['uri']}/attributes/Address"), headers=acme.alice.bearer,
                                          json={"value": {"City": [{"value": "X"}]}}), 400, 9012)
    assert "reference attribute" in body["errorMessage"]


async def test_staged_reference_creates_everything_on_apply(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(api("/entities"), headers=acme.bob.bearer, json=[ORGANIZATION])
    assert r.status_code == 200, r.text
    dcr = r.json()
    kinds = [items[0]["type"] for items in dcr["changes"].values()]
    assert kinds == ["CREATE_ENTITY", "CREATE_ENTITY", "CREATE_RELATIONSHIP"]
    assert all(info["isExist"] is False for info in dcr["objectsInfo"].values())
    org_uri = next(iter(dcr["changes"]))
    r = await client.get(api(f"/{org_uri}/_withChangeRequests?changeRequestIds={dcr['uri'].split('/')[1]}"),
                         headers=acme.alice.bearer)
    assert r.json()["label"] == "Harley-Davidson"
    assert (await client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.carol.bearer)).status_code == 200
    org = (await client.get(api(f"/{org_uri}"), headers=acme.alice.bearer)).json()
    (addr,) = org["attributes"]["Address"]
    assert addr["label"] == "3700 West Juneau Avenue" and addr["value"]["AddressRank"][0]["value"] == "1"


async def test_a_failing_reference_leaves_nothing_behind(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(api("/entities"), headers=acme.alice.bearer, json=[
        {"type": "configuration/entityTypes/Organization", "crosswalks": [{"type": "configuration/sources/X",
                                                                            "value": "org-1"}],
         "attributes": {"Name": [{"value": "Half"}],
                        "Address": [{"value": {"City": [{"value": "Fine"}]}},
                                    {"value": {"City": [{"value": {"not": "a string"}}]}}]}}])
    (result,) = r.json()
    assert result["successful"] is False and "must be a string" in result["errors"]["errorMessage"]
    r = await client.post(api("/entities"), headers=acme.alice.bearer, json=[
        {"type": "configuration/entityTypes/Organization", "crosswalks": [{"type": "configuration/sources/X",
                                                                            "value": "org-1"}]}])
    created = r.json()[0]["object"]
    assert created["createdTime"] == created["updatedTime"]  # new: the failed item stored nothing
    assert "Address" not in created["attributes"]
