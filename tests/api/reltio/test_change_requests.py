"""The change request endpoints: create, read, search (Reltio's filter syntax), _byUris, delete,
items, external info; and how writes route into change requests."""

from __future__ import annotations

import asyncio

import pytest

from bondline.services import accounts
from bondline.services.reltio import tenants
from tests.api.reltio.conftest import address, api, make_entity, reltio_error


async def new_dcr(client, who) -> dict:  # type: ignore[no-untyped-def]
    r = await client.post(api("/changeRequests"), headers=who.bearer)
    assert r.status_code == 200, r.text
    return r.json()


async def test_create_and_read_an_empty_request(client, acme) -> None:  # type: ignore[no-untyped-def]
    dcr = await new_dcr(client, acme.bob)
    assert list(dcr) == ["uri", "createdBy", "createdTime", "updatedBy", "updatedTime", "changes", "type", "state"]
    assert dcr["changes"] == {} and dcr["state"] == "AWAITING_REVIEW" and dcr["createdBy"] == "bob@example.com"
    r = await client.get(api(f"/{dcr['uri']}?showObjectsMetadata=true&showConflicts=true"), headers=acme.carol.bearer)
    assert r.json() == {**dcr, "objectsInfo": {}}
    assert (await client.get(api(f"/{dcr['uri']}?select=uri,state"), headers=acme.carol.bearer)).json() == {
        "uri": dcr["uri"], "state": "AWAITING_REVIEW"}
    reltio_error(await client.get(api("/changeRequests/NOPE123"), headers=acme.bob.bearer), 404, 101,
                 "Object with id=changeRequests/NOPE123 not found")
    # carol (reviewer) may not initiate
    reltio_error(await client.post(api("/changeRequests"), headers=acme.carol.bearer), 403, 804)


async def test_writes_into_a_named_request(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    dcr = await new_dcr(client, acme.alice)
    dcr_id = dcr["uri"].split("/")[1]
    r = await client.post(api(f"/entities?changeRequestId={dcr_id}"), headers=acme.alice.bearer, json=[{
        "type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": "Grace"}]}}])
    assert r.status_code == 200 and r.json()["uri"] == dcr["uri"]
    r = await client.post(api(f"/{person['uri']}/attributes/Email?changeRequestId=changeRequests/{dcr_id}"),
                          headers=acme.alice.bearer, json={"value": "ada@x.org"})
    body = r.json()
    assert [i[0]["type"] for i in body["changes"].values()] == ["CREATE_ENTITY", "INSERT_ATTRIBUTE"]
    # posting an existing entity's crosswalk into a request stages the values it lacks
    r = await client.post(api(f"/entities?changeRequestId={dcr_id}"), headers=acme.alice.bearer, json=[{
        "type": "configuration/entityTypes/Individual", "crosswalks": person["crosswalks"][:1],
        "attributes": {"FirstName": [{"value": "Ada"}], "MiddleName": [{"value": "King"}]}}])
    items = r.json()["changes"][person["uri"]]
    assert [(i["type"], i["attributePath"], i["newValue"]) for i in items[1:]] == [
        ("INSERT_ATTRIBUTE", "MiddleName", {"value": "King"})]
    # nothing changed yet
    assert (await client.get(api(f"/{person['uri']}"), headers=acme.alice.bearer)).json() == person
    # unknown request: 404; a request that is no longer awaiting review: 400
    reltio_error(await client.delete(api(f"/{rel['uri']}?changeRequestId=NOPE123"), headers=acme.alice.bearer),
                 404, 101)
    assert (await client.post(api(f"/{dcr['uri']}/_reject"), headers=acme.carol.bearer)).status_code == 200
    reltio_error(await client.delete(api(f"/{rel['uri']}?changeRequestId={dcr_id}"), headers=acme.alice.bearer),
                 400, fragment="REJECTED")
    reltio_error(await client.delete(api(f"/{rel['uri']}?changeRequestId="), headers=acme.alice.bearer), 400)


async def test_items_and_request_deletion(client, acme) -> None:  # type: ignore[no-untyped-def]
    _, _, rel = await address(client, acme.alice)
    dcr = (await client.delete(api(f"/{rel['uri']}"), headers=acme.bob.bearer)).json()
    (item,) = dcr["changes"][rel["uri"]]
    r = await client.get(api(f"/{dcr['uri']}/changes/{item['id']}"), headers=acme.alice.bearer)
    assert r.json() == item
    reltio_error(await client.get(api(f"/{dcr['uri']}/changes/XYZ"), headers=acme.alice.bearer), 404, 101)
    # alice neither created it nor reviews: she may not delete its items
    reltio_error(await client.delete(api(f"/{dcr['uri']}/changes/{item['id']}"), headers=acme.alice.bearer), 403, 804)
    r = await client.delete(api(f"/{dcr['uri']}/changes/{item['id']}"), headers=acme.bob.bearer)
    assert r.json() == {"status": "success"}
    assert (await client.get(api(f"/{dcr['uri']}"), headers=acme.bob.bearer)).json()["changes"] == {}
    reltio_error(await client.delete(api(f"/{dcr['uri']}/changes/{item['id']}"), headers=acme.bob.bearer), 404, 101)
    assert (await client.delete(api(f"/{dcr['uri']}"), headers=acme.bob.bearer)).json() == {"status": "success"}
    reltio_error(await client.get(api(f"/{dcr['uri']}"), headers=acme.bob.bearer), 404, 101)
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.bob.bearer)).status_code == 200


async def test_external_info(client, acme) -> None:  # type: ignore[no-untyped-def]
    dcr = await new_dcr(client, acme.bob)
    path = api(f"/{dcr['uri']}/_externalInfo")
    assert (await client.get(path, headers=acme.bob.bearer)).json() == {}
    info = {"customProperty1": "custom property", "nestedCustomProperty": {"integerValue": 1, "booleanValue": False}}
    assert (await client.post(path, headers=acme.bob.bearer, json=info)).json() == info
    assert (await client.post(path, headers=acme.carol.bearer, json={"more": 2})).json() == {**info, "more": 2}
    assert (await client.get(api(f"/{dcr['uri']}"), headers=acme.bob.bearer)).json()["externalInfo"] == {**info,
                                                                                                      "more": 2}
    reltio_error(await client.post(path, headers=acme.alice.bearer, json={"x": 1}), 403, 804)
    reltio_error(await client.post(path, headers=acme.bob.bearer, json=[1]), 400, 150)
    assert (await client.delete(path, headers=acme.bob.bearer)).json() == {"status": "success"}
    assert (await client.get(path, headers=acme.bob.bearer)).json() == {}


async def test_search_with_reltios_filter(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    by_bob = (await client.delete(api(f"/{rel['uri']}"), headers=acme.bob.bearer)).json()
    await asyncio.sleep(0.005)  # newest first: keep creation times apart
    by_alice = (await client.post(api(f"/{place['uri']}/attributes/City?alwaysCreateDCR=true"),
                                  headers=acme.alice.bearer, json={"value": "Paris"})).json()
    await asyncio.sleep(0.005)
    empty = await new_dcr(client, acme.bob)

    async def search(flt: str, **extra: str) -> list[str]:
        r = await client.get(api("/changeRequests"), params={"filter": flt, **extra}, headers=acme.carol.bearer)
        assert r.status_code == 200, r.text
        return [d["uri"] for d in r.json()]

    assert await search("equals(createdBy,'bob@example.com')") == [empty["uri"], by_bob["uri"]]
    assert await search(f"equals(objectURI,'{rel['uri']}')") == [by_bob["uri"]]
    assert await search(f"(equals(createdBy,'bob@example.com') and equals(objectURI,'{rel['uri']}'))") == [
        by_bob["uri"]]
    assert await search(f"equals(createdBy,'alice@example.com') or equals(objectURI,'{rel['uri']}')") == [
        by_alice["uri"], by_bob["uri"]]
    assert await search(f"in(objectURI,'{rel['uri']},{place['uri']}') AND in(createdBy, 'alice@example.com')") == [
        by_alice["uri"]]
    assert await search("equals(createdBy,'bob@example.com')", max="1", offset="1") == [by_bob["uri"]]
    assert await search("equals(createdBy,'Bob@example.com')") == []  # case sensitive
    r = await client.get(api("/changeRequests"), params={"filter": "equals(createdBy,'bob@example.com')"},
                         headers=acme.carol.bearer)
    assert r.json()[1]["changes"][rel["uri"]][0]["type"] == "DELETE_RELATIONSHIP"


@pytest.mark.parametrize("flt", ["", "equals(state,'APPLIED')", "equals(createdBy,'x'", "createdBy = 'x'",
                                 "equals(createdBy,'x') xor equals(objectURI,'y')", "startsWith(createdBy,'x')",
                                 "(equals(createdBy,'x')"])
async def test_bad_filters(client, acme, flt: str) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(api("/changeRequests"), params={"filter": flt}, headers=acme.carol.bearer)
    body = reltio_error(r, 400)
    assert "CHANGE_REQUEST_SEARCH_FILTER_INCORRECT" in body["innerErrorData"]["exception"]


async def test_by_uris(client, acme) -> None:  # type: ignore[no-untyped-def]
    _, _, rel = await address(client, acme.alice)
    first = (await client.delete(api(f"/{rel['uri']}"), headers=acme.bob.bearer)).json()
    second = await new_dcr(client, acme.bob)
    r = await client.post(api("/changeRequests/_byUris"), headers=acme.carol.bearer, json={
        "uris": [first["uri"], "changeRequests/NOPE123", "bogus", second["uri"]], "showObjectsMetadata": True})
    assert r.status_code == 200
    body = r.json()
    assert body[1] == "" and body[2] == ""
    assert body[0]["uri"] == first["uri"] and body[0]["objectsInfo"][rel["uri"]]["isExist"] is True
    assert body[3]["uri"] == second["uri"]
    r = await client.post(api("/changeRequests/_byUris"), headers=acme.carol.bearer, json={
        "uris": [first["uri"]], "select": "uri,state", "exclude": ["state"]})
    assert r.json() == [{"uri": first["uri"]}]
    reltio_error(await client.post(api("/changeRequests/_byUris"), headers=acme.carol.bearer, json={"uri": []}),
                 400, 150)


async def test_preview_needs_request_ids(client, acme) -> None:  # type: ignore[no-untyped-def]
    person = await make_entity(client, acme.alice)
    reltio_error(await client.get(api(f"/{person['uri']}/_withChangeRequests"), headers=acme.alice.bearer), 400)
    reltio_error(await client.get(api(f"/{person['uri']}/_withChangeRequests?changeRequestIds=NOPE123"),
                                  headers=acme.alice.bearer), 404, 101)
    dcr = await new_dcr(client, acme.bob)
    r = await client.get(api(f"/{person['uri']}/_withChangeRequests?changeRequestIds={dcr['uri']}"),
                         headers=acme.alice.bearer)
    assert r.json() == person


async def test_filters_have_limits(client, acme) -> None:  # type: ignore[no-untyped-def]
    deep = "(" * 30 + "equals(createdBy,'x')" + ")" * 30
    many = " or ".join(["equals(createdBy,'x')"] * 60)
    for flt in (deep, many, "equals(createdBy,'" + "x" * 9000 + "')"):
        r = await client.get(api("/changeRequests"), params={"filter": flt}, headers=acme.carol.bearer)
        assert "CHANGE_REQUEST_SEARCH_FILTER_INCORRECT" in reltio_error(r, 400)["innerErrorData"]["exception"]
    ok = "(" * 5 + "equals(createdBy,'x')" + ")" * 5
    assert (await client.get(api("/changeRequests"), params={"filter": ok}, headers=acme.carol.bearer)).json() == []


async def test_a_staged_batch_with_a_bad_item_stages_nothing(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(api("/entities"), headers=acme.bob.bearer, json=[
        {"type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": "X"}]}},
        {"type": "configuration/entityTypes/Unicorn"}])
    body = reltio_error(r, 400, 119)
    assert body["errorMessage"] == "Type is not found for URI configuration/entityTypes/Unicorn and tenant acme"
    r = await client.post(api("/relations?alwaysCreateDCR=true"), headers=acme.alice.bearer, json=[
        {"type": "configuration/relationTypes/Nope", "startObject": {"objectURI": "entities/a"},
         "endObject": {"objectURI": "entities/b"}}])
    reltio_error(r, 400, 119)
    r = await client.get(api("/changeRequests"), params={"filter": "in(createdBy,'bob@example.com,alice@example.com')"},
                         headers=acme.carol.bearer)
    assert r.json() == []


# --- who may add to a change request ------------------------------------------------------------

def _stagings(person: dict, place: dict, rel: dict) -> dict[str, tuple[str, str, object]]:  # type: ignore[type-arg]
    """Every write that can name a change request: (method, path, body)."""
    first = person["attributes"]["FirstName"][0]["uri"]
    return {
        "entities": ("POST", "/entities", [{"type": "configuration/entityTypes/Organization",
                                            "attributes": {"Name": [{"value": "Analytical Engines"}]}}]),
        "relations": ("POST", "/relations", [{
            "type": "configuration/relationTypes/affiliatedwith", "startObject": {"objectURI": person["uri"]},
            "endObject": {"objectURI": place["uri"]}}]),
        "insert": ("POST", f"/{person['uri']}/attributes/Email", [{"value": "ada@example.org"}]),
        "update": ("PUT", f"/{first}", {"value": "Augusta"}),
        "delete attribute": ("DELETE", f"/{first}", None),
        "pin": ("PUT", f"/{first}/pin", {"value": True}),
        "ignore": ("PUT", f"/{first}/ignored", {"value": True}),
        "_update": ("POST", f"/{person['uri']}/_update", [{
            "type": "UPDATE_ATTRIBUTE", "uri": first, "newValue": [{"value": "Augusta"}]}]),
        "delete relation": ("DELETE", f"/{rel['uri']}", None),
    }


STAGINGS = ["entities", "relations", "insert", "update", "delete attribute", "pin", "ignore", "_update",
            "delete relation"]


@pytest.mark.parametrize("path", STAGINGS)
async def test_only_its_creator_or_a_reviewer_adds_to_a_request(client, app, acme, path: str) -> None:  # type: ignore[no-untyped-def]
    """Another initiator naming someone's change request is refused exactly as deleting it is
    (403, Reltio's 804), and the request is left as it was; a site admin (who reviews) may add, and
    the item records who staged it while the request stays its creator's."""
    await accounts.add_user(app.store, "dave", "dave@example.com", "Dave")
    _, dave_token = await accounts.create_token(app.store, "dave")
    await tenants.grant(app.store, "acme", "dave", ["ROLE_INITIATOR"])
    dave = {"Authorization": f"Bearer {dave_token}"}
    person, place, rel = await address(client, acme.alice)
    first = (await client.delete(api(f"/{rel['uri']}?alwaysCreateDCR=true"), headers=acme.bob.bearer)).json()
    dcr_id = first["uri"].split("/")[1]
    before = (await client.get(api(f"/{first['uri']}"), headers=acme.bob.bearer)).json()
    refused = reltio_error(await client.delete(api(f"/{first['uri']}"), headers=dave), 403, 804)
    method, target, body = _stagings(person, place, rel)[path]
    for who in (dave, acme.alice.bearer):  # a second initiator; a user who may write and initiate
        r = await client.request(method, api(f"{target}?changeRequestId={dcr_id}"), headers=who, json=body)
        assert reltio_error(r, 403, 804) == refused
    assert (await client.get(api(f"/{first['uri']}"), headers=acme.bob.bearer)).json() == before
    assert (await client.get(api(f"/{person['uri']}"), headers=acme.bob.bearer)).json() == person
    r = await client.request(method, api(f"{target}?changeRequestId={dcr_id}"), headers=acme.admin.bearer, json=body)
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["createdBy"] == "bob@example.com" and after["updatedBy"] == "admin@example.com"
    added = [i for items in after["changes"].values() for i in items if i["createdBy"] == "admin@example.com"]
    assert added and len(added) + 1 == sum(len(items) for items in after["changes"].values())
    assert after["changes"][rel["uri"]][0] == before["changes"][rel["uri"]][0]
    r = await client.get("/api/v1/audit", headers=acme.admin.bearer,
                         params={"objectPrefix": f"reltio/acme/{first['uri']}", "limit": 50})
    staged_by = [e["actor"] for e in reversed(r.json()["results"]) if e["action"] == "dcr.stage"]
    assert staged_by == [acme.bob.account_id, acme.admin.account_id]  # the refused attempts left no trace
