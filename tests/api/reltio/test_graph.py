"""The graph around an entity: POST /entities/{id}/_connections, GET /entities/{id}/_hops, and
relation search (GET /relations, GET|POST /relations/_search): what each finds (table-driven),
paging, limits, bad input (Reltio's 400, never 500), pending change requests never showing, and
who may read."""

from __future__ import annotations

from typing import Any

import pytest

from bondline.services import accounts
from tests.api.reltio.conftest import LOCATION, TENANT, api, make_entity, make_relation, reltio_error


def person(first: str, last: str, key: str) -> dict[str, Any]:
    return {"type": "configuration/entityTypes/Individual",
            "attributes": {"FirstName": [{"value": first}], "LastName": [{"value": last}]},
            "crosswalks": [{"type": "configuration/sources/LNKD", "value": key}]}


def org(name: str, key: str) -> dict[str, Any]:
    return {"type": "configuration/entityTypes/Organization", "attributes": {"Name": [{"value": name}]},
            "crosswalks": [{"type": "configuration/sources/FB", "value": key}]}


@pytest.fixture
async def world(client: Any, acme: Any) -> dict[str, str]:
    """ada -HasAddress-> home; ada -Employment-> acme; bob -Employment-> acme; bob -affiliatedwith-> ada;
    carl -HasAddress-> home; far -affiliatedwith-> carl. name -> uri, and rel:<name> -> relation uri."""
    who = acme.alice
    out = {
        "ada": (await make_entity(client, who, person("Ada", "Lovelace", "ada")))["uri"],
        "bob": (await make_entity(client, who, person("Bob", "Babbage", "bob")))["uri"],
        "carl": (await make_entity(client, who, person("Carl", "Gauss", "carl")))["uri"],
        "far": (await make_entity(client, who, person("Far", "Away", "far")))["uri"],
        "home": (await make_entity(client, who, LOCATION))["uri"],
        "acme": (await make_entity(client, who, org("Acme", "acme")))["uri"],
    }
    for name, start, end, kind in (("ada_home", "ada", "home", "HasAddress"), ("ada_acme", "ada", "acme", "Employment"),
                                   ("bob_acme", "bob", "acme", "Employment"),
                                   ("bob_ada", "bob", "ada", "affiliatedwith"),
                                   ("carl_home", "carl", "home", "HasAddress"),
                                   ("far_carl", "far", "carl", "affiliatedwith")):
        out["rel:" + name] = (await make_relation(client, who, out[start], out[end], kind))["uri"]
    return out


def _names(world: dict[str, str], uris: list[str]) -> set[str]:
    by_uri = {v: k for k, v in world.items()}
    return {by_uri[u] for u in uris}


# --- _connections ------------------------------------------------------------------------------------

REL = "configuration/relationTypes/"
ET = "configuration/entityTypes/"
CONNECTIONS: list[tuple[str, dict[str, Any], set[tuple[str, str]]]] = [
    ("everything", {}, {("home", "out"), ("acme", "out"), ("bob", "in")}),
    ("out only", {"outRelations": [{"uri": REL + "HasAddress"}, {"uri": REL + "Employment"}]},
     {("home", "out"), ("acme", "out")}),
    ("in only", {"inRelations": [{"uri": REL + "affiliatedwith"}]}, {("bob", "in")}),
    ("in of another type", {"inRelations": [{"uri": REL + "Employment"}]}, set()),
    ("entity types", {"entityTypes": [ET + "Organization"]}, {("acme", "out")}),
    ("no entity types named: every type", {"entityTypes": []}, {("home", "out"), ("acme", "out"), ("bob", "in")}),
    ("entity types, short names", {"entityTypes": ["Location", "Individual"]}, {("home", "out"), ("bob", "in")}),
    ("filter on the connected entity", {"filter": "equals(attributes.Name,'acme')"}, {("acme", "out")}),
    ("filter with or", {"filter": "equals(attributes.FirstName,'Bob') or exists(attributes.City)"},
     {("bob", "in"), ("home", "out")}),
    ("filter finds none", {"filter": "equals(attributes.FirstName,'Nobody')"}, set()),
]


@pytest.mark.parametrize(("label", "group", "expected"), CONNECTIONS, ids=[c[0] for c in CONNECTIONS])
async def test_connections_find_exactly(client: Any, acme: Any, world: dict[str, str], label: str,
                                        group: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    r = await client.post(api(f"/{world['ada']}/_connections"), headers=acme.bob.bearer, json=[group])
    assert r.status_code == 200, r.text
    [page] = r.json()
    assert page["index"] == 0 and page["total"] == len(expected)
    by_uri = {v: k for k, v in world.items()}
    assert {(by_uri[c["entity"]["entityUri"]], c["relation"]["direction"]) for c in page["connections"]} == expected


async def test_connection_shape_and_several_groups(client: Any, acme: Any, world: dict[str, str]) -> None:
    body = [{"outRelations": [{"uri": REL + "HasAddress", "label": "{directionalLabel}"}],
             "entityTypes": [ET + "Location"]},
            {"inRelations": [{"uri": REL + "affiliatedwith"}], "entityTypes": [ET + "Individual"]}]
    for prefix in (f"/reltio/api/{TENANT}", f"/services/reltio/api/{TENANT}"):
        r = await client.post(f"{prefix}/{world['ada']}/_connections", headers=acme.bob.bearer, json=body)
        assert r.status_code == 200, r.text
        first, second = r.json()
        assert first == {"returnObjects": False, "returnDates": False, "index": 0, "total": 1, "connections": [{
            "entity": {"entityUri": world["home"], "entityType": ET + "Location", "entityLabel": "12 Analytical Row"},
            "relation": {"relationUri": world["rel:ada_home"], "relationType": REL + "HasAddress",
                         "relationLabel": "address of", "direction": "out"}}]}
        assert second["connections"][0]["relation"] == {
            "relationUri": world["rel:bob_ada"], "relationType": REL + "affiliatedwith",
            "relationLabel": "affiliated with", "direction": "in"}


async def test_connections_page(client: Any, acme: Any, world: dict[str, str]) -> None:
    seen = []
    for offset in range(4):
        r = await client.post(api(f"/{world['ada']}/_connections"), headers=acme.bob.bearer,
                              json=[{"offset": offset, "max": 1, "sortBy": "entities"}])
        page = r.json()[0]
        assert page["total"] == 3 and page["index"] == offset
        seen += [c["entity"]["entityLabel"] for c in page["connections"]]
    assert seen == ["12 Analytical Row", "Acme", "Bob Babbage"]  # by the connected entity's label


BAD_CONNECTIONS: list[tuple[Any, str]] = [
    ({"outRelations": []}, "array of connection requests"),
    ([1], "must be an object"),
    ([{"outRelations": "HasAddress"}], "must be an array"),
    ([{"outRelations": [{"label": "x"}]}], "uri"),
    ([{"entityTypes": [3]}], "type URI"),
    ([{"max": -1}], "max"),
    ([{"max": 201}], "max"),
    ([{"max": "ten"}], "integer"),
    ([{"offset": -5}], "offset"),
    ([{"offset": 9_999, "max": 2}], "10000"),
    ([{"filter": "equals(attributes.FirstName"}], "syntax"),
    ([{"filter": "nosuch(attributes.FirstName,'x')"}], "unknown condition"),
    ([{"filter": 7}], "string"),
    ([{"returnObjects": {}}], "true or false"),
    ([{"filter": None}], "null"),
    ([{"outRelations": ["HasAddress"]}], "an object with 'uri'"),
    ([{"outRelations": [{"uri": REL + "HasAddress", "label": {}}]}], "strings"),
    ([{}] * 21, "At most 20"),
    ([{"connections": 5}], "[0].connections"),
    ([{"connections": [{"connections": [{"connections": [{}]}]}]}], "3 levels"),
    ([{"connections": [{"max": -1}]}], "[0].connections[0].max"),
    ([{"max": 200, "connections": [{}, {}, {}]}], "at most 500"),
    ([{"max": 50, "connections": [{"max": 20, "connections": [{}]}]}], "at most 500"),
]


def _tree_of(world: dict[str, str], pages: list[dict[str, Any]]) -> list[Any]:
    """Each group as (total, [(connected entity, its nested groups' trees)])."""
    by_uri = {v: k for k, v in world.items()}
    return [(p["total"], sorted((by_uri[c["entity"]["entityUri"]], _tree_of(world, c["connections"]))
                                if "connections" in c else (by_uri[c["entity"]["entityUri"]],)
                                for c in p["connections"])) for p in pages]


NESTED: list[tuple[str, str, list[dict[str, Any]], list[Any]]] = [
    ("colleagues", "ada", [{"outRelations": [{"uri": REL + "Employment"}],
                            "connections": [{"inRelations": [{"uri": REL + "Employment"}]}]}],
     [(1, [("acme", [(2, [("ada",), ("bob",)])])])]),
    ("three levels", "ada",
     [{"outRelations": [{"uri": REL + "HasAddress"}],
       "connections": [{"inRelations": [{"uri": REL + "HasAddress"}],
                        "connections": [{"inRelations": [{"uri": REL + "affiliatedwith"}]}]}]}],
     [(1, [("home", [(2, [("ada", [(1, [("bob",)])]), ("carl", [(1, [("far",)])])])])])]),
    ("two nested groups and a plain one", "bob",
     [{"outRelations": [{"uri": REL + "affiliatedwith"}],
       "connections": [{"outRelations": [{"uri": REL + "Employment"}]},
                       {"outRelations": [{"uri": REL + "HasAddress"}]}]},
      {"inRelations": [{"uri": REL + "affiliatedwith"}]}],
     [(1, [("ada", [(1, [("acme",)]), (1, [("home",)])])]), (0, [])]),
    ("nested page and entity types", "home",
     [{"inRelations": [{"uri": REL + "HasAddress"}], "max": 1,
       "connections": [{"entityTypes": [ET + "Organization"]}]}],
     [(2, [("ada", [(1, [("acme",)])])])]),
]


@pytest.mark.parametrize(("name", "start", "body", "expected"), NESTED, ids=[n[0] for n in NESTED])
async def test_nested_connection_groups(client: Any, acme: Any, world: dict[str, str], name: str, start: str,
                                        body: list[dict[str, Any]], expected: list[Any]) -> None:
    r = await client.post(api(f"/{world[start]}/_connections"), headers=acme.bob.bearer, json=body)
    assert r.status_code == 200, r.text
    assert _tree_of(world, r.json()) == expected


@pytest.mark.parametrize(("body", "fragment"), BAD_CONNECTIONS, ids=[f for _, f in BAD_CONNECTIONS])
async def test_bad_connection_requests_are_400(client: Any, acme: Any, world: dict[str, str], body: Any,
                                               fragment: str) -> None:
    r = await client.post(api(f"/{world['ada']}/_connections"), headers=acme.bob.bearer, json=body)
    reltio_error(r, 400, fragment=fragment)


async def test_connections_of_a_missing_entity_and_bad_json(client: Any, acme: Any, world: dict[str, str]) -> None:
    r = await client.post(api("/entities/NoSuch1/_connections"), headers=acme.bob.bearer, json=[{}])
    reltio_error(r, 404, fragment="entities/NoSuch1")
    r = await client.post(api(f"/{world['ada']}/_connections"), headers={**acme.bob.bearer,
                                                                        "content-type": "application/json"},
                          content=b"[{")
    assert r.status_code == 400
    r = await client.post(api(f"/{world['ada']}/_connections"), headers=acme.bob.bearer, json=[{}],
                          params={"options": "bogus"})
    reltio_error(r, 400, fragment="bogus")


# --- _hops -----------------------------------------------------------------------------------------

HOPS: list[tuple[str, dict[str, Any], set[str], set[str]]] = [
    ("one hop", {}, {"ada", "home", "acme", "bob"}, {"ada_home", "ada_acme", "bob_ada"}),
    ("two hops", {"deep": 2}, {"ada", "home", "acme", "bob", "carl"},
     {"ada_home", "ada_acme", "bob_ada", "bob_acme", "carl_home"}),
    ("three hops", {"deep": 3}, {"ada", "home", "acme", "bob", "carl", "far"},
     {"ada_home", "ada_acme", "bob_ada", "bob_acme", "carl_home", "far_carl"}),
    ("relation types", {"deep": 3, "relationTypeURIs": REL + "HasAddress"}, {"ada", "home", "carl"},
     {"ada_home", "carl_home"}),
    ("two relation types", {"deep": 3, "relationTypeURIs": f"{REL}HasAddress,{REL}affiliatedwith"},
     {"ada", "home", "carl", "bob", "far"}, {"ada_home", "carl_home", "bob_ada", "far_carl"}),
    # the second level (bob's acme relation is not new, carl is) does not fit in 4: only level one
    ("max cuts a level", {"deep": 2, "max": 4}, {"ada", "home", "acme", "bob"}, {"ada_home", "ada_acme", "bob_ada"}),
    ("max below the first level", {"deep": 2, "max": 2}, {"ada"}, set()),
]


@pytest.mark.parametrize(("label", "query", "entities", "relations"), HOPS, ids=[h[0] for h in HOPS])
async def test_hops_find_exactly(client: Any, acme: Any, world: dict[str, str], label: str, query: dict[str, Any],
                                 entities: set[str], relations: set[str]) -> None:
    r = await client.get(api(f"/{world['ada']}/_hops"), headers=acme.bob.bearer, params=query)
    assert r.status_code == 200, r.text
    body = r.json()
    assert _names(world, [e["uri"] for e in body["entities"]]) == entities
    assert _names(world, [x["uri"] for x in body["relations"]]) == {"rel:" + n for n in relations}
    assert body["dataComplete"] is ("max" not in query)


async def test_hops_shape_counts_and_select(client: Any, acme: Any, world: dict[str, str]) -> None:
    r = await client.get(api(f"/{world['ada']}/_hops"), headers=acme.bob.bearer,
                         params={"select": "attributes.FirstName", "relationTypeURIs": REL + "HasAddress"})
    body = r.json()
    ada = body["entities"][0]
    assert ada == {"uri": world["ada"], "type": ET + "Individual", "label": "Ada Lovelace",
                   "attributes": {"FirstName": ada["attributes"]["FirstName"]},
                   "traversedRelations": 1, "untraversedRelations": 2,
                   "traversedRelationsCount": 1, "untraversedRelationsCount": 2}
    assert ada["attributes"]["FirstName"][0]["value"] == "Ada"
    assert body["relations"] == [{"uri": world["rel:ada_home"], "type": REL + "HasAddress",
                                  "startObject": {"objectURI": world["ada"], "directionalLabel": "has address"},
                                  "endObject": {"objectURI": world["home"], "directionalLabel": "address of"},
                                  "direction": "directed"}]
    home = next(e for e in body["entities"] if e["uri"] == world["home"])
    assert (home["traversedRelations"], home["untraversedRelations"]) == (1, 1)  # carl's is not traversed
    assert "attributes" not in (await client.get(api(f"/{world['ada']}/_hops"),
                                                 headers=acme.bob.bearer)).json()["entities"][0]


@pytest.mark.parametrize(("query", "fragment"), [
    ({"deep": 0}, "deep"), ({"deep": 6}, "deep"), ({"deep": "x"}, "integer"), ({"max": 0}, "max"),
    ({"max": 1501}, "max"), ({"options": "bogus"}, "bogus"), ({"returnInactive": "maybe"}, "returnInactive")])
async def test_bad_hops_are_400(client: Any, acme: Any, world: dict[str, str], query: dict[str, Any],
                                fragment: str) -> None:
    reltio_error(await client.get(api(f"/{world['ada']}/_hops"), headers=acme.bob.bearer, params=query), 400,
                 fragment=fragment)


async def test_hops_of_a_missing_entity(client: Any, acme: Any) -> None:
    reltio_error(await client.get(api("/entities/NoSuch1/_hops"), headers=acme.bob.bearer), 404)


# --- relation search -----------------------------------------------------------------------------------

RELATION_FILTERS: list[tuple[str, set[str]]] = [
    ("", {"ada_home", "ada_acme", "bob_acme", "bob_ada", "carl_home", "far_carl"}),
    ("equals(type,'configuration/relationTypes/Employment')", {"ada_acme", "bob_acme"}),
    ("equals(type,'HasAddress')", {"ada_home", "carl_home"}),
    ("in(type,'HasAddress,Employment')", {"ada_home", "carl_home", "ada_acme", "bob_acme"}),
    ("equals(startObject,'{ada}')", {"ada_home", "ada_acme"}),
    ("equals(endObject,'{ada}')", {"bob_ada"}),
    ("equals(startObject,'{ada}') or equals(endObject,'{ada}')", {"ada_home", "ada_acme", "bob_ada"}),
    ("equals(endObject.objectURI,'{home}') and not equals(startObject,'{ada}')", {"carl_home"}),
    ("equals(uri,'{rel_far_carl}')", {"far_carl"}),
    ("gt(createdTime, 0)", {"ada_home", "ada_acme", "bob_acme", "bob_ada", "carl_home", "far_carl"}),
    ("lt(createdTime, '2000-01-01')", set()),
]


@pytest.mark.parametrize(("text", "expected"), RELATION_FILTERS, ids=[t or "none" for t, _ in RELATION_FILTERS])
async def test_relation_filter_finds_exactly(client: Any, acme: Any, world: dict[str, str], text: str,
                                             expected: set[str]) -> None:
    flt = text.format(**{k.replace(':', '_'): v for k, v in world.items()})
    for method in ("GET /relations", "GET /relations/_search", "POST /relations/_search"):
        verb, path = method.split()
        if verb == "GET":
            r = await client.get(api(path), headers=acme.bob.bearer, params={"filter": flt, "max": 200})
        else:
            r = await client.post(api(path), headers=acme.bob.bearer, json={"filter": flt, "max": 200})
        assert r.status_code == 200, r.text
        assert _names(world, [x["uri"] for x in r.json()]) == {"rel:" + n for n in expected}, method


async def test_relation_search_renders_as_get_pages_and_selects(client: Any, acme: Any,
                                                                world: dict[str, str]) -> None:
    one = (await client.get(api("/" + world["rel:ada_home"]), headers=acme.bob.bearer)).json()
    r = await client.get(api("/relations"), headers=acme.bob.bearer,
                         params={"filter": f"equals(uri,'{world['rel:ada_home']}')"})
    assert r.json() == [one]
    pages = []
    for offset in range(0, 6, 2):
        r = await client.get(api("/relations"), headers=acme.bob.bearer, params={"offset": offset, "max": 2})
        pages += [x["uri"] for x in r.json()]
    assert len(pages) == len(set(pages)) == 6
    r = await client.get(api("/relations"), headers=acme.bob.bearer, params={"select": "uri,type", "max": 1})
    assert list(r.json()[0]) == ["uri", "type"]
    r = await client.get(api("/relations"), headers=acme.bob.bearer, params={"activeness": "not_active"})
    assert r.json() == []


@pytest.mark.parametrize(("params", "fragment"), [
    ({"filter": "equals(attributes.Ti tle,'x')"}, "syntax"),
    ({"filter": "equals(label,'x')"}, "unknown property"),
    ({"filter": "equals(type,"}, "syntax"),
    ({"filter": "inSameAttributeValue(equals(attributes.A.B,'x'))"}, "inSameAttributeValue"),
    ({"filter": "equals(attributes.A..B,'x')"}, "unknown property"),
    ({"max": 0}, "max"), ({"max": 201}, "max"), ({"offset": -1}, "offset"), ({"max": "x"}, "integer"),
    ({"order": "up"}, "order"), ({"activeness": "maybe"}, "activeness"), ({"options": "bogus"}, "bogus")])
async def test_bad_relation_searches_are_400(client: Any, acme: Any, params: dict[str, Any], fragment: str) -> None:
    reltio_error(await client.get(api("/relations"), headers=acme.bob.bearer, params=params), 400,
                 fragment=fragment)


RELATION_ATTRIBUTE_FILTERS: list[tuple[str, set[str]]] = [
    ("equals(attributes.Title,'ceo')", {"ada_acme"}),
    ("equals(attributes.Title,'CEO') or equals(attributes.Title,'Engineer')", {"ada_acme", "bob_acme"}),
    ("startsWith(attributes.Title,'eng')", {"bob_acme"}),
    ("containsWordStartingWith(attributes.Department,'resea')", {"bob_acme"}),
    ("exists(attributes.Department)", {"bob_acme"}),
    ("missing(attributes.Title) and equals(type,'Employment')", set()),
    ("not exists(attributes.Title)", {"ada_home", "bob_ada", "carl_home", "far_carl"}),
    ("equals(attributes.AddressRank,'1') and equals(startObject,'{carl}')", {"carl_home"}),
    ("gt(attributes.AddressRank,1)", {"ada_home"}),
    ("equals(attributes,'ceo')", {"ada_acme"}),
    ("equals(attributes.Title,'Nobody')", set()),
]


@pytest.fixture
async def attributed(client: Any, acme: Any, world: dict[str, str]) -> dict[str, str]:
    """The world's relations with attribute values (set through the relation writes)."""
    who = acme.alice
    values = {"ada_acme": {"Title": [{"value": "CEO"}]},
              "bob_acme": {"Title": [{"value": "Engineer"}], "Department": [{"value": "Research Lab"}]},
              "ada_home": {"AddressRank": [{"value": "2"}]}, "carl_home": {"AddressRank": [{"value": "1"}]}}
    for name, attributes in values.items():
        rel = world["rel:" + name]
        for attribute, vals in attributes.items():
            r = await client.post(api(f"/{rel}/attributes/{attribute}"), headers=who.bearer, json=vals)
            assert r.status_code == 200, r.text
    return world


@pytest.mark.parametrize(("text", "expected"), RELATION_ATTRIBUTE_FILTERS,
                         ids=[t for t, _ in RELATION_ATTRIBUTE_FILTERS])
async def test_relation_search_by_attribute_values(client: Any, acme: Any, attributed: dict[str, str], text: str,
                                                   expected: set[str]) -> None:
    flt = text.format(**attributed)
    for method in ("GET", "POST"):
        if method == "GET":
            r = await client.get(api("/relations"), headers=acme.bob.bearer, params={"filter": flt, "max": 200})
        else:
            r = await client.post(api("/relations/_search"), headers=acme.bob.bearer, json={"filter": flt, "max": 200})
        assert r.status_code == 200, r.text
        assert _names(attributed, [x["uri"] for x in r.json()]) == {"rel:" + n for n in expected}


async def test_relation_values_follow_every_write(client: Any, acme: Any, attributed: dict[str, str]) -> None:
    """Changing a value, deleting a relation, and a relation created with attributes: the search
    finds what is stored now."""
    def find(text: str) -> Any:
        return client.get(api("/relations"), headers=acme.bob.bearer, params={"filter": text})

    rel = attributed["rel:ada_acme"]
    one = (await client.get(api("/" + rel), headers=acme.bob.bearer)).json()
    value_uri = one["attributes"]["Title"][0]["uri"]
    r = await client.put(api("/" + value_uri), headers=acme.alice.bearer, json={"value": "Chair"})
    assert r.status_code == 200, r.text
    assert (await find("equals(attributes.Title,'CEO')")).json() == []
    assert [x["uri"] for x in (await find("equals(attributes.Title,'chair')")).json()] == [rel]
    r = await client.delete(api("/" + rel), headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    assert (await find("equals(attributes.Title,'chair')")).json() == []
    made = await make_relation(client, acme.alice, attributed["far"], attributed["acme"], "Employment",
                               {"Title": [{"value": "Founder"}]})
    assert [x["uri"] for x in (await find("equals(attributes.Title,'founder')")).json()] == [made["uri"]]


# --- GET /entities/{id}/_parents and graphTypeURIs -----------------------------------------------------

GRAPH = "configuration/graphTypes/"


@pytest.fixture
async def tree(client: Any, acme: Any) -> dict[str, str]:
    """A graph type `Family` over affiliatedwith (child = start, parent = end) and one `Work` over
    Employment: kid -> mum, kid -> dad, mum -> gran, dad -> gran, mum -> mum (a self relation),
    gran -> kid (a cycle); kid -Employment-> acme (another graph type)."""
    own = (await client.get(api("/configuration/_noInheritance"), headers=acme.admin.bearer)).json()
    own["graphTypes"] = [{"uri": GRAPH + "Family", "label": "Family", "graphStructure": "hierarchy",
                          "relationshipTypeURIs": [REL + "affiliatedwith"]},
                         {"uri": GRAPH + "Work", "label": "Work", "relationshipTypeURIs": [REL + "Employment"]}]
    r = await client.put(api("/configuration"), headers=acme.admin.bearer, json=own)
    assert r.status_code == 200, r.text
    who = acme.alice
    out = {name: (await make_entity(client, who, person(name.title(), "Tree", name)))["uri"]
           for name in ("kid", "mum", "dad", "gran")}
    out["acme"] = (await make_entity(client, who, org("Acme", "acme")))["uri"]
    for start, end in (("kid", "mum"), ("kid", "dad"), ("mum", "gran"), ("dad", "gran"), ("mum", "mum"),
                       ("gran", "kid")):
        out[f"rel:{start}_{end}"] = (await make_relation(client, who, out[start], out[end], "affiliatedwith"))["uri"]
    out["rel:kid_acme"] = (await make_relation(client, who, out["kid"], out["acme"], "Employment"))["uri"]
    return out


def _path(tree: dict[str, str], steps: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    by_uri = {v: k for k, v in tree.items()}
    return [(by_uri[s["entityUri"]], *sorted(by_uri[u] for u in s.get("relationsUris", [])),
             *(["self"] if s.get("hasSelfRelation") else [])) for s in steps]


async def test_parents_walks_every_path_to_the_roots(client: Any, acme: Any, tree: dict[str, str]) -> None:
    r = await client.get(api(f"/{tree['kid']}/_parents"), headers=acme.bob.bearer,
                         params={"graphTypeURIs": GRAPH + "Family"})
    assert r.status_code == 200, r.text
    body = r.json()
    paths = sorted(_path(tree, p) for p in body["parentPaths"])
    assert paths == sorted([
        [("kid",), ("mum", "rel:kid_mum", "rel:mum_mum", "self"), ("gran", "rel:mum_gran")],
        [("kid",), ("dad", "rel:kid_dad"), ("gran", "rel:dad_gran")]])
    assert set(body["entities"]) == {tree[n] for n in ("kid", "mum", "dad", "gran")}
    assert body["entities"][tree["mum"]]["attributes"]["FirstName"][0]["value"] == "Mum"
    assert set(body["relations"]) == {tree[n] for n in ("rel:kid_mum", "rel:kid_dad", "rel:mum_gran",
                                                        "rel:dad_gran", "rel:mum_mum")}
    one = (await client.get(api("/" + tree["rel:kid_mum"]), headers=acme.bob.bearer)).json()
    assert body["relations"][tree["rel:kid_mum"]] == one


@pytest.mark.parametrize(("start", "graphs", "expected"), [
    ("gran", "Family", [[("gran",), ("kid", "rel:gran_kid"), ("dad", "rel:kid_dad")],
                        [("gran",), ("kid", "rel:gran_kid"), ("mum", "rel:kid_mum", "rel:mum_mum", "self")]]),
    ("kid", "Work", [[("kid",), ("acme", "rel:kid_acme")]]),
    ("acme", "Work", [[("acme",)]]),
    ("kid", f"{GRAPH}Work,{GRAPH}Family", None),
])
async def test_parents_by_graph_type(client: Any, acme: Any, tree: dict[str, str], start: str, graphs: str,
                                     expected: list[list[tuple[str, ...]]] | None) -> None:
    r = await client.get(api(f"/{tree[start]}/_parents"), headers=acme.bob.bearer,
                         params={"graphTypeURIs": graphs, "select": "label,type"})
    assert r.status_code == 200, r.text
    paths = sorted(_path(tree, p) for p in r.json()["parentPaths"])
    if expected is None:  # both graphs: the work path and the two family paths
        assert len(paths) == 3
    else:
        assert paths == sorted(expected)
    for entity in r.json()["entities"].values():
        assert set(entity) == {"uri", "label", "type"}


@pytest.mark.parametrize(("params", "status", "fragment"), [
    ({}, 400, "graphTypeURIs"), ({"graphTypeURIs": GRAPH + "Nope"}, 400, "Unknown graph type"),
    ({"graphTypeURIs": GRAPH + "Family", "options": "bogus"}, 400, "bogus")])
async def test_bad_parents_requests(client: Any, acme: Any, tree: dict[str, str], params: dict[str, Any],
                                    status: int, fragment: str) -> None:
    reltio_error(await client.get(api(f"/{tree['kid']}/_parents"), headers=acme.bob.bearer, params=params),
                 status, fragment=fragment)
    reltio_error(await client.get(api("/entities/NoSuch1/_parents"), headers=acme.bob.bearer,
                                  params={"graphTypeURIs": GRAPH + "Family"}), 404)


async def test_hops_walk_only_the_graph_types_relations(client: Any, acme: Any, tree: dict[str, str]) -> None:
    async def reached(params: dict[str, Any]) -> set[str]:
        r = await client.get(api(f"/{tree['kid']}/_hops"), headers=acme.bob.bearer, params=params)
        assert r.status_code == 200, r.text
        by_uri = {v: k for k, v in tree.items()}
        return {by_uri[e["uri"]] for e in r.json()["entities"]}

    assert await reached({"deep": 1}) == {"kid", "mum", "dad", "gran", "acme"}
    assert await reached({"deep": 1, "graphTypeURIs": GRAPH + "Work"}) == {"kid", "acme"}
    assert await reached({"deep": 1, "graphTypeURIs": GRAPH + "Family"}) == {"kid", "mum", "dad", "gran"}
    assert await reached({"deep": 1, "graphTypeURIs": GRAPH + "Work",
                          "relationTypeURIs": REL + "affiliatedwith"}) == {"kid"}
    reltio_error(await client.get(api(f"/{tree['kid']}/_hops"), headers=acme.bob.bearer,
                                  params={"graphTypeURIs": GRAPH + "Nope"}), 400, fragment="Unknown graph type")


# --- POST /relations/_dbscan ---------------------------------------------------------------------------

async def _scan_all(client: Any, who: Any, first: dict[str, Any]) -> tuple[list[list[str]], list[str]]:
    """Every page of a scan (the uris on each), and the cursors handed out."""
    pages: list[list[str]] = []
    cursors: list[str] = []
    body: dict[str, Any] = first
    for _ in range(20):
        r = await client.post(api("/relations/_dbscan"), headers=who.bearer, json=body)
        assert r.status_code == 200, r.text
        answer = r.json()
        assert set(answer) == {"objects", "cursor"}
        pages.append([x["uri"] for x in answer["objects"]])
        cursors.append(answer["cursor"])
        if not answer["objects"]:
            return pages, cursors
        body = {"cursor": answer["cursor"]}
    raise AssertionError("the scan did not end")


DBSCANS: list[tuple[str, dict[str, Any], set[str]]] = [
    ("every relation", {}, {"ada_home", "ada_acme", "bob_acme", "bob_ada", "carl_home", "far_carl"}),
    ("one type", {"type": REL + "HasAddress"}, {"ada_home", "carl_home"}),
    ("short type name", {"type": "Employment"}, {"ada_acme", "bob_acme"}),
    ("types", {"type": [REL + "HasAddress", REL + "affiliatedwith"]},
     {"ada_home", "carl_home", "bob_ada", "far_carl"}),
    ("type and filter", {"type": REL + "HasAddress", "filter": "equals(startObject,'{carl}')"}, {"carl_home"}),
    ("since", {"startDate": 0}, {"ada_home", "ada_acme", "bob_acme", "bob_ada", "carl_home", "far_carl"}),
    ("since later", {"startDate": 2 ** 53}, set()),
]


@pytest.mark.parametrize(("name", "first", "expected"), DBSCANS, ids=[d[0] for d in DBSCANS])
@pytest.mark.parametrize("page_size", [1, 4, 150])
async def test_dbscan_reads_each_relation_once(client: Any, acme: Any, world: dict[str, str], name: str,
                                               first: dict[str, Any], expected: set[str], page_size: int) -> None:
    body = {k: (v.format(**world) if isinstance(v, str) else v) for k, v in first.items()}
    pages, cursors = await _scan_all(client, acme.bob, {**body, "pageSize": page_size})
    uris = [u for page in pages for u in page]
    assert len(uris) == len(set(uris))
    assert _names(world, uris) == {"rel:" + n for n in expected}
    assert all(len(page) <= page_size for page in pages) and pages[-1] == []
    # the cursor is stable: the same position gives the same page and the same next cursor
    if len(cursors) > 1:
        again = await client.post(api("/relations/_dbscan"), headers=acme.bob.bearer, json={"cursor": cursors[0]})
        assert [x["uri"] for x in again.json()["objects"]] == pages[1]


async def test_dbscan_objects_and_uris(client: Any, acme: Any, world: dict[str, str]) -> None:
    one = (await client.get(api("/" + world["rel:carl_home"]), headers=acme.bob.bearer)).json()
    r = await client.post(api("/relations/_dbscan"), headers=acme.bob.bearer,
                          json={"type": REL + "HasAddress", "filter": f"equals(startObject,'{world['carl']}')"})
    assert r.json()["objects"] == [one]
    r = await client.post(api("/relations/_dbscan"), headers=acme.bob.bearer,
                          json={"type": REL + "HasAddress", "returnObjects": False, "pageSize": 1})
    assert r.json()["objects"] == [{"uri": world["rel:ada_home"]}]


async def test_a_relation_made_during_a_scan_comes_later(client: Any, acme: Any, world: dict[str, str]) -> None:
    r = await client.post(api("/relations/_dbscan"), headers=acme.bob.bearer, json={"pageSize": 6})
    cursor = r.json()["cursor"]
    made = await make_relation(client, acme.alice, world["far"], world["acme"], "Employment")
    r = await client.post(api("/relations/_dbscan"), headers=acme.bob.bearer, json={"cursor": cursor})
    assert [x["uri"] for x in r.json()["objects"]] == [made["uri"]]


@pytest.mark.parametrize(("body", "fragment"), [
    ([], "object"), ({"pageSize": 0}, "pageSize"), ({"pageSize": 151}, "pageSize"), ({"pageSize": "x"}, "pageSize"),
    ({"type": 5}, "type"), ({"type": []}, "type"), ({"filter": 1}, "filter"), ({"filter": "equals(type,"}, "syntax"),
    ({"startDate": "yesterday"}, "startDate"), ({"returnObjects": "yes"}, "returnObjects"),
    ({"bogus": 1}, "bogus"), ({"cursor": "not a cursor"}, "cursor"), ({"cursor": 12}, "cursor"),
    ({"cursor": "eyJ2IjoxLCJ0Ijoib3RoZXIifQ=="}, "cursor")])
async def test_bad_dbscans_are_400(client: Any, acme: Any, body: Any, fragment: str) -> None:
    reltio_error(await client.post(api("/relations/_dbscan"), headers=acme.bob.bearer, json=body), 400,
                 fragment=fragment)


async def test_a_dbscan_without_a_body_is_400(client: Any, acme: Any) -> None:
    reltio_error(await client.post(api("/relations/_dbscan"), headers=acme.bob.bearer), 400, fragment="JSON object")


async def test_a_cursor_is_the_tenants_own(client: Any, app: Any, acme: Any, world: dict[str, str]) -> None:
    r = await client.post(api("/relations/_dbscan"), headers=acme.bob.bearer, json={"pageSize": 1})
    cursor = r.json()["cursor"]
    r = await client.post("/reltio/api/other/relations/_dbscan", headers=acme.bob.bearer, json={"cursor": cursor})
    assert r.status_code in (400, 403, 404), r.text


# --- pending change requests, tenants, roles ---------------------------------------------------------

async def test_staged_relations_never_show(client: Any, acme: Any, world: dict[str, str]) -> None:
    r = await client.post(api("/relations"), headers=acme.alice.bearer, params={"alwaysCreateDCR": "true"},
                          json=[{"type": REL + "affiliatedwith", "startObject": {"objectURI": world["far"]},
                                 "endObject": {"objectURI": world["ada"]}}])
    assert r.status_code == 200, r.text
    assert "changes" in r.json()  # staged, not saved
    r = await client.post(api(f"/{world['ada']}/_connections"), headers=acme.bob.bearer, json=[{}])
    assert r.json()[0]["total"] == 3
    r = await client.get(api(f"/{world['ada']}/_hops"), headers=acme.bob.bearer)
    assert world["far"] not in {e["uri"] for e in r.json()["entities"]}
    r = await client.get(api("/relations"), headers=acme.bob.bearer,
                         params={"filter": f"equals(startObject,'{world['far']}')"})
    assert [x["uri"] for x in r.json()] == [world["rel:far_carl"]]
    pages, _ = await _scan_all(client, acme.bob, {"type": REL + "affiliatedwith", "pageSize": 150})
    assert _names(world, [u for page in pages for u in page]) == {"rel:bob_ada", "rel:far_carl"}
    # an attribute value staged by an initiator (bob) is not searchable until applied
    r = await client.post(api(f"/{world['rel:ada_acme']}/attributes/Title"), headers=acme.bob.bearer,
                          json=[{"value": "Staged"}])
    assert r.status_code == 200, r.text
    assert "changes" in r.json()
    r = await client.get(api("/relations"), headers=acme.bob.bearer,
                         params={"filter": "equals(attributes.Title,'staged')"})
    assert r.json() == []


async def test_who_may_read_the_graph(client: Any, app: Any, acme: Any, world: dict[str, str]) -> None:
    await accounts.add_user(app.store, "zed", "zed@example.com", "Zed")
    _, token = await accounts.create_token(app.store, "zed")
    stranger = {"Authorization": f"Bearer {token}"}
    calls = [("POST", f"/{world['ada']}/_connections", [{}]), ("GET", f"/{world['ada']}/_hops", None),
             ("GET", "/relations", None), ("POST", "/relations/_search", {}), ("POST", "/relations/_dbscan", {})]
    for method, path, body in calls:
        r = await client.request(method, api(path), headers=stranger, json=body)
        assert r.status_code == 403, (path, r.text)
        r = await client.request(method, api(path), headers=acme.carol.bearer, json=body)
        assert r.status_code == 200, (path, r.text)
    r = await client.get(f"/reltio/api/other/{world['ada']}/_hops", headers=acme.bob.bearer)
    assert r.status_code in (403, 404)
