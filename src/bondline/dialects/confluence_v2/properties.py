"""Content and space properties: /wiki/api/v2/{pages,blogposts,attachments,comments}/{id}/properties
and /wiki/api/v2/spaces/{space-id}/properties, each listed, created, and read, updated (with the next
version, else 409) or deleted by the property's id. Over `services.properties`, as v1's property
routes: a property written through v1 is the same property here (v2 names it by its stored id,
v1 by its key), with the same version rule."""

from __future__ import annotations

from typing import Any

import msgspec

from bondline import ids
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX
from bondline.dialects.confluence_v2 import params as p
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import content as rules
from bondline.domain.errors import Invalid
from bondline.domain.properties import Value
from bondline.http import Request, Response, empty, json_response
from bondline.services import properties
from bondline.services.properties import Owner, PropertyView

ORDERS = ("key", "-key")
# v2's content types that carry properties here, by path: the path parameter and the bondline type.
CONTENT = {"pages": ("page-id", "page"), "blogposts": ("blogpost-id", "blogpost"),
           "attachments": ("attachment-id", "attachment"), "comments": ("comment-id", "comment")}
MISSING = msgspec.UNSET


class VersionWrite(msgspec.Struct):
    number: int
    message: str = ""


class PropertyWrite(msgspec.Struct):
    key: str | None = None
    value: Any = MISSING
    version: VersionWrite | None = None


def _write(req: Request, *, update: bool) -> properties.Write:
    try:
        body = req.json(PropertyWrite)
    except msgspec.ValidationError as exc:
        raise Invalid(f"Invalid request body: {exc}") from None
    if body.key is None:
        raise Invalid("The property's 'key' is required")
    if body.value is MISSING:
        raise Invalid("The property's 'value' is required")
    try:  # what a property's value may be, whichever API writes it (a string, a boolean, strings, an object)
        body.value = msgspec.convert(body.value, Value)
    except msgspec.ValidationError as exc:
        raise Invalid(f"Invalid property value: {exc}") from None
    if not update:
        return properties.Write(body.key, body.value)
    if body.version is None:
        raise Invalid("The property's 'version' (the next version number) is required")
    if not 0 < body.version.number < 2**31:
        raise Invalid(f"Property version number {body.version.number} is out of range")
    return properties.Write(body.key, body.value, body.version.number, message=body.version.message,
                            id=p.path_id(req, "property-id", "Property"))


def _account(view: PropertyView) -> str | None:
    user = view.users.get(view.prop.by) if view.prop.by is not None else None
    return user.account_id if user else None


def content_property(view: PropertyView) -> dict[str, Any]:
    prop = view.prop
    version: dict[str, Any] = {"createdAt": ids.iso(prop.at), "message": prop.message, "number": prop.version,
                               "minorEdit": prop.minor_edit}
    author = _account(view)
    if author is not None:
        version["authorId"] = author
    return {"id": str(prop.id), "key": prop.key, "value": prop.value, "version": version}


def space_property(view: PropertyView) -> dict[str, Any]:
    prop = view.prop
    author = _account(view)
    out: dict[str, Any] = {"id": str(prop.id), "key": prop.key, "value": prop.value}
    if prop.version == 1:  # bondline keeps the current version's time and author: the creation's only at 1
        out["createdAt"] = ids.iso(prop.at)
        if author is not None:
            out["createdBy"] = author
    version: dict[str, Any] = {"createdAt": ids.iso(prop.at)}
    if author is not None:
        version["createdBy"] = author
    version.update({"message": prop.message, "number": prop.version})
    out["version"] = version
    return out


def _owner(req: Request) -> tuple[Owner, str]:
    """Whose properties the path names, and the listing's path."""
    kind = req.route.pattern[len(PREFIX) + 1:].split("/", 1)[0]
    if kind == "spaces":
        space_id = p.path_id(req, "space-id", "Space")
        return Owner.space_by_id(space_id), f"{PREFIX}/spaces/{space_id}/properties"
    param, type = CONTENT[kind]
    content_id = rules.parse_id(req.params[param])
    return Owner.content(content_id, types=(type,)), f"{PREFIX}/{kind}/{content_id}/properties"


def _render(owner: Owner, view: PropertyView) -> dict[str, Any]:
    return space_property(view) if owner.kind == "space" else content_property(view)


async def list_properties(req: Request) -> Response:
    owner, path = _owner(req)
    key = req.q("key")
    descending = p.sort(req, ORDERS, ORDERS) == "-key"
    size = limit(req)
    page = await Page.of(req, path, p.query(req, "key", "sort"), size)
    found = await properties.list_properties(req.app.store, req.caller, owner, keys=[key] if key else [],
                                             start=page.offset, limit=size + 1, descending=descending)
    return page.respond([_render(owner, v) for v in found[:size]], len(found) > size, base_of(req))


async def create_property(req: Request) -> Response:
    owner, _path = _owner(req)
    view = await properties.create(req.app.store, req.caller, owner, _write(req, update=False))
    return json_response(_render(owner, view), 201 if owner.kind == "space" else 200)


async def get_property(req: Request) -> Response:
    owner, _path = _owner(req)
    prop_id = p.path_id(req, "property-id", "Property")
    return json_response(_render(owner, await properties.get(req.app.store, req.caller, owner, prop_id)))


async def update_property(req: Request) -> Response:
    owner, _path = _owner(req)
    view = await properties.update(req.app.store, req.caller, owner, _write(req, update=True))
    return json_response(_render(owner, view))


async def delete_property(req: Request) -> Response:
    owner, _path = _owner(req)
    prop_id = p.path_id(req, "property-id", "Property")
    await properties.delete(req.app.store, req.caller, owner, prop_id)
    return empty(204)


def install(app: Any) -> None:
    route = app.route
    owners = [(kind, param) for kind, (param, _type) in CONTENT.items()] + [("spaces", "space-id")]
    for kind, param in owners:
        base = f"{PREFIX}/{kind}/{{{param}}}/properties"
        route("GET", base, list_properties, dialect=DIALECT)
        route("POST", base, create_property, dialect=DIALECT)
        route("GET", f"{base}/{{property-id}}", get_property, dialect=DIALECT)
        route("PUT", f"{base}/{{property-id}}", update_property, dialect=DIALECT)
        route("DELETE", f"{base}/{{property-id}}", delete_property, dialect=DIALECT)
