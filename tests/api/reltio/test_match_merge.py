"""Match and merge (docs/decisions/0026): potential matches by the tenant's match rules (table-driven:
rule -> expected matches), merging two entities (who owns which crosswalk, value and relation
afterwards, table-driven), the loser's URI answering with the winner, unmerge and tree unmerge
restoring a contributor as it was, not-match marks, the crosswalk tree, merge history in the
activities, bad input (Reltio's 400/404 bodies, nothing half-applied) and who may merge.

Every response is checked against Reltio's definitions by tests/contract.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.reltio.conftest import LOCATION, api, make_entity, make_relation, reltio_error

IND = "configuration/entityTypes/Individual"
A = IND + "/attributes/"
G = IND + "/matchGroups/"


def person(first: str, last: str, key: str, **more: str) -> dict[str, Any]:
    attributes = {"FirstName": [{"value": first}], "LastName": [{"value": last}]}
    attributes.update({k: [{"value": v}] for k, v in more.items()})
    return {"type": IND, "attributes": attributes, "crosswalks": [{"type": "configuration/sources/LNKD", "value": key}]}


def org(name: str, key: str) -> dict[str, Any]:
    return {"type": "configuration/entityTypes/Organization", "attributes": {"Name": [{"value": name}]},
            "crosswalks": [{"type": "configuration/sources/FB", "value": key}]}


async def set_rules(client: Any, acme: Any, groups: list[dict[str, Any]]) -> None:
    own = (await client.get(api("/configuration/_noInheritance"), headers=acme.admin.bearer)).json()
    for t in own["entityTypes"]:
        if t["uri"] == IND:
            t["matchGroups"] = groups
    r = await client.put(api("/configuration"), headers=acme.admin.bearer, json=own)
    assert r.status_code == 200, r.text


RULES = {
    "ExactName": {"uri": G + "ExactName", "label": "Exact name", "type": "suspect",
                  "rule": {"exact": [A + "FirstName", A + "LastName"]}},
    "FuzzyLast": {"uri": G + "FuzzyLast", "label": "Fuzzy last name", "type": "suspect",
                  "rule": {"and": {"fuzzy": [A + "LastName"], "exact": [A + "BirthCity"]}}},
    "FuzzyOnly": {"uri": G + "FuzzyOnly", "type": "suspect", "rule": {"fuzzy": [A + "LastName"]}},
    "EmailOrNull": {"uri": G + "EmailOrNull", "type": "suspect",
                    "rule": {"exact": [A + "LastName"], "exactOrNull": [A + "Email"]}},
}

PEOPLE = {
    "ada": person("Ada", "Lovelace", "ada", BirthCity="London", Email="ada@x.org"),
    "ada2": person("ADA", "LoveLace  ", "ada2", BirthCity="London"),
    "ada3": person("Ada", "Lovelase", "ada3", BirthCity="London", Email="other@x.org"),
    "adb": person("Adb", "Lovelace", "adb", BirthCity="Paris", Email="ada@x.org"),
    "far": person("Ada", "Byron", "far", BirthCity="London"),
}


@pytest.mark.parametrize("rules, expected", [
    (["ExactName"], {"ExactName": ["ada2"]}),
    (["FuzzyLast"], {"FuzzyLast": ["ada2", "ada3"]}),
    (["FuzzyOnly"], {"FuzzyOnly": ["ada2", "ada3", "adb"]}),
    (["EmailOrNull"], {"EmailOrNull": ["adb"]}),
    (["ExactName", "FuzzyLast"], {"ExactName": ["ada2"], "FuzzyLast": ["ada2", "ada3"]}),
    ([], {}),
])
async def test_potential_matches_follow_the_rules(client, acme, rules, expected) -> None:  # type: ignore[no-untyped-def]
    await set_rules(client, acme, [RULES[name] for name in rules])
    uris = {name: (await make_entity(client, acme.alice, body))["uri"] for name, body in PEOPLE.items()}
    names = {uri: name for name, uri in uris.items()}
    r = await client.get(api(f"/{uris['ada']}/_matches"), headers=acme.bob.bearer)
    assert r.status_code == 200, r.text
    got = {uri.rsplit("/", 1)[-1]: sorted(names[m["object"]["uri"]] for m in ms) for uri, ms in r.json().items()}
    assert got == expected


async def test_not_match_hides_a_match_and_undo_shows_it_again(client, acme) -> None:  # type: ignore[no-untyped-def]
    await set_rules(client, acme, [RULES["ExactName"]])
    ada = (await make_entity(client, acme.alice, PEOPLE["ada"]))["uri"]
    ada2 = (await make_entity(client, acme.alice, PEOPLE["ada2"]))["uri"]
    r = await client.post(api(f"/{ada}/_notMatch"), params={"uri": ada2}, headers=acme.alice.bearer)
    assert r.status_code == 200 and r.json() == {"status": "success"}, r.text
    assert (await client.get(api(f"/{ada}/_matches"), headers=acme.alice.bearer)).json() == {}
    assert (await client.get(api(f"/{ada2}/_matches"), headers=acme.alice.bearer)).json() == {}
    marks = (await client.get(api(f"/{ada}/_notMatch"), headers=acme.alice.bearer)).json()
    assert [m["uri"] for m in marks] == [ada2] and marks[0]["object"]["objectURI"] == ada2
    assert marks[0]["updatedBy"] == acme.alice.email
    r = await client.delete(api(f"/{ada}/_notMatch"), params={"uri": ada2}, headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    assert len((await client.get(api(f"/{ada}/_matches"), headers=acme.alice.bearer)).json()[G + "ExactName"]) == 1
    assert (await client.get(api(f"/{ada}/_notMatch"), headers=acme.alice.bearer)).json() == []


async def test_transitive_matches_carry_the_shortest_path(client, acme) -> None:  # type: ignore[no-untyped-def]
    # a ~ b by first name; b ~ c by last name; a and c do not match directly
    await set_rules(client, acme, [{"uri": G + "First", "rule": {"exact": [A + "FirstName"]}},
                                   {"uri": G + "Last", "rule": {"exact": [A + "LastName"]}}])
    a = (await make_entity(client, acme.alice, person("Ada", "One", "a")))["uri"]
    b = (await make_entity(client, acme.alice, person("Ada", "Two", "b")))["uri"]
    c = (await make_entity(client, acme.alice, person("Cy", "Two", "c")))["uri"]
    r = await client.get(api(f"/{a}/_transitiveMatches"), headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    got = [(x["object"]["uri"], x["direct"], [s["match"] for s in x["shortestTransitiveMatchPath"]]) for x in r.json()]
    assert got == [(b, True, [b]), (c, False, [b, c])]
    direct = (await client.get(api(f"/{a}/_transitiveMatches"), params={"deep": 1}, headers=acme.alice.bearer)).json()
    assert [x["object"]["uri"] for x in direct] == [b]


# --- merge ----------------------------------------------------------------------------------------

async def merged_world(client: Any, acme: Any) -> dict[str, str]:
    """w (the older entity) and l, each with relations: w -HasAddress-> home, l -HasAddress-> home
    (the same key after the merge: absorbed), l -Employment-> acme, l -affiliatedwith-> w (between the
    two: gone after the merge), friend -affiliatedwith-> l (moves to w)."""
    who = acme.alice
    out = {"w": (await make_entity(client, who, person("Ada", "Lovelace", "w", Email="ada@w.org")))["uri"]}
    await asyncio.sleep(0.002)
    out["l"] = (await make_entity(client, who, person("Ada", "King", "l", Email="ada@l.org")))["uri"]
    out["home"] = (await make_entity(client, who, LOCATION))["uri"]
    out["acme"] = (await make_entity(client, who, org("Acme", "acme")))["uri"]
    out["friend"] = (await make_entity(client, who, person("Bob", "Friend", "friend")))["uri"]
    for name, start, end, kind in (("w_home", "w", "home", "HasAddress"), ("l_home", "l", "home", "HasAddress"),
                                   ("l_acme", "l", "acme", "Employment"), ("l_w", "l", "w", "affiliatedwith"),
                                   ("friend_l", "friend", "l", "affiliatedwith")):
        out[name] = (await make_relation(client, who, out[start], out[end], kind))["uri"]
    return out


async def relation_of(client: Any, acme: Any, uri: str) -> tuple[int, dict[str, Any]]:
    r = await client.get(api(f"/{uri}"), headers=acme.alice.bearer)
    return r.status_code, r.json()


async def test_merge_moves_the_losers_crosswalks_values_and_relations_to_the_winner(client, acme) -> None:  # type: ignore[no-untyped-def]
    w = await merged_world(client, acme)
    r = await client.post(api(f"/{w['l']}/_sameAs"), params={"uri": w["w"]}, headers=acme.alice.bearer)
    assert r.status_code == 202, r.text
    merged = r.json()
    assert merged["uri"] == w["w"]  # the older entity wins by default
    assert sorted(x["value"] for x in merged["crosswalks"]) == ["l", "w"]
    assert sorted(v["value"] for v in merged["attributes"]["LastName"]) == ["King", "Lovelace"]
    assert sorted(v["value"] for v in merged["attributes"]["Email"]) == ["ada@l.org", "ada@w.org"]
    # survivorship (LUD): the value of the most recently updated crosswalk is the operational one
    assert [v["value"] for v in merged["attributes"]["LastName"] if v["ov"]] == ["King"]
    # who owns which relation now
    table = {
        "w_home": (200, w["w"], w["home"]),
        "l_home": (404, None, None),  # absorbed into w_home
        "l_acme": (200, w["w"], w["acme"]),
        "l_w": (404, None, None),  # between the two: gone
        "friend_l": (200, w["friend"], w["w"]),
    }
    for name, (status, start, end) in table.items():
        code, body = await relation_of(client, acme, w[name])
        assert code == status, (name, body)
        if status == 200:
            assert (body["startObject"]["objectURI"], body["endObject"]["objectURI"]) == (start, end), name
    _, absorbing = await relation_of(client, acme, w["w_home"])
    assert len(absorbing["crosswalks"]) == 2
    # the loser's URI answers with the winner
    r = await client.get(api(f"/{w['l']}"), headers=acme.alice.bearer)
    assert r.status_code == 200 and r.json()["uri"] == w["w"]
    # its crosswalk now belongs to the winner: posting it again updates the winner
    r = await client.post(api("/entities"), headers=acme.alice.bearer,
                          json=[person("Ada", "King", "l", Email="ada@l.org")])
    assert r.json()[0]["object"]["uri"] == w["w"]
    # the history: the merge in the activities
    acts = (await client.get(api("/activities"), headers=acme.alice.bearer)).json()
    kinds = {item["data"]["type"] for a in acts for item in a.get("items", [])}
    assert {"ENTITIES_MERGED_MANUALLY", "ENTITY_LOST_MERGE"} <= kinds


async def test_explicit_winner_keeps_its_uri(client, acme) -> None:  # type: ignore[no-untyped-def]
    w = await merged_world(client, acme)
    r = await client.post(api(f"/{w['w']}/_sameAs"), params={"uri": w["l"], "explicitWinner": w["l"]},
                          headers=acme.alice.bearer)
    assert r.status_code == 202 and r.json()["uri"] == w["l"], r.text
    assert (await client.get(api(f"/{w['w']}"), headers=acme.alice.bearer)).json()["uri"] == w["l"]


async def test_unmerge_restores_the_contributor_as_it_was(client, acme) -> None:  # type: ignore[no-untyped-def]
    w = await merged_world(client, acme)
    before = {name: await relation_of(client, acme, w[name]) for name in ("w_home", "l_home", "l_acme", "l_w",
                                                                           "friend_l")}
    l_before = (await client.get(api(f"/{w['l']}"), headers=acme.alice.bearer)).json()
    w_before = (await client.get(api(f"/{w['w']}"), headers=acme.alice.bearer)).json()
    r = await client.post(api(f"/{w['l']}/_sameAs"), params={"uri": w["w"]}, headers=acme.alice.bearer)
    assert r.status_code == 202
    r = await client.post(api(f"/{w['w']}/_unmerge"), params={"contributorURI": w["l"]}, headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    pair = r.json()
    assert pair["a"]["uri"] == w["w"] and pair["b"]["uri"] == w["l"]
    for got, was in ((pair["a"], w_before), (pair["b"], l_before)):
        assert [x["value"] for x in got["crosswalks"]] == [x["value"] for x in was["crosswalks"]]
        assert {k: [v["value"] for v in vs] for k, vs in got["attributes"].items() if k != "Address"} == \
               {k: [v["value"] for v in vs] for k, vs in was["attributes"].items() if k != "Address"}
    for name, (status, body) in before.items():
        code, now = await relation_of(client, acme, w[name])
        assert code == status == 200, name
        assert (now["startObject"]["objectURI"], now["endObject"]["objectURI"]) == \
               (body["startObject"]["objectURI"], body["endObject"]["objectURI"]), name
        assert [x["value"] for x in now["crosswalks"]] == [x["value"] for x in body["crosswalks"]], name
    # the crosswalk is the contributor's again
    r = await client.post(api("/entities"), headers=acme.alice.bearer, json=[person("Ada", "King", "l")])
    assert r.json()[0]["object"]["uri"] == w["l"]
    acts = (await client.get(api("/activities"), headers=acme.alice.bearer)).json()
    assert "ENTITIES_SPLITTED" in {item["data"]["type"] for a in acts for item in a.get("items", [])}


async def test_unmerge_leaves_what_was_merged_into_the_contributor_and_tree_unmerge_takes_it(  # type: ignore[no-untyped-def]
        client, acme) -> None:
    who = acme.alice
    a = (await make_entity(client, who, person("A", "One", "a")))["uri"]
    b = (await make_entity(client, who, person("B", "Two", "b")))["uri"]
    c = (await make_entity(client, who, person("C", "Three", "c")))["uri"]
    d = (await make_entity(client, who, person("D", "Four", "d")))["uri"]
    for winner, loser in ((b, c), (a, b), (a, d)):  # c into b, then b (with c) into a, then d into a
        r = await client.post(api(f"/{winner}/_sameAs"), params={"uri": loser, "explicitWinner": winner},
                              headers=who.bearer)
        assert r.status_code == 202, r.text
    tree = (await client.get(api(f"/{a}/_crosswalkTree"), headers=who.bearer)).json()
    assert [x["value"] for x in tree["crosswalks"]] == ["a"]
    assert [(m["uri"], [x["value"] for x in m["crosswalks"]], [s["uri"] for s in m["merges"]])
            for m in tree["merges"]] == [(b, ["b"], [c]), (d, ["d"], [])]
    r = await client.post(api(f"/{a}/_unmerge"), params={"contributorURI": b}, headers=who.bearer)
    assert r.status_code == 200, r.text
    assert sorted(x["value"] for x in r.json()["a"]["crosswalks"]) == ["a", "c", "d"]
    assert [x["value"] for x in r.json()["b"]["crosswalks"]] == ["b"]
    r = await client.post(api(f"/{a}/_treeUnmerge"), params={"contributorURI": d}, headers=who.bearer)
    assert r.status_code == 200, r.text
    assert sorted(x["value"] for x in r.json()["a"]["crosswalks"]) == ["a", "c"]
    # a tree unmerge of c (which holds nothing else) from a
    r = await client.post(api(f"/{a}/_treeUnmerge"), params={"contributorURI": c}, headers=who.bearer)
    assert r.status_code == 200 and [x["value"] for x in r.json()["b"]["crosswalks"]] == ["c"]


async def test_tree_unmerge_takes_the_contributor_with_its_own_contributors(client, acme) -> None:  # type: ignore[no-untyped-def]
    who = acme.alice
    a = (await make_entity(client, who, person("A", "One", "a")))["uri"]
    b = (await make_entity(client, who, person("B", "Two", "b")))["uri"]
    c = (await make_entity(client, who, person("C", "Three", "c")))["uri"]
    for winner, loser in ((b, c), (a, b)):
        await client.post(api(f"/{winner}/_sameAs"), params={"uri": loser, "explicitWinner": winner},
                          headers=who.bearer)
    r = await client.post(api(f"/{a}/_treeUnmerge"), params={"contributorURI": b}, headers=who.bearer)
    assert r.status_code == 200, r.text
    assert [x["value"] for x in r.json()["a"]["crosswalks"]] == ["a"]
    assert sorted(x["value"] for x in r.json()["b"]["crosswalks"]) == ["b", "c"]
    assert (await client.get(api(f"/{c}"), headers=who.bearer)).json()["uri"] == b


# --- bad input: Reltio's bodies, nothing half-applied ---------------------------------------------

async def test_bad_merges_are_refused_and_change_nothing(client, acme) -> None:  # type: ignore[no-untyped-def]
    who = acme.alice
    a = (await make_entity(client, who, person("A", "One", "a")))["uri"]
    b = (await make_entity(client, who, person("B", "Two", "b")))["uri"]
    acme_org = (await make_entity(client, who, org("Acme", "acme")))["uri"]
    cases = [
        (f"/{a}/_sameAs", {"uri": a}, 400, 9018),
        (f"/{a}/_sameAs", {"uri": acme_org}, 400, 9019),
        (f"/{a}/_sameAs", {}, 400, 9000),
        (f"/{a}/_sameAs", {"uri": "entities/nope0000"}, 404, 101),
        (f"/{a}/_sameAs", {"uri": "entities/../x"}, 404, 101),
        ("/entities/nope0000/_sameAs", {"uri": a}, 404, 101),
        (f"/{a}/_unmerge", {"contributorURI": b}, 400, 9020),
        (f"/{a}/_unmerge", {"contributorURI": a}, 400, 9020),
        (f"/{a}/_treeUnmerge", {"contributorURI": b}, 400, 9020),
        (f"/{a}/_unmerge", {}, 400, 9000),
        (f"/{a}/_notMatch", {"uri": a}, 400, 9018),
    ]
    for path, query, status, code in cases:
        r = await client.post(api(path), params=query, headers=who.bearer)
        reltio_error(r, status, code)
    for uri, key in ((a, "a"), (b, "b")):
        body = (await client.get(api(f"/{uri}"), headers=who.bearer)).json()
        assert body["uri"] == uri and [x["value"] for x in body["crosswalks"]] == [key]
    r = await client.get(api(f"/{a}/_matches"), params={"max": "x"}, headers=who.bearer)
    reltio_error(r, 400)


async def test_a_merged_pair_cannot_be_merged_again(client, acme) -> None:  # type: ignore[no-untyped-def]
    who = acme.alice
    a = (await make_entity(client, who, person("A", "One", "a")))["uri"]
    b = (await make_entity(client, who, person("B", "Two", "b")))["uri"]
    assert (await client.post(api(f"/{a}/_sameAs"), params={"uri": b}, headers=who.bearer)).status_code == 202
    reltio_error(await client.post(api(f"/{b}/_sameAs"), params={"uri": a}, headers=who.bearer), 400, 9018)


async def test_concurrent_merges_of_one_pair_end_with_one_entity(client, acme) -> None:  # type: ignore[no-untyped-def]
    who = acme.alice
    a = (await make_entity(client, who, person("A", "One", "a")))["uri"]
    b = (await make_entity(client, who, person("B", "Two", "b")))["uri"]
    rs = await asyncio.gather(*(client.post(api(f"/{x}/_sameAs"), params={"uri": y}, headers=who.bearer)
                                for x, y in ((a, b), (b, a), (a, b))))
    assert sorted(r.status_code for r in rs) == [202, 400, 400], [r.text for r in rs]
    body = (await client.get(api(f"/{b}"), headers=who.bearer)).json()
    assert body["uri"] == a and sorted(x["value"] for x in body["crosswalks"]) == ["a", "b"]


@pytest.mark.parametrize("who, status", [("alice", 202), ("carol", 202), ("bob", 403)])
async def test_who_may_merge(client, acme, who, status) -> None:  # type: ignore[no-untyped-def]
    a = (await make_entity(client, acme.alice, person("A", "One", "a")))["uri"]
    b = (await make_entity(client, acme.alice, person("B", "Two", "b")))["uri"]
    r = await client.post(api(f"/{a}/_sameAs"), params={"uri": b}, headers=getattr(acme, who).bearer)
    if status == 403:
        reltio_error(r, 403, 804)
    else:
        assert r.status_code == status, r.text


async def test_a_bad_match_group_is_refused_when_configured(client, acme) -> None:  # type: ignore[no-untyped-def]
    own = (await client.get(api("/configuration/_noInheritance"), headers=acme.admin.bearer)).json()
    for groups in ([{"uri": G + "X", "rule": {"exact": [A + "Nope"]}}],
                   [{"uri": G + "X", "type": "sometimes", "rule": {"exact": [A + "FirstName"]}}],
                   [{"uri": "elsewhere/X", "rule": {"exact": [A + "FirstName"]}}],
                   [{"uri": G + "X", "rule": {}}], "no"):
        for t in own["entityTypes"]:
            if t["uri"] == IND:
                t["matchGroups"] = groups
        r = await client.put(api("/configuration"), headers=acme.admin.bearer, json=own)
        reltio_error(r, 400)


async def test_an_automatic_rule_merges_on_write_and_a_suspect_rule_does_not(client, acme) -> None:  # type: ignore[no-untyped-def]
    await set_rules(client, acme, [{"uri": G + "Auto", "type": "automatic", "rule": {"exact": [A + "Email"]}},
                                   {"uri": G + "Suspect", "type": "suspect", "rule": {"exact": [A + "LastName"]}}])
    who = acme.alice
    first = (await make_entity(client, who, person("Ada", "Lovelace", "x1", Email="ada@x.org")))["uri"]
    same_name = (await make_entity(client, who, person("Bea", "Lovelace", "x2", Email="bea@x.org")))["uri"]
    same_mail = (await make_entity(client, who, person("Ada", "King", "x3", Email="ADA@x.org")))["uri"]
    merged = (await client.get(api(f"/{same_mail}"), headers=who.bearer)).json()
    assert merged["uri"] == first and sorted(x["value"] for x in merged["crosswalks"]) == ["x1", "x3"]
    assert (await client.get(api(f"/{same_name}"), headers=who.bearer)).json()["uri"] == same_name
    found = (await client.get(api(f"/{first}/_matches"), headers=who.bearer)).json()
    assert [m["object"]["uri"] for m in found[G + "Suspect"]] == [same_name] and G + "Auto" not in found
    # not-match marks keep an automatic rule from merging
    r = await client.post(api(f"/{first}/_unmerge"), params={"contributorURI": same_mail}, headers=who.bearer)
    assert r.status_code == 200, r.text
    await client.post(api(f"/{first}/_notMatch"), params={"uri": same_mail}, headers=who.bearer)
    await make_entity(client, who, person("Ada", "King", "x3", Email="ada@x.org"))  # written again: no merge
    assert (await client.get(api(f"/{same_mail}"), headers=who.bearer)).json()["uri"] == same_mail
