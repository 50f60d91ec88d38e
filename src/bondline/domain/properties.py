"""Content and space properties: a JSON value by key, with a version each write moves on by one.

As in Confluence: a key is 1-255 characters; a value is a string, a boolean, an array of strings or
an object (Atlassian's `PropertyValue`); an update must name the next version (current + 1, else
409), and one naming version 1 for a key that does not exist creates it. A content property's value
is at most 32 KB (Atlassian's "Confluence entity properties"), a space property's 64 KB (the
`PropertyValue` description in Confluence's document), as JSON, answered with 413 beyond.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from bondline.domain.errors import Conflict, Invalid, NotFound, TooLarge

MAX_KEY = 255
MAX_VALUE = {"content": 32 * 1024, "space": 64 * 1024}
OWNERS = ("content", "space")

# What a value may be (Atlassian's PropertyValue): decoding a request's value into this refuses the rest.
Value = list[str] | bool | dict[str, Any] | str


@dataclasses.dataclass(slots=True)
class Property:
    id: int
    owner: str  # "content" | "space"
    owner_id: int  # the content's or the space's id
    key: str
    value: Any  # the JSON value, decoded
    version: int
    minor_edit: bool
    message: str
    by: int | None
    at: int


def check_key(key: str | None) -> str:
    if key is None or key == "":
        raise Invalid("The property key cannot be empty")
    if len(key) > MAX_KEY:
        raise Invalid(f"The property key is too long: at most {MAX_KEY} characters")
    if any(ord(ch) < 32 for ch in key):
        raise Invalid("The property key cannot contain control characters")
    return key


def encode(owner: str, key: str, value: Any) -> str:
    """The value as stored (JSON text), or 413 when it is over the owner's limit."""
    text = msgspec.json.encode(value)
    if len(text) > MAX_VALUE[owner]:
        raise TooLarge(f"The value of property '{key[:80]}' is too long: {len(text)} bytes of JSON, at most"
                       f" {MAX_VALUE[owner]}", reason="PROPERTY_VALUE_TOO_LONG")
    return text.decode()


def not_found(owner: str, owner_ref: str, key: str) -> NotFound:
    return NotFound(f"Cannot find property '{key[:80]}' on {owner} {owner_ref[:80]}", reason="PROPERTY_NOT_FOUND")


def exists(owner: str, owner_ref: str, key: str) -> Invalid | Conflict:
    """Creating a key the owner already has: Confluence's documents answer 400 for content and 409
    ("the key already exists within the space") for a space."""
    message = f"A property with key '{key[:80]}' already exists on {owner} {owner_ref[:80]}"
    return Conflict(message, reason="PROPERTY_EXISTS") if owner == "space" else Invalid(
        message, reason="PROPERTY_EXISTS")


def next_version(existing: Property | None, number: int, owner: str, owner_ref: str, key: str) -> int:
    """The version an update writes: `number`, when it is the current one + 1 (or 1 for a new key)."""
    if existing is None:
        if number != 1:
            raise not_found(owner, owner_ref, key)
        return 1
    if number != existing.version + 1:
        raise Conflict(f"Version must be incremented on update of property '{key[:80]}'. Current version is:"
                       f" {existing.version}", reason="STALE_VERSION")
    return number


def parse_number(raw: int | str) -> int:
    """`version.number`: an integer (Confluence's newest document also allows it as a string)."""
    if isinstance(raw, str):
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
            raise Invalid(f"Property version number {raw[:20]!r} is not a number")
        return int(raw)
    if not 0 < raw < 2**31:
        raise Invalid(f"Property version number {raw} is out of range")
    return raw
