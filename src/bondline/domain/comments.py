"""Comments: content of type "comment" on a page or blog post (its container), footer or inline; a
reply names the comment it answers (its ancestors are the comments above it). An inline comment
keeps the properties the editor gives it (`inlineProperties`: the selection it is anchored to) and
a resolution status."""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any

from bondline.domain.errors import Invalid

TYPE = "comment"
CONTAINER_TYPES = ("page", "blogpost", "attachment")  # what a comment may be on
INLINE_CONTAINER_TYPES = ("page", "blogpost")  # an inline comment highlights text of a body
LOCATIONS = ("footer", "inline")
RESOLUTIONS = ("open", "reopened", "resolved", "dangling")
MAX_DEPTH = 100
MAX_THREAD = 10_000  # the comments on one page read to find a comment's replies


@dataclasses.dataclass(slots=True)
class CommentMeta:
    content_id: int
    container_id: int
    parent_id: int | None
    location: str
    inline_properties: dict[str, Any] | None
    resolution: str | None
    resolved_by: int | None = None  # who last resolved or reopened it (None until someone has)
    resolved_at: int | None = None  # when (ms)


def validate_location(location: str | None) -> str:
    if location is None:
        return "footer"
    if location not in LOCATIONS:
        raise Invalid(f"A comment's location is 'footer' or 'inline', not {location[:40]!r}")
    return location


def title_for(container_title: str) -> str:
    """Confluence titles a comment after what it is on."""
    return ("Re: " + container_title)[:255]


def resolve(meta: CommentMeta, resolved: bool) -> str:
    """An inline comment's resolution after resolving it (`resolved`) or reopening it: Confluence
    reopens a resolved comment as "reopened", leaves an open one open and a resolved one resolved."""
    if meta.location != "inline":
        raise Invalid("Only inline comments are resolved or reopened")
    current = meta.resolution or "open"
    if current == "dangling":
        raise Invalid("A dangling comment cannot be resolved or reopened")
    if resolved:
        return "resolved"
    return "reopened" if current == "resolved" else current


def selection_properties(selection: str | None, match_count: int | None, match_index: int | None,
                         marker: str) -> dict[str, Any]:
    """The properties of a new top-level inline comment from the text it highlights (v2's
    `inlineCommentProperties`): the `match_index`-th (from 0) of `match_count` occurrences of
    `selection`, marked by `marker`. Kept as Confluence keeps them (`originalSelection`, `markerRef`),
    so v1 shows them."""
    if not selection or not selection.strip():
        raise Invalid("An inline comment needs the text it highlights: inlineCommentProperties.textSelection")
    count = 1 if match_count is None else match_count
    index = 0 if match_index is None else match_index
    if count < 1 or index < 0 or index >= count:
        raise Invalid("textSelectionMatchCount must be greater than textSelectionMatchIndex, which is at least 0")
    return {"originalSelection": selection[:2000], "markerRef": marker}


def check_container(container_type: str, location: str) -> None:
    """An inline comment highlights text of a page's or blog post's body: an attachment has footer
    comments only."""
    if location == "inline" and container_type not in INLINE_CONTAINER_TYPES:
        raise Invalid(f"Inline comments are made on pages and blog posts, not on a {container_type}")


_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def selection_matches(body: str, selection: str) -> int:
    """How often `selection` occurs in the text of a storage-format body (markup left out, runs of
    whitespace as one space), counted without overlaps. Inline markup inside a word joins its parts
    ("Do<b>c</b>" reads "Doc"); block boundaries separate them: the larger count of the two readings."""
    wanted = _SPACES.sub(" ", selection).strip()
    if not wanted:
        return 0
    joined = _SPACES.sub(" ", html.unescape(_TAG.sub("", body)))
    spaced = _SPACES.sub(" ", html.unescape(_TAG.sub(" ", body)))
    return max(joined.count(wanted), spaced.count(wanted))


def check_selection(body: str, selection: str, match_index: int | None) -> None:
    """A new top-level inline comment's `textSelection` must be in the body of what it is on, and
    its `textSelectionMatchIndex`-th occurrence (from 0) must exist: otherwise a 400."""
    found = selection_matches(body, selection)
    if found == 0:
        raise Invalid(f"The text selection {selection[:100]!r} was not found in the content's body:"
                      " an inline comment highlights text of the page")
    index = 0 if match_index is None else match_index
    if index >= found:
        raise Invalid(f"textSelectionMatchIndex {index} is out of range: the text selection occurs {found}"
                      f" time{'s' if found != 1 else ''} in the content's body")


def depth_filter(depth: str | None) -> bool:
    """Whether only the root comments are listed (`depth` absent, empty or "root"; "all": every one)."""
    if depth in (None, "", "root"):
        return True
    if depth == "all":
        return False
    raise Invalid(f"Parameter 'depth' must be root or all, got {depth[:40]!r}")


def location_filter(values: list[str]) -> tuple[bool, bool, bool]:
    """What a listing's `location` values ask for: (footer comments, every inline comment, resolved
    inline comments). None given: every comment."""
    if not values:
        return True, True, False
    for value in values:
        if value not in ("footer", "inline", "resolved"):
            raise Invalid(f"Parameter 'location' must be inline, footer or resolved, got {value[:40]!r}")
    return "footer" in values, "inline" in values, "resolved" in values


def replies_under(comment_id: int, metas: list[CommentMeta], direct_only: bool) -> set[int]:
    """The replies to comment `comment_id` among `metas` (the comments on its container): those that
    answer it (`direct_only`), or every comment of the thread below it."""
    if direct_only:
        return {m.content_id for m in metas if m.parent_id == comment_id}
    children: dict[int, list[int]] = {}
    for m in metas:
        if m.parent_id is not None:
            children.setdefault(m.parent_id, []).append(m.content_id)
    found: set[int] = set()
    todo = list(children.get(comment_id, ()))
    while todo and len(found) < 100_000:  # (bounded, in case of a corrupt cycle)
        reply = todo.pop()
        if reply not in found:
            found.add(reply)
            todo += children.get(reply, ())
    return found
