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
