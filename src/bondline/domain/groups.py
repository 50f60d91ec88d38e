"""Groups of users: Confluence's rules for their names.

Confluence Cloud group names are case-insensitive and shown in lower case; ids are UUIDs. Only site
administrators create or delete groups and change who belongs to them (`domain.access`).
"""

from __future__ import annotations

import dataclasses

from bondline.domain.errors import Invalid

MAX_NAME = 255
# Members are listed 200 at a time at most. The document says a larger limit is a 400, but Cloud
# answers it with 200 members (atlassian-python-api issue #522; its get_all_members asks for 1000).
MAX_LIMIT = 200


@dataclasses.dataclass(slots=True)
class Group:
    id: str
    name: str


def validate_name(name: str | None) -> str:
    """A group name as stored (lower case), or Confluence's 400."""
    if name is None or not name.strip():
        raise Invalid("Group name cannot be empty")
    name = name.strip().lower()
    if len(name) > MAX_NAME:
        raise Invalid(f"Group name is too long: at most {MAX_NAME} characters")
    if any(ord(ch) < 32 for ch in name):
        raise Invalid("Group name cannot contain control characters")
    return name
