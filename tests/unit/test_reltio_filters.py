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
