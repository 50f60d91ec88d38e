"""The merge plan and the match rules, pure (domain/reltio/merging.py, matching.py): which relation
moves, disappears or is absorbed; which value survives; which pairs a rule matches."""

from __future__ import annotations

from typing import Any

import pytest

from bondline.domain.reltio import matching, merging
from bondline.domain.reltio.objects import ReltioEntity, ReltioRelation
from bondline.domain.reltio.types import DEFAULT_CONFIGURATION, build, parse_configuration

T = "t"


def ent(eid: str, created: int, last: str = "L", xw_updated: int = 0, **more: str) -> ReltioEntity:
    attrs: dict[str, Any] = {"LastName": [{"id": f"l{eid}", "value": last, "x": f"x{eid}"}]}
    attrs.update({k: [{"id": f"{k}{eid}", "value": v, "x": f"x{eid}"}] for k, v in more.items()})
    return ReltioEntity(T, eid, "Individual", attrs, [{"id": f"x{eid}", "type": "configuration/sources/S",
                                                       "value": eid, "created": created, "updated": xw_updated}],
                        [], [], "", "", 1, created, "u", created, "u")


def rel(rid: str, kind: str, start: str, end: str) -> ReltioRelation:
    return ReltioRelation(T, rid, kind, start, end, {}, [{"id": f"c{rid}", "type": "configuration/sources/S",
                                                         "value": rid}], {}, 1, 0, "u", 0, "u", 1)


@pytest.mark.parametrize("winner_rels, loser_rels, moved, removed, absorbing", [
    ([], [rel("r1", "K", "L", "X")], {"r1": ("W", "X")}, [], []),
    ([], [rel("r1", "K", "X", "L")], {"r1": ("X", "W")}, [], []),
    ([], [rel("r1", "K", "L", "W")], {}, ["r1"], []),  # between the two
    ([rel("r0", "K", "W", "X")], [rel("r1", "K", "L", "X")], {}, ["r1"], ["r0"]),  # absorbed
    ([rel("r0", "K", "W", "X")], [rel("r1", "J", "L", "X")], {"r1": ("W", "X")}, [], []),  # other type
    ([], [rel("r1", "K", "L", "L")], {}, ["r1"], []),  # the loser to itself
])
def test_the_losers_relations_follow_the_winner(winner_rels, loser_rels, moved, removed, absorbing) -> None:  # type: ignore[no-untyped-def]
    plan = merging.plan_merge(None, ent("W", 1), ent("L", 2), winner_rels, loser_rels, "me", 9)
    assert {r.id: (r.start_id, r.end_id) for r in plan.moved} == moved
    assert [r.id for r in plan.removed] == removed
    assert [after.id for _, after in plan.absorbing] == absorbing
    for _, after in plan.absorbing:
        assert len(after.crosswalks) == 2
    assert [x["id"] for x in plan.winner.crosswalks] == ["xW", "xL"]


@pytest.mark.parametrize("w_updated, l_updated, ov", [(1, 5, "loser"), (5, 1, "winner")])
def test_the_most_recently_updated_crosswalks_value_is_operational(w_updated, l_updated, ov) -> None:  # type: ignore[no-untyped-def]
    plan = merging.plan_merge(None, ent("W", 1, "winner", w_updated), ent("L", 2, "loser", l_updated), [], [], "me", 9)
    values = plan.winner.attributes["LastName"]
    assert values[-1]["value"] == ov  # objects.winner takes the last value that is not ignored


@pytest.mark.parametrize("a, b, explicit, winner", [
    (ent("A", 1), ent("B", 2), None, "A"),
    (ent("A", 2), ent("B", 1), None, "B"),
    (ent("A", 1), ent("B", 1), None, "B"),  # a tie: the lexicographically greater id
    (ent("A", 1), ent("B", 2), "B", "B"),
])
def test_the_winner(a, b, explicit, winner) -> None:  # type: ignore[no-untyped-def]
    assert merging.choose_winner(a, b, explicit)[0].id == winner


def test_unmerge_undoes_the_plan() -> None:
    w, loser = ent("W", 1), ent("L", 2)
    plan = merging.plan_merge(None, w, loser, [rel("r0", "K", "W", "X")],
                              [rel("r1", "K", "L", "X"), rel("r2", "J", "L", "Y"), rel("r3", "K", "L", "W")], "me", 9)
    current = {r.id: r for r in plan.moved} | {after.id: after for _, after in plan.absorbing}
    back = merging.plan_unmerge(None, plan.winner, plan.snapshot, current, "me", 10)
    assert back.origin.crosswalks == w.crosswalks and back.origin.attributes == w.attributes
    assert back.spawn.crosswalks == loser.crosswalks and back.spawn.attributes == loser.attributes
    assert {r.id: (r.start_id, r.end_id) for r in back.moved_back} == {"r2": ("L", "Y")}
    assert sorted(r.id for r in back.restored) == ["r1", "r3"]
    assert [(after.id, len(after.crosswalks)) for _, after in back.unabsorbed] == [("r0", 1)]


def _type() -> Any:
    return build(T, parse_configuration(DEFAULT_CONFIGURATION)).entity("configuration/entityTypes/Individual")


@pytest.mark.parametrize("rule, a, b, matched", [
    ({"exact": ["LastName"]}, {"LastName": "Smith"}, {"LastName": " SMITH"}, True),
    ({"exact": ["LastName"]}, {"LastName": "Smith"}, {"LastName": "Smyth"}, False),
    ({"fuzzy": ["LastName"]}, {"LastName": "Smith"}, {"LastName": "Smyth"}, True),
    ({"fuzzy": ["LastName"]}, {"LastName": "Smith"}, {"LastName": "Smythe"}, False),
    ({"fuzzy": ["LastName"]}, {"LastName": "Lovelaceworth"}, {"LastName": "Lovelacewerh"}, True),
    ({"exact": ["LastName"], "exactOrNull": ["Email"]}, {"LastName": "S", "Email": "a"}, {"LastName": "S"}, True),
    ({"exact": ["LastName"], "exactOrNull": ["Email"]}, {"LastName": "S", "Email": "a"},
     {"LastName": "S", "Email": "b"}, False),
    ({"exact": ["LastName", "FirstName"]}, {"LastName": "S", "FirstName": "A"}, {"LastName": "S"}, False),
])
def test_rules(rule, a, b, matched) -> None:  # type: ignore[no-untyped-def]
    t = _type()
    (parsed,) = matching.parse_rules(t, [{"uri": f"{t.uri}/matchGroups/R", "rule": rule}])

    def e(eid: str, values: dict[str, str]) -> ReltioEntity:
        return ReltioEntity(T, eid, "Individual", {k: [{"id": k, "value": v}] for k, v in values.items()}, [], [], [],
                            "", "", 1, 0, "u", 0, "u")

    assert matching.rule_matches(parsed, e("a", a), e("b", b)) is matched
