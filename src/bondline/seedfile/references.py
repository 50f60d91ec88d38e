"""How one item of a seed file names another: `TYPE:KEY` ends of a relation, content keys or ids,
refs of Reltio objects (or their `entities/ID`, `relations/ID` URIs)."""

from __future__ import annotations

import re

from bondline.seedfile.document import Document, Path

ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")
_OBJECT_ID = re.compile(r"[0-9A-Za-z]{1,16}")


def parse_ref(text: str) -> tuple[str, str] | None:
    """`content:welcome` as ("content", "welcome"); None without a type or a key."""
    kind, sep, key = text.partition(":")
    if not sep or not key:
        return None
    return kind, key


def is_alias(text: str) -> bool:
    return bool(ALIAS.match(text))


def object_uri(text: str) -> tuple[str, str] | None:
    """`entities/ID` or `relations/ID` as (collection, id); None for anything else."""
    collection, sep, object_id = text.partition("/")
    if sep and collection in ("entities", "relations") and _OBJECT_ID.fullmatch(object_id):
        return collection, object_id
    return None


def check_content_ref(doc: Document, path: Path, key: str, keys: dict[str, int]) -> None:
    """A content id, or the key of content in this file."""
    if key.isascii() and key.isdigit():
        if int(key) == 0 or len(key) > 18:
            raise doc.error(path, f"{key!r} is not a content id")
        return
    if key not in keys:
        raise doc.error(path, f"no content has the key {key!r} (use a key of this file's content, or an id)")


def check_new_ref(doc: Document, path: Path, ref: str | None, refs: dict[str, int], index: int) -> None:
    """A new ref is a name not used before in `refs`; it is added there."""
    if ref is None:
        return
    if not is_alias(ref):
        raise doc.error(path, "a ref is a name: a letter or '_' first, then letters, digits, '_', '.' or '-'")
    if ref in refs:
        raise doc.error(path, f"ref {ref!r} is already used by item {refs[ref]}")
    refs[ref] = index


def check_object_ref(doc: Document, path: Path, text: str, refs: dict[str, int], collection: str) -> None:
    """A ref of this tenant's `collection`, or its `collection/ID`."""
    if text in refs:
        return
    uri = object_uri(text)
    if uri is None or uri[0] != collection:
        raise doc.error(path, f"{text!r} is neither a ref of this tenant's {collection} nor {collection}/ID")
