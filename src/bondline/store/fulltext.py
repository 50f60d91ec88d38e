"""Text search for CQL's `~` (`text ~`, `title ~`).

This first version is the correct but slow fallback: case-insensitive containment (`LIKE`) of each
term in the title and the body, every term required. It scans; the full-text indexes replace it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bondline.domain import cql
from bondline.store.tables import content

c = content.c


def _like(column: Any, words: tuple[str, ...]) -> sa.ColumnElement[bool]:
    pattern = " ".join(words).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(column).like(sa.bindparam(None, f"%{pattern}%"), escape="\\")


def matches(kind: str, content_id: Any, column: str | None, text: cql.Text) -> sa.ColumnElement[bool]:
    """Content whose title (`column="title"`) or title and body contain every term of `text`."""
    parts = []
    for words in text.terms:
        found = [_like(c.title, words)]
        if column is None:
            found.append(_like(c.body, words))
        parts.append(sa.or_(*found))
    return sa.and_(*parts)
