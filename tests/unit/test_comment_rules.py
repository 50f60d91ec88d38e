"""The comment rules v2 added (domain/comments.py): resolving and reopening an inline comment, and the
properties of a new inline comment from the text it highlights."""

from __future__ import annotations

import pytest

from bondline.domain import comments as rules
from bondline.domain.comments import CommentMeta
from bondline.domain.errors import Invalid


def _meta(location: str, resolution: str | None) -> CommentMeta:
    return CommentMeta(2, 1, None, location, {} if location == "inline" else None, resolution)


@pytest.mark.parametrize(("now", "resolved", "after"), [
    (None, True, "resolved"), ("open", True, "resolved"), ("reopened", True, "resolved"),
    ("resolved", True, "resolved"),  # matching the state changes nothing
    ("resolved", False, "reopened"), ("open", False, "open"), ("reopened", False, "reopened"),
])
def test_resolving_and_reopening(now: str | None, resolved: bool, after: str) -> None:
    assert rules.resolve(_meta("inline", now), resolved) == after


@pytest.mark.parametrize(("location", "now"), [("inline", "dangling"), ("footer", None)])
def test_what_cannot_be_resolved(location: str, now: str | None) -> None:
    for resolved in (True, False):
        with pytest.raises(Invalid):
            rules.resolve(_meta(location, now), resolved)


@pytest.mark.parametrize(("selection", "count", "index", "ok"), [
    ("text", None, None, True), ("text", 3, 2, True), ("text", 1, 0, True),
    ("text", 1, 1, False), ("text", 0, 0, False), ("text", 2, -1, False), ("", 1, 0, False), ("  ", 1, 0, False),
    (None, 1, 0, False),
])
def test_a_selection(selection: str | None, count: int | None, index: int | None, ok: bool) -> None:
    if ok:
        assert rules.selection_properties(selection, count, index, "m-1") == {"originalSelection": selection,
                                                                             "markerRef": "m-1"}
    else:
        with pytest.raises(Invalid):
            rules.selection_properties(selection, count, index, "m-1")
