"""Entity search: GET /entities, GET|POST /entities/_search, /entities/_total — Reltio's filter
language (table-driven: filter -> the entities found), select, paging, sorting, bad filters (400,
never 500), pending change requests, and hypothesis-made filters that never get a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.reltio.conftest import TENANT, api, make_entity, reltio_error

PEOPLE: dict[str, dict[str, Any]] = {
    "ada": {"type": "configuration/entityTypes/Individual", "tags": ["vip", "math"],
            "attributes": {"FirstName": [{"value": "Ada"}], "LastName": [{"value": "Lovelace"}],
                           "Email": [{"value": "ada@analytical.example"}],
                           "Phone": [{"value": {"Type": [{"value": "Mobile"}], "Number": [{"value": "555-0100"}]}},
                                     {"value": {"Type": [{"value": "Home"}], "Number": [{"value": "555-0199"}]}}],
                           "Education": [{"value": {"SchoolName": [{"value": "Home schooled"}],
                                                    "YearOfGraduation": [{"value": "1833"}]}}]},
            "crosswalks": [{"type": "configuration/sources/LNKD", "value": "ada-1"}]},
    "charles": {"type": "configuration/entityTypes/Individual", "tags": ["math"],
                "attributes": {"FirstName": [{"value": "Charles"}], "LastName": [{"value": "Babbage"}],
                               "Phone": [{"value": {"Type": [{"value": "Home"}], "Number": [{"value": "555-0200"}]}}],
                               "Education": [{"value": {"SchoolName": [{"value": "Trinity College"}],
                                                        "YearOfGraduation": [{"value": "1814"}]}}]},
                "crosswalks": [{"type": "configuration/sources/FB", "value": "cb"}]},
    "grace": {"type": "configuration/entityTypes/Individual",
              "attributes": {"FirstName": [{"value": "Grace"}], "LastName": [{"value": "Hopper"}],
                             "Education": [{"value": {"SchoolName": [{"value": "Yale"}],
                                                      "YearOfGraduation": [{"value": "934"}]}}]},
              "crosswalks": [{"type": "configuration/sources/LNKD", "value": "gh"}]},
    "acme": {"type": "configuration/entityTypes/Organization",
             "attributes": {"Name": [{"value": "Acme Analytical Engines"}]},
             "crosswalks": [{"type": "configuration/sources/FB", "value": "acme"}]},
}


@pytest.fixture
async def people(client: Any, acme: Any) -> dict[str, str]:
    """name -> uri of PEOPLE, made by alice."""
    out = {}
    for name, body in PEOPLE.items():
        out[name] = (await make_entity(client, acme.alice, body))["uri"]
    return out


FILTERS: list[tuple[str, set[str]]] = [
    ("equals(type,'configuration/entityTypes/Individual')", {"ada", "charles", "grace"}),
    ("equals(type,'Organization')", {"acme"}),
    ("equals(attributes.FirstName,'ada')", {"ada"}),
    ("equals(attributes.FirstName, \"ADA\")", {"ada"}),
    ("equalsCaseSensitive(attributes.FirstName,'ada')", set()),
    ("equalsCaseSensitive(attributes.FirstName,'Ada')", {"ada"}),
    ("startsWith(attributes.LastName,'Lo')", {"ada"}),
    ("startsWith(attributes.LastName,'%')", set()),
    ("containsWordStartingWith(attributes.Name,'anal')", {"acme"}),
    ("containsWordStartingWith(attributes.Name,'anal eng')", {"acme"}),
    ("containsWordStartingWith(attributes.Name,'nalytical')", set()),
    ("containsWordStartingWith(attributes.Email,'analytical')", {"ada"}),
    ("fullText(attributes,'hopper babbage')", {"charles", "grace"}),
    ("fullText(attributes.LastName,'hop')", set()),
    ("fuzzy(attributes.LastName,'Babbgae')", {"charles"}),
    ("fuzzy(attributes.FirstName,'Graec')", {"grace"}),
    ("equals(attributes,'Hopper')", {"grace"}),
    ("equals(attributes.Phone.Type,'home')", {"ada", "charles"}),
    ("equals(attributes.Phone.Number,'555-0100')", {"ada"}),
    ("inSameAttributeValue(equals(attributes.Phone.Type,'Home') and equals(attributes.Phone.Number,'555-0100'))",
     set()),
    ("inSameAttributeValue(equals(attributes.Phone.Type,'Home') and equals(attributes.Phone.Number,'555-0199'))",
     {"ada"}),
    ("equals(attributes.Phone.Type,'Home') and equals(attributes.Phone.Number,'555-0100')", {"ada"}),
    ("range(attributes.Education.YearOfGraduation, 1800, 1900)", {"ada", "charles"}),
    ("gt(attributes.Education.YearOfGraduation, 1000)", {"ada", "charles"}),
    ("gte(attributes.Education.YearOfGraduation, 1833)", {"ada"}),
    ("lt(attributes.Education.YearOfGraduation, 1814)", {"grace"}),
    ("lte(attributes.Education.YearOfGraduation, 1814)", {"charles", "grace"}),
    ("exists(attributes.Phone)", {"ada", "charles"}),
    ("exists(attributes.Phone.Number)", {"ada", "charles"}),
    ("missing(attributes.Phone)", {"grace", "acme"}),
    ("not exists(attributes.Email)", {"charles", "grace", "acme"}),
    ("in(attributes.FirstName, 'ada,grace')", {"ada", "grace"}),
    ("in(attributes.FirstName, 'Ada', 'Charles')", {"ada", "charles"}),
    ("equals(tags,'vip')", {"ada"}),
    ("equals(tags,'math') and not equals(tags,'vip')", {"charles"}),
    ("exists(tags)", {"ada", "charles"}),
    ("equals(crosswalks.type,'configuration/sources/FB')", {"charles", "acme"}),
    ("equals(crosswalks.type,'LNKD')", {"ada", "grace"}),
    ("equals(crosswalks.value,'gh')", {"grace"}),
    ("equals(crosswalks,'cb')", {"charles"}),
    ("startsWith(label,'Ada')", {"ada"}),
    ("(equals(attributes.FirstName,'Ada') or equals(attributes.FirstName,'Grace')) and exists(attributes.Phone)",
     {"ada"}),
    ("equals(attributes.FirstName,'Ada') or equals(attributes.FirstName,'Grace') and exists(attributes.Phone)",
     {"ada"}),
    ("NOT (equals(type,'Individual') OR equals(type,'Organization'))", set()),
    ("gt(createdTime, 0) and lt(updatedTime, 99999999999999)", {"ada", "charles", "grace", "acme"}),
    ("lt(createdTime, '2000-01-01')", set()),
    ("exists(createdTime)", {"ada", "charles", "grace", "acme"}),
    ("equals(tags,'math') not equals(tags,'vip')", {"charles"}),  # juxtaposed conditions: and
    ("(" * 40 + "equals(attributes.FirstName,'Grace')" + ")" * 40, {"grace"}),  # parentheses alone nest nothing
]


@pytest.mark.parametrize(("text", "expected"), FILTERS, ids=[f for f, _ in FILTERS])
async def test_filter_finds_exactly(client: Any, acme: Any, people: dict[str, str], text: str,
                                    expected: set[str]) -> None:
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params={"filter": text, "max": 200})
    assert r.status_code == 200, r.text
    by_uri = {uri: name for name, uri in people.items()}
    assert {by_uri[e["uri"]] for e in r.json()} == expected
    total = await client.get(api("/entities/_total"), headers=acme.bob.bearer, params={"filter": text})
    assert total.status_code == 200 and total.json() == {"total": len(expected)}


async def test_filter_by_uri(client: Any, acme: Any, people: dict[str, str]) -> None:
    r = await client.get(api("/entities"), headers=acme.bob.bearer,
                         params={"filter": f"equals(uri,'{people['grace']}')"})
    assert [e["uri"] for e in r.json()] == [people["grace"]]


async def test_results_render_as_get_and_select_trims(client: Any, acme: Any, people: dict[str, str]) -> None:
    r = await client.get(api("/entities"), headers=acme.bob.bearer,
                         params={"filter": "equals(attributes.FirstName,'Ada')"})
    one = (await client.get(api("/" + people["ada"]), headers=acme.bob.bearer)).json()
    assert r.json() == [one]
    r = await client.get(api("/entities"), headers=acme.bob.bearer,
                         params={"filter": "equals(attributes.FirstName,'Ada')", "select": "uri,attributes.LastName"})
    assert r.json() == [{"uri": people["ada"], "attributes": {"LastName": one["attributes"]["LastName"]}}]


async def test_post_search_takes_a_form_a_json_object_or_the_query(client: Any, acme: Any,
                                                                   people: dict[str, str]) -> None:
    want = [people["charles"]]
    flt = "equals(attributes.LastName,'Babbage')"
    for prefix in (f"/reltio/api/{TENANT}", f"/services/reltio/api/{TENANT}"):
        r = await client.post(f"{prefix}/entities/_search", headers=acme.bob.bearer, data={"filter": flt})
        assert r.status_code == 200, r.text
        assert [e["uri"] for e in r.json()] == want
        r = await client.post(f"{prefix}/entities/_search", headers=acme.bob.bearer,
                              json={"filter": flt, "select": ["uri"], "max": 5})
        assert r.status_code == 200, r.text
        assert r.json() == [{"uri": want[0]}]
        r = await client.post(f"{prefix}/entities/_search", headers=acme.bob.bearer, params={"filter": flt})
        assert [e["uri"] for e in r.json()] == want
        r = await client.get(f"{prefix}/entities/_search", headers=acme.bob.bearer, params={"filter": flt})
        assert [e["uri"] for e in r.json()] == want
        r = await client.post(f"{prefix}/entities/_total", headers=acme.bob.bearer, data={"filter": flt})
        assert r.json() == {"total": 1}


async def test_paging_and_sorting(client: Any, acme: Any, people: dict[str, str]) -> None:
    flt = {"filter": "equals(type,'Individual')", "sort": "attributes.FirstName"}
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params=flt)
    assert [e["uri"] for e in r.json()] == [people["ada"], people["charles"], people["grace"]]
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params={**flt, "order": "desc", "max": 2})
    assert [e["uri"] for e in r.json()] == [people["grace"], people["charles"]]
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params={**flt, "offset": 2, "max": 2})
    assert [e["uri"] for e in r.json()] == [people["grace"]]
    everyone = await client.get(api("/entities"), headers=acme.bob.bearer, params={"max": 200})
    assert len(everyone.json()) == 4
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params={"activeness": "not_active"})
    assert r.json() == []


async def test_search_by_ov_only_reads_operational_values(client: Any, acme: Any) -> None:
    body = {"type": "configuration/entityTypes/Individual",
            "attributes": {"FirstName": [{"value": "Old"}, {"value": "New"}]},
            "crosswalks": [{"type": "configuration/sources/LNKD", "value": "ov"}]}
    made = await make_entity(client, acme.alice, body)
    ov = [v["value"] for v in made["attributes"]["FirstName"] if v["ov"]]
    other = ({"Old", "New"} - set(ov)).pop()
    for options, found in (("", 1), ("searchByOv", 0)):
        r = await client.get(api("/entities/_total"), headers=acme.bob.bearer,
                             params={"filter": f"equals(attributes.FirstName,'{other}')", "options": options})
        assert r.json() == {"total": found}, options


async def test_writes_are_found_and_deletes_are_not(client: Any, acme: Any, people: dict[str, str]) -> None:
    flt = {"filter": "equals(attributes.FirstName,'Augusta')"}
    r = await client.post(api(f"/{people['ada']}/_update"), headers=acme.alice.bearer,
                          json=[{"type": "INSERT_ATTRIBUTE", "uri": f"{people['ada']}/attributes/FirstName",
                                 "newValue": [{"value": "Augusta"}]}])
    assert r.status_code == 200, r.text
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params=flt)
    assert [e["uri"] for e in r.json()] == [people["ada"]]
    assert (await client.delete(api(f"/{people['ada']}"), headers=acme.admin.bearer)).status_code == 200
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params=flt)
    assert r.json() == []


async def test_pending_change_requests_never_show(client: Any, acme: Any, people: dict[str, str]) -> None:
    body = {"type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": "Staged"}]},
            "crosswalks": [{"type": "configuration/sources/LNKD", "value": "staged"}]}
    r = await client.post(api("/entities"), headers=acme.alice.bearer, params={"alwaysCreateDCR": "true"},
                          json=[body])
    assert r.status_code == 200 and r.json()["state"] == "AWAITING_REVIEW", r.text
    r = await client.get(api("/entities/_total"), headers=acme.carol.bearer,
                         params={"filter": "equals(attributes.FirstName,'Staged')"})
    assert r.json() == {"total": 0}


BAD_FILTERS = [
    "equals(attributes.FirstName,'Ada'", "equals(attributes.FirstName)", "nope(type,'x')", "equals(color,'red')",
    "equals(attributes..x,'a')", "and", "equals(type,'a') and", "()", "lt(createdTime,'yesterday')",
    "fullText(type,'a')", "inSameAttributeValue(equals(type,'Individual'))", "equals(type,'a'))",
    "equals(attributes.FirstName,'a' 'b')", "range(attributes.A, 1)",
    "not " * 40 + "exists(type)",  # deeper than 32 levels: refused before anything walks it (was a 500)
]


@pytest.mark.parametrize("text", BAD_FILTERS)
async def test_bad_filters_are_reltios_400(client: Any, acme: Any, text: str) -> None:
    for path in ("/entities", "/entities/_total"):
        r = await client.get(api(path), headers=acme.bob.bearer, params={"filter": text})
        body = reltio_error(r, 400, 9017, "Invalid filter")
        assert "INVALID_FILTER" in body["innerErrorData"]["exception"]


@pytest.mark.parametrize(("params", "fragment"), [
    ({"max": "0"}, "max"), ({"max": "201"}, "max"), ({"max": "x"}, "max"), ({"offset": "9990", "max": "20"}, "10000"),
    ({"order": "sideways"}, "order"), ({"activeness": "maybe"}, "activeness"), ({"options": "bogus"}, "bogus"),
    ({"scoreEnabled": "perhaps"}, "scoreEnabled"),
])
async def test_bad_parameters_are_400(client: Any, acme: Any, params: dict[str, str], fragment: str) -> None:
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params=params)
    reltio_error(r, 400, fragment=fragment)


async def test_the_search_routes_are_not_entity_ids(client: Any, acme: Any) -> None:
    r = await client.get(api("/entities/_search"), headers=acme.bob.bearer)
    assert r.status_code == 200 and r.json() == []


_ATOM = st.sampled_from(["equals", "startsWith", "containsWordStartingWith", "fullText", "fuzzy", "range", "lt",
                         "gte", "exists", "missing", "in", "equalsCaseSensitive", "bogus"])
_PROP = st.sampled_from(["type", "uri", "tags", "createdTime", "attributes", "attributes.FirstName",
                         "attributes.Phone.Number", "crosswalks", "label", "x"])
_VAL = st.one_of(st.text(max_size=12), st.integers().map(str), st.just("'"), st.just("%_\\"))


@st.composite
def _filters(draw: Any) -> str:
    def cond() -> str:
        args = [draw(_PROP)] + [repr(draw(_VAL)) for _ in range(draw(st.integers(0, 2)))]
        return f"{draw(_ATOM)}({', '.join(args)})"

    parts = [cond() for _ in range(draw(st.integers(1, 3)))]
    glue = draw(st.sampled_from([" and ", " or ", " AND not ", ") or (", ","]))
    text = glue.join(parts)
    return draw(st.sampled_from([text, f"({text})", f"inSameAttributeValue({text})", text[: len(text) // 2]]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(_filters(), st.text(max_size=40)))
async def test_generated_filters_never_5xx(client: Any, acme: Any, text: str) -> None:
    r = await client.get(api("/entities"), headers=acme.bob.bearer, params={"filter": text})
    assert r.status_code in (200, 400), r.text


async def test_the_query_string_overrides_the_body(client: Any, acme: Any, people: dict[str, str]) -> None:
    r = await client.post(api("/entities/_search"), headers=acme.bob.bearer,
                          params={"filter": "equals(attributes.FirstName,'Grace')"},
                          json={"filter": "equals(attributes.FirstName,'Ada')", "select": "uri"})
    assert r.json() == [{"uri": people["grace"]}]
