"""Users and tokens: what makes a valid account."""

from __future__ import annotations

import re

from bondline.domain.errors import Invalid

# Atlassian account ids look like "5b10ac8d82e05b22cc7d4ef5" or
# "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"; bondline accepts that alphabet, up to 128 chars.
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:_\-.]{0,127}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")
RESERVED_ACCOUNT_IDS = frozenset({"current"})
# The shape of every bondline token (see bondline.ids): a public id and a secret, both base62.
TOKEN = re.compile(r"^blt_[0-9A-Za-z]{10}_[0-9A-Za-z]{32}$")


def validate_account_id(account_id: str) -> str:
    if not ACCOUNT_ID.match(account_id) or account_id in RESERVED_ACCOUNT_IDS:
        raise Invalid(
            f"Invalid accountId {account_id[:140]!r}: use 1-128 letters, digits, ':', '_', '-' or '.'"
            " (and not the reserved word 'current')"
        )
    return account_id


def validate_new_user(account_id: str, email: str, display_name: str) -> tuple[str, str, str]:
    validate_account_id(account_id)
    email = email.strip()
    if not EMAIL.match(email):
        raise Invalid(f"Invalid email address {email[:260]!r}")
    display_name = display_name.strip()
    if not display_name or len(display_name) > 255:
        raise Invalid("A display name is required (at most 255 characters)")
    return account_id, email.lower(), display_name


def token_expiry(now_ms: int, expires_in_days: float | None) -> int | None:
    if expires_in_days is None:
        return None
    if expires_in_days <= 0:
        raise Invalid("--expires-in must be a positive number of days")
    return now_ms + int(expires_in_days * 86_400_000)


def validate_fixed_token(token: str) -> str:
    """A token chosen in advance (a seed file's fixed token) must look like one bondline makes."""
    if not TOKEN.match(token):
        raise Invalid("A fixed token must look like bondline's tokens: blt_ then 10 letters or digits, '_', "
                      "and 32 letters or digits")
    return token
