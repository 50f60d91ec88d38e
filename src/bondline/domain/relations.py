"""Typed relations: one model for favourites, likes, watches and any app-defined relation.

A relation is ``name`` from a source entity to a target entity, one way, stored once per
(namespace, name, source, target). Entities are ``user`` (key: accountId), ``space`` (key: space
key) and ``content`` (key: content id); watches add ``label``. A content entity may be addressed
at a historical version, which is a different entity: a favourite of version 3 of page 123 is not
a favourite of page 123. Statuses `current`, `draft` and `trashed` address the page itself in that
state (it has exactly one), so they share its key.

Entity keys as stored: ``123`` for a page, ``123@3`` for version 3 of it.
"""

from __future__ import annotations

import dataclasses
import re

from bondline.domain.errors import Invalid, is_decimal
from bondline.domain.model import Content, ContentVersion, Space, User
from bondline.domain.restrictions import OPEN, Named

CONFLUENCE = "confluence"
ENTITY_TYPES = ("user", "content", "space")
NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
CONTENT_STATUSES = ("current", "draft", "trashed", "historical")
MAX_KEY = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Relations that belong to one user, from that user to what they mark. Only the user (or a site
# admin; for favourites also an administrator of the target's space) may change them, and
# Confluence Cloud does not list them through the generic list endpoints.
PERSONAL: dict[str, tuple[str, ...]] = {
    "favourite": ("space", "content"),
    "like": ("content",),
    "watch": ("content", "space", "label"),
}
UNLISTABLE = ("favourite", "like")
# Relations Confluence computes itself and clients only read: `link`, from a page or blog post to
# each page its body links to (services/links.py keeps them).
COMPUTED = ("link",)


def require_writable(name: str) -> None:
    """A computed relation cannot be created or deleted through the API. Confluence's document gives
    400 ("the request is invalid") for both calls."""
    if name in COMPUTED:
        raise Invalid(f"The '{name}' relationship is maintained by Confluence from content bodies and"
                      " cannot be created or deleted")


@dataclasses.dataclass(slots=True)
class EntityRef:
    """An entity as a request names it (before it is looked up)."""

    type: str
    key: str
    status: str | None = None
    version: int | None = None

    @property
    def stored_key(self) -> str:
        """The key as stored on the relation row (``123`` or ``123@3``)."""
        if self.type == "content" and self.status == "historical":
            return f"{self.key}@{self.version}"
        return self.key


@dataclasses.dataclass(slots=True)
class Relation:
    id: int
    namespace: str
    name: str
    source_type: str
    source_key: str
    target_type: str
    target_key: str
    version: int
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str


def validate_name(name: str) -> str:
    if not NAME.match(name):
        raise Invalid(f"Invalid relation name {name[:80]!r}: use 1-64 letters, digits, '_', '.' or '-'")
    return name


def validate_type(kind: str, side: str) -> str:
    if kind not in ENTITY_TYPES:
        raise Invalid(f"Invalid {side}Type {kind[:40]!r}: use one of {', '.join(ENTITY_TYPES)}")
    return kind


def validate_shape(name: str, source_type: str, target_type: str) -> None:
    """Personal relations go from a user to particular kinds of target."""
    allowed = PERSONAL.get(name)
    if allowed is None:
        return
    if source_type != "user":
        raise Invalid(f"The sourceType of a '{name}' relationship must be 'user'")
    if target_type not in allowed:
        raise Invalid(f"The targetType of a '{name}' relationship must be "
                      + " or ".join(f"'{t}'" for t in allowed))


def entity_ref(kind: str, key: str, status: str | None, version: int | None, side: str) -> EntityRef:
    """Validate how a request names an entity. `status`/`version` only apply to content, as the
    definitions say; for other types they are ignored."""
    validate_type(kind, side)
    if not key or len(key) > MAX_KEY:
        raise Invalid(f"Invalid {side}Key: it must be 1-{MAX_KEY} characters")
    if _CONTROL.search(key):
        raise Invalid(f"Invalid {side}Key: control characters are not allowed")
    if kind != "content":
        return EntityRef(kind, key)
    if not is_decimal(key) or len(key) > 18 or int(key) == 0:
        raise Invalid(f"Invalid {side}Key {key[:40]!r}: content ids are positive integers")
    key = str(int(key))
    if status is not None and status not in CONTENT_STATUSES:
        raise Invalid(f"Invalid {side}Status {status[:40]!r}: use one of {', '.join(CONTENT_STATUSES)}")
    if version is not None and status != "historical":
        raise Invalid(f"{side}Version is only used when {side}Status is 'historical'")
    if status == "historical" and version is None:
        raise Invalid(f"{side}Status 'historical' needs {side}Version")
    if version is not None and version < 1:
        raise Invalid(f"Invalid {side}Version {version}: versions start at 1")
    return EntityRef(kind, key, status or "current", version)


def content_keys(content_id: int, version: int) -> list[str]:
    """Every stored key of a piece of content: the page itself and each of its versions."""
    return [str(content_id)] + [f"{content_id}@{n}" for n in range(1, version + 1)]


def parse_stored_key(kind: str, stored: str) -> tuple[str, int | None]:
    """Undo `EntityRef.stored_key`: (key, historical version or None)."""
    if kind == "content" and "@" in stored:
        key, _, version = stored.partition("@")
        return key, int(version)
    return stored, None


@dataclasses.dataclass(slots=True)
class RelationEnd:
    """An entity a relation points at, as loaded: what the domain needs to judge access and what
    the dialect needs to render it."""

    ref: EntityRef
    user: User | None = None
    space: Space | None = None  # the space itself, or the one the content is in
    content: Content | None = None
    version: ContentVersion | None = None  # for a historical version
    role: str | None = None  # the caller's role in `space`
    label: str | None = None
    named: Named = OPEN  # how the content's restrictions stand for the caller (set with `content`)

    @property
    def scope(self) -> int | None:
        """The space whose permissions govern who may see this entity (None: everyone may)."""
        return None if self.space is None else self.space.id
