"""Content restrictions: who may read and who may update a page or a blog post.

Confluence restricts two operations per page, `read` and `update`, each to a set of users and
groups; an operation with nobody named is not restricted. Read restrictions are inherited: a page
is readable only by those every read restriction at or above it names (its comments and attachments
follow their container). Update restrictions govern only the page they are on. Restrictions narrow
what the space already allows; they never widen it (`domain.access` combines the two).

The store reads, with each piece of content, how its restrictions stand for the viewer (`Named`):
facts of membership, as a space role is. What they permit is decided in `domain.access`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from bondline.domain.errors import Invalid, NotFound

READ = "read"
UPDATE = "update"
OPERATIONS = (READ, UPDATE)
# Every operation the document's ContentRestriction names; Cloud restricts only read and update.
KNOWN_OPERATIONS = ("administer", "copy", "create", "delete", "export", "move", "purge", "purge_version", "read",
                    "restore", "update", "use")
RESTRICTABLE_TYPES = ("page", "blogpost")
MAX_SUBJECTS = 200  # users plus groups named by one operation: a bound on one request's writes
CHECKABLE = ("read", "update", "delete")  # POST /content/{id}/permission/check


@dataclasses.dataclass(frozen=True, slots=True)
class Named:
    """How a piece of content's restrictions stand for one viewer, read with the content.

    `read`: every read restriction at or above it names the viewer or a group of theirs (or there is
    none). `update`: its own update restriction does (or it has none)."""

    read: bool = True
    update: bool = True


OPEN = Named()


@dataclasses.dataclass(frozen=True, slots=True)
class Grant:
    """One operation's restriction as a request states it: users by account id, groups by id or
    by name (the older calls name them)."""

    operation: str
    account_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    group_names: tuple[str, ...] = ()


def operation_in_path(operation: str) -> str:
    """An operation named in a URL: `read` or `update`; anything else is a resource that does not
    exist (the document's 404 for "an invalid operation")."""
    if operation not in OPERATIONS:
        raise NotFound(f"No restriction operation '{operation}': it must be one of read, update",
                       reason="OPERATION_NOT_FOUND")
    return operation


def operation_in_body(operation: object) -> str:
    if operation in OPERATIONS:
        return str(operation)
    if operation in KNOWN_OPERATIONS:
        raise Invalid(f"Restrictions on the '{operation}' operation are not supported: only read and update"
                      " can be restricted")
    raise Invalid(f"Invalid restriction operation: {operation!r}")


def require_restrictable(content_type: str, content_id: int) -> None:
    """Setting restrictions is for pages and blog posts only (Confluence's rule); comments and
    attachments follow their container."""
    if content_type not in RESTRICTABLE_TYPES:
        raise Invalid(f"Restrictions can only be set on pages and blog posts; content {content_id} is a"
                      f" {content_type}")


def merge(grants: Iterable[Grant]) -> dict[str, Grant]:
    """Grants by operation, an operation named twice taking both lists (as one request)."""
    out: dict[str, Grant] = {}
    for grant in grants:
        before = out.get(grant.operation)
        if before is not None:
            grant = Grant(grant.operation, before.account_ids + grant.account_ids,
                          before.group_ids + grant.group_ids, before.group_names + grant.group_names)
        if len(set(grant.account_ids)) + len(set(grant.group_ids)) + len(set(grant.group_names)) > MAX_SUBJECTS:
            raise Invalid(f"Too many users and groups for the '{grant.operation}' restriction: at most"
                          f" {MAX_SUBJECTS}")
        out[grant.operation] = grant
    return out


def inherited(base: frozenset[int], root: int, below: Iterable[tuple[int, int | None]],
              attached: Iterable[tuple[int, int]], restricted: set[int]) -> dict[int, frozenset[int]]:
    """The read guards of `root` and everything under it: `base` is what governs root's parent (or
    container); `below` the descendants as (id, parent id), parents before children; `attached` the
    comments and attachments as (id, container id); `restricted` the ids whose own read is
    restricted. A piece of content is governed by its parent's guards and, if restricted, itself."""
    guards = {root: base | {root} if root in restricted else base}
    for node, parent in below:
        above = guards.get(parent, base) if parent is not None else base
        guards[node] = above | {node} if node in restricted else above
    for node, container in attached:
        guards[node] = guards.get(container, base)
    return guards
