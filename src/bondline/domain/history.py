"""A page's history: who made which version, restoring an old version, deleting one.

Version numbers never change: restoring version N makes a new version (current + 1) with N's body,
and deleting a historical version removes that number only (the next version keeps what it
changed, as Confluence rolls it up), so a number once deleted answers "not found" from then on.
Confluence answers a restore or a deletion it refuses with 400, whatever the reason (no such
content, no such version, the current version), as its document says.
"""

from __future__ import annotations

import dataclasses

from bondline.domain.errors import Invalid
from bondline.domain.model import Content, ContentVersion


def no_content(content_id: int) -> Invalid:
    return Invalid(f"No content found with id : {content_id}", reason="CONTENT_NOT_FOUND")


def check_versioned(content: Content) -> None:
    """Only published content (not a draft, not in the trash) has versions to restore or delete."""
    if content.status != "current":
        raise Invalid(f"Content {content.id} has status {content.status}: only current content has versions to"
                      " restore or delete", reason="CONTENT_NOT_FOUND")


def check_restore(content: Content, number: int, old: ContentVersion | None) -> ContentVersion:
    check_versioned(content)
    if number == content.version:
        raise Invalid(f"Version {number} is the current version of content {content.id}: only a historical"
                      " version can be restored", reason="VERSION_IS_CURRENT")
    if old is None or number > content.version:
        raise Invalid(f"No version {number} of content {content.id}", reason="VERSION_NOT_FOUND")
    return old


def restored(content: Content, old: ContentVersion, message: str, restore_title: bool, by: int,
             now: int) -> Content:
    """The content after restoring `old`: a new version with its body (and title, when asked)."""
    assert old.number < content.version
    return dataclasses.replace(
        content,
        title=old.title if restore_title else content.title,
        body=old.body,
        representation=old.representation,
        version=content.version + 1,
        version_message=message,
        minor_edit=False,
        updated_by=by,
        updated_at=now,
    )


def check_delete(content: Content, number: int, found: bool) -> None:
    check_versioned(content)
    if number == content.version:
        raise Invalid(f"Version {number} is the current version of content {content.id} and cannot be deleted",
                      reason="VERSION_IS_CURRENT")
    if not found or number > content.version:
        raise Invalid(f"No version {number} of content {content.id}", reason="VERSION_NOT_FOUND")


def publishers(authors: list[int | None]) -> list[int]:
    """Who published versions (each once, in the order of their first version; a deleted user,
    whose versions keep no author, is left out)."""
    seen: dict[int, None] = {}
    for by in authors:
        if by is not None:
            seen.setdefault(by, None)
    return list(seen)
