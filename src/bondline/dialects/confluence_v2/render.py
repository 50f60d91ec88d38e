"""v2's JSON for pages and spaces (Atlassian's PageBulk/PageSingle, SpaceBulk/SpaceSingle, ChildPage,
Ancestor): ids as strings, spaces by their numeric id, people by account id, dates in ISO 8601."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bondline import ids
from bondline.domain import adf
from bondline.domain.model import User
from bondline.services.content import ContentView
from bondline.services.spaces import SpaceView

# The representations a page's body is read in (`body-format`). bondline stores the body in storage
# format (ADF written is converted) and reads it back as stored, as v1 does: `view` and its kin give
# the storage XHTML, which is HTML; `atlas_doc_format` the storage converted to ADF (`domain.adf`).
LIST_FORMATS = ("storage", "atlas_doc_format")
SINGLE_FORMATS = ("storage", "atlas_doc_format", "view", "export_view", "anonymous_export_view", "styled_view",
                  "editor")
UNCONVERTED: tuple[str, ...] = ()  # every format above is served (was: atlas_doc_format, before domain.adf)


def _account(users: dict[int, User], user_id: int | None) -> str | None:
    user = users.get(user_id) if user_id is not None else None
    return user.account_id if user else None


def _webui(view: ContentView) -> str:
    return (f"/spaces/{quote(view.space.key, safe='~')}/pages/{view.content.id}/"
            f"{quote(view.title.replace(' ', '+'), safe='+')}")


def version(view: ContentView) -> dict[str, Any]:
    out: dict[str, Any] = {"createdAt": ids.iso(view.when), "message": view.message, "number": view.number,
                           "minorEdit": view.version.minor_edit if view.version else view.content.minor_edit}
    author = _account(view.users, view.by)
    if author is not None:
        out["authorId"] = author
    return out


def page(view: ContentView, body_format: str | None, *, include_version: bool = True) -> dict[str, Any]:
    """A page as `GET /pages` and `GET /pages/{id}` give it (the site's base URL is the route's to add)."""
    c = view.content
    out: dict[str, Any] = {
        "id": str(c.id),
        "status": view.status,
        "title": view.title,
        "spaceId": str(c.space_id),
    }
    # Atlassian's schema gives parentId and parentType as non-nullable strings: a page without a
    # parent (a space's home page, a root-level page) has neither.
    if c.parent_id is not None:
        out["parentId"] = str(c.parent_id)
        out["parentType"] = "page"
    out["position"] = c.position
    author = _account(view.users, c.created_by)
    if author is not None:
        out["authorId"] = author
    out["ownerId"] = author
    out["lastOwnerId"] = None
    out["createdAt"] = ids.iso(c.created_at)
    if include_version:
        out["version"] = version(view)
    body: dict[str, Any] = {}
    value, representation = view.body
    if body_format is not None and value is not None:
        body[body_format] = {"representation": body_format,
                             "value": adf.read_as(value, representation, body_format)}
    out["body"] = body
    out["_links"] = {"editui": f"/pages/resumedraft.action?draftId={c.id}", "webui": _webui(view),
                     "tinyui": f"/x/{c.id}"}
    return out


def child(view: ContentView) -> dict[str, Any]:
    c = view.content
    return {"id": str(c.id), "status": c.status, "title": c.title, "spaceId": str(c.space_id),
            "childPosition": c.position}


def ancestor(content_id: int) -> dict[str, Any]:
    return {"id": str(content_id), "type": "page"}


def space(view: SpaceView, description_format: str | None) -> dict[str, Any]:
    s = view.space
    out: dict[str, Any] = {"id": str(s.id), "key": s.key, "name": s.name, "type": s.type, "status": s.status}
    author = _account(view.users, s.created_by)
    if author is not None:
        out["authorId"] = author
        out["spaceOwnerId"] = author
    out["createdAt"] = ids.iso(s.created_at)
    if s.homepage_id is not None:
        out["homepageId"] = str(s.homepage_id)
    if description_format is not None:
        out["description"] = {description_format: {"representation": description_format, "value": s.description}}
    out["_links"] = {"webui": f"/spaces/{quote(s.key, safe='~')}"}
    return out
