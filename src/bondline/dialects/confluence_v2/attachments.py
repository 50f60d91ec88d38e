"""Attachments: /wiki/api/v2/attachments (getAttachments, getAttachmentById, deleteAttachment), a
page's and a blog post's attachments, an attachment's versions — over `services.attachments` and
`services.content`, the use cases v1's attachments go through. Uploading stays v1's
(`POST /wiki/rest/api/content/{id}/child/attachment`), as on Confluence Cloud."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bondline import ids
from bondline.dialects.confluence.attachments import download_path
from bondline.dialects.confluence.params import boolean, integer
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX
from bondline.dialects.confluence_v2 import params as p
from bondline.dialects.confluence_v2.comments import (
    ALL_VERSION_SORTS,
    VERSION_SORTS,
    _values,
    version_detail,
    version_of,
)
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import attachments as rules
from bondline.domain import content as content_rules
from bondline.domain.errors import NotFound
from bondline.http import Request, Response, empty, json_response
from bondline.services import attachments, content
from bondline.services.attachments import AttachmentView

# AttachmentSortOrder, each read in that order by the services' query: `GET /attachments` by id
# (oldest first) without one, a page's or blog post's newest first
SORTS = ("created-date", "-created-date", "modified-date", "-modified-date")
STATUSES = ("current", "archived", "trashed")


def attachment(view: AttachmentView, *, include_version: bool = True) -> dict[str, Any]:
    """AttachmentBulk / AttachmentSingle: the attachment as of the version shown."""
    c, data, container = view.content, view.data, view.container
    out: dict[str, Any] = {"id": rules.wire_id(c.id), "status": "historical" if view.historical else c.status,
                           "title": c.title, "createdAt": ids.iso(c.created_at)}
    out["pageId" if container.type == "page" else "blogPostId"] = str(container.id)
    out["mediaType"] = data.media_type
    out["comment"] = data.comment
    out["fileId"] = data.sha256
    out["fileSize"] = data.file_size
    preview = quote(f"/{container.id}/{c.id}/{c.title}", safe="")
    webui = f"/pages/viewpageattachments.action?pageId={container.id}&preview={preview}"
    download = download_path(view)
    out["webuiLink"] = webui
    out["downloadLink"] = download
    if include_version:
        version: dict[str, Any] = {"createdAt": ids.iso(c.updated_at), "message": data.comment,
                                   "number": data.number, "minorEdit": c.minor_edit}
        author = view.users.get(c.updated_by) if c.updated_by is not None else None
        if author is not None:
            version["authorId"] = author.account_id
        out["version"] = version
    out["_links"] = {"webui": webui, "download": download}
    return out


def _filters(req: Request, default: str) -> tuple[list[str], str | None, str | None, str]:
    """`status`, `filename`, `mediaType` and the services' order for `sort` (`default` without one)."""
    statuses = _values(req, "status", STATUSES)
    order = p.content_order(p.sort(req, SORTS, SORTS), default)
    return statuses, req.q("filename") or None, req.q("mediaType") or None, order


async def get_attachments(req: Request) -> Response:
    statuses, filename, media_type, order = _filters(req, "id")
    size = limit(req, 50, 1, 250)
    page = await Page.of(req, f"{PREFIX}/attachments", p.query(req, "sort", "status", "mediaType", "filename"), size)
    shown = [s for s in (statuses or ["current"]) if s in ("current", "trashed")]  # none archived
    found = await attachments.list_everywhere(req.app.store, req.caller, filename=filename, media_type=media_type,
                                              statuses=shown, start=page.offset, limit=size + 1,
                                              order=order) if shown else []
    return page.respond([attachment(v) for v in found[:size]], len(found) > size, base_of(req))


async def _of_container(req: Request, container_type: str) -> Response:
    container_id = content_rules.parse_id(req.params["id"])
    statuses, filename, media_type, order = _filters(req, "-id")
    size = limit(req, 50, 1, 250)
    kind = "pages" if container_type == "page" else "blogposts"
    page = await Page.of(req, f"{PREFIX}/{kind}/{container_id}/attachments",
                         p.query(req, "sort", "status", "mediaType", "filename"), size)
    if await content.type_of(req.app.store, req.caller, container_id) not in (None, container_type):
        raise NotFound(f"No {container_type} found with id : {container_id}")
    shown = tuple(s for s in (statuses or ["current"]) if s in ("current", "trashed"))
    found = await attachments.list_attachments(req.app.store, req.caller, container_id, filename=filename,
                                               media_type=media_type, start=page.offset, limit=size + 1,
                                               statuses=shown or ("current",), order=order)
    if not shown:
        found = []
    return page.respond([attachment(v) for v in found[:size]], len(found) > size, base_of(req))


async def get_page_attachments(req: Request) -> Response:
    return await _of_container(req, "page")


async def get_blogpost_attachments(req: Request) -> Response:
    return await _of_container(req, "blogpost")


async def get_attachment(req: Request) -> Response:
    attachment_id = rules.parse_attachment_id(req.params["id"])
    version = integer(req, "version", None, minimum=1)
    include_version = boolean(req, "include-version")
    from bondline.dialects.confluence_v2 import includes  # (it builds on the labels, which build on this)

    flags = includes.read_flags(req, includes.ATTACHMENT_FLAGS, includes.ATTACHMENT_ACCEPTED)
    view = await attachments.get(req.app.store, req.caller, attachment_id, version)
    out = attachment(view, include_version=include_version is not False)
    out["_links"]["base"] = base_of(req)
    await includes.add_to_attachment(req, out, view.content.id, rules.wire_id(view.content.id), view.content.status,
                                     flags)
    return json_response(out)


async def delete_attachment(req: Request) -> Response:
    """Trash an attachment; with `purge=true`, delete a trashed one for good (as v1's DELETE with
    status=trashed: space administrators)."""
    attachment_id = rules.parse_attachment_id(req.params["id"])
    purge = boolean(req, "purge")
    await attachments.get(req.app.store, req.caller, attachment_id)  # an attachment the caller may see
    await content.delete(req.app.store, req.caller, attachment_id, "trashed" if purge else None)
    return empty(204)


async def get_versions(req: Request) -> Response:
    attachment_id = rules.parse_attachment_id(req.params["id"])
    p.sort(req, VERSION_SORTS, ALL_VERSION_SORTS)
    size = limit(req, 25, 1, 250)
    page = await Page.of(req, f"{PREFIX}/attachments/{rules.wire_id(attachment_id)}/versions",
                         p.query(req, "sort"), size)
    current = await attachments.get(req.app.store, req.caller, attachment_id)
    _view, found, users = await content.versions(req.app.store, req.caller, attachment_id, page.offset, size + 1)
    results = []
    for v in found[:size]:
        item: dict[str, Any] = {"createdAt": ids.iso(v.at), "message": v.message, "number": v.number,
                                "minorEdit": v.minor_edit}
        author = users.get(v.by) if v.by is not None else None
        if author is not None:
            item["authorId"] = author.account_id
        item["attachment"] = {"title": v.title, "id": rules.wire_id(current.content.id)}
        results.append(item)
    return page.respond(results, len(found) > size, base_of(req))


async def get_version(req: Request) -> Response:
    attachment_id = rules.parse_attachment_id(req.params["attachment-id"])
    await attachments.get(req.app.store, req.caller, attachment_id)
    return json_response(version_detail(await version_of(req, attachment_id, req.params["version-number"])))


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{PREFIX}/attachments", get_attachments, dialect=DIALECT)
    route("GET", f"{PREFIX}/attachments/{{id}}", get_attachment, dialect=DIALECT)
    route("DELETE", f"{PREFIX}/attachments/{{id}}", delete_attachment, dialect=DIALECT)
    route("GET", f"{PREFIX}/attachments/{{id}}/versions", get_versions, dialect=DIALECT)
    route("GET", f"{PREFIX}/attachments/{{attachment-id}}/versions/{{version-number}}", get_version,
          dialect=DIALECT)
    route("GET", f"{PREFIX}/pages/{{id}}/attachments", get_page_attachments, dialect=DIALECT)
    route("GET", f"{PREFIX}/blogposts/{{id}}/attachments", get_blogpost_attachments, dialect=DIALECT)
