"""Pages and blog posts: statuses, versions, and the rules for changing them.

Statuses are those of Confluence: ``current``, ``draft`` (visible to its author), ``trashed`` (in the
space's trash, restorable), and ``historical`` (a superseded version, read-only). An update must
carry ``version.number`` = current + 1; the superseded version stays readable as historical.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from bondline.domain.errors import Conflict, Invalid, NotFound, is_decimal
from bondline.domain.model import Content

TYPES = ("page", "blogpost")
# What getContent (`GET /content?type=`) lists: comments and attachments too, each shown to whoever may
# see what it is on.
LISTED_TYPES = TYPES + ("comment", "attachment")
HELD_TYPES = ("comment", "attachment")  # content that lives on a container (a page or blog post)
# The orders a listing of content can be read in (v2's `sort`): a field, descending with a leading
# "-", ties broken by id in the same direction; titles compare by code point on both backends.
ORDERS = ("id", "-id", "title", "-title", "created", "-created", "modified", "-modified")
CHILD_ORDERS = ("position", "-position", *ORDERS)  # children: their place among their siblings, or as ORDERS
STATUSES = ("current", "draft", "trashed", "historical")
EDIT_STATUSES = ("current", "draft")  # what a create or an update may ask for
MAX_TITLE = 255
REPRESENTATIONS = ("storage", "editor", "editor2", "view", "export_view", "styled_view", "wiki",
                   "anonymous_export_view", "atlas_doc_format")


def validate_type(type: str | None) -> str:
    if type not in TYPES:
        raise Invalid(f"Unsupported content type {str(type)[:40]!r}: bondline stores 'page' and 'blogpost'")
    return type


def validate_listed_type(type: str) -> str:
    if type not in LISTED_TYPES:
        raise Invalid(f"Unsupported content type {type[:40]!r}: use page, blogpost, comment or attachment")
    return type


def validate_title(title: str | None) -> str:
    if title is None or not title.strip():
        raise Invalid("Content title cannot be empty")
    if len(title) > MAX_TITLE:
        raise Invalid(f"Content title is too long: at most {MAX_TITLE} characters")
    if any(ord(ch) < 32 for ch in title):
        raise Invalid("Content title cannot contain control characters")
    return title


def parse_id(raw: str) -> int:
    """Content ids are positive integers (sent as strings); an attachment's may come as Confluence
    writes it, `att123`."""
    if raw.startswith("att"):
        raw = raw[3:]
    if not is_decimal(raw) or len(raw) > 18 or int(raw) == 0:
        raise Invalid(f"Content id {raw[:40]!r} is invalid: content ids are positive integers")
    return int(raw)


@dataclasses.dataclass(slots=True)
class Edit:
    """What an update asks for."""

    type: str
    title: str
    version: int
    status: str
    body: str | None
    representation: str | None
    parent_id: int | None
    parent_given: bool
    message: str
    minor_edit: bool


def apply_edit(existing: Content, edit: Edit, by: int, now: int) -> Content:
    """The content after `edit`, or the error Confluence answers with."""
    assert existing.body is not None, "edits need the content loaded with its body"
    if edit.type != existing.type:
        raise Invalid(f"Content type cannot be changed from {existing.type} to {edit.type}")
    if edit.status == "historical":
        # A historical version is made by an update, never by asking for one: Confluence refuses it
        # as bad input, and a state bondline does not support is the caller's 400, never a 5xx.
        raise Invalid("Content cannot be updated to status 'historical'; a new version makes the old one historical")
    if edit.status not in ("current", "draft"):
        raise Invalid(f"Cannot update content to status {edit.status!r}; use DELETE to trash content")
    if existing.status == "draft":
        if edit.status == "draft":
            raise Conflict("Draft content cannot be updated; publish it with status 'current'")
        # Publishing a draft keeps its number (1) or moves on by one.
        if edit.version not in (existing.version, existing.version + 1):
            raise Conflict(f"Version must be incremented on update. Current version is: {existing.version}")
        number = edit.version
    else:
        if edit.status == "draft":
            raise Conflict("Published content cannot be turned back into a draft")
        if existing.status == "trashed" and edit.status != "current":
            raise Conflict("Trashed content can only be restored (status 'current')")
        if edit.version != existing.version + 1:
            raise Conflict(f"Version must be incremented on update. Current version is: {existing.version}")
        number = edit.version
    return dataclasses.replace(
        existing,
        status="current",
        title=edit.title,
        body=existing.body if edit.body is None else edit.body,
        representation=existing.representation if edit.representation is None else edit.representation,
        version=number,
        version_message=edit.message,
        minor_edit=edit.minor_edit,
        parent_id=edit.parent_id if edit.parent_given else existing.parent_id,
        updated_by=by,
        updated_at=now,
    )


def deletion(content: Content, status_param: str | None) -> str:
    """What DELETE does to `content`: "trash" or "purge" (or NotFound, as Confluence answers)."""
    if content.status == "current":
        if status_param not in (None, "", "current"):
            raise NotFound(f"No content found with id {content.id} and status {status_param}")
        return "trash"
    if content.status == "trashed":
        if status_param != "trashed":
            raise NotFound(f"No content found with id {content.id} and status current; to purge trashed"
                           " content, set status=trashed")
        return "purge"
    return "purge"  # drafts are deleted outright


def validate_parent(content_space_id: int, parent: Content | None, parent_id: int, child_id: int | None,
                    ancestors_of_parent: list[int]) -> None:
    if parent is None or parent.status not in ("current", "draft"):
        raise Invalid(f"Parent page {parent_id} does not exist")
    if parent.type != "page":
        raise Invalid(f"Parent {parent_id} is a {parent.type}; only pages can have child pages")
    if parent.space_id != content_space_id:
        raise Invalid(f"Parent page {parent_id} is in another space")
    if child_id is not None and (parent_id == child_id or child_id in ancestors_of_parent):
        raise Invalid("A page cannot become its own ancestor")


def order_key(order: str) -> tuple[Callable[[Content], tuple[Any, ...]], bool]:
    """How to merge listings read in `order` (one of ORDERS): a sort key and whether it descends, the
    same order the store's query reads them in."""
    if order not in ORDERS:
        raise Invalid(f"Content cannot be listed in order {order[:40]!r}")
    field = order.lstrip("-")
    key: Callable[[Content], tuple[Any, ...]] = {
        "id": lambda c: (c.id,),
        "title": lambda c: (c.title, c.id),
        "created": lambda c: (c.created_at, c.id),
        "modified": lambda c: (c.updated_at, c.id),
    }[field]
    return key, order.startswith("-")
