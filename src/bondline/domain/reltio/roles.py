"""Tenant roles and the permissions they carry.

Reltio grants rights per tenant through roles; bondline keeps the roles its issue names. A user may
hold several roles on a tenant: their permissions add up. Site admins hold every permission on
every tenant (they run the installation).
"""

from __future__ import annotations

from collections.abc import Iterable

from bondline.domain.errors import Invalid

READ = "READ"
CREATE = "CREATE"
UPDATE = "UPDATE"
DELETE = "DELETE"
INITIATE = "INITIATE_CHANGE_REQUEST"
ACCEPT = "ACCEPT_CHANGE_REQUEST"
CONFIGURE = "CONFIGURE"  # replace the tenant's types

ALL = frozenset({READ, CREATE, UPDATE, DELETE, INITIATE, ACCEPT, CONFIGURE})

ROLES: dict[str, frozenset[str]] = {
    "ROLE_READONLY": frozenset({READ}),
    "ROLE_USER": frozenset({READ, CREATE, UPDATE, DELETE, INITIATE}),
    "ROLE_INITIATOR": frozenset({READ, INITIATE}),
    "ROLE_REVIEWER": frozenset({READ, CREATE, UPDATE, DELETE, ACCEPT}),
    "ROLE_ADMIN_TENANT": ALL,
}


def validate_role(role: str) -> str:
    if role not in ROLES:
        raise Invalid(f"Unknown role {role[:60]!r}: use one of {', '.join(ROLES)}")
    return role


def permissions(roles: Iterable[str], site_admin: bool) -> frozenset[str]:
    if site_admin:
        return ALL
    out: frozenset[str] = frozenset()
    for role in roles:
        out |= ROLES.get(role, frozenset())
    return out
