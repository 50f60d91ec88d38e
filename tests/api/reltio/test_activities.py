"""The activity log: GET /activities shows what changed on the tenant (bondline's audit trail) as
Reltio's activities, filtered and paged; POST /activities logs a client's own activity."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.reltio.conftest import address, api, make_entity, reltio_error


async def activities(client: Any, who: Any, **query: Any) -> list[dict[str, Any]]:
    r = await client.get(api("/activities"), headers=who.bearer, params=query)
    assert r.status_code == 200, r.text
    return r.json()


def item_types(found: list[dict[str, Any]]) -> list[str]:
    return [a["items"][0]["data"]["type"] for a in found]


async def test_changes_show_as_reltio_activities_newest_first(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    r = await client.delete(api(f"/{rel['uri']}"), headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    found = await activities(client, acme.carol, max=50)
    assert item_types(found) == ["RELATIONSHIP_REMOVED", "RELATIONSHIP_CREATED", "ENTITY_CREATED", "ENTITY_CREATED",
                                 "CONFIGURATION_CHANGED"]  # the last: the tenant's types, declared when it was made
    removed = found[0]
    assert removed["user"] == acme.alice.email
    assert removed["uri"].startswith("activities/") and isinstance(removed["timestamp"], int)
    assert removed["itemsTotal"] == 1
    item = removed["items"][0]
    assert item["objectUri"] == rel["uri"] and item["objectType"] == "configuration/relationTypes/HasAddress"
    created = [a for a in found if a["items"][0]["objectUri"] == person["uri"]
               and a["items"][0]["data"]["type"] == "ENTITY_CREATED"]
    assert len(created) == 1
    assert created[0]["items"][0]["objectType"] == "configuration/entityTypes/Individual"
    assert created[0]["items"][0]["objectLabel"] == "Ada Lovelace"
    # oldest first with order=asc; paging with offset/max
    ascending = await activities(client, acme.carol, order="asc", max=50)
    assert [a["uri"] for a in ascending] == [a["uri"] for a in reversed(found)]
    page = await activities(client, acme.carol, offset=1, max=2)
    assert [a["uri"] for a in page] == [a["uri"] for a in found[1:3]]


async def test_filters(client, acme) -> None:  # type: ignore[no-untyped-def]
    person = await make_entity(client, acme.alice)
    org = await make_entity(client, acme.carol, {"type": "configuration/entityTypes/Organization",
                                                 "attributes": {"Name": [{"value": "Engines"}]}})
    everything = await activities(client, acme.alice, max=100)
    since = min(a["timestamp"] for a in everything)

    async def uris(filter: str) -> list[str]:
        return [a["items"][0]["objectUri"] for a in await activities(client, acme.alice, filter=filter, max=100)]

    assert await uris(f"gt(timestamp,{since - 1}) and equals(items.data.type,'ENTITY_CREATED')") == [
        org["uri"], person["uri"]]
    assert await uris("equals(items.objectType,'configuration/entityTypes/Organization')") == [org["uri"]]
    assert await uris(f"equals(user,'{acme.carol.email}')") == [org["uri"]]
    assert await uris(f"equals(user,'{acme.alice.account_id}')") == [person["uri"]]
    assert await uris(f"startsWith(items.objectUri,'{person['uri']}')") == [person["uri"]]
    assert await uris(f"(equals(user,'{acme.carol.email}') OR equals(user,'{acme.alice.email}')) "
                      "AND equals(items.data.type,'ENTITY_CREATED')") == [org["uri"], person["uri"]]
    assert await uris(f"not equals(user,'{acme.carol.email}') and equals(items.data.type,'ENTITY_CREATED')") == [
        person["uri"]]
    assert await uris(f"lt(timestamp,{since})") == []
    assert await uris("equals(items.data.type,'ENTITIES_MERGED')") == []
    assert await uris("equals(user,'nobody@example.com')") == []


@pytest.mark.parametrize(("query", "fragment"), [
    ({"filter": "equals(items.data.type,'ENTITY_CREATED'"}, "Invalid filter"),
    ({"filter": "equals(color,'red')"}, "unknown field"),
    ({"filter": "fuzzy(user,'x')"}, "unsupported condition"),
    ({"filter": "gt(timestamp,yesterday)"}, "milliseconds"),
    ({"filter": "gt(timestamp,99999999999999999999999)"}, "out of range"),
    ({"filter": "equals(user,'a') or"}, "Invalid filter"),
    ({"filter": "not " * 50 + "equals(user,'a')"}, "nested too deeply"),
    ({"filter": "inSameAttributeValue(equals(user,'a'))"}, "does not apply to activities"),
    ({"filter": "equals()"}, "needs a field"),
    ({"max": "0"}, "'max'"),
    ({"max": "x"}, "'max'"),
    ({"offset": "-1"}, "'offset'"),
    ({"order": "sideways"}, "'order'"),
])
async def test_bad_parameters_are_reltios_400(client, acme, query, fragment) -> None:  # type: ignore[no-untyped-def]
    reltio_error(await client.get(api("/activities"), headers=acme.alice.bearer, params=query), 400,
                 fragment=fragment)


async def test_clients_log_their_own_activities(client, acme) -> None:  # type: ignore[no-untyped-def]
    body = {"label": "MCP_ACTIVITY", "description": "get_entity_tool : fetched entities/abc",
            "items": [{"objectUri": "entities/abc", "data": {"type": "ENTITY_VIEWED"}}]}
    r = await client.post(api("/activities"), headers={**acme.bob.bearer, "ActivityID": "d7f7-22cd-a022424f"},
                          json=body)
    assert r.status_code == 200, r.text
    logged = r.json()
    assert logged["label"] == "MCP_ACTIVITY" and logged["user"] == acme.bob.email
    assert logged["items"][0]["objectUri"] == "entities/abc" and logged["itemsTotal"] == 1
    found = await activities(client, acme.alice)
    assert found[0]["uri"] == logged["uri"]
    assert found[0]["description"] == body["description"] and found[0]["label"] == "MCP_ACTIVITY"
    assert [a["uri"] for a in await activities(client, acme.alice, filter="equals(items.data.type,'USER_ACTIVITY')")
            ] == [logged["uri"]]
    # without items: a bare label and description
    r = await client.post(api("/activities"), headers=acme.alice.bearer, json={"description": "just saying"})
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["label"] == "USER_ACTIVITY"


@pytest.mark.parametrize(("body", "fragment"), [
    ([], "JSON object"),
    ({"label": 5}, "'label' must be a string"),
    ({"label": "x" * 300}, "longer than"),
    ({"items": {"a": 1}}, "'items' must be an array"),
    ({"items": ["x"]}, "must be a JSON object"),
    ({"items": [{"data": {"nested": {"x": 1}}}]}, "'data'"),
    ({"colour": "red"}, "Unknown activity fields"),
])
async def test_bad_activities_are_reltios_400_and_store_nothing(client, acme, body, fragment) -> None:  # type: ignore[no-untyped-def]
    before = await activities(client, acme.alice, max=100)
    reltio_error(await client.post(api("/activities"), headers=acme.alice.bearer, json=body), 400, fragment=fragment)
    assert await activities(client, acme.alice, max=100) == before


async def test_other_tenants_activities_stay_there(client, acme, app) -> None:  # type: ignore[no-untyped-def]
    from bondline.services.reltio import tenants

    await tenants.add(app.store, "acme2")
    await tenants.grant(app.store, "acme2", acme.alice.account_id, ["ROLE_USER"])
    await make_entity(client, acme.alice)
    r = await client.get("/reltio/api/acme2/activities", headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    # only the new tenant's types, declared by the operator who made it
    assert [(a["label"], a["items"][0]["objectUri"]) for a in r.json()] == [("CONFIGURATION_CHANGED", "configuration")]
    # bob has no role there: Reltio's 804
    reltio_error(await client.get("/reltio/api/acme2/activities", headers=acme.bob.bearer), 403, 804)


FILTER_PARTS = st.sampled_from([
    "equals(", "startsWith(", "gt(", "lt(", "range(", "fuzzy(", "timestamp", "user", "items.data.type",
    "items.objectType", "items.objectUri", ",", ")", "(", " and ", " or ", " not ", "'x'", "'", "12", "-1",
    "'configuration/entityTypes/Individual'", "'ENTITY_CREATED'", "\\", "%", "_"])


async def test_generated_filters_are_200_or_400(client, acme) -> None:  # type: ignore[no-untyped-def]
    await make_entity(client, acme.alice)
    filters: list[str] = []

    @settings(max_examples=80, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(FILTER_PARTS, max_size=12).map("".join) | st.text(max_size=30))
    def generate(text: str) -> None:
        filters.append(text)

    generate()
    for text in filters:
        r = await client.get(api("/activities"), headers=acme.alice.bearer, params={"filter": text})
        assert r.status_code in (200, 400), (text, r.text)
        if r.status_code == 400:
            reltio_error(r, 400)
