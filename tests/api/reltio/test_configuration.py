"""The tenant's model: GET /configuration (merged over the inherited layer), GET
/configuration/_noInheritance (the tenant's own declarations) and PUT /configuration with every
section Reltio clients read."""

from __future__ import annotations

from typing import Any

import pytest

from bondline.domain.reltio.types import SECTIONS
from tests.api.reltio.conftest import api, make_entity, reltio_error

OWN_ONLY = {"sources": ["configuration/sources/LNKD", "configuration/sources/Demo"],
            "changeRequestTypes": ["configuration/changeRequestTypes/someChangeRequestType"],
            "interactionTypes": ["configuration/interactionTypes/Lunch"]}


def uris(doc: dict[str, Any], key: str) -> list[str]:
    return [x["uri"] for x in doc[key]]


async def test_configuration_has_every_section_with_the_inherited_layer(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(api("/configuration"), headers=acme.bob.bearer)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["uri"] == "configuration"
    assert set(doc) >= {"entityTypes", "relationTypes", *SECTIONS, "label", "schemaVersion"}
    # what change requests name, the platform's source, the roles bondline grants: inherited
    assert uris(doc, "changeRequestTypes") == ["configuration/changeRequestTypes/default",
                                               "configuration/changeRequestTypes/someChangeRequestType"]
    assert uris(doc, "sources") == ["configuration/sources/Reltio", "configuration/sources/ReltioCleanser",
                                    "configuration/sources/LNKD", "configuration/sources/Demo"]
    assert "configuration/roles/ROLE_REVIEWER" in uris(doc, "roles")
    lunch = doc["interactionTypes"][0]
    assert lunch["uri"] == "configuration/interactionTypes/Lunch"
    assert [m["uri"] for m in lunch["memberTypes"]] == [
        f"configuration/interactionTypes/Lunch/memberTypes/{n}" for n in ("Organizers", "Chefs", "Participants")]
    assert [m["name"] for m in lunch["memberTypes"]] == ["Organizers", "Chefs", "Participants"]
    assert {"Individual", "Organization", "Location"} <= {x["uri"].rsplit("/", 1)[1] for x in doc["entityTypes"]}


async def test_no_inheritance_is_the_tenants_own_declarations(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/services/reltio/api/acme/configuration/_noInheritance", headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    own = r.json()
    assert own["uri"] == "configuration"
    assert "roles" not in own and "survivorshipStrategies" not in own and "label" not in own
    for key, expected in OWN_ONLY.items():
        assert uris(own, key) == expected
    assert len(own["entityTypes"]) == 3 and len(own["relationTypes"]) == 3


async def test_put_round_trips_every_section(client, acme) -> None:  # type: ignore[no-untyped-def]
    own = (await client.get(api("/configuration/_noInheritance"), headers=acme.admin.bearer)).json()
    own["description"] = "Acme's model"
    own["changeRequestTypes"] = [{"name": "someChangeRequestType", "label": "Some"},
                                 {"uri": "configuration/changeRequestTypes/default", "label": "Ours"}]
    own["graphTypes"] = [{"uri": "configuration/graphTypes/Hierarchy", "label": "Hierarchy",
                          "relationshipTypeURIs": ["configuration/relationTypes/Employment"], "layout": "hierarchy"}]
    own["groupingTypes"] = [{"uri": "configuration/groupingTypes/Household", "label": "Household",
                             "objectTypeURI": ["configuration/entityTypes/Individual"]}]
    own["sources"].append({"name": "FB", "label": "Facebook", "abbreviation": "FB"})
    r = await client.put(api("/configuration"), headers=acme.admin.bearer, json=own)
    assert r.status_code == 200, r.text
    merged = (await client.get(api("/configuration"), headers=acme.bob.bearer)).json()
    assert merged["description"] == "Acme's model"
    # the tenant's default replaces the inherited one (same uri), keeping the tenant's order after
    assert [(x["uri"], x["label"]) for x in merged["changeRequestTypes"]] == [
        ("configuration/changeRequestTypes/someChangeRequestType", "Some"),
        ("configuration/changeRequestTypes/default", "Ours")]
    assert uris(merged, "graphTypes") == ["configuration/graphTypes/Hierarchy"]
    assert merged["graphTypes"][0]["relationshipTypeURIs"] == ["configuration/relationTypes/Employment"]
    assert uris(merged, "groupingTypes") == ["configuration/groupingTypes/Household"]
    assert uris(merged, "sources")[-1] == "configuration/sources/FB"
    again = (await client.get(api("/configuration/_noInheritance"), headers=acme.bob.bearer)).json()
    assert again["description"] == "Acme's model" and "label" not in again
    # the entity types are still served: objects of them can be written
    await make_entity(client, acme.alice)


@pytest.mark.parametrize(("change", "fragment"), [
    ({"sources": {"uri": "configuration/sources/X"}}, "'sources' must be an array"),
    ({"sources": ["configuration/sources/X"]}, "must be a JSON object"),
    ({"sources": [{"uri": "configuration/entityTypes/X"}]}, "must start with configuration/sources/"),
    ({"sources": [{"name": "A"}, {"uri": "configuration/sources/A"}]}, "declared twice"),
    ({"graphTypes": [{"label": "no name"}]}, "give 'uri' or 'name'"),
    ({"roles": [{"name": "a b"}]}, "must be 1-128 letters"),
    ({"interactionTypes": [{"name": "Call", "memberTypes": {"x": 1}}]}, "'memberTypes' must be an array"),
    ({"interactionTypes": [{"name": "Call", "memberTypes": [
        {"uri": "configuration/interactionTypes/Other/memberTypes/A"}]}]}, "must start with"),
    ({"interactionTypes": [{"name": "Call", "memberTypes": [
        {"name": "A", "objectTypeURI": ["configuration/entityTypes/Unicorn"]}]}]}, "not a declared entity type"),
    ({"interactionTypes": [{"name": "Call", "memberTypes": [{"name": "A", "objectTypeURI": 7}]}]},
     "'objectTypeURI' must be"),
    ({"description": 5}, "'description' must be a string"),
    ({"matchGroups": []}, "Unknown configuration sections: matchGroups"),
])
async def test_bad_sections_are_reltios_400_and_change_nothing(client, acme, change, fragment) -> None:  # type: ignore[no-untyped-def]
    before = (await client.get(api("/configuration/_noInheritance"), headers=acme.admin.bearer)).json()
    r = await client.put(api("/configuration"), headers=acme.admin.bearer, json={**before, **change})
    reltio_error(r, 400, fragment=fragment)
    after = (await client.get(api("/configuration/_noInheritance"), headers=acme.admin.bearer)).json()
    assert after == before


async def test_unknown_tenant(client, acme) -> None:  # type: ignore[no-untyped-def]
    reltio_error(await client.get("/reltio/api/nowhere/configuration/_noInheritance",
                                  headers=acme.alice.bearer), 404)
