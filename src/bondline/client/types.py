"""Shapes of what the API returns, for type checkers and editors (the values are plain dicts
decoded from JSON, exactly as the server sent them)."""

from __future__ import annotations

from typing import Any, TypedDict

Ref = tuple[str, str] | str
"""An entity a relation points at: ``("content", "123")`` or ``"content:123"``; users are
``("user", "current")`` or ``("user", accountId)``, spaces ``("space", "KEY")``."""


class Links(TypedDict, total=False):
    self: str
    base: str
    context: str
    next: str
    prev: str


class User(TypedDict, total=False):
    type: str
    accountId: str
    accountType: str
    email: str
    publicName: str
    displayName: str
    isGuest: bool


class Space(TypedDict, total=False):
    id: int
    key: str
    name: str
    type: str
    status: str
    _links: Links


class Version(TypedDict, total=False):
    number: int
    when: str
    message: str
    minorEdit: bool
    by: User


class Content(TypedDict, total=False):
    id: str
    type: str
    status: str
    title: str
    space: Space
    version: Version
    body: dict[str, Any]
    _links: Links


class Page(TypedDict, total=False):
    """Confluence's paginated array: `results`, `start`, `limit`, `size`, `_links`."""

    results: list[Any]
    start: int
    limit: int
    size: int
    _links: Links


class RelationData(TypedDict, total=False):
    createdBy: User
    createdDate: str
    friendlyCreatedDate: str


class Relation(TypedDict, total=False):
    name: str
    relationData: RelationData
    source: dict[str, Any]
    target: dict[str, Any]
    _expandable: dict[str, str]
    _links: Links


class UserRelationsPage(TypedDict, total=False):
    """bondline's cursor-paginated listing of one user's relations."""

    results: list[dict[str, Any]]
    limit: int
    nextCursor: str | None
    _links: dict[str, str]


class Label(TypedDict, total=False):
    prefix: str
    name: str
    id: str
    label: str


class LongTask(TypedDict, total=False):
    id: str
    links: dict[str, str]
