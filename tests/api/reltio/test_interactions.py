"""Interactions: POST /interactions creates them with their members (entities of the tenant, under
member types the tenant declares); GET /entities/{id}/_interactions reads an entity's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.reltio.conftest import LOCATION, api, make_entity, reltio_error

LUNCH = "configuration/interactionTypes/Lunch"


def lunch(organizer: str, *participants: str, timestamp: int = 1338580800000) -> dict[str, Any]:
    return {"type": LUNCH, "timestamp": timestamp,
            "attributes": {"Place": [{"value": "Shire, Bag End in Hobbiton"}], "Notes": [{"value": "Lembas"}]},
            "members": {"Organizers": {"type": f"{LUNCH}/memberTypes/Organizers",
                                       "members": [{"objectURI": organizer}]},
                        "Participants": {"members": [{"objectURI": p} for p in participants]}}}


async def test_create_and_read_an_entitys_interactions(client, acme) -> None:  # type: ignore[no-untyped-def]
    bilbo = await make_entity(client, acme.alice)
    frodo = await make_entity(client, acme.alice, {"type": "configuration/entityTypes/Individual",
                                                   "attributes": {"FirstName": [{"value": "Frodo"}]}})
    r = await client.post(api("/interactions"), headers=acme.alice.bearer,
                          json=[lunch(bilbo["uri"], frodo["uri"]), lunch(frodo["uri"], timestamp=1338580900000)])
    assert r.status_code == 200, r.text
    first, second = r.json()
    assert first["index"] == 0 and first["successful"] is True
    made = first["object"]
    assert made["uri"].startswith("interactions/") and made["type"] == LUNCH
    assert made["timestamp"] == 1338580800000 and made["createdBy"] == acme.alice.email
    assert made["attributes"]["Place"][0]["value"] == "Shire, Bag End in Hobbiton"
    assert made["attributes"]["Place"][0]["type"] == f"{LUNCH}/attributes/Place"
    organizers = made["members"]["Organizers"]
    assert organizers["type"] == f"{LUNCH}/memberTypes/Organizers"
    assert organizers["members"] == [{"objectURI": bilbo["uri"], "type": "configuration/entityTypes/Individual",
                                      "label": "Ada Lovelace"}]
    # Frodo's: newest first, both of them
    r = await client.get(api(f"/{frodo['uri']}/_interactions"), headers=acme.bob.bearer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["uri"] for x in body["interactions"]] == [second["object"]["uri"], made["uri"]]
    assert body["totalFetched"] == 2 and body["fetchedAll"] is True
    # Bilbo's: one; paging and order
    r = await client.get(api(f"/{bilbo['uri']}/_interactions"), headers=acme.bob.bearer)
    assert [x["uri"] for x in r.json()["interactions"]] == [made["uri"]]
    r = await client.get(api(f"/{frodo['uri']}/_interactions"), headers=acme.bob.bearer,
                         params={"order": "asc", "max": 1})
    assert [x["uri"] for x in r.json()["interactions"]] == [made["uri"]] and r.json()["fetchedAll"] is False
    # the activity log shows them
    found = (await client.get(api("/activities"), headers=acme.bob.bearer,
                              params={"filter": "equals(items.data.type,'INTERACTION_CREATED')"})).json()
    assert {a["items"][0]["objectUri"] for a in found} == {made["uri"], second["object"]["uri"]}
    assert {a["items"][0]["objectType"] for a in found} == {LUNCH}
    by_type = (await client.get(api("/activities"), headers=acme.bob.bearer,
                                params={"filter": f"equals(items.objectType,'{LUNCH}')"})).json()
    assert [a["uri"] for a in by_type] == [a["uri"] for a in found]


@pytest.mark.parametrize(("change", "fragment"), [
    ({"type": "configuration/interactionTypes/Dinner"}, "Type is not found"),
    ({"type": None}, "'type' is required"),
    ({"members": {"Waiters": {"members": []}}}, "no member type 'Waiters'"),
    ({"members": {"Chefs": {"members": [{"objectURI": "relations/x"}]}}}, "each member"),
    ({"members": {"Chefs": {"members": [{"objectURI": "entities/0000000"}]}}}, "entities/0000000"),
    ({"members": {"Chefs": {"type": f"{LUNCH}/memberTypes/Organizers", "members": []}}}, "'type' must be"),
    ({"attributes": {"Menu": [{"value": "x"}]}}, "no attribute 'Menu'"),
    ({"attributes": {"Place": [{"value": {"x": 1}}]}}, "each value"),
    ({"timestamp": "yesterday"}, "'timestamp'"),
    ({"colour": "red"}, "Unknown interaction fields"),
    ({"members": {"Chefs": {"members": [{"objectURI": "{place}"}]}}}, "member type Chefs takes"),
])
async def test_bad_interactions_fail_one_by_one(client, acme, change, fragment) -> None:  # type: ignore[no-untyped-def]
    bilbo = await make_entity(client, acme.alice)
    if "{place}" in str(change):  # a Location where only Individuals may be
        place = await make_entity(client, acme.alice, LOCATION)
        change = {"members": {"Chefs": {"members": [{"objectURI": place["uri"]}]}}}
    r = await client.post(api("/interactions"), headers=acme.alice.bearer,
                          json=[{**lunch(bilbo["uri"]), **change}, lunch(bilbo["uri"])])
    assert r.status_code == 200, r.text
    bad, good = r.json()
    assert bad["successful"] is False and bad["index"] == 0
    assert fragment in bad["errors"]["errorMessage"] + bad["errors"]["errorDetailMessage"], bad
    assert good["successful"] is True
    listed = (await client.get(api(f"/{bilbo['uri']}/_interactions"), headers=acme.alice.bearer)).json()
    assert [x["uri"] for x in listed["interactions"]] == [good["object"]["uri"]]


async def test_bad_requests_are_reltios_400(client, acme) -> None:  # type: ignore[no-untyped-def]
    place = await make_entity(client, acme.alice, LOCATION)
    reltio_error(await client.post(api("/interactions"), headers=acme.alice.bearer, json={"type": LUNCH}), 400)
    reltio_error(await client.post(api("/interactions?options=bogus"), headers=acme.alice.bearer, json=[]), 400)
    for query in ({"order": "up"}, {"max": "0"}, {"sort": "type"}, {"filter": "equals(type,'x')"}):
        reltio_error(await client.get(api(f"/{place['uri']}/_interactions"), headers=acme.alice.bearer,
                                      params=query), 400)
    reltio_error(await client.get(api("/entities/0000000/_interactions"), headers=acme.alice.bearer), 404)
    # bob (ROLE_INITIATOR) reads but may not create
    reltio_error(await client.post(api("/interactions"), headers=acme.bob.bearer, json=[lunch(place["uri"])]),
                 403, 804)
