"""Request bodies Confluence accepts, as msgspec structs (unknown fields are ignored, as the
definitions' `additionalProperties: true` allows). A field bondline does not use is still checked
against the shape Atlassian's definitions give it (a string is a string, an object an object, an
optional field that is not `nullable` is absent rather than null): bondline refuses with 400 what
the served `/openapi.json` says is invalid."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType


class DescriptionValue(msgspec.Struct):
    value: str = ""
    representation: str = "plain"


class Description(msgspec.Struct):
    plain: DescriptionValue  # required, as Atlassian's SpaceDescriptionCreate has it


class SpaceCreate(msgspec.Struct):
    key: str
    name: str
    description: Description | None = None
    alias: str = ""  # a string when given (not null); bondline's spaces have no alias beside the key
    # Read only as far as its shape: every new space gets the default permissions.
    permissions: list[dict[str, Any]] | None = None


class SpaceUpdate(msgspec.Struct):
    name: str | None = None
    description: Description | None = None
    status: str | None = None
    homepage: dict[str, Any] | None = None  # `{"id": …}`: a current page of the space becomes its home page
    type: str | UnsetType = UNSET  # not read: a space's type does not change


class SpaceRef(msgspec.Struct):
    key: str | None = None
    id: int | None = None


class Ancestor(msgspec.Struct):
    id: str | int


Representation = Literal["view", "export_view", "styled_view", "storage", "editor", "editor2",
                         "anonymous_export_view", "wiki", "atlas_doc_format", "plain", "raw"]
StorageRepresentation = Literal["storage", "view", "export_view", "styled_view", "editor", "editor2",
                                "anonymous_export_view", "wiki", "atlas_doc_format"]


class BodyValue(msgspec.Struct):
    """ContentBodyCreate: `value` and `representation` are both required."""

    value: str
    representation: Representation


class StorageValue(msgspec.Struct):
    """ContentBodyCreateStorage."""

    value: str
    representation: StorageRepresentation


class Body(msgspec.Struct):
    storage: StorageValue | UnsetType = UNSET
    editor: BodyValue | UnsetType = UNSET
    editor2: BodyValue | UnsetType = UNSET
    wiki: BodyValue | UnsetType = UNSET
    view: BodyValue | UnsetType = UNSET
    atlas_doc_format: BodyValue | UnsetType = UNSET
    # Formats Confluence renders rather than stores; checked, not read.
    export_view: BodyValue | UnsetType = UNSET
    styled_view: BodyValue | UnsetType = UNSET
    anonymous_export_view: BodyValue | UnsetType = UNSET

    def first(self) -> tuple[str, str] | None:
        for name in ("storage", "editor2", "editor", "wiki", "view", "atlas_doc_format"):
            value = getattr(self, name)
            if value is not UNSET:
                return value.value, name
        return None


class CreateBody(Body):
    """A new page's body may also be given as `plain` or `raw` (checked, not read)."""

    plain: BodyValue | UnsetType = UNSET
    raw: BodyValue | UnsetType = UNSET


class Container(msgspec.Struct):
    """Not read: content lives in the space `space.key` names."""

    id: int | str
    type: str


class ContentCreate(msgspec.Struct):
    type: str
    title: str | None = None
    space: SpaceRef | None = None
    status: str | UnsetType = UNSET  # default: the `status` parameter, else current
    ancestors: list[Ancestor] | None = None
    body: CreateBody | UnsetType = UNSET
    id: str | None = None
    container: Container | None = None


class VersionUpdate(msgspec.Struct):
    number: int
    message: str = ""
    minorEdit: bool = False


class ContentUpdate(msgspec.Struct):
    version: VersionUpdate
    title: str
    type: str
    status: str | UnsetType = UNSET  # default: the `status` parameter, else current
    ancestors: list[Ancestor] | None = None
    body: Body | UnsetType = UNSET


class LabelCreate(msgspec.Struct):
    name: str
    prefix: str = "global"


class GroupName(msgspec.Struct):
    name: str


class AccountId(msgspec.Struct):
    accountId: str
