"""v2's `sort` on listings of pages, blog posts and versions: Atlassian's sort fields, mapped onto the
orders the services read content in (`domain.content.ORDERS`) — inside their query, so that a cursor's
next page continues the same order."""

from __future__ import annotations

from bondline.domain.errors import Invalid
from bondline.http import Request

PAGE_SORTS = ("id", "-id", "created-date", "-created-date", "modified-date", "-modified-date", "title", "-title")
BLOGPOST_SORTS = ("id", "-id", "created-date", "-created-date", "modified-date", "-modified-date")
# ChildPageSortOrder (`/pages/{id}/children`): the tree's own order (the default) or the content's fields
CHILD_PAGE_SORTS = ("child-position", "-child-position", "id", "-id", "created-date", "-created-date",
                    "modified-date", "-modified-date")
VERSION_SORTS = ("modified-date", "-modified-date")


def sort(req: Request, allowed: tuple[str, ...]) -> str | None:
    """The `sort` asked for (one of `allowed`, else a 400), or None; a repeated `sort`: the first, as
    bondline reads every repeated single-valued parameter."""
    raw = req.q("sort")
    if raw is None:
        return None
    if raw not in allowed:
        raise Invalid(f"Provided value {{{raw[:40]}}} for 'sort' is not valid: expected one of {', '.join(allowed)}")
    return raw


def content_order(req: Request, allowed: tuple[str, ...]) -> str:
    """The services' order for the `sort` asked for (by id when none is)."""
    raw = sort(req, allowed)
    return "id" if raw is None else raw.replace("-date", "")
