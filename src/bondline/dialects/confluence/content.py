"""Content: /wiki/rest/api/content (getContent, createContent, getContentById, updateContent,
deleteContent, getContentVersions, getContentVersion)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence import (
    attachments,
    bodies,
    comments,
    history,
    params,
    properties,
    render,
    restrictions,
    tree,
)
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import CONTENT_DEFAULT_EXPAND, base_of
from bondline.domain import attachments as attachment_rules
from bondline.domain import comments as comment_rules
from bondline.domain import content as rules
from bondline.domain.errors import Invalid, is_decimal
from bondline.http import Request, Response, empty, json_response
from bondline.services import attachments as attachment_service
from bondline.services import comments as comment_service
from bondline.services import content

API = "/wiki/rest/api"


def _parent(ancestors: list[bodies.Ancestor] | None) -> tuple[int | None, bool]:
    if ancestors is None:
        return None, False
    if not ancestors:
        return None, True
    if len(ancestors) > 1:
        raise Invalid("Only one parent content id can be specified in ancestors")
    return rules.parse_id(str(ancestors[0].id)), True


async def _render(req: Request, view: content.ContentView) -> Response:
    """One piece of content as the request's `expand` asks (its history loaded when that asks for it)."""
    expand = Expand.of(req, CONTENT_DEFAULT_EXPAND)
    await history.load(req, [view], expand)
    out = render.content(view, base_of(req), expand, viewer=req.caller)
    await tree.expand_tree(req, [view], [out], expand)
    await properties.expand_metadata(req, [view], [out], expand)
    await restrictions.expand_restrictions(req, [view], [out], expand)
    return json_response(out)


async def get_content(req: Request) -> Response:
    start, limit = params.paging(req)
    params.choice(req, "trigger", ("viewed",))  # bondline records no page views
    statuses = req.q_all("status") or ["current"]
    type = req.q("type") or "page"
    views = await content.list_content(req.app.store, req.caller, type=type, space_key=req.q("spaceKey"),
                                       title=req.q("title"), statuses=statuses, start=start, limit=limit)
    base = base_of(req)
    expand = Expand.of(req, CONTENT_DEFAULT_EXPAND)
    if type == attachment_rules.TYPE:  # each with its container, data and extensions
        results = [attachments.attachment(v, base, expand, viewer=req.caller)
                   for v in await attachment_service.describe(req.app.store, views)]
    elif type == comment_rules.TYPE:  # each with its container and location
        await history.load(req, views, expand)
        results = [comments.comment(v, base, expand, viewer=req.caller)
                   for v in await comment_service.describe(req.app.store, views)]
    else:
        await history.load(req, views, expand)
        results = [render.content(v, base, expand, viewer=req.caller) for v in views]
        await tree.expand_tree(req, views, results, expand)
        await properties.expand_metadata(req, views, results, expand)
        await restrictions.expand_restrictions(req, views, results, expand)
    query = {"type": req.q("type"), "spaceKey": req.q("spaceKey"), "title": req.q("title"),
             "status": req.q_all("status") or None, "expand": req.q("expand")}
    return json_response(render.page(results, start, limit, base, "/rest/api/content", query))


async def create_content(req: Request) -> Response:
    params.choice(req, "status", rules.EDIT_STATUSES)
    body = req.json(bodies.ContentCreate)
    if body.type == comment_rules.TYPE:  # on a container, not in a space
        return await comments.create_comment(req)
    if body.space is None or not body.space.key:
        raise Invalid("The space key is required to create content (space.key)")
    parent_id, _ = _parent(body.ancestors)
    value, representation = (body.body.first() if body.body else None) or ("", "storage")
    status = body.status or params.choice(req, "status", rules.EDIT_STATUSES) or "current"
    view = await content.create(req.app.store, req.caller, content.NewContent(
        type=body.type, title=body.title or "", space_key=body.space.key, status=status, body=value,
        representation=representation, parent_id=parent_id), properties.from_metadata(req))
    return await _render(req, view)


async def get_content_by_id(req: Request) -> Response:
    content_id = rules.parse_id(req.params["id"])
    version = params.integer(req, "version", None, minimum=1)
    params.choice(req, "trigger", ("viewed",))  # bondline records no page views
    # Bondline keeps no embedded content (macros' attachments), so both renderings are the same.
    params.choice(req, "embeddedContentRender", ("current", "version-at-save"))
    view = await content.get(req.app.store, req.caller, content_id, statuses=req.q_all("status") or None,
                             version=version)
    if view.content.type == attachment_rules.TYPE:  # with its container, data and extensions
        return await attachments.get_attachment(req, content_id, version)
    if view.content.type == comment_rules.TYPE:  # with its container and location
        return await comments.render_one(req, view, Expand.of(req, CONTENT_DEFAULT_EXPAND))
    return await _render(req, view)


async def update_content(req: Request) -> Response:
    content_id = rules.parse_id(req.params["id"])
    params.choice(req, "conflictPolicy", ("abort",))  # the only policy: a stale version is a 409
    params.choice(req, "status", rules.EDIT_STATUSES)
    body = req.json(bodies.ContentUpdate)
    parent_id, parent_given = _parent(body.ancestors)
    first = body.body.first() if body.body else None
    edit = rules.Edit(
        type=body.type, title=rules.validate_title(body.title), version=body.version.number,
        status=body.status or params.choice(req, "status", rules.EDIT_STATUSES) or "current",
        body=first[0] if first else None, representation=first[1] if first else None,
        parent_id=parent_id, parent_given=parent_given, message=body.version.message,
        minor_edit=body.version.minorEdit)
    view = await content.update(req.app.store, req.caller, content_id, edit, properties.from_metadata(req))
    if view.content.type == comment_rules.TYPE:
        return await comments.render_one(req, view, Expand.of(req, CONTENT_DEFAULT_EXPAND))
    return await _render(req, view)


async def delete_content(req: Request) -> Response:
    content_id = rules.parse_id(req.params["id"])
    await content.delete(req.app.store, req.caller, content_id, req.q("status"))
    return empty(204)


async def get_versions(req: Request) -> Response:
    content_id = rules.parse_id(req.params["id"])
    start, limit = params.paging(req, default_limit=200)
    view, found, users = await content.versions(req.app.store, req.caller, content_id, start, limit)
    base = base_of(req)
    results = [render.version(view, base, users, number=v.number, by=v.by, when=v.at, message=v.message,
                              minor_edit=v.minor_edit, viewer=req.caller) for v in found]
    return json_response(render.page(results, start, limit, base, f"/rest/api/content/{content_id}/version"))


async def get_version(req: Request) -> Response:
    content_id = rules.parse_id(req.params["id"])
    number = req.params["versionNumber"]
    if not is_decimal(number):
        raise Invalid(f"Version number {number[:20]!r} is invalid")
    view = await content.get(req.app.store, req.caller, content_id, statuses=["any"], version=int(number))
    return json_response(render.version(view, base_of(req), viewer=req.caller))


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{API}/content", get_content, dialect=DIALECT)
    route("POST", f"{API}/content", create_content, dialect=DIALECT)
    route("GET", f"{API}/content/{{id}}", get_content_by_id, dialect=DIALECT)
    route("PUT", f"{API}/content/{{id}}", update_content, dialect=DIALECT)
    route("DELETE", f"{API}/content/{{id}}", delete_content, dialect=DIALECT)
    route("GET", f"{API}/content/{{id}}/version", get_versions, dialect=DIALECT)
    route("GET", f"{API}/content/{{id}}/version/{{versionNumber}}", get_version, dialect=DIALECT)
