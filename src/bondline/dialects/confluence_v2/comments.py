"""Footer and inline comments: /wiki/api/v2/footer-comments and /inline-comments (list, create, get,
update, delete, replies as `/children`, versions), and the comments of a page, a blog post or an
attachment — over `services.comments` and `services.content`, the use cases v1's comments go through:
one comment, whichever API wrote it; whoever may not read the page does not see its comments."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import msgspec

from bondline import ids
from bondline.dialects.confluence.params import boolean, integer
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX, render
from bondline.dialects.confluence_v2 import params as p
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.pages import _body, _body_format, _id, _json
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import adf
from bondline.domain import comments as rules
from bondline.domain import content as content_rules
from bondline.domain.attachments import parse_attachment_id, wire_id
from bondline.domain.errors import Invalid, NotFound
from bondline.http import Request, Response, empty, json_response
from bondline.services import attachments, comments, content, history
from bondline.services.comments import CommentView
from bondline.services.content import ContentView

KINDS = {"footer-comments": "footer", "inline-comments": "inline"}
# CommentSortOrder, each read in that order by the comments' query (oldest first without one)
SORTS = ("created-date", "-created-date", "modified-date", "-modified-date")
VERSION_SORTS = ("-modified-date",)  # newest first, the services' order
ALL_VERSION_SORTS = ("modified-date", "-modified-date")
STATUSES = ("current", "archived", "trashed", "deleted", "historical", "draft")
RESOLUTIONS = ("resolved", "open", "dangling", "reopened")


class VersionWrite(msgspec.Struct):
    number: int
    message: str = ""


class SelectionWrite(msgspec.Struct):
    textSelection: str | None = None
    textSelectionMatchCount: int | None = None
    textSelectionMatchIndex: int | None = None


class CommentCreate(msgspec.Struct):
    pageId: str | int | None = None
    blogPostId: str | int | None = None
    parentCommentId: str | int | None = None
    attachmentId: str | int | None = None
    customContentId: str | int | None = None
    body: dict[str, Any] | None = None
    inlineCommentProperties: SelectionWrite | None = None


class CommentUpdate(msgspec.Struct):
    version: VersionWrite | None = None
    body: dict[str, Any] | None = None
    resolved: bool | None = None


# --- rendering ------------------------------------------------------------------------------------

def _webui(cv: CommentView) -> str | None:
    container, space_key = cv.container, quote(cv.view.space.key, safe="~")
    if container.type == "attachment":  # (shown on its page's attachment view; no link of its own)
        return None
    kind = "pages" if container.type == "page" else "blog"
    return (f"/spaces/{space_key}/{kind}/{container.id}/{quote(container.title.replace(' ', '+'), safe='+')}"
            f"?focusedCommentId={cv.view.content.id}")


def _container_key(cv: CommentView) -> tuple[str, str]:
    """The container's key and id as v2 names them: `pageId`, `blogPostId` or `attachmentId` (`att…`)."""
    container = cv.container
    if container.type == "attachment":
        return "attachmentId", wire_id(container.id)
    return ("pageId" if container.type == "page" else "blogPostId"), str(container.id)


def _body_of(view: ContentView, body_format: str | None) -> dict[str, Any]:
    value, representation = view.body
    if body_format is None or value is None:
        return {}
    return {body_format: {"representation": body_format, "value": adf.read_as(value, representation, body_format)}}


def comment(cv: CommentView, body_format: str | None, *, include_version: bool = True,
            container: bool = True, resolution_detail: bool = False) -> dict[str, Any]:
    """A footer or inline comment as v2 gives it (FooterCommentModel, InlineCommentModel and the
    listings' shapes, which leave out what they do not carry). `resolution_detail`: who last resolved
    or reopened an inline comment and when (InlineCommentModel's; absent until someone has)."""
    view, meta = cv.view, cv.meta
    out: dict[str, Any] = {"id": str(view.content.id), "status": view.status, "title": view.title}
    if container:
        key, value = _container_key(cv)
        out[key] = value
    if meta.parent_id is not None:
        out["parentCommentId"] = str(meta.parent_id)
    if include_version:
        out["version"] = render.version(view)
    out["body"] = _body_of(view, body_format)
    if meta.location == "inline":
        resolver = view.users.get(meta.resolved_by) if meta.resolved_by is not None else None
        if resolution_detail and resolver is not None:
            out["resolutionLastModifierId"] = resolver.account_id
        if resolution_detail and meta.resolved_at is not None:
            out["resolutionLastModifiedAt"] = ids.iso(meta.resolved_at)
        out["resolutionStatus"] = meta.resolution or "open"
        props = meta.inline_properties or {}
        shown: dict[str, Any] = {}
        if isinstance(props.get("markerRef"), str):
            shown["inlineMarkerRef"] = props["markerRef"]
        if isinstance(props.get("originalSelection"), str):
            shown["inlineOriginalSelection"] = props["originalSelection"]
        out["properties"] = shown
    webui = _webui(cv)
    out["_links"] = {"webui": webui} if webui is not None else {}
    return out


def version_detail(view: ContentView) -> dict[str, Any]:
    """DetailedVersion: one version of a comment or an attachment, with the versions either side."""
    out: dict[str, Any] = {"number": view.number}
    author = view.users.get(view.version.by if view.version else view.content.updated_by)  # type: ignore[arg-type]
    if author is not None:
        out["authorId"] = author.account_id
    out["message"] = view.version.message if view.version else view.content.version_message
    out["createdAt"] = ids.iso(view.when)
    out["minorEdit"] = view.version.minor_edit if view.version else view.content.minor_edit
    out["contentTypeModified"] = False
    out["collaborators"] = [author.account_id] if author is not None else []
    if view.history is not None and view.history.previous is not None:
        out["prevVersion"] = view.history.previous.number
    if view.history is not None and view.history.next is not None:
        out["nextVersion"] = view.history.next.number
    return out


async def version_of(req: Request, content_id: int, number_raw: str) -> ContentView:
    """Version `number_raw` of content `content_id` (a comment or an attachment, already found to be
    one the caller may see), with its neighbours loaded."""
    if not number_raw.isdigit() or len(number_raw) > 9 or int(number_raw) == 0:
        raise Invalid(f"Version number {number_raw[:40]!r} is invalid: versions are positive integers")
    view = await content.get(req.app.store, req.caller, content_id, version=int(number_raw))
    await history.load(req.app.store, view)
    return view


def _values(req: Request, name: str, allowed: tuple[str, ...]) -> list[str]:
    values = [v for raw in req.q_all(name) for v in raw.split(",") if v]
    for value in values:
        if value not in allowed:
            raise Invalid(f"Provided value {{{value[:40]}}} for '{name}' is not valid")
    return values


# --- reading --------------------------------------------------------------------------------------

async def _load(req: Request, raw_id: str, location: str, version: int | None = None) -> CommentView:
    """A comment of `location` (footer or inline) the caller may see; anything else is v2's 404."""
    comment_id = content_rules.parse_id(raw_id)
    view = await content.get(req.app.store, req.caller, comment_id, version=version)
    if view.content.type != rules.TYPE:
        raise NotFound(f"No comment found with id : {comment_id}")
    cv = await comments.get(req.app.store, req.caller, comment_id, view)
    if cv.meta.location != location:
        raise NotFound(f"No {location} comment found with id : {comment_id}")
    return cv


async def _on_container(req: Request, container_type: str, location: str) -> Response:
    """getPageFooterComments, getPageInlineComments and the blog posts' ones: the root comments."""
    container_id = content_rules.parse_id(req.params["id"])
    body_format = _body_format(req, render.LIST_FORMATS)
    statuses = _values(req, "status", STATUSES)
    resolutions = _values(req, "resolution-status", RESOLUTIONS) if location == "inline" else []
    order = p.content_order(p.sort(req, SORTS, SORTS), "id")
    size = limit(req, 25, 1, 250)
    kind = "pages" if container_type == "page" else "blogposts"
    path = f"{PREFIX}/{kind}/{container_id}/{location}-comments"
    page = await Page.of(req, path, p.query(req, "body-format", "status", "resolution-status", "sort"), size)
    container, found = await comments.list_comments(
        req.app.store, req.caller, container_id, depth="root", locations=[location], start=page.offset,
        limit=size + 1, bodies=body_format is not None, resolutions=resolutions or None, order=order)
    if container.type != container_type:
        raise NotFound(f"No {container_type} found with id : {container_id}")
    if statuses and "current" not in statuses:  # bondline's comments are current (a deleted one is gone)
        found = []
    results = [comment(cv, body_format) for cv in found[:size]]
    return page.respond(results, len(found) > size, base_of(req))


async def get_page_footer_comments(req: Request) -> Response:
    return await _on_container(req, "page", "footer")


async def get_page_inline_comments(req: Request) -> Response:
    return await _on_container(req, "page", "inline")


async def get_blogpost_footer_comments(req: Request) -> Response:
    return await _on_container(req, "blogpost", "footer")


async def get_blogpost_inline_comments(req: Request) -> Response:
    return await _on_container(req, "blogpost", "inline")


async def get_attachment_comments(req: Request) -> Response:
    """getAttachmentComments: an attachment's footer comments (AttachmentCommentModel), for whoever
    may see the attachment (one the caller may not see is v2's 404). `version` (the attachment's) is
    read and checked: bondline's comments are on the attachment, whichever version."""
    attachment_id = parse_attachment_id(req.params["id"])
    body_format = _body_format(req, render.LIST_FORMATS)
    order = p.content_order(p.sort(req, SORTS, SORTS), "id")
    integer(req, "version", None, minimum=1)
    size = limit(req, 25, 1, 250)
    page = await Page.of(req, f"{PREFIX}/attachments/{wire_id(attachment_id)}/footer-comments",
                         p.query(req, "body-format", "sort", "version"), size)
    await attachments.get(req.app.store, req.caller, attachment_id)
    _, found = await comments.list_comments(
        req.app.store, req.caller, attachment_id, depth="root", locations=["footer"], start=page.offset,
        limit=size + 1, bodies=body_format is not None, order=order)
    results = []
    for cv in found[:size]:
        one = comment(cv, body_format)
        results.append({k: one[k] for k in ("id", "status", "title", "attachmentId", "version", "body", "_links")
                        if k in one})
    return page.respond(results, len(found) > size, base_of(req))


def _everywhere(location: str) -> Any:
    async def handler(req: Request) -> Response:
        body_format = _body_format(req, render.LIST_FORMATS)
        order = p.content_order(p.sort(req, SORTS, SORTS), "id")
        size = limit(req, 25, 1, 250)
        page = await Page.of(req, f"{PREFIX}/{location}-comments", p.query(req, "body-format", "sort"), size)
        found = await comments.list_everywhere(req.app.store, req.caller, location, page.offset, size + 1,
                                               order=order)
        results = [comment(cv, body_format, resolution_detail=True) for cv in found[:size]]
        return page.respond(results, len(found) > size, base_of(req))
    return handler


def _single(location: str) -> Any:
    async def handler(req: Request) -> Response:
        body_format = _body_format(req, render.SINGLE_FORMATS)
        version = integer(req, "version", None, minimum=1)
        include_version = boolean(req, "include-version")
        from bondline.dialects.confluence_v2 import includes  # (it builds on the attachments, which build on this)

        flags = includes.read_flags(req, includes.COMMENT_FLAGS, ())
        cv = await _load(req, req.params["comment-id"], location, version)
        out = comment(cv, body_format, include_version=include_version is not False, resolution_detail=True)
        out["_links"]["base"] = base_of(req)
        await includes.add_to_comment(req, out, cv.view, flags, f"{location}-comments")
        return json_response(out)
    return handler


def _children(location: str) -> Any:
    async def handler(req: Request) -> Response:
        body_format = _body_format(req, render.LIST_FORMATS)
        order = p.content_order(p.sort(req, SORTS, SORTS), "id")
        size = limit(req, 25, 1, 250)
        cv = await _load(req, req.params["id"], location)
        comment_id = cv.view.content.id
        page = await Page.of(req, f"{PREFIX}/{location}-comments/{comment_id}/children",
                             p.query(req, "body-format", "sort"), size)
        _, found = await comments.list_comments(req.app.store, req.caller, comment_id, depth="root", locations=[],
                                                start=page.offset, limit=size + 1, bodies=body_format is not None,
                                                order=order)
        results = [comment(r, body_format, container=False) for r in found[:size]]
        return page.respond(results, len(found) > size, base_of(req))
    return handler


def _versions(location: str) -> Any:
    async def handler(req: Request) -> Response:
        body_format = _body_format(req, render.LIST_FORMATS)
        p.sort(req, VERSION_SORTS, ALL_VERSION_SORTS)
        size = limit(req, 25, 1, 250)
        cv = await _load(req, req.params["id"], location)
        comment_id = cv.view.content.id
        page = await Page.of(req, f"{PREFIX}/{location}-comments/{comment_id}/versions",
                             p.query(req, "body-format", "sort"), size)
        view, found, users = await content.versions(req.app.store, req.caller, comment_id, page.offset, size + 1)
        results = []
        for v in found[:size]:
            item: dict[str, Any] = {"createdAt": ids.iso(v.at), "message": v.message, "number": v.number,
                                    "minorEdit": v.minor_edit}
            author = users.get(v.by) if v.by is not None else None
            if author is not None:
                item["authorId"] = author.account_id
            entity: dict[str, Any] = {"title": v.title, "id": str(comment_id)}
            if body_format is not None:
                entity["body"] = {body_format: {"representation": body_format,
                                                "value": adf.read_as(v.body, v.representation, body_format)}}
            item["comment"] = entity
            results.append(item)
        return page.respond(results, len(found) > size, base_of(req))
    return handler


def _version(location: str) -> Any:
    async def handler(req: Request) -> Response:
        cv = await _load(req, req.params["id"], location)
        view = await version_of(req, cv.view.content.id, req.params["version-number"])
        return json_response(version_detail(view))
    return handler


# --- writing --------------------------------------------------------------------------------------

def _new(body: CommentCreate, location: str) -> comments.NewComment:
    if body.customContentId not in (None, ""):
        raise Invalid("Comments on custom content are not supported: bondline has no custom content")
    if body.attachmentId not in (None, "") and location == "inline":
        raise Invalid("Inline comments are made on pages and blog posts: comment on an attachment with a footer"
                      " comment")
    given = [(t, v) for t, v in (("page", body.pageId), ("blogpost", body.blogPostId),
                                 ("attachment", body.attachmentId)) if v not in (None, "")]
    if len(given) > 1:
        raise Invalid("Give one of pageId, blogPostId and attachmentId")
    parent_id = _id(body.parentCommentId, "Parent comment id") if body.parentCommentId not in (None, "") else None
    if not given and parent_id is None:
        raise Invalid("A comment needs the page or blog post it is on (pageId, blogPostId), or the comment it"
                      " answers (parentCommentId)")
    written = _body(body.body)
    if written is None or not written[0].strip():
        raise Invalid("A comment needs a body")
    properties = None
    selection_check: tuple[str, int | None] | None = None
    if location == "inline" and parent_id is None:
        selection = body.inlineCommentProperties
        if selection is None:
            raise Invalid("A top-level inline comment needs inlineCommentProperties (textSelection)")
        properties = rules.selection_properties(selection.textSelection, selection.textSelectionMatchCount,
                                                selection.textSelectionMatchIndex, str(uuid.uuid4()))
        selection_check = (selection.textSelection or "", selection.textSelectionMatchIndex)
    container_id = None
    if given:
        container_id = parse_attachment_id(str(given[0][1])) if given[0][0] == "attachment" \
            else _id(given[0][1], "Container id")
    return comments.NewComment(
        container_id=container_id, body=written[0], selection=selection_check,
        representation=written[1], parent_id=parent_id, location=location, inline_properties=properties,
        container_type=given[0][0] if given else None, strict_location=True, missing_container_invalid=False)


def _create(location: str) -> Any:
    async def handler(req: Request) -> Response:
        body = _json(req, CommentCreate)
        cv = await comments.create(req.app.store, req.caller, _new(body, location))
        out = comment(cv, "storage")
        base = base_of(req)
        out["_links"]["base"] = base
        where = f"{base}/api/v2/{location}-comments/{cv.view.content.id}"
        return json_response(out, 201, [(b"location", where.encode())])
    return handler


def _update(location: str) -> Any:
    async def handler(req: Request) -> Response:
        body = _json(req, CommentUpdate)
        cv = await _load(req, req.params["comment-id"], location)
        comment_id = cv.view.content.id
        if body.version is None:
            raise Invalid("An update needs the comment's next version number (version.number)")
        if body.resolved is not None and location != "inline":
            raise Invalid("Only inline comments are resolved or reopened")
        written = _body(body.body)
        if body.resolved is not None:
            rules.resolve(cv.meta, body.resolved)  # (refused before anything is written)
        edit = content_rules.Edit(
            type=rules.TYPE, title=cv.view.content.title, version=body.version.number, status="current",
            body=written[0] if written else None, representation=written[1] if written else None,
            parent_id=None, parent_given=False, message=body.version.message, minor_edit=False)
        view = await content.update(req.app.store, req.caller, comment_id, edit)
        if body.resolved is not None:
            await comments.set_resolution(req.app.store, req.caller, comment_id, body.resolved)
        out = comment(await comments.get(req.app.store, req.caller, comment_id, view), "storage",
                      resolution_detail=True)
        out["_links"]["base"] = base_of(req)
        return json_response(out)
    return handler


def _delete(location: str) -> Any:
    async def handler(req: Request) -> Response:
        cv = await _load(req, req.params["comment-id"], location)
        await comments.delete(req.app.store, req.caller, cv.view.content.id)
        return empty(204)
    return handler


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{PREFIX}/pages/{{id}}/footer-comments", get_page_footer_comments, dialect=DIALECT)
    route("GET", f"{PREFIX}/pages/{{id}}/inline-comments", get_page_inline_comments, dialect=DIALECT)
    route("GET", f"{PREFIX}/blogposts/{{id}}/footer-comments", get_blogpost_footer_comments, dialect=DIALECT)
    route("GET", f"{PREFIX}/blogposts/{{id}}/inline-comments", get_blogpost_inline_comments, dialect=DIALECT)
    route("GET", f"{PREFIX}/attachments/{{id}}/footer-comments", get_attachment_comments, dialect=DIALECT)
    for kind, location in KINDS.items():
        base = f"{PREFIX}/{kind}"
        route("GET", base, _everywhere(location), dialect=DIALECT)
        route("POST", base, _create(location), dialect=DIALECT)
        route("GET", f"{base}/{{comment-id}}", _single(location), dialect=DIALECT)
        route("PUT", f"{base}/{{comment-id}}", _update(location), dialect=DIALECT)
        route("DELETE", f"{base}/{{comment-id}}", _delete(location), dialect=DIALECT)
        route("GET", f"{base}/{{id}}/children", _children(location), dialect=DIALECT)
        route("GET", f"{base}/{{id}}/versions", _versions(location), dialect=DIALECT)
        route("GET", f"{base}/{{id}}/versions/{{version-number}}", _version(location), dialect=DIALECT)
