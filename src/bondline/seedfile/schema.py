"""The seed file's schema: what each item may say (msgspec Structs, camelCase on the wire).

msgspec checks the types and the fields; what it cannot express (unique keys, references between
items, the domain's formats) is checked afterwards by `checks`.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec


class _Item(msgspec.Struct, forbid_unknown_fields=True, rename="camel", kw_only=True):
    pass


class User(_Item, kw_only=True):
    account_id: str
    email: str
    name: str
    site_admin: bool = False
    # A fixed API token (blt_<10 base62>_<32 base62>); without one a fresh token is made.
    token: str | None = None


class Space(_Item, kw_only=True):
    key: str
    name: str
    description: str = ""
    private: bool = False
    # accountIds; the first one creates the space (and so administers it).
    admins: list[str]
    members: list[str] = []


class Version(_Item, kw_only=True):
    title: str | None = None
    body: str | None = None
    message: str = ""
    minor_edit: bool = False
    by: str | None = None


class Content(_Item, kw_only=True):
    # A name other items use to refer to this content (`content:welcome`); ids are assigned on load.
    key: str | None = None
    type: Literal["page", "blogpost"] = "page"
    space: str
    title: str
    body: str = ""
    representation: Literal["storage", "wiki", "editor", "view", "atlas_doc_format"] = "storage"
    status: Literal["current", "draft", "trashed"] = "current"
    author: str | None = None
    # Later versions, oldest first: a string is a new body, an object may change the title too.
    versions: list[str | Version] = []
    labels: list[str] = []
    parent: str | None = None


class Relation(_Item, kw_only=True):
    name: str
    source: str  # TYPE:KEY — user:ACCOUNT_ID, space:KEY, content:KEY_OR_ID
    target: str
    source_version: int | None = None  # a historical version of source content
    target_version: int | None = None
    by: str | None = None  # who creates it (default: the source user, else the first site admin)


class Watch(_Item, kw_only=True):
    user: str
    content: str | None = None
    space: str | None = None
    label: str | None = None
    content_type: Literal["page", "blogpost"] | None = None


class ReltioEntity(_Item, kw_only=True):
    ref: str | None = None
    type: str
    attributes: dict[str, Any] = {}
    crosswalks: list[dict[str, Any]] | None = None
    tags: list[str] | None = None
    roles: list[str] | None = None


class ReltioRelation(_Item, kw_only=True):
    ref: str | None = None
    type: str
    start: str  # an entity ref of this file, or entities/ID
    end: str
    attributes: dict[str, Any] = {}
    crosswalks: list[dict[str, Any]] | None = None


class AttributeChange(_Item, kw_only=True):
    object: str  # an entity or relation ref of this file, or entities/ID, relations/ID
    attribute: str
    value: Any = None
    index: int = 0  # which value (update, delete)


class ChangeItem(_Item, kw_only=True):
    create_entity: ReltioEntity | None = None
    create_relation: ReltioRelation | None = None
    delete_relation: str | None = None
    insert_attribute: AttributeChange | None = None
    update_attribute: AttributeChange | None = None
    delete_attribute: AttributeChange | None = None


class ChangeRequest(_Item, kw_only=True):
    ref: str | None = None
    created_by: str | None = None
    items: list[ChangeItem] = []
    # Where the request ends up: left awaiting review, or applied or rejected right after it is
    # staged, by `reviewedBy` (an accountId with ACCEPT_CHANGE_REQUEST; default the seed operator).
    state: Literal["AWAITING_REVIEW", "APPLIED", "REJECTED"] = "AWAITING_REVIEW"
    reviewed_by: str | None = None


class Tenant(_Item, kw_only=True):
    id: str
    roles: dict[str, list[str]] = {}
    types: dict[str, Any] | None = None
    by: str | None = None  # who saves the entities and relations (default: bondline's seed operator)
    entities: list[ReltioEntity] = []
    relations: list[ReltioRelation] = []
    change_requests: list[ChangeRequest] = []
    # Attribute changes written directly (by `by`) after every change request is staged: a request
    # with items on an object edited here shows conflicts, as after a real concurrent edit.
    edits: list[ChangeItem] = []


class SeedFile(_Item, kw_only=True):
    users: list[User] = []
    spaces: list[Space] = []
    content: list[Content] = []
    relations: list[Relation] = []
    watches: list[Watch] = []
    reltio: list[Tenant] = []


CHANGE_KINDS = ("createEntity", "createRelation", "deleteRelation", "insertAttribute", "updateAttribute",
                "deleteAttribute")
EDIT_KINDS = ("insertAttribute", "updateAttribute", "deleteAttribute")
CHANGE_STATES = ("AWAITING_REVIEW", "APPLIED", "REJECTED")
