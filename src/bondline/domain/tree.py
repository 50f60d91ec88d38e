"""The page tree: parents, children in order, moves, copies and home pages, with Confluence's rules.

A page has at most one parent (a page in the same space) and its siblings are ordered by
`position`. Pages created without a parent are top-level pages of their space, as the v1 API makes
them ("If you are creating a top-level page ... [ancestors] can be left blank"); the space's home
page is one of them. Trashing a page moves its children up to its parent (Confluence keeps them;
only the trashed page goes), and a restored page goes back under its parent when that is still
current, else to the top level.
"""

from __future__ import annotations

from collections.abc import Iterable

from bondline.domain.errors import Invalid

MOVE_POSITIONS = ("before", "after", "append")
MAX_DEPTH = 100
# What each type of content can have as children: a comment's are its replies; an attachment has none.
CHILD_TYPES: dict[str, tuple[str, ...]] = {"page": ("page", "comment", "attachment"),
                                           "blogpost": ("comment", "attachment"), "comment": ("comment",)}
COPY_DESTINATIONS = ("space", "existing_page", "parent_page", "parent_content")


def homepage_title(space_name: str) -> str:
    """The title of a new space's home page: "<space name> Home", as Confluence names it."""
    return f"{space_name} Home"[:255]


def child_types(content_type: str) -> tuple[str, ...]:
    return CHILD_TYPES.get(content_type, ())


def require_child_type(parent_type: str, child_type: str) -> None:
    """Confluence's 400 for a kind of child the parent cannot have (a blog post has no child pages)."""
    if child_type not in ("page", "comment", "attachment"):
        raise Invalid(f"Invalid child content type {child_type[:40]!r}: use page, comment or attachment")
    kinds = child_types(parent_type)
    if child_type not in kinds:
        has = f"{' and '.join(kinds)} children only" if kinds else "no children"
        raise Invalid(f"Cannot find {child_type} children of a {parent_type}: a {parent_type} has {has}")


def parse_depth(raw: str | None, allowed_root_only: bool = False) -> int:
    """`depth`: "all" (the default), "root" (direct children), or 1 … 100 levels."""
    if raw is None or raw == "" or raw == "all":
        return MAX_DEPTH
    if raw == "root":
        return 1
    if not allowed_root_only and raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_DEPTH:
        return int(raw)
    allowed = "all or root" if allowed_root_only else "all, root or a number of levels from 1 to 100"
    raise Invalid(f"Parameter 'depth' must be {allowed}, got {raw[:40]!r}")


def preorder(root_id: int, rows: Iterable[tuple[int, int, int, str, str, int]]) -> list[tuple[int, int]]:
    """The subtree below `root_id` in tree order (each parent before its children, siblings by
    position): (id, depth). `rows` are (id, parent_id, position, type, status, depth)."""
    by_parent: dict[int, list[tuple[int, int]]] = {}
    for content_id, parent_id, position, _type, _status, _depth in rows:
        by_parent.setdefault(parent_id, []).append((position, content_id))
    out: list[tuple[int, int]] = []
    stack = [(cid, 1) for _, cid in sorted(by_parent.get(root_id, []), reverse=True)]
    seen: set[int] = set()
    while stack:
        content_id, depth = stack.pop()
        if content_id in seen or depth > MAX_DEPTH:
            continue
        seen.add(content_id)
        out.append((content_id, depth))
        stack.extend((cid, depth + 1) for _, cid in sorted(by_parent.get(content_id, []), reverse=True))
    return out


def validate_move_position(position: str) -> str:
    if position not in MOVE_POSITIONS:
        raise Invalid(f"Invalid position {position[:40]!r}: use before, after or append")
    return position


def move_parent(page_id: int, position: str, target_id: int, target_parent_id: int | None,
                subtree: set[int]) -> int | None:
    """The page's new parent after moving it `position` the target (None: the top level), or
    Confluence's 400 when the move would make the page its own ancestor."""
    if target_id == page_id or target_id in subtree:
        raise Invalid("Cannot move a page relative to itself or one of its descendants: the move would "
                      "create a parent-child loop")
    return target_id if position == "append" else target_parent_id


def reorder(siblings: list[int], page_id: int, position: str, target_id: int) -> list[int]:
    """The new order of the siblings under the new parent, `page_id` placed `position` the target
    (`append`: last)."""
    order = [s for s in siblings if s != page_id]
    if position == "append":
        return order + [page_id]
    at = order.index(target_id) if target_id in order else len(order)
    return order[:at + (position == "after")] + [page_id] + order[at + (position == "after"):]


def hierarchy_title(title: str, prefix: str | None, search: str | None, replace: str | None) -> str:
    """A copied page's title under `titleOptions`: search and replace, then the prefix."""
    if search:
        title = title.replace(search, replace or "")
    return ((prefix or "") + title)[:255]
