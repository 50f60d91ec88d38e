"""Every kind of change item in words (pure: items and objectsInfo built by hand, in the shapes the
staging code stores)."""

from __future__ import annotations

from typing import Any

import pytest

from bondline.domain.reltio import changes as ch
from bondline.ui.wording import attribute_name, describe, describe_object, headline, now_and_staged, value_text

ADA = "entities/0000Ada1"
TEST = "entities/0000Tst1"
LOC = "entities/0000Loc1"
REL = "relations/0000Rel1"
OBJECTS: dict[str, dict[str, Any]] = {
    ADA: {"type": "configuration/entityTypes/Individual", "label": "Ada Lovelace", "secondaryLabel": "",
          "isExist": True},
    REL: {"type": "configuration/relationTypes/Employment", "startObjectUri": TEST, "startObjectLabel": "Test",
          "endObjectUri": LOC, "endObjectLabel": "AddressLine", "isExist": True},
}


def item(kind: str, uri: str, body: dict[str, Any]) -> ch.Item:
    return ch.Item("0001lkf", "0001dE9", 0, uri, kind, body, 1, 0, "bob@example.com")


CASES = [
    (item(ch.DELETE_RELATIONSHIP, REL, {}), "delete relation Employment from Test to AddressLine"),
    (item(ch.INSERT, ADA, {"attributePath": "FirstName", "newValue": {"value": "Ada"},
                           "attributeType": "configuration/entityTypes/Individual/attributes/FirstName"}),
     "add FirstName 'Ada' to Ada Lovelace"),
    (item(ch.INSERT, ADA, {"attributePath": "Email", "newValue": {"value": "ada@example.org"},
                           "crosswalk": {"type": "configuration/sources/LNKD", "value": "x"}}),
     "add Email 'ada@example.org' to Ada Lovelace (source LNKD)"),
    (item(ch.UPDATE, ADA, {"attributePath": "FirstName/3Z3Tq6BBE", "oldValue": {"value": "Ada"},
                           "newValue": {"value": "Augusta"}}),
     "update FirstName of Ada Lovelace from 'Ada' to 'Augusta'"),
    (item(ch.DELETE, ADA, {"attributePath": "FirstName/3Z3Tq6BBE", "oldValue": {"value": "Ada"}}),
     "delete FirstName 'Ada' from Ada Lovelace"),
    (item(ch.PIN, ADA, {"attributePath": "FirstName/3Z3Tq6BBE", "oldValue": {"value": "Ada", "pin": False},
                        "newPinOrIgnoreValue": True}), "pin FirstName 'Ada' on Ada Lovelace"),
    (item(ch.PIN, ADA, {"attributePath": "FirstName/3Z3Tq6BBE", "oldValue": {"value": "Ada", "pin": True},
                        "newPinOrIgnoreValue": False}), "unpin FirstName 'Ada' on Ada Lovelace"),
    (item(ch.IGNORE, ADA, {"attributePath": "FirstName/3Z3Tq6BBE", "oldValue": {"value": "Ada"},
                           "newPinOrIgnoreValue": True}), "ignore FirstName 'Ada' on Ada Lovelace"),
    (item(ch.IGNORE, ADA, {"attributePath": "FirstName/3Z3Tq6BBE", "oldValue": {"value": "Ada", "ignored": True},
                           "newPinOrIgnoreValue": False}), "stop ignoring FirstName 'Ada' on Ada Lovelace"),
    (item(ch.CREATE_ENTITY, "entities/0000Grc1", {"newValue": {
        "uri": "entities/0000Grc1", "type": "configuration/entityTypes/Individual", "label": "Grace Hopper",
        "attributes": {"FirstName": [{"type": "configuration/entityTypes/Individual/attributes/FirstName",
                                      "ov": True, "value": "Grace", "uri": "entities/0000Grc1/attributes/FirstName/1"}],
                       "LastName": [{"value": "Hopper"}]}}}),
     "create entity Individual 'Grace Hopper' with FirstName 'Grace', LastName 'Hopper'"),
    (item(ch.CREATE_RELATIONSHIP, "relations/0000New1", {"newValue": {
        "uri": "relations/0000New1", "type": "configuration/relationTypes/HasAddress",
        "startObject": {"objectURI": ADA, "label": "Ada Lovelace"}, "endObject": {"objectURI": LOC},
        "attributes": {"AddressRank": [{"value": "1"}]}}}),
     "create relation HasAddress from Ada Lovelace to entities/0000Loc1 with AddressRank '1'"),
    (item(ch.INSERT, REL, {"attributePath": "Title", "newValue": {"value": "Engineer"}}),
     "add Title 'Engineer' to relation Employment from Test to AddressLine"),
    (item(ch.INSERT, ADA, {"attributePath": "Phone", "newValue": {"value": {
        "Number": [{"value": "555"}], "Type": [{"value": "mobile"}]}}}),
     "add Phone (Number '555', Type 'mobile') to Ada Lovelace"),
    (item(ch.UPDATE, ADA, {"attributePath": "Phone/1/Number/2", "oldValue": {"value": "555"},
                           "newValue": {"value": "556"}}),
     "update Phone.Number of Ada Lovelace from '555' to '556'"),
]


@pytest.mark.parametrize(("it", "words"), CASES, ids=[f"{c[0].type}-{i}" for i, c in enumerate(CASES)])
def test_item_in_words(it: ch.Item, words: str) -> None:
    assert describe(it, OBJECTS).text == words


def test_every_item_type_has_words() -> None:
    covered = {it.type for it, _ in CASES}
    assert covered == set(ch.ITEM_TYPES)


def test_objects_without_labels_are_named_by_uri() -> None:
    it = item(ch.INSERT, "entities/0000Nol1", {"attributePath": "Name", "newValue": {"value": "X"}})
    assert describe(it, {}).text == "add Name 'X' to entities/0000Nol1"
    gone = item(ch.DELETE_RELATIONSHIP, "relations/0000Gon1", {})
    assert describe(gone, {"relations/0000Gon1": {"isExist": False}}).text == "delete relation relations/0000Gon1"


def test_unknown_item_types_still_say_what_and_where() -> None:
    it = item("UPDATE_TAGS", ADA, {})
    assert describe(it, OBJECTS).text == "UPDATE_TAGS on Ada Lovelace"


def test_parts_are_marked_for_the_page() -> None:
    parts = describe(CASES[1][0], OBJECTS).parts
    assert ("verb", "add") in parts and ("attribute", "FirstName") in parts and ("value", "'Ada'") in parts
    assert ("object", "Ada Lovelace") in parts


def test_values_are_clipped_and_typed() -> None:
    assert value_text({"value": "x" * 500}).endswith("…'")
    assert len(value_text({"value": "x" * 500})) < 130
    assert value_text({"value": True}) == "true"
    assert value_text({"value": 3}) == "3"
    assert attribute_name("Phone/abc/Number/def") == "Phone.Number"


def test_objects_list_lines() -> None:
    assert describe_object(ADA, OBJECTS[ADA]).text == "Individual Ada Lovelace"
    assert describe_object(REL, OBJECTS[REL]).text == "Employment from Test to AddressLine"
    new = {"type": "configuration/entityTypes/Individual", "label": "Grace Hopper", "isExist": False}
    assert describe_object("entities/0000Grc1", new).text == "Individual Grace Hopper (new)"


HOME = "relations/0000Hom1"
HOME_INFO = {"type": "configuration/relationTypes/HasAddress", "startObjectUri": ADA,
             "startObjectLabel": "Ada Lovelace", "endObjectUri": LOC, "endObjectLabel": "12 Analytical Row",
             "isExist": True}


def test_headings_say_what_changes_and_to_whom() -> None:
    objects = {**OBJECTS, HOME: HOME_INFO}
    first = "FirstName/3Z3Tq6BBE"
    cases = [
        ([item(ch.DELETE_RELATIONSHIP, HOME, {})], "Remove HasAddress: Ada Lovelace → 12 Analytical Row"),
        ([item(ch.UPDATE, ADA, {"attributePath": first, "oldValue": {"value": "Ada"}, "newValue": {"value": "A"}})],
         "Change FirstName of Ada Lovelace"),
        ([item(ch.INSERT, ADA, {"attributePath": "Email", "newValue": {"value": "a@x"}})], "Add Email to Ada Lovelace"),
        ([item(ch.DELETE, ADA, {"attributePath": first, "oldValue": {"value": "Ada"}})],
         "Remove FirstName from Ada Lovelace"),
        ([item(ch.PIN, ADA, {"attributePath": "LastName/1", "newPinOrIgnoreValue": True})],
         "Pin LastName on Ada Lovelace"),
        # several attributes of one object, by different kinds of change
        ([item(ch.INSERT, ADA, {"attributePath": "Email", "newValue": {"value": "a@x"}}),
          item(ch.UPDATE, ADA, {"attributePath": first, "newValue": {"value": "A"}}),
          item(ch.PIN, ADA, {"attributePath": "LastName/1", "newPinOrIgnoreValue": True})],
         "Change Email, FirstName and LastName of Ada Lovelace"),
        ([next(it for it, _ in CASES if it.type == ch.CREATE_ENTITY),
          next(it for it, _ in CASES if it.type == ch.CREATE_RELATIONSHIP)],
         "New Individual Grace Hopper; Add HasAddress: Ada Lovelace → entities/0000Loc1"),
        ([item(ch.INSERT, REL, {"attributePath": "Title", "newValue": {"value": "x"}})],
         "Add Title to relation Employment from Test to AddressLine"),
        ([], "No changes"),
    ]
    for items, words in cases:
        assert headline(items, objects).text == words


def test_headings_of_many_objects_count_the_rest() -> None:
    items = [item(ch.INSERT, f"entities/0000Ob{i}", {"attributePath": "Email", "newValue": {"value": "x"}})
             for i in range(5)]
    assert headline(items, {}).text == ("Add Email to entities/0000Ob0; Add Email to entities/0000Ob1 "
                                        "and 3 more objects")
    # a listing shows a large request's first items only: the heading says there is more
    assert headline(items[:1], {}, item_count=400).text == "Add Email to entities/0000Ob0 and more"


def test_a_conflict_puts_the_value_now_beside_the_staged_one() -> None:
    update = item(ch.UPDATE, ADA, {"attributePath": "FirstName/1", "oldValue": {"value": "Charles"},
                                   "newValue": {"value": "Chas"}})
    assert now_and_staged(update, [{"id": "1", "value": "Charlie"}]) == (
        "'Charlie'", "'Chas' (was 'Charles' when staged)")
    assert now_and_staged(update, None) == ("(gone)", "'Chas' (was 'Charles' when staged)")
    insert = item(ch.INSERT, ADA, {"attributePath": "Email", "newValue": {"value": "b@x"}})
    assert now_and_staged(insert, [{"value": "a@x"}, {"value": "c@x", "pin": True}]) == (
        "'a@x', 'c@x' (pinned)", "'b@x'")
    assert now_and_staged(insert, []) == ("(none)", "'b@x'")
    delete = item(ch.DELETE, ADA, {"attributePath": "LastName/1", "oldValue": {"value": "Babbage"}})
    assert now_and_staged(delete, [{"value": "Babbage-Smith"}]) == (
        "'Babbage-Smith'", "removed (was 'Babbage' when staged)")
    pin = item(ch.PIN, ADA, {"attributePath": "LastName/1", "newPinOrIgnoreValue": True})
    assert now_and_staged(pin, [{"value": "B", "ignored": True}]) == ("'B' (ignored)", "pinned")
    assert now_and_staged(item(ch.DELETE_RELATIONSHIP, REL, {}), None) == ("(gone)", "relation removed")
