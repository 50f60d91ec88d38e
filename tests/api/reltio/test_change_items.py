"""Every change item type, staged by a caller who may only initiate (ROLE_INITIATOR), then
previewed (`_withChangeRequests`), applied, and rejected — plus a conflict for each kind of item
that can conflict, refused on apply unless `ignoreConflicts=true`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.reltio.conftest import LOCATION, address, api, make_entity, reltio_error


@dataclass
class World:
    person: dict[str, Any]
    place: dict[str, Any]
    rel: dict[str, Any]

    @property
    def first_name(self) -> str:
        return self.person["attributes"]["FirstName"][0]["uri"]


async def world(client: Any, acme: Any) -> World:
    person, place, rel = await address(client, acme.alice)
    return World(person, place, rel)


def values(obj: dict[str, Any], name: str) -> list[Any]:
    return [v["value"] for v in obj["attributes"].get(name, [])]


@dataclass
class Scenario:
    item_type: str
    stage: Callable[[Any, Any, World], Awaitable[Any]]
    target: Callable[[World, dict[str, Any]], str]  # URI of the object the item changes
    changed: Callable[[dict[str, Any] | None], bool]  # the object (None: gone) shows the change


async def _insert(client: Any, acme: Any, w: World) -> Any:
    return await client.post(api(f"/{w.person['uri']}/attributes/Email"), headers=acme.bob.bearer,
                             json=[{"value": "ada@example.org"}])


async def _update(client: Any, acme: Any, w: World) -> Any:
    return await client.put(api(f"/{w.first_name}"), headers=acme.bob.bearer, json={"value": "Augusta"})


async def _delete(client: Any, acme: Any, w: World) -> Any:
    return await client.delete(api(f"/{w.first_name}"), headers=acme.bob.bearer)


async def _pin(client: Any, acme: Any, w: World) -> Any:
    return await client.put(api(f"/{w.first_name}/pin"), headers=acme.bob.bearer, json={"value": True})


async def _ignore(client: Any, acme: Any, w: World) -> Any:
    return await client.put(api(f"/{w.first_name}/ignored"), headers=acme.bob.bearer, json={"value": True})


async def _create_entity(client: Any, acme: Any, w: World) -> Any:
    return await client.post(api("/entities"), headers=acme.bob.bearer, json=[{
        "type": "configuration/entityTypes/Organization", "attributes": {"Name": [{"value": "Analytical Engines"}]}}])


async def _create_relation(client: Any, acme: Any, w: World) -> Any:
    return await client.post(api("/relations"), headers=acme.bob.bearer, json=[{
        "type": "configuration/relationTypes/affiliatedwith", "startObject": {"objectURI": w.person["uri"]},
        "endObject": {"objectURI": w.place["uri"]}, "attributes": {"Title": [{"value": "Resident"}]}}])


async def _delete_relation(client: Any, acme: Any, w: World) -> Any:
    return await client.delete(api(f"/{w.rel['uri']}"), headers=acme.bob.bearer)


def _person(w: World, dcr: dict[str, Any]) -> str:
    return w.person["uri"]


def _new(w: World, dcr: dict[str, Any]) -> str:
    (uri,) = dcr["changes"]
    return uri


SCENARIOS = {
    "INSERT_ATTRIBUTE": Scenario("INSERT_ATTRIBUTE", _insert, _person,
                                 lambda o: o is not None and values(o, "Email") == ["ada@example.org"]),
    "UPDATE_ATTRIBUTE": Scenario("UPDATE_ATTRIBUTE", _update, _person,
                                 lambda o: o is not None and values(o, "FirstName") == ["Augusta"]),
    "DELETE_ATTRIBUTE": Scenario("DELETE_ATTRIBUTE", _delete, _person,
                                 lambda o: o is not None and values(o, "FirstName") == []),
    "PIN_ATTRIBUTE": Scenario("PIN_ATTRIBUTE", _pin, _person,
                              lambda o: o is not None and o["attributes"]["FirstName"][0].get("pin") is True),
    "IGNORE_ATTRIBUTE": Scenario("IGNORE_ATTRIBUTE", _ignore, _person,
                                 lambda o: o is not None and o["attributes"]["FirstName"][0].get("ignored") is True),
    "CREATE_ENTITY": Scenario("CREATE_ENTITY", _create_entity, _new,
                              lambda o: o is not None and o["label"] == "Analytical Engines"),
    "CREATE_RELATIONSHIP": Scenario("CREATE_RELATIONSHIP", _create_relation, _new,
                                    lambda o: o is not None and values(o, "Title") == ["Resident"]),
    "DELETE_RELATIONSHIP": Scenario("DELETE_RELATIONSHIP", _delete_relation, lambda w, d: w.rel["uri"],
                                    lambda o: o is None),
}


async def _read(client: Any, acme: Any, uri: str, suffix: str = "") -> dict[str, Any] | None:
    r = await client.get(api(f"/{uri}{suffix}"), headers=acme.alice.bearer)
    if r.status_code == 404:
        reltio_error(r, 404, 101)
        return None
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_stage_preview_apply(client, acme, name: str) -> None:  # type: ignore[no-untyped-def]
    s = SCENARIOS[name]
    w = await world(client, acme)
    r = await s.stage(client, acme, w)
    assert r.status_code == 200, r.text
    dcr = r.json()
    assert dcr["state"] == "AWAITING_REVIEW" and dcr["uri"].startswith("changeRequests/")
    target = s.target(w, dcr)
    (item,) = dcr["changes"][target]
    assert item["type"] == s.item_type and item["createdBy"] == "bob@example.com"
    if name.endswith("_ATTRIBUTE"):
        assert item["attributePath"].startswith(("FirstName", "Email"))
        assert item["attributeType"].startswith("configuration/entityTypes/Individual/attributes/")
    if name.startswith("CREATE_"):
        assert item["newValue"]["uri"] == target and dcr["objectsInfo"][target]["isExist"] is False
    else:
        assert dcr["objectsInfo"][target]["isExist"] is True

    before = await _read(client, acme, target)
    assert not s.changed(before) if before is not None else name.startswith("CREATE_")
    dcr_id = dcr["uri"].split("/")[1]
    preview = await client.get(api(f"/{target}/_withChangeRequests?changeRequestIds={dcr_id}"),
                               headers=acme.alice.bearer)
    previewed = None if preview.status_code == 404 else preview.json()
    assert s.changed(previewed), preview.text
    assert await _read(client, acme, target) == before  # the preview stored nothing

    # an initiator cannot apply; a reviewer can
    reltio_error(await client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.bob.bearer), 403, 804)
    r = await client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.carol.bearer)
    assert r.status_code == 200 and r.json() == {"status": "success"}, r.text
    after = await _read(client, acme, target)
    assert s.changed(after)
    if after is not None and previewed is not None:
        assert after["attributes"] == previewed["attributes"]
    assert (await client.get(api(f"/{dcr['uri']}"), headers=acme.bob.bearer)).json()["state"] == "APPLIED"
    r = await client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.carol.bearer)
    reltio_error(r, 400, 9003, fragment="is in state APPLIED")


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_stage_then_reject(client, acme, name: str) -> None:  # type: ignore[no-untyped-def]
    s = SCENARIOS[name]
    w = await world(client, acme)
    dcr = (await s.stage(client, acme, w)).json()
    target = s.target(w, dcr)
    before = await _read(client, acme, target)
    r = await client.post(api(f"/{dcr['uri']}/_reject"), headers=acme.carol.bearer)
    assert r.status_code == 200 and r.json() == {"status": "success"}
    assert await _read(client, acme, target) == before
    reltio_error(await client.post(api(f"/{dcr['uri']}/_reject"), headers=acme.carol.bearer), 400, 9003,
                 fragment="is in state REJECTED")
    dcr_id = dcr["uri"].split("/")[1]
    reltio_error(await client.get(api(f"/{target}/_withChangeRequests?changeRequestIds={dcr_id}"),
                                  headers=acme.alice.bearer), 400, 9003, fragment="is in state REJECTED")


# --- conflicts ------------------------------------------------------------------------------------

async def _change_first_name(client: Any, acme: Any, w: World) -> None:
    r = await client.put(api(f"/{w.first_name}"), headers=acme.alice.bearer, json={"value": "Aleks"})
    assert r.status_code == 200


async def _remove_first_name(client: Any, acme: Any, w: World) -> None:
    assert (await client.delete(api(f"/{w.first_name}"), headers=acme.alice.bearer)).status_code == 200


async def _delete_person(client: Any, acme: Any, w: World) -> None:
    assert (await client.delete(api(f"/{w.person['uri']}"), headers=acme.alice.bearer)).status_code == 200


async def _delete_rel(client: Any, acme: Any, w: World) -> None:
    assert (await client.delete(api(f"/{w.rel['uri']}"), headers=acme.alice.bearer)).status_code == 200


async def _change_rel(client: Any, acme: Any, w: World) -> None:
    r = await client.post(api(f"/{w.rel['uri']}/attributes/AddressType"), headers=acme.alice.bearer,
                          json={"value": "Work"})
    assert r.status_code == 200


async def _drop_types(client: Any, acme: Any, w: World) -> None:
    config = (await client.get(api("/configuration"), headers=acme.admin.bearer)).json()
    config.pop("uri")
    config["entityTypes"] = [t for t in config["entityTypes"] if not t["uri"].endswith("/Organization")]
    for t in config["entityTypes"]:
        if t["uri"].endswith("/Individual"):
            t["attributes"] = [a for a in t["attributes"] if a["name"] not in ("Email",)]
    # relation types may only name declared entity types
    config["relationTypes"] = [t for t in config["relationTypes"] if not t["uri"].endswith("/Employment")]
    for t in config["relationTypes"]:
        if t["uri"].endswith("/HasAddress"):
            t["startObject"]["objectTypeURI"] = ["configuration/entityTypes/Individual"]
    r = await client.put(api("/configuration"), headers=acme.admin.bearer, json=config)
    assert r.status_code == 200, r.text


CONFLICTS = [
    ("INSERT_ATTRIBUTE", _change_first_name, "ATTRIBUTE_WAS_CHANGED"),
    ("INSERT_ATTRIBUTE", _delete_person, "OBJECT_NOT_FOUND"),
    ("INSERT_ATTRIBUTE", _drop_types, "ATTRIBUTE_TYPE_NOT_FOUND"),
    ("UPDATE_ATTRIBUTE", _change_first_name, "ATTRIBUTE_WAS_CHANGED"),
    ("UPDATE_ATTRIBUTE", _remove_first_name, "ATTRIBUTE_NOT_FOUND"),
    ("DELETE_ATTRIBUTE", _remove_first_name, "ATTRIBUTE_NOT_FOUND"),
    ("DELETE_ATTRIBUTE", _change_first_name, "ATTRIBUTE_WAS_CHANGED"),
    ("PIN_ATTRIBUTE", _change_first_name, "ATTRIBUTE_WAS_CHANGED"),
    ("PIN_ATTRIBUTE", _remove_first_name, "ATTRIBUTE_NOT_FOUND"),
    ("IGNORE_ATTRIBUTE", _change_first_name, "ATTRIBUTE_WAS_CHANGED"),
    ("IGNORE_ATTRIBUTE", _remove_first_name, "ATTRIBUTE_NOT_FOUND"),
    ("CREATE_ENTITY", _drop_types, "OBJECT_TYPE_NOT_FOUND"),
    ("CREATE_RELATIONSHIP", _delete_person, "OBJECT_NOT_FOUND"),
    ("DELETE_RELATIONSHIP", _delete_rel, "OBJECT_NOT_FOUND"),
    ("DELETE_RELATIONSHIP", _change_rel, "ATTRIBUTE_WAS_CHANGED"),
]


@pytest.mark.parametrize("name,interfere,conflict", CONFLICTS,
                         ids=[f"{n}-{c}" for n, _, c in CONFLICTS])
async def test_conflicts(client, acme, name: str, interfere: Any, conflict: str) -> None:  # type: ignore[no-untyped-def]
    s = SCENARIOS[name]
    w = await world(client, acme)
    dcr = (await s.stage(client, acme, w)).json()
    target = s.target(w, dcr)
    (item,) = dcr["changes"][target]
    assert "conflict" not in item
    await interfere(client, acme, w)
    shown = (await client.get(api(f"/{dcr['uri']}?showConflicts=true"), headers=acme.bob.bearer)).json()
    (flagged,) = shown["changes"][target]
    assert flagged["conflict"] == conflict and flagged["conflictDetails"]
    one = (await client.get(api(f"/{dcr['uri']}/changes/{item['id']}?showConflicts=true"),
                            headers=acme.bob.bearer)).json()
    assert one["conflict"] == conflict
    before = await _read(client, acme, target)
    body = reltio_error(await client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.carol.bearer), 400,
                        fragment="conflicted")
    assert body["conflicts"] == [{"objectURI": target, "id": item["id"], "type": name, "conflict": conflict,
                                  "conflictDetails": flagged["conflictDetails"]}]
    assert await _read(client, acme, target) == before
    assert (await client.get(api(f"/{dcr['uri']}"), headers=acme.bob.bearer)).json()["state"] == "AWAITING_REVIEW"
    r = await client.post(api(f"/{dcr['uri']}/_apply?ignoreConflicts=true"), headers=acme.carol.bearer)
    assert r.status_code == 200, r.text
    after = await _read(client, acme, target)
    if conflict == "ATTRIBUTE_WAS_CHANGED":  # applied as is
        assert s.changed(after)
    else:  # nothing left to apply to: skipped
        assert after == before


async def test_apply_is_all_or_nothing(client, acme) -> None:  # type: ignore[no-untyped-def]
    w = await world(client, acme)
    dcr = (await _insert(client, acme, w)).json()
    dcr_id = dcr["uri"].split("/")[1]
    other = await make_entity(client, acme.alice, {**LOCATION, "crosswalks": [
        {"type": "configuration/sources/LNKD", "value": "loc2"}]})
    r = await client.delete(api(f"/{w.rel['uri']}?changeRequestId={dcr_id}"), headers=acme.bob.bearer)
    assert len(r.json()["changes"]) == 2
    r = await client.post(api(f"/{other['uri']}/attributes/City?changeRequestId={dcr_id}"), headers=acme.bob.bearer,
                          json={"value": "Paris"})
    assert len(r.json()["changes"]) == 3
    await _delete_rel(client, acme, w)  # the second item now conflicts
    reltio_error(await client.post(api(f"/changeRequests/{dcr_id}/_apply"), headers=acme.carol.bearer), 400)
    assert values(await _read(client, acme, w.person["uri"]), "Email") == []
    assert values(await _read(client, acme, other["uri"]), "City") == ["London"]
