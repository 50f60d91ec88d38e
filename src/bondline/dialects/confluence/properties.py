"""Content and space properties: /wiki/rest/api/content/{id}/property[/{key}] (getContentProperties,
createContentProperty, getContentProperty, updateContentProperty, createContentPropertyForKey,
deleteContentProperty), /space/{spaceKey}/property[/{key}] (the same for spaces), and
`expand=metadata.properties[.<key>]` on content."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from bondline.dialects.confluence import params, render
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import base_of, q
from bondline.domain import content as content_rules
from bondline.domain import properties as rules
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.http import Request, Response, empty, json_response
from bondline.services import properties
from bondline.services.properties import Owner, PropertyView, Write

API = "/wiki/rest/api"
DEFAULT_EXPAND = ("version",)  # "By default, the `version` object is expanded."


# --- JSON -----------------------------------------------------------------------------------------

def _content_path(content_id: int, key: str | None = None) -> str:
    return f"/rest/api/content/{content_id}/property" + (f"/{q(key)}" if key is not None else "")


def _space_path(space_key: str, key: str | None = None) -> str:
    return f"/rest/api/space/{q(space_key)}/property" + (f"/{q(key)}" if key is not None else "")


def content_property(pv: PropertyView, base: str, expand: Expand, *, viewer: Caller) -> dict[str, Any]:
    """A `ContentProperty`."""
    p = pv.prop
    out: dict[str, Any] = {"id": str(p.id), "key": p.key, "value": p.value}
    expandable: dict[str, str] = {"content": f"/rest/api/content/{p.owner_id}"}
    if "version" in expand:
        out["version"] = {"when": render.iso(p.at), "message": p.message, "number": p.version,
                          "minorEdit": p.minor_edit, "contentTypeModified": False}
    else:
        expandable["version"] = ""
    if "content" in expand and pv.content is not None:
        out["content"] = render.content(pv.content, base, Expand(set()), viewer=viewer)
        del expandable["content"]
    out["_links"] = render.links(base, _content_path(p.owner_id, p.key))
    out["_expandable"] = expandable
    return out


def space_property(pv: PropertyView, base: str, expand: Expand, *, viewer: Caller) -> dict[str, Any]:
    """A `SpaceProperty` (its `version` a `Version`, as the document has it)."""
    p = pv.prop
    assert pv.space is not None
    out: dict[str, Any] = {"id": str(p.id), "key": p.key, "value": p.value}
    expandable: dict[str, str] = {"version": "", "space": f"/rest/api/space/{q(pv.space.key)}"}
    if "version" in expand:
        by = pv.users.get(p.by) if p.by is not None else None
        out["version"] = {"by": render.user(by, base, viewer=viewer), "when": render.iso(p.at),
                          "friendlyWhen": render.friendly(p.at), "message": p.message, "number": p.version,
                          "minorEdit": p.minor_edit, "contentTypeModified": False}
        del expandable["version"]
    if "space" in expand:
        out["space"] = render.space(pv.space, base, viewer=viewer)
        del expandable["space"]
    out["_links"] = render.links(base, _space_path(pv.space.key, p.key))
    out["_expandable"] = expandable
    return out


# --- request bodies ---------------------------------------------------------------------------------

class SpaceKey(msgspec.Struct):
    key: str | UnsetType = UNSET


class PropertyCreate(msgspec.Struct):
    """ContentPropertyCreate / SpacePropertyCreate (`space` is checked, not read: the path names the
    space)."""

    key: str
    value: rules.Value
    space: SpaceKey | UnsetType = UNSET


class PropertyCreateNoKey(msgspec.Struct):
    value: rules.Value


class PropertyVersion(msgspec.Struct):
    number: int | str
    minorEdit: bool = True  # ContentPropertyUpdate's default
    message: str = ""


class PropertyUpdate(msgspec.Struct):
    """ContentPropertyUpdate / SpacePropertyUpdate: `value` and `version` are required; `key` and
    `space.key`, when given, must be those the path names."""

    value: rules.Value
    version: PropertyVersion | None
    key: str | UnsetType = UNSET
    space: SpaceKey | UnsetType = UNSET


class MetadataProperty(msgspec.Struct):
    """One entry of `metadata.properties` in a content create or update (its key is the entry's)."""

    value: rules.Value
    version: PropertyVersion | None = None
    key: str | UnsetType = UNSET


class Metadata(msgspec.Struct):
    properties: dict[str, MetadataProperty] | UnsetType = UNSET  # labels, frontend…: not read here


class WithMetadata(msgspec.Struct):
    metadata: Metadata | None | UnsetType = UNSET


def from_metadata(req: Request) -> dict[str, tuple[Any, int | None]] | None:
    """The content properties a content create or update carries in `metadata.properties`
    (atlassian-python-api's update_page sends the page's appearance there), as key -> (value,
    version asked for or None)."""
    if b'"metadata"' not in req.body:  # the common case: no second look at the body
        return None
    body = req.json(WithMetadata)
    if not body.metadata or not body.metadata.properties:
        return None
    out: dict[str, tuple[Any, int | None]] = {}
    for key, entry in body.metadata.properties.items():
        if entry.key is not UNSET and entry.key != key:
            raise Invalid(f"The property key {entry.key[:80]!r} is not the key it is given under ({key[:80]!r})")
        out[key] = (entry.value, rules.parse_number(entry.version.number) if entry.version else None)
    return out


# --- routes -----------------------------------------------------------------------------------------

def _content_owner(req: Request, statuses: list[str] | None = None) -> Owner:
    return Owner.content(content_rules.parse_id(req.params["id"]), statuses)


def _space_owner(req: Request) -> Owner:
    return Owner.space(req.params["spaceKey"])


def _render(req: Request, pv: PropertyView) -> Response:
    expand = Expand.of(req, DEFAULT_EXPAND)
    base = base_of(req)
    if pv.prop.owner == "content":
        return json_response(content_property(pv, base, expand, viewer=req.caller))
    return json_response(space_property(pv, base, expand, viewer=req.caller))


async def _list(req: Request, owner: Owner, keys: list[str]) -> Response:
    start, limit = params.paging(req, default_limit=10)
    found = await properties.list_properties(req.app.store, req.caller, owner, keys=keys, start=start, limit=limit)
    base, expand = base_of(req), Expand.of(req, DEFAULT_EXPAND)
    one = content_property if owner.kind == "content" else space_property
    path = _content_path(int(owner.ref)) if owner.kind == "content" else _space_path(owner.ref)
    query = {"key": keys or None, "expand": req.q("expand")}
    return json_response(render.page([one(pv, base, expand, viewer=req.caller) for pv in found], start, limit,
                                     base, path, query))


def _update(req: Request, owner: Owner) -> Write:
    key = req.params["key"]
    body = req.json(PropertyUpdate)
    if body.version is None:
        raise Invalid("The property version is required (version.number: the current version + 1)")
    if body.key is not UNSET and body.key != key:
        raise Invalid(f"The property key in the body ({body.key[:80]}) is not the one in the path ({key[:80]})")
    if owner.kind == "space" and body.space is not UNSET and body.space.key not in (UNSET, owner.ref):
        raise Invalid(f"The property's space key is not the one in the path ({owner.ref[:80]})")
    return Write(key, body.value, rules.parse_number(body.version.number), body.version.minorEdit,
                 body.version.message)


async def get_content_properties(req: Request) -> Response:
    return await _list(req, _content_owner(req), req.q_csv("key"))


async def create_content_property(req: Request) -> Response:
    body = req.json(PropertyCreate)
    return _render(req, await properties.create(req.app.store, req.caller, _content_owner(req),
                                                Write(body.key, body.value)))


async def get_content_property(req: Request) -> Response:
    statuses = req.q_all("status") or ["current", "archived"]
    return _render(req, await properties.get(req.app.store, req.caller, _content_owner(req, statuses),
                                             req.params["key"]))


async def update_content_property(req: Request) -> Response:
    owner = _content_owner(req)
    return _render(req, await properties.update(req.app.store, req.caller, owner, _update(req, owner)))


async def create_content_property_for_key(req: Request) -> Response:
    body = req.json(PropertyCreateNoKey)
    return _render(req, await properties.create(req.app.store, req.caller, _content_owner(req),
                                                Write(req.params["key"], body.value)))


async def delete_content_property(req: Request) -> Response:
    await properties.delete(req.app.store, req.caller, _content_owner(req), req.params["key"])
    return empty(204)


async def get_space_properties(req: Request) -> Response:
    return await _list(req, _space_owner(req), [])


async def create_space_property(req: Request) -> Response:
    body = req.json(PropertyCreate)
    return _render(req, await properties.create(req.app.store, req.caller, _space_owner(req),
                                                Write(body.key, body.value)))


async def get_space_property(req: Request) -> Response:
    return _render(req, await properties.get(req.app.store, req.caller, _space_owner(req), req.params["key"]))


async def update_space_property(req: Request) -> Response:
    owner = _space_owner(req)
    return _render(req, await properties.update(req.app.store, req.caller, owner, _update(req, owner)))


async def create_space_property_for_key(req: Request) -> Response:
    body = req.json(PropertyCreateNoKey)
    return _render(req, await properties.create(req.app.store, req.caller, _space_owner(req),
                                                Write(req.params["key"], body.value)))


async def delete_space_property(req: Request) -> Response:
    await properties.delete(req.app.store, req.caller, _space_owner(req), req.params["key"])
    return empty(204)


# --- expand=metadata.properties on content --------------------------------------------------------------

async def expand_metadata(req: Request, views: list[Any], rendered: list[dict[str, Any]], expand: Expand) -> None:
    """Add `metadata.properties` to rendered content when `expand` asks for it: every property of
    the content for `metadata.properties`, the keys named for `metadata.properties.<key>`."""
    metadata = expand.sub("metadata")
    if "properties" not in metadata:
        return
    keys = sorted(metadata.sub("properties").paths)  # a key may hold dots: the rest of the path is the key
    found = await properties.for_content(req.app.store, views, keys)
    base = base_of(req)
    for view, out in zip(views, rendered, strict=True):
        cid = view.content.id
        props: dict[str, Any] = {
            p.key: content_property(PropertyView(p, {}), base, Expand({"version"}), viewer=req.caller)
            for p in found.get(cid, [])}
        props["_links"] = {"self": base + _content_path(cid)}
        md = out.get("metadata") or {"_expandable": {k: "" for k in ("currentuser", "frontend", "labels")}}
        md["properties"] = props
        md.get("_expandable", {}).pop("properties", None)
        out["metadata"] = md
        out["_expandable"].pop("metadata", None)


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{API}/content/{{id}}/property", get_content_properties, dialect=DIALECT)
    route("POST", f"{API}/content/{{id}}/property", create_content_property, dialect=DIALECT)
    route("GET", f"{API}/content/{{id}}/property/{{key}}", get_content_property, dialect=DIALECT)
    route("PUT", f"{API}/content/{{id}}/property/{{key}}", update_content_property, dialect=DIALECT)
    route("POST", f"{API}/content/{{id}}/property/{{key}}", create_content_property_for_key, dialect=DIALECT)
    route("DELETE", f"{API}/content/{{id}}/property/{{key}}", delete_content_property, dialect=DIALECT)
    route("GET", f"{API}/space/{{spaceKey}}/property", get_space_properties, dialect=DIALECT)
    route("POST", f"{API}/space/{{spaceKey}}/property", create_space_property, dialect=DIALECT)
    route("GET", f"{API}/space/{{spaceKey}}/property/{{key}}", get_space_property, dialect=DIALECT)
    route("PUT", f"{API}/space/{{spaceKey}}/property/{{key}}", update_space_property, dialect=DIALECT)
    route("POST", f"{API}/space/{{spaceKey}}/property/{{key}}", create_space_property_for_key, dialect=DIALECT)
    route("DELETE", f"{API}/space/{{spaceKey}}/property/{{key}}", delete_space_property, dialect=DIALECT)
