"""Request bodies Confluence accepts, as msgspec structs (unknown fields are ignored, as the
definitions' `additionalProperties: true` allows)."""

from __future__ import annotations

import msgspec


class DescriptionValue(msgspec.Struct):
    value: str = ""
    representation: str = "plain"


class Description(msgspec.Struct):
    plain: DescriptionValue | None = None


class SpaceCreate(msgspec.Struct):
    key: str
    name: str
    description: Description | None = None


class SpaceUpdate(msgspec.Struct):
    name: str | None = None
    description: Description | None = None
    status: str | None = None


class SpaceRef(msgspec.Struct):
    key: str | None = None
    id: int | None = None


class Ancestor(msgspec.Struct):
    id: str | int


class BodyValue(msgspec.Struct):
    value: str
    representation: str | None = None


class Body(msgspec.Struct):
    storage: BodyValue | None = None
    editor: BodyValue | None = None
    editor2: BodyValue | None = None
    wiki: BodyValue | None = None
    view: BodyValue | None = None
    atlas_doc_format: BodyValue | None = None

    def first(self) -> tuple[str, str] | None:
        for name in ("storage", "editor2", "editor", "wiki", "view", "atlas_doc_format"):
            value = getattr(self, name)
            if value is not None:
                return value.value, name
        return None


class ContentCreate(msgspec.Struct):
    type: str
    title: str | None = None
    space: SpaceRef | None = None
    status: str = "current"
    ancestors: list[Ancestor] | None = None
    body: Body | None = None
    id: str | None = None


class VersionUpdate(msgspec.Struct):
    number: int
    message: str = ""
    minorEdit: bool = False


class ContentUpdate(msgspec.Struct):
    version: VersionUpdate
    title: str
    type: str
    status: str | None = None
    ancestors: list[Ancestor] | None = None
    body: Body | None = None


class LabelCreate(msgspec.Struct):
    name: str
    prefix: str = "global"
