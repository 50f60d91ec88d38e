"""Watches: a watch is a relation named ``watch`` from a user to content, a space or a label.

A space watch may be limited to one content type (Confluence's `contentType` parameter): that is
a distinct watch, stored against ``KEY@blogpost`` (space keys never contain ``@``).
"""

from __future__ import annotations

from bondline.domain.errors import Invalid

WATCH = "watch"
CONTENT_TYPES = ("page", "blogpost")
WATCH_TYPE = "watch"  # the `type` of Watch / SpaceWatch entries on the wire


def space_key(key: str, content_type: str | None) -> str:
    if not content_type:  # None or ""
        return key
    if content_type not in CONTENT_TYPES:
        raise Invalid(f"Invalid contentType {content_type[:40]!r}: use page or blogpost")
    return f"{key}@{content_type}"


def space_keys(key: str) -> list[str]:
    """Every stored form of a watch on a space: all content, pages only, blog posts only."""
    return [key] + [f"{key}@{t}" for t in CONTENT_TYPES]


def accepts_xsrf_token(value: str | None) -> bool:
    """`X-Atlassian-Token: no-check` (and the older spelling `nocheck`) turns XSRF checks off."""
    return value is not None and value.strip().lower() in ("no-check", "nocheck")
