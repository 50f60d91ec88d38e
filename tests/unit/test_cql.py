"""CQL's grammar and query model (domain/cql.py): what a query means, what its functions resolve to,
and that no text at all makes the parser fail other than with a CqlError (Confluence's 400)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bondline.domain import cql

# Wednesday 2026-01-14 12:30:00 UTC
NOW = int(dt.datetime(2026, 1, 14, 12, 30, tzinfo=dt.UTC).timestamp() * 1000)


def ms(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp() * 1000)  # type: ignore[misc]


def parse(text: str) -> cql.Query:
    return cql.parse(text, now_ms=NOW, account_id="acc-me")


def test_precedence_and_keywords_in_any_case() -> None:
    q = parse("space = A Or type = page AND NOT label = x order by title DESC, id")
    assert q.where == cql.Or((
        cql.Clause("space.key", "=", ("A",)),
        cql.And((cql.Clause("type", "=", ("page",)), cql.Not(cql.Clause("label", "=", ("x",))))),
    ))
    assert q.order == (cql.OrderBy("title", True), cql.OrderBy("id", False))


def test_aliases_lists_and_quoting() -> None:
    q = parse("favorite = currentUser() and content not in (1, att2) and title = 'say \\'hi\\''")
    assert q.where == cql.And((cql.Clause("favourite", "=", ("acc-me",)), cql.Clause("id", "not in", (1, 2)),
                               cql.Clause("title", "=", ("say 'hi'",))))


@pytest.mark.parametrize("text, expected", [
    ("created = 2026-01-31", cql.DateRange(ms(2026, 1, 31), ms(2026, 2, 1))),
    ('created = "2026/01/31 10:00"', cql.DateRange(ms(2026, 1, 31, 10), ms(2026, 1, 31, 10, 1))),
    ("created = -2d", cql.DateRange(NOW - 2 * 86_400_000, NOW - 2 * 86_400_000 + 1)),
    ('created = now("-4w")', cql.DateRange(NOW - 28 * 86_400_000, NOW - 28 * 86_400_000 + 1)),
    ('created = now("-1h")', cql.DateRange(NOW - 3_600_000, NOW - 3_600_000 + 1)),
    ("created = startOfDay()", cql.DateRange(ms(2026, 1, 14), ms(2026, 1, 14) + 1)),
    ("created = startOfWeek()", cql.DateRange(ms(2026, 1, 12), ms(2026, 1, 12) + 1)),  # a Monday
    ('created = startOfWeek("-1")', cql.DateRange(ms(2026, 1, 5), ms(2026, 1, 5) + 1)),
    ("created = endOfDay()", cql.DateRange(ms(2026, 1, 15) - 1, ms(2026, 1, 15))),
    ('created = startOfMonth("+1")', cql.DateRange(ms(2026, 2, 1), ms(2026, 2, 1) + 1)),
    ("created = endOfMonth()", cql.DateRange(ms(2026, 2, 1) - 1, ms(2026, 2, 1))),
    ('created = startOfYear("-1")', cql.DateRange(ms(2025, 1, 1), ms(2025, 1, 1) + 1)),
    ("created = endOfYear()", cql.DateRange(ms(2027, 1, 1) - 1, ms(2027, 1, 1))),
])
def test_dates_and_date_functions(text: str, expected: cql.DateRange) -> None:
    where = parse(text).where
    assert isinstance(where, cql.Clause) and where.values == (expected,)


def test_text_terms() -> None:
    where = parse('text ~ "\\"pager rotation\\" runb* ops-team"').where
    assert isinstance(where, cql.Clause)
    assert where.values == (cql.Text((("pager", "rotation"), ("runb",), ("ops", "team")), (False, True, False),
                                     '"pager rotation" runb* ops-team'),)


def test_plain_text() -> None:
    assert cql.plain_text("<p>Fish &amp; <b>chips</b></p><ac:link><ri:page ri:content-title='x'/></ac:link>") == \
        "Fish & chips"


TOKENS = st.sampled_from(["type", "space", "title", "text", "label", "creator", "id", "created", "ancestor",
                          "favourite", "and", "OR", "not", "in", "order", "by", "desc", "=", "!=", "~", "!~",
                          ">", "<=", "(", ")", ",", '"', "'", "page", "123", "currentUser()", 'now("-4w")',
                          "startOfWeek(", "2026-01-31", "-4w", "x*", "\\", "é", "\x00", " ", "order by"])


@settings(max_examples=400, deadline=None)
@given(st.lists(TOKENS, max_size=14).map(" ".join) | st.text(max_size=60))
def test_any_text_parses_or_is_a_cql_error(text: str) -> None:
    try:
        query = parse(text)
    except cql.CqlError as err:
        assert err.message == f"Could not parse cql : {text}"
        assert 0 <= err.details["position"] <= len(text)
    else:
        assert isinstance(query, cql.Query)
