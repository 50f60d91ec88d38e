"""A page's history and versions: /wiki/rest/api/content/{id}/history (getHistoryForContent),
POST /content/{id}/version (restoreContentVersion), DELETE /content/{id}/version/{versionNumber}
(deleteContentVersion); and the `ContentHistory` JSON, for the history resource and for
`expand=history.<...>` on content."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import msgspec

from bondline.dialects.confluence import attachments, render
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import base_of
from bondline.domain import attachments as attachment_rules
from bondline.domain import content as content_rules
from bondline.domain.errors import Invalid, is_decimal
from bondline.domain.model import Caller, ContentVersion
from bondline.http import Request, Response, empty, json_response
from bondline.services import content, history

API = "/wiki/rest/api"
_LOADED = ("previousVersion", "contributors", "nextVersion")  # what needs `services.history.load`


def wanted(expand: Expand) -> bool:
    """Whether `expand` asks for a part of a content's history that must be loaded first."""
    sub = expand.sub("history")
    return any(name in sub for name in _LOADED)


async def load(req: Request, views: Iterable[Any], expand: Expand) -> None:
    """Load the history of `views` when `expand` asks for it (views already read and allowed)."""
    if wanted(expand):
        for view in views:
            await history.load(req.app.store, view)


def _version(view: Any, v: ContentVersion, base: str, viewer: Caller) -> dict[str, Any]:
    return render.version(view, base, number=v.number, by=v.by, when=v.at, message=v.message,
                          minor_edit=v.minor_edit, viewer=viewer)


def _publishers(users: list[Any], base: str, viewer: Caller) -> dict[str, Any]:
    """A `UsersUserKeys`: the users, and their account ids (Confluence Cloud keeps no user keys)."""
    return {"users": [render.user(u, base, viewer=viewer) for u in users],
            "userAccountIds": [u.account_id for u in users]}


def content_history(view: Any, base: str, expand: Expand, *, viewer: Caller) -> dict[str, Any]:
    """A `ContentHistory` of the version `view` shows: `latest` says whether it is the current one;
    `lastUpdated` is the version shown, `previousVersion` the one kept before it, `nextVersion` the
    one after it (a historical version only), `contributors.publishers` who published versions up to
    it. Parts that need `services.history.load` are left expandable until it has run."""
    c = view.content
    loaded = view.history
    creator = view.users.get(c.created_by) if c.created_by is not None else None
    out: dict[str, Any] = {
        "latest": view.version is None,
        "createdBy": render.user(creator, base, viewer=viewer),
        "createdDate": render.iso(c.created_at),
    }
    expandable = ["lastUpdated", "previousVersion", "contributors"]
    if view.version is not None:  # the current version has no next one
        expandable.append("nextVersion")
    if "lastUpdated" in expand:
        minor = view.version.minor_edit if view.version is not None else c.minor_edit
        out["lastUpdated"] = render.version(view, base, minor_edit=minor, viewer=viewer)
    if loaded is not None:
        if "previousVersion" in expand:
            expandable.remove("previousVersion")
            if loaded.previous is not None:
                out["previousVersion"] = _version(view, loaded.previous, base, viewer)
        if "contributors" in expand:
            out["contributors"] = {"publishers": _publishers(loaded.publishers, base, viewer)}
        if "nextVersion" in expand and "nextVersion" in expandable:
            expandable.remove("nextVersion")
            if loaded.next is not None:
                out["nextVersion"] = _version(view, loaded.next, base, viewer)
    out["_expandable"] = {k: "" for k in expandable if k not in out}
    out["_links"] = {"self": f"{base}/rest/api/content/{c.id}/history"}
    return out


def version_with(view: Any, base: str, expand: Expand, *, viewer: Caller) -> dict[str, Any]:
    """A `Version` of the content's current version, with `content` and `collaborators` when expanded."""
    out = render.version(view, base, viewer=viewer)
    if "content" in expand:
        out["content"] = render.content(view, base, Expand(set()), viewer=viewer)
        del out["_expandable"]["content"]
    if "collaborators" in expand:
        by = view.users.get(view.by) if view.by is not None else None
        out["collaborators"] = _publishers([by] if by is not None else [], base, viewer)
        del out["_expandable"]["collaborators"]
    return out


# --- routes ---------------------------------------------------------------------------------------

class RestoreParams(msgspec.Struct):
    versionNumber: int
    message: str
    restoreTitle: bool = False


class VersionRestore(msgspec.Struct):
    """VersionRestore: `operationKey` and `params` are required, as its document says."""

    operationKey: Literal["restore"]
    params: RestoreParams


async def get_history(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    view = await history.get(req.app.store, req.caller, content_id)
    # The resource answers with `lastUpdated` expanded whatever is asked (clients read the current
    # version number from it without asking: atlassian-python-api's update_page does).
    expand = Expand({"lastUpdated", *req.q_csv("expand")})
    return json_response(content_history(view, base_of(req), expand, viewer=req.caller))


async def restore_version(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    body = req.json(VersionRestore)
    view = await history.restore(req.app.store, req.caller, content_id, body.params.versionNumber,
                                 body.params.message, body.params.restoreTitle)
    # "By default, the content object is expanded."
    expand = Expand({"content", *req.q_csv("expand")})
    return json_response(version_with(view, base_of(req), expand, viewer=req.caller))


async def delete_version(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    if req.params["id"].startswith("att") or await content.type_of(req.app.store, req.caller,
                                                                   content_id) == attachment_rules.TYPE:
        return await attachments.delete_version(req)  # an attachment's data goes with its version
    number = req.params["versionNumber"]
    if not is_decimal(number) or len(number) > 9:
        raise Invalid(f"Version number {number[:20]!r} is invalid")
    await history.delete_version(req.app.store, req.caller, content_id, int(number))
    return empty(204)


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{API}/content/{{id}}/history", get_history, dialect=DIALECT)
    route("POST", f"{API}/content/{{id}}/version", restore_version, dialect=DIALECT)
    route("DELETE", f"{API}/content/{{id}}/version/{{versionNumber}}", delete_version, dialect=DIALECT)
