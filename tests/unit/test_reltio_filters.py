"""Reltio's filter language in the domain: text -> model (table-driven), what is refused, and the
rows an entity is searched by."""

from __future__ import annotations

import pytest

from bondline.domain.reltio import filters as f
from bondline.domain.reltio.objects import ReltioEntity

A = f.Field("attr", "FirstName")


@pytest.mark.parametrize(("text", "model"), [
    ("", None),
    ("equals(attributes.FirstName,'Ada')", f.Cond("eq", A, ("ada",))),
    ("EQUALS(attributes.FirstName, \"A\\\"b\")", f.Cond("eq", A, ('a"b',))),
    ("equalsCaseSensitive(attributes.FirstName,'Ada')", f.Cond("eq_cs", A, ("Ada",))),
    ("equals(type,'configuration/entityTypes/Individual')", f.Cond("in", f.Field("type"), ("Individual",))),
    ("in(uri,'entities/a,entities/b')", f.Cond("in", f.Field("uri"), ("a", "b"))),
    ("missing(tags)", f.Not(f.Cond("exists", f.Field("tag")))),
    ("range(attributes.Age,1,2)", f.And((f.Cond("ge", f.Field("attr", "Age"), (1.0,)),
                                        f.Cond("le", f.Field("attr", "Age"), (2.0,))))),
    ("gt(attributes.DoB,'1990-01-01')", f.Cond("gt", f.Field("attr", "DoB"), ("1990-01-01",))),
    ("lte(updatedTime, 5)", f.Cond("le", f.Field("updated"), (5,))),
    ("containsWordStartingWith(attributes.FirstName,'jo sm')",
     f.And((f.Cond("word_prefix", A, ("jo",)), f.Cond("word_prefix", A, ("sm",))))),
    ("fullText(attributes,'a-b')", f.Or((f.Cond("word", f.Field("attr"), ("a",)),
                                         f.Cond("word", f.Field("attr"), ("b",))))),
    ("fuzzy(attributes.FirstName,'Smiht')", f.And((f.Cond("word_prefix", A, ("smi",)),))),
    ("equals(crosswalks.type,'LNKD')", f.Cond("eq", f.Field("xw.type"), ("configuration/sources/lnkd",))),
    ("not exists(tags) or exists(label) and exists(uri)",
     f.Or((f.Not(f.Cond("exists", f.Field("tag"))),
           f.And((f.Cond("exists", f.Field("label")), f.Cond("exists", f.Field("uri"))))))),
    ("equals(attributes.Word, and)", f.Cond("eq", f.Field("attr", "Word"), ("and",))),
    ("inSameAttributeValue(equals(attributes.Phone.Type,'Home') and exists(attributes.Phone.Number))",
     f.Same("Phone", f.And((f.Cond("eq", f.Field("attr", "Phone.Type"), ("home",)),
                            f.Cond("exists", f.Field("attr", "Phone.Number")))))),
])
def test_parse(text: str, model: f.Node | None) -> None:
    assert f.parse(text) == model


def test_values_are_cut_at_256_characters() -> None:
    node = f.parse(f"equals(attributes.FirstName,'{'x' * 300}')")
    assert node == f.Cond("eq", A, ("x" * 256,))


@pytest.mark.parametrize(("text", "fragment"), [
    ("equals(attributes.FirstName", "syntax error"),
    ("equals()", "needs a property"),
    ("frobnicate(type,'a')", "unknown condition type"),
    ("equals(colour,'red')", "unknown property"),
    ("equals(attributes.First-Name,'a')", "unknown property"),
    ("exists(tags,'a')", "takes a property and 0"),
    ("startsWith(createdTime,'1')", "does not apply"),
    ("gt(type,'a')", "does not apply"),
    ("gt(createdTime,'soon')", "ISO 8601"),
    ("inSameAttributeValue(equals(attributes.A.B,'x') and equals(attributes.C.D,'y'))", "one nested attribute"),
    (" or ".join(["exists(tags)"] * 101), "more than 100"),
    ("x" * 10_001, "longer than"),
])
def test_refused(text: str, fragment: str) -> None:
    with pytest.raises(f.FilterError) as err:
        f.parse(text)
    assert fragment in err.value.message and err.value.reason == "INVALID_FILTER"


def test_index_rows_cover_values_tags_label_and_crosswalks() -> None:
    entity = ReltioEntity("t", "e", "Individual", {
        "FirstName": [{"id": "a", "value": "Old"}, {"id": "b", "value": "New Name"}, {"id": "c", "value": "X",
                                                                                       "ignored": True}],
        "Phone": [{"id": "p", "value": {"Number": [{"id": "n", "value": "42"}]}}]},
        [{"id": "x", "type": "configuration/sources/S", "value": "k"}], ["vip"], [], "Lbl", "", 1, 0, "", 0, "")
    rows = [(r.path, r.group, r.lowered, r.words, r.number, r.ov) for r in f.index_rows(entity)]
    assert rows == [
        ("FirstName", "a", "old", " old ", None, False), ("FirstName", "b", "new name", " new name ", None, True),
        ("Phone.Number", "p", "42", " 42 ", 42.0, True), (f.TAG, "", "vip", " vip ", None, True),
        (f.LABEL, "", "lbl", " lbl ", None, True), (f.XW_TYPE, "", "configuration/sources/s",
                                                    " configuration sources s ", None, True),
        (f.XW_VALUE, "", "k", " k ", None, True)]


@pytest.mark.parametrize(("text", "raw"), [
    ("exists(type)", ("cond", "exists", [("b", "type")])),
    ("a(x) b(y)", ("and", [("cond", "a", [("b", "x")]), ("cond", "b", [("b", "y")])])),  # juxtaposed: and
    ("((((a(x)))))", ("cond", "a", [("b", "x")])),  # parentheses alone nest nothing
    ("not not a(x)", ("not", ("not", ("cond", "a", [("b", "x")])))),
])
def test_parse_raw(text: str, raw: object) -> None:
    assert f.parse_raw(text) == raw


def test_thirty_one_levels_are_read() -> None:
    got = f.parse_raw("not " * 31 + "a(x)")
    for _ in range(31):
        assert got[0] == "not"  # type: ignore[index]
        got = got[1]  # type: ignore[index]
    assert got == ("cond", "a", [("b", "x")])


@pytest.mark.parametrize("text", ["not " * 32 + "a(x)", "not " * 5000 + "a(x)",
                                  "(a(x) and (a(x) or " * 20 + "a(x)" + "))" * 20])
def test_nesting_is_bounded(text: str) -> None:
    with pytest.raises(f.FilterError) as err:
        f.parse_raw(text, max_length=100_000)
    assert "nested too deeply" in err.value.message


@pytest.mark.parametrize(("args", "facet"), [
    (("type",), f.Facet("type", f.Field("type"))),
    (("attributes.Phone.Type", "term", 10, 3), f.Facet("attributes.Phone.Type", f.Field("attr", "Phone.Type"),
                                                      "term", 10, 3)),
    (("type", None, None, None, ["configuration/entityTypes/A", "B"]),
     f.Facet("type", f.Field("type"), include=("A", "B"))),
    (("tags", "reversedCount", "5"), f.Facet("tags", f.Field("tag"), "reversedCount", 5)),
])
def test_facet(args: tuple[object, ...], facet: f.Facet) -> None:
    assert f.facet(*args) == facet


@pytest.mark.parametrize(("args", "fragment"), [
    ((None,), "fieldName"), (("uri",), "facets count"), (("createdTime",), "facets count"),
    (("attributes",), "facets count"), (("nope",), "unknown property"), (("type", "up"), "orderType"),
    (("type", None, 0), "pageSize"), (("type", None, True), "pageSize"), (("type", None, 100, 34), "3333"),
    (("type", None, None, None, "A"), "includeFilter"), (("type", None, None, None, ["a"] * 1001), "at most"),
])
def test_facet_refused(args: tuple[object, ...], fragment: str) -> None:
    with pytest.raises(f.FilterError) as err:
        f.facet(*args)
    assert fragment in err.value.message


def test_references_come_from_the_types() -> None:
    from bondline.domain.reltio.types import build, default_types

    refs = f.references(build("t", default_types()))
    assert f.Reference("Individual", "HasAddress", "Location") in refs["Address"]
