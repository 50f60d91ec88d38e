"""Bulk import: what a valid line of a relations file is.

A relations file is JSON Lines, one relation per line:

    {"name": "favourite", "source": "user:5b10ac8d82e05b22cc7d4ef5", "target": "content:123"}
    {"name": "sibling", "source": {"type": "content", "key": "123"}, "target": {"type": "content", "key": "456"}}
    {"name": "cites", "source": "content:123", "target": {"type": "content", "key": "456", "version": 2}}

Entities are written ``type:key`` or as an object with `type`, `key` and, for a historical version
of content, `version`. Blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from bondline.domain import relations as rel
from bondline.domain.errors import Invalid
from bondline.domain.relations import EntityRef


@dataclasses.dataclass(slots=True)
class ImportedRelation:
    line: int
    name: str
    source: EntityRef
    target: EntityRef


def _entity(value: Any, side: str, line: int) -> EntityRef:
    if isinstance(value, str):
        kind, sep, key = value.partition(":")
        if not sep:
            raise Invalid(f"line {line}: {side} {value[:80]!r} should look like 'content:123'")
        version = None
    elif isinstance(value, dict):
        raw_kind, raw_key, version = value.get("type"), value.get("key"), value.get("version")
        if not isinstance(raw_kind, str) or not isinstance(raw_key, (str, int)) or isinstance(raw_key, bool):
            raise Invalid(f"line {line}: {side} needs a string 'type' and 'key'")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise Invalid(f"line {line}: {side} version must be an integer")
        kind, key = raw_kind, str(raw_key)
    else:
        raise Invalid(f"line {line}: {side} must be 'type:key' or an object")
    try:
        return rel.entity_ref(kind, key, "historical" if version is not None else None, version, side)
    except Invalid as err:
        raise Invalid(f"line {line}: {err.message}") from None


def parse_line(raw: bytes | str, line: int) -> ImportedRelation | None:
    """One line of a relations file (None for blank and comment lines)."""
    text = raw.strip()
    if not text or text[:1] in (b"#", "#"):
        return None
    try:
        doc = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        raise Invalid(f"line {line}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise Invalid(f"line {line}: expected a JSON object")
    name = doc.get("name")
    if not isinstance(name, str):
        raise Invalid(f"line {line}: 'name' must be a string")
    try:
        rel.validate_name(name)
        rel.require_writable(name)  # `link` is computed from bodies, not imported
    except Invalid as err:
        raise Invalid(f"line {line}: {err.message}") from None
    source = _entity(doc.get("source"), "source", line)
    target = _entity(doc.get("target"), "target", line)
    try:
        rel.validate_shape(name, source.type, target.type)
    except Invalid as err:
        raise Invalid(f"line {line}: {err.message}") from None
    return ImportedRelation(line, name, source, target)
