"""Entity search beyond GET /entities: GET|POST /entities/_facets (facet counts as GROUP BY),
POST /entities/_scan (cursor iteration), GET|POST /entities/_byCrosswalk, and reference attributes
in filters (`attributes.Address.City` through the Address relation's Location) — table-driven,
Reltio's 400 on bad input, tenant-scoped and role-checked, and hypothesis-made requests that never
get a 5xx."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.reltio.conftest import TENANT, address, api, make_entity, make_relation, reltio_error
from tests.api.reltio.test_search import PEOPLE, _filters

# --- _facets ----------------------------------------------------------------------------------------


@pytest.fixture
async def people(client: Any, acme: Any) -> dict[str, str]:
    out = {}
    for name, body in PEOPLE.items():
        out[name] = (await make_entity(client, acme.alice, body))["uri"]
    return out


FACETS: list[tuple[dict[str, Any], dict[str, dict[str, int]]]] = [
    ({"facet": "type"}, {"type": {"configuration/entityTypes/Individual": 3,
                                  "configuration/entityTypes/Organization": 1}}),
    ({"facet": "type", "filter": "equals(tags,'math')"}, {"type": {"configuration/entityTypes/Individual": 2}}),
    ({"facet": "tags"}, {"tags": {"math": 2, "vip": 1}}),
    ({"facet": "attributes.Phone.Type"}, {"attributes.Phone.Type": {"Home": 2, "Mobile": 1}}),
    ({"facet": "crosswalks.type,attributes.LastName", "filter": "equals(crosswalks.type,'LNKD')"},
     {"crosswalks.type": {"configuration/sources/LNKD": 2}, "attributes.LastName": {"Hopper": 1, "Lovelace": 1}}),
    ({"facet": "attributes.Nope"}, {"attributes.Nope": {}}),
    ({"facet": "type", "activeness": "not_active"}, {"type": {}}),
]


@pytest.mark.parametrize(("query", "expected"), FACETS, ids=[str(q) for q, _ in FACETS])
async def test_facets_count_the_filtered_entities(client: Any, acme: Any, people: dict[str, str],
                                                  query: dict[str, Any], expected: dict[str, Any]) -> None:
    r = await client.get(api("/entities/_facets"), headers=acme.bob.bearer, params=query)
    assert r.status_code == 200, r.text
    assert r.json() == expected


SPECS: list[tuple[Any, dict[str, Any]]] = [
    ([{"fieldName": "attributes.Phone.Type", "orderType": "term"}],
     {"attributes.Phone.Type": {"Home": 2, "Mobile": 1}}),
    ([{"fieldName": "attributes.Phone.Type", "orderType": "reversedCount", "pageSize": 1}],
     {"attributes.Phone.Type": {"Mobile": 1}}),
    ([{"fieldName": "attributes.Phone.Type", "orderType": "count", "pageSize": 1, "pageNo": 2}],
     {"attributes.Phone.Type": {"Mobile": 1}}),
    ([{"fieldName": "attributes.Phone.Type", "orderType": "reversedTerm", "pageSize": 1}],
     {"attributes.Phone.Type": {"Mobile": 1}}),
    ([{"fieldName": "type", "includeFilter": ["configuration/entityTypes/Organization"]}],
     {"type": {"configuration/entityTypes/Organization": 1}}),
    ({"filter": "equals(attributes.FirstName,'Ada')", "facets": [{"fieldName": "tags"}]},
     {"tags": {"math": 1, "vip": 1}}),
]


@pytest.mark.parametrize(("body", "expected"), SPECS, ids=[str(b) for b, _ in SPECS])
async def test_facet_specifications_in_the_body(client: Any, acme: Any, people: dict[str, str], body: Any,
                                                expected: dict[str, Any]) -> None:
    r = await client.post(api("/entities/_facets"), headers=acme.bob.bearer, json=body)
    assert r.status_code == 200, r.text
    assert r.json() == expected
    assert list(r.json()[next(iter(expected))]) == list(expected[next(iter(expected))])  # the order too


@pytest.mark.parametrize(("request_", "fragment"), [
    ({"params": {}}, "facet"),
    ({"params": {"facet": "color"}}, "unknown property"),
    ({"params": {"facet": "uri"}}, "facets count"),
    ({"params": {"facet": "attributes"}}, "facets count"),
    ({"params": {"facet": "type", "filter": "equals(type"}}, "Invalid filter"),
    ({"params": {"facet": "type", "options": "bogus"}}, "bogus"),
    ({"json": [{"fieldName": "type", "orderType": "sideways"}]}, "orderType"),
    ({"json": [{"fieldName": "type", "pageSize": 100, "pageNo": 34}]}, "3333"),
    ({"json": [{"fieldName": "type", "pageSize": "x"}]}, "pageSize"),
    ({"json": [{"fieldName": "type", "includeFilter": "x"}]}, "includeFilter"),
    ({"json": [{"fieldName": 5}]}, "fieldName"),
    ({"json": [7]}, "fieldName"),
    ({"json": {"facets": "type"}}, "array"),
    ({"json": [{"fieldName": f"attributes.A{i}"} for i in range(21)]}, "20"),
])
async def test_bad_facet_requests_are_400(client: Any, acme: Any, request_: dict[str, Any], fragment: str) -> None:
    method = client.post if "json" in request_ else client.get
    r = await method(api("/entities/_facets"), headers=acme.bob.bearer, **request_)
    reltio_error(r, 400, fragment=fragment)


# --- _scan ------------------------------------------------------------------------------------------


async def test_scan_iterates_every_entity_once(client: Any, acme: Any, people: dict[str, str]) -> None:
    seen: list[str] = []
    r = await client.post(api("/entities/_scan"), headers=acme.bob.bearer,
                          params={"filter": "equals(type,'Individual')", "max": 2, "select": "uri"})
    for _ in range(5):
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) <= {"cursor", "objects"} and isinstance(body["cursor"]["cursor"], str)
        if "objects" not in body:
            break
        assert all(set(o) == {"uri"} for o in body["objects"])
        seen += [o["uri"] for o in body["objects"]]
        # the cursor continues on any worker and carries the filter: none is needed again
        r = await client.post(api("/entities/_scan"), headers=acme.bob.bearer,
                              params={"max": 2, "select": "uri"}, json={"cursor": body["cursor"]})
    assert sorted(seen) == sorted(people[n] for n in ("ada", "charles", "grace"))
    assert len(seen) == len(set(seen))


async def test_scan_sees_entities_written_after_the_cursor(client: Any, acme: Any, people: dict[str, str]) -> None:
    r = await client.post(api("/entities/_scan"), headers=acme.bob.bearer,
                          params={"filter": "equals(type,'Organization')"})
    cursor = r.json()["cursor"]["cursor"]
    assert [o["uri"] for o in r.json()["objects"]] == [people["acme"]]
    r = await client.post(api("/entities/_scan"), headers=acme.bob.bearer, json={"cursor": cursor})
    assert "objects" not in r.json()


@pytest.mark.parametrize(("request_", "fragment"), [
    ({}, "filter"),
    ({"params": {"filter": "equals(type,'x'"}}, "Invalid filter"),
    ({"json": {"cursor": {"cursor": "not base64 ~~"}}}, "cursor"),
    ({"json": {"cursor": "eyJ2IjoxfQ"}}, "cursor"),
    ({"json": {"cursor": 5}}, "cursor"),
    ({"json": [1]}, "JSON object"),
    ({"params": {"filter": "exists(type)", "max": "201"}}, "max"),
    ({"params": {"filter": "exists(type)", "max": "0"}}, "max"),
    ({"params": {"filter": "exists(type)", "options": "bogus"}}, "bogus"),
])
async def test_bad_scans_are_400(client: Any, acme: Any, request_: dict[str, Any], fragment: str) -> None:
    r = await client.post(api("/entities/_scan"), headers=acme.bob.bearer, **request_)
    reltio_error(r, 400, fragment=fragment)


async def test_a_cursor_only_continues_in_its_tenant(client: Any, acme: Any, people: dict[str, str]) -> None:
    r = await client.post(api("/entities/_scan"), headers=acme.bob.bearer, params={"filter": "exists(type)"})
    cursor = r.json()["cursor"]
    r = await client.post(f"/reltio/api/{TENANT}x/entities/_scan", headers=acme.admin.bearer, json={"cursor": cursor})
    assert r.status_code in (400, 404), r.text


# --- _byCrosswalk -----------------------------------------------------------------------------------


async def test_by_crosswalk_finds_the_holder(client: Any, acme: Any, people: dict[str, str]) -> None:
    one = (await client.get(api("/" + people["charles"]), headers=acme.bob.bearer)).json()
    for source in ("FB", "configuration/sources/FB"):
        r = await client.get(api("/entities/_byCrosswalk/cb"), headers=acme.bob.bearer, params={"type": source})
        assert r.status_code == 200, r.text
        assert r.json() == [{"index": 0, "object": one}]
    r = await client.post(api("/entities/_byCrosswalk"), headers=acme.bob.bearer, params={"type": "FB"},
                          json={"crosswalkValue": "cb"})
    assert r.json() == [{"index": 0, "object": one}]
    r = await client.get(api("/entities/_byCrosswalk/cb"), headers=acme.bob.bearer,
                         params={"type": "FB", "select": "uri"})
    assert r.json() == [{"index": 0, "object": {"uri": people["charles"]}}]


async def test_by_crosswalk_source_table(client: Any, acme: Any) -> None:
    body = {"type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": "T"}]},
            "crosswalks": [{"type": "configuration/sources/FB", "value": "tab", "sourceTable": "t1"}]}
    made = await make_entity(client, acme.alice, body)
    r = await client.get(api("/entities/_byCrosswalk/tab"), headers=acme.bob.bearer,
                         params={"type": "FB", "sourceTable": "t1"})
    assert [x["object"]["uri"] for x in r.json()] == [made["uri"]]
    r = await client.get(api("/entities/_byCrosswalk/tab"), headers=acme.bob.bearer,
                         params={"type": "FB", "sourceTable": "t2"})
    reltio_error(r, 404)


@pytest.mark.parametrize(("method", "path", "request_", "status"), [
    ("get", "/entities/_byCrosswalk/nobody", {"params": {"type": "FB"}}, 404),
    ("get", "/entities/_byCrosswalk/cb", {"params": {"type": "LNKD"}}, 404),
    ("get", "/entities/_byCrosswalk/cb", {}, 400),
    ("get", "/entities/_byCrosswalk/cb", {"params": {"type": "FB", "options": "bogus"}}, 400),
    ("post", "/entities/_byCrosswalk", {"params": {"type": "FB"}, "json": {"value": "cb"}}, 400),
    ("post", "/entities/_byCrosswalk", {"params": {"type": "FB"}, "json": ["cb"]}, 400),
])
async def test_bad_by_crosswalk(client: Any, acme: Any, people: dict[str, str], method: str, path: str,
                                request_: dict[str, Any], status: int) -> None:
    r = await getattr(client, method)(api(path), headers=acme.bob.bearer, **request_)
    reltio_error(r, status)


# --- reference attributes ---------------------------------------------------------------------------

REFERENCE_FILTERS: list[tuple[str, set[str]]] = [
    ("equals(attributes.Address.City,'London')", {"person"}),
    ("equals(attributes.Address.City,'Paris')", set()),
    ("startsWith(attributes.Address.AddressLine1,'12 Ana')", {"person"}),
    ("containsWordStartingWith(attributes.Address.AddressLine1,'analyt')", {"person"}),
    ("exists(attributes.Address)", {"person"}),
    ("exists(attributes.Address.City)", {"person"}),
    ("equals(type,'Individual') and missing(attributes.Address)", {"other"}),
    ("not equals(attributes.Address.City,'London')", {"other", "place"}),
    ("equals(attributes.City,'London')", {"place"}),
    ("equals(attributes.Address,'London')", {"person"}),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCE_FILTERS, ids=[f for f, _ in REFERENCE_FILTERS])
async def test_reference_attributes_are_searchable(client: Any, acme: Any, text: str, expected: set[str]) -> None:
    person, place, _rel = await address(client, acme.alice)
    other = await make_entity(client, acme.alice, {"type": "configuration/entityTypes/Individual",
                                                   "attributes": {"FirstName": [{"value": "Nobody"}]}})
    names = {person["uri"]: "person", place["uri"]: "place", other["uri"]: "other"}
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params={"filter": text, "max": 200})
    assert r.status_code == 200, r.text
    assert {names[e["uri"]] for e in r.json()} == expected
    total = await client.get(api("/entities/_total"), headers=acme.bob.bearer, params={"filter": text})
    assert total.json() == {"total": len(expected)}


async def test_a_relation_of_another_type_is_no_address(client: Any, acme: Any) -> None:
    person = await make_entity(client, acme.alice)
    org = await make_entity(client, acme.alice, {"type": "configuration/entityTypes/Organization",
                                                 "attributes": {"Name": [{"value": "London Ltd"}]}})
    r = await client.get(api("/configuration"), headers=acme.admin.bearer)
    kinds = {t["uri"].rsplit("/", 1)[-1] for t in r.json().get("relationTypes", [])}
    other = next(k for k in sorted(kinds) if k != "HasAddress")
    await make_relation(client, acme.alice, person["uri"], org["uri"], kind=other)
    r = await client.get(api("/entities/_total"), headers=acme.bob.bearer,
                         params={"filter": "exists(attributes.Address)"})
    assert r.json() == {"total": 0}


# --- roles and tenants ------------------------------------------------------------------------------

ENDPOINTS = [("get", "/entities/_facets", {"params": {"facet": "type"}}),
             ("post", "/entities/_facets", {"json": [{"fieldName": "type"}]}),
             ("post", "/entities/_scan", {"params": {"filter": "exists(type)"}}),
             ("get", "/entities/_byCrosswalk/ada", {"params": {"type": "LNKD"}}),
             ("post", "/entities/_byCrosswalk", {"params": {"type": "LNKD"}, "json": {"crosswalkValue": "ada"}})]


@pytest.mark.parametrize(("method", "path", "request_"), ENDPOINTS)
async def test_outsiders_and_other_tenants(client: Any, acme: Any, method: str, path: str,
                                           request_: dict[str, Any]) -> None:
    await make_entity(client, acme.alice)
    r = await getattr(client, method)(api(path), headers=acme.bob.bearer, **request_)
    assert r.status_code == 200, r.text
    r = await getattr(client, method)(api(path), **request_)
    assert r.status_code == 401
    r = await getattr(client, method)(f"/reltio/api/nosuch{path}", headers=acme.bob.bearer, **request_)
    assert r.status_code in (403, 404), r.text


# --- generated requests never 5xx -------------------------------------------------------------------

_FIELD = st.sampled_from(["type", "tags", "label", "crosswalks", "crosswalks.type", "attributes.FirstName",
                          "attributes.Address.City", "attributes", "uri", "x", ""])
_SPEC = st.one_of(
    st.fixed_dictionaries({"fieldName": st.one_of(_FIELD, st.integers())},
                          optional={"orderType": st.sampled_from(["count", "term", "reversedTerm", "x", ""]),
                                    "pageSize": st.one_of(st.integers(-5, 4000), st.text(max_size=3)),
                                    "pageNo": st.integers(-1, 40),
                                    "includeFilter": st.one_of(st.lists(st.text(max_size=5), max_size=3),
                                                               st.text(max_size=3))}),
    st.text(max_size=10), st.integers())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(_filters(), st.text(max_size=40)), specs=st.lists(_SPEC, max_size=3),
       cursor=st.one_of(st.none(), st.text(max_size=30), st.integers()), reference=st.booleans())
async def test_generated_requests_never_5xx(client: Any, acme: Any, text: str, specs: list[Any], cursor: Any,
                                            reference: bool) -> None:
    flt = text.replace("attributes.FirstName", "attributes.Address.City") if reference else text
    r = await client.post(api("/entities/_facets"), headers=acme.bob.bearer, params={"filter": flt}, json=specs)
    assert r.status_code in (200, 400), r.text
    r = await client.post(api("/entities/_scan"), headers=acme.bob.bearer, params={"filter": flt},
                          json={"cursor": {"cursor": cursor}})
    assert r.status_code in (200, 400), r.text
    r = await client.get(api("/entities/_total"), headers=acme.bob.bearer, params={"filter": flt})
    assert r.status_code in (200, 400), r.text
    r = await client.get(api(f"/entities/_byCrosswalk/{quote(text[:20], safe='') or 'x'}"),
                         headers=acme.bob.bearer, params={"type": flt[:10]})
    assert r.status_code < 500, r.text
