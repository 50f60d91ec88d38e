"""Spaces: keys, names, and what a valid change looks like."""

from __future__ import annotations

import re

from bondline.domain.errors import Invalid

# Confluence space keys are letters and digits; personal spaces are "~" + the owner's id.
SPACE_KEY = re.compile(r"^~?[A-Za-z0-9]{1,255}$")
SPACE_TYPES = ("global", "personal")
SPACE_STATUSES = ("current", "archived")
ORDERS = ("id", "-id", "key", "-key", "name", "-name")  # a listing's order (v2's `sort`); names by code point
MAX_NAME = 200


def validate_key(key: str) -> str:
    if not SPACE_KEY.match(key):
        raise Invalid(f"Space key {key[:260]!r} is invalid: space keys can only contain alphanumeric"
                      " characters (a-z, 0-9), at most 255")
    return key


def validate_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("Space name cannot be empty")
    if len(name) > MAX_NAME:
        raise Invalid(f"Space name is too long: at most {MAX_NAME} characters")
    return name


def validate_status(status: str) -> str:
    if status not in SPACE_STATUSES:
        raise Invalid(f"Invalid space status {status[:40]!r}: use one of {', '.join(SPACE_STATUSES)}")
    return status


def validate_type(type: str) -> str:
    if type not in SPACE_TYPES:
        raise Invalid(f"Invalid space type {type[:40]!r}: use one of {', '.join(SPACE_TYPES)}")
    return type


ROLE_IDS = ("admin", "member")  # bondline's two space roles, as v2's `roleId` names them
MAX_ROLE_ASSIGNMENTS = 500


def role_assignments(given: list[tuple[str | None, str | None, str | None]]) -> dict[str, str]:
    """A new space's `roleAssignments` (principal type, principal id, role id) as bondline keeps
    them: account id → role. bondline grants spaces to users, in its two roles ("admin", "member");
    an account named twice keeps the stronger role; at least one administrator (v2's rule)."""
    if len(given) > MAX_ROLE_ASSIGNMENTS:
        raise Invalid(f"At most {MAX_ROLE_ASSIGNMENTS} roleAssignments may be given")
    roles: dict[str, str] = {}
    for principal_type, principal_id, role_id in given:
        if (principal_type or "").upper() != "USER":
            raise Invalid(f"Role assignments name users (principalType USER), not {str(principal_type)[:40]!r}:"
                          " bondline grants spaces to users")
        if not principal_id:
            raise Invalid("A role assignment needs the user's account id (principal.principalId)")
        role = (role_id or "").lower()
        if role not in ROLE_IDS:
            raise Invalid(f"Unknown roleId {str(role_id)[:40]!r}: use one of {', '.join(ROLE_IDS)}")
        if roles.get(principal_id) != "admin":
            roles[principal_id[:128]] = role
    if "admin" not in roles.values():
        raise Invalid("At least one Admin role assignment must be specified")
    return roles
