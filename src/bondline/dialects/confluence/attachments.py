"""Attachments: /wiki/rest/api/content/{id}/child/attachment (getAttachments, createAttachment,
createOrUpdateAttachments), …/{attachmentId} (updateAttachmentProperties), …/{attachmentId}/data
(updateAttachmentData), …/{attachmentId}/download (downloadAttatchment, a redirect), the download URL
itself (/wiki/download/attachments/{pageId}/{filename}), and deleting an attachment's old version
(DELETE /content/{id}/version/{n}).

Uploads are multipart/form-data as Confluence takes them (`file`, one or several; `comment`, one per
file or none; `minorEdit`), with `X-Atlassian-Token: no-check` (else 403), read as they stream in:
each file goes straight to the blob store. A file over BONDLINE_ATTACHMENT_MAX_BYTES is answered as
Confluence documents it — 404, "the attachment exceeds the maximum configured attachment size" —
and nothing is kept."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import quote

import msgspec

from bondline.dialects.confluence import params, render, tree
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import base_of, iso, links
from bondline.domain import access
from bondline.domain import attachments as rules
from bondline.domain import content as content_rules
from bondline.domain.errors import Internal, Invalid, NotFound, is_decimal
from bondline.domain.model import Caller
from bondline.http import Request, Response, empty, json_response, stream_response
from bondline.http.multipart import FileTooLarge, Form, read_form
from bondline.services import attachments
from bondline.services.attachments import AttachmentView
from bondline.store.blobs import BlobCorrupt, BlobStore, BlobWriter

API = "/wiki/rest/api"
DEFAULT_EXPAND = ("version", "container", "metadata")
# Room for the multipart framing and the text fields around the files, beyond the files' own limit.
FORM_OVERHEAD = 1024 * 1024


# --- rendering ------------------------------------------------------------------------------------

def download_path(view: AttachmentView) -> str:
    c, container = view.content, view.container
    return (f"/download/attachments/{container.id}/{quote(c.title, safe='')}?version={view.data.number}"
            f"&modificationDate={c.updated_at}&cacheVersion=1&api=v2")


def attachment(view: AttachmentView, base: str, expand: Expand, *, viewer: Caller) -> dict[str, Any]:
    """A `Content` of type attachment, as Confluence Cloud renders one in its attachment listings."""
    c, data, container = view.content, view.data, view.container
    aid = rules.wire_id(c.id)
    space_key = quote(view.space.key, safe="~")
    out: dict[str, Any] = {"id": aid, "type": rules.TYPE, "status": "historical" if view.historical else c.status,
                           "title": c.title}
    expandable: dict[str, str] = {
        "container": f"/rest/api/content/{container.id}",
        "operations": "",
        "children": f"/rest/api/content/{aid}/child",
        "restrictions": f"/rest/api/content/{aid}/restriction/byOperation",
        "history": f"/rest/api/content/{aid}/history",
        "ancestors": "",
        "body": "",
        "version": "",
        "descendants": f"/rest/api/content/{aid}/descendant",
        "space": f"/rest/api/space/{space_key}",
    }
    if "space" in expand:
        out["space"] = render.space(view.space, base, expand.sub("space"), view.users, viewer=viewer)
        del expandable["space"]
    if "container" in expand:
        out["container"] = render.content_ref(container, base)
        del expandable["container"]
    if "history" in expand:
        creator = view.users.get(c.created_by) if c.created_by is not None else None
        out["history"] = {"latest": not view.historical, "createdBy": render.user(creator, base, viewer=viewer),
                          "createdDate": iso(c.created_at),
                          "_expandable": {"lastUpdated": "", "previousVersion": "", "contributors": "",
                                          "nextVersion": ""},
                          "_links": {"self": f"{base}/rest/api/content/{aid}/history"}}
        del expandable["history"]
    if "version" in expand:
        by = view.users.get(c.updated_by) if c.updated_by is not None else None
        out["version"] = {
            "by": render.user(by, base, viewer=viewer),
            "when": iso(c.updated_at),
            "friendlyWhen": render.friendly(c.updated_at),
            "message": data.comment,
            "number": data.number,
            "minorEdit": c.minor_edit,
            "contentTypeModified": False,
            "_expandable": {"collaborators": "", "content": f"/rest/api/content/{aid}"},
            "_links": {"self": f"{base}/rest/api/content/{aid}/version/{data.number}"},
        }
        del expandable["version"]
    out["metadata"] = {"comment": data.comment, "mediaType": data.media_type,
                       "_expandable": {"currentuser": "", "properties": "", "frontend": "", "labels": ""}}
    out["extensions"] = {"mediaType": data.media_type, "fileSize": data.file_size, "comment": data.comment,
                         "fileId": data.sha256, "collectionName": f"contentId-{container.id}"}
    out["_expandable"] = expandable
    preview = quote(f"/{container.id}/{c.id}/{c.title}", safe="")
    out["_links"] = links(base, f"/rest/api/content/{aid}",
                          webui=f"/pages/viewpageattachments.action?pageId={container.id}&preview={preview}",
                          download=download_path(view))
    return out


def _results(req: Request, views: list[AttachmentView], start: int, limit: int, path: str,
             query: dict[str, Any] | None = None, has_more: bool | None = None) -> dict[str, Any]:
    base = base_of(req)
    expand = Expand.of(req, DEFAULT_EXPAND)
    results = [attachment(v, base, expand, viewer=req.caller) for v in views]
    return render.page(results, start, limit, base, path, query, has_more)


# --- uploads --------------------------------------------------------------------------------------

def too_large(limit: int) -> NotFound:
    """Confluence's documents: 404 when "the attachment exceeds the maximum configured attachment
    size"; the message is the one Atlassian's upload handling gives."""
    return NotFound(f"The field file exceeds its maximum permitted size of {limit} bytes.",
                    reason="ATTACHMENT_TOO_LARGE")


async def _discard(req: Request, within: float) -> None:
    """Read what is left of a refused upload, so the client, still sending, gets to read the answer."""
    with contextlib.suppress(Exception):
        async for _ in req.stream(within):
            pass


async def _uploads(req: Request, *, single: bool = False) -> list[rules.Upload]:
    """The files of a multipart upload, each written to the blob store as it streams in. On any
    failure, nothing stays: unfinished blobs are dropped, finished new ones forgotten."""
    access.require_xsrf_token(req.header(b"x-atlassian-token"))
    settings = req.app.settings
    blobs: BlobStore = req.app.blobs
    limit = settings.attachment_max_bytes
    within = settings.body_timeout * 20  # uploads are large: more time than a JSON body gets
    declared = req.header(b"content-length")
    if declared is not None and is_decimal(declared) and int(declared) > limit + FORM_OVERHEAD:
        if int(declared) <= 4 * (limit + FORM_OVERHEAD):
            await _discard(req, within)
        raise too_large(limit)
    form = Form()
    new_blobs: list[str] = []
    try:
        try:
            await read_form(req, within=within, max_file_bytes=limit, open_sink=blobs.writer, form=form)
        except FileTooLarge:
            await _discard(req, within)
            raise too_large(limit) from None
        files = [f for f in form.files if f.field == "file"]
        if not files:
            raise Invalid("No file was uploaded: the multipart body needs at least one 'file' part",
                          reason="NO_FILE")
        if single and len(files) > 1:
            raise Invalid("Only one file can be uploaded here", reason="TOO_MANY_FILES")
        comments = rules.comments_for(len(files), form.fields.get("comment", []))
        minor_edit = rules.flag(form.field("minorEdit"), "minorEdit")
        uploads = []
        for part, comment in zip(files, comments, strict=True):
            name = rules.validate_filename(part.filename)
            if part.size == 0:
                raise Invalid(f"The file {name!r} is empty: an attachment needs at least one byte",
                              reason="EMPTY_FILE")
            writer: BlobWriter = part.sink
            sha256, size, new = await asyncio.to_thread(writer.finish)
            if new:
                new_blobs.append(sha256)
            uploads.append(rules.Upload(name, rules.media_type(part.content_type, name), sha256, size, comment,
                                        minor_edit))
        return uploads
    except BaseException:
        for part in form.files:
            part.sink.abort()
        await attachments.forget_blobs(req.app.store, blobs, new_blobs)
        raise
    finally:
        for part in form.files:
            if part.field != "file":
                part.sink.abort()


async def _saving(req: Request, uploads: list[rules.Upload], save: Any) -> Any:
    try:
        return await save
    except BaseException:
        await attachments.forget_blobs(req.app.store, req.app.blobs, [u.sha256 for u in uploads])
        raise


def _status(req: Request) -> str:
    return params.choice(req, "status", ("current", "draft")) or "current"


# --- routes ---------------------------------------------------------------------------------------

async def get_attachments(req: Request) -> Response:
    container_id = content_rules.parse_id(req.params["id"])
    start, limit = params.paging(req, default_limit=50)
    filename, media_type = req.q("filename"), req.q("mediaType")
    views = await attachments.list_attachments(req.app.store, req.caller, container_id, filename=filename,
                                               media_type=media_type, start=start, limit=limit)
    query = {"filename": filename, "mediaType": media_type, "expand": req.q("expand")}
    return json_response(_results(req, views, start, limit, f"/rest/api/content/{container_id}/child/attachment",
                                  query))


async def _upload(req: Request, replace: bool) -> Response:
    container_id = content_rules.parse_id(req.params["id"])
    status = _status(req)
    uploads = await _uploads(req)
    views = await _saving(req, uploads, attachments.upload(req.app.store, req.caller, container_id, uploads,
                                                           replace=replace, status=status))
    return json_response(_results(req, views, 0, len(views), f"/rest/api/content/{container_id}/child/attachment",
                                  has_more=False))


async def create_attachment(req: Request) -> Response:
    return await _upload(req, replace=False)


async def create_or_update_attachments(req: Request) -> Response:
    return await _upload(req, replace=True)


async def update_attachment_data(req: Request) -> Response:
    container_id = content_rules.parse_id(req.params["id"])
    attachment_id = rules.parse_attachment_id(req.params["attachmentId"])
    uploads = await _uploads(req, single=True)
    view = await _saving(req, uploads, attachments.update_data(req.app.store, req.caller, container_id,
                                                               attachment_id, uploads[0]))
    return json_response(attachment(view, base_of(req), Expand.of(req, DEFAULT_EXPAND), viewer=req.caller))


class _VersionRef(msgspec.Struct):
    number: int
    minorEdit: bool = False


class _Ref(msgspec.Struct):
    id: str | int


class _Meta(msgspec.Struct):
    mediaType: str | None = None
    comment: str | None = None


class _Extensions(msgspec.Struct):
    mediaType: str | None = None
    comment: str | None = None


class _PropertiesBody(msgspec.Struct):
    id: str | int
    type: str
    version: _VersionRef
    status: str | None = None
    title: str | None = None
    container: _Ref | None = None
    metadata: _Meta | None = None
    extensions: _Extensions | None = None


async def update_attachment_properties(req: Request) -> Response:
    container_id = content_rules.parse_id(req.params["id"])
    attachment_id = rules.parse_attachment_id(req.params["attachmentId"])
    body = req.json(_PropertiesBody)
    meta, ext = body.metadata, body.extensions
    media_type = (ext.mediaType if ext and ext.mediaType is not None else None) or (meta.mediaType if meta else None)
    comment = ext.comment if ext and ext.comment is not None else (meta.comment if meta else None)
    target = content_rules.parse_id(str(body.container.id)) if body.container is not None else None
    view = await attachments.update_properties(req.app.store, req.caller, container_id, attachment_id,
                                               attachments.PropertiesEdit(
                                                   id=str(body.id), type=body.type, version=body.version.number,
                                                   title=body.title, media_type=media_type, comment=comment,
                                                   container_id=target, minor_edit=body.version.minorEdit))
    return json_response(attachment(view, base_of(req), Expand.of(req, DEFAULT_EXPAND), viewer=req.caller))


async def get_attachment(req: Request, attachment_id: int, version: int | None) -> Response:
    """`GET /content/{id}` of an attachment (content.py hands it over)."""
    view = await attachments.get(req.app.store, req.caller, attachment_id, version)
    expand = Expand.of(req, ("space", "history", "version"))
    return json_response(attachment(view, base_of(req), expand, viewer=req.caller))


async def download_redirect(req: Request) -> Response:
    """Confluence answers with a redirect to the download URL (302)."""
    container_id = content_rules.parse_id(req.params["id"])
    attachment_id = rules.parse_attachment_id(req.params["attachmentId"])
    version = params.integer(req, "version", None, minimum=1)
    found = await attachments.download(req.app.store, req.caller, container_id, attachment_id=attachment_id,
                                       version=version)
    location = (f"{base_of(req)}/download/attachments/{container_id}/{quote(found.filename, safe='')}"
                f"?version={found.number}&modificationDate={found.modified_at}&cacheVersion=1&api=v2")
    return empty(302, [(b"location", location.encode())])


def _disposition(filename: str) -> bytes:
    """`attachment` with the name both plain (non-ASCII and quotes replaced) and RFC 5987-encoded."""
    plain = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}".encode()


async def download_file(req: Request) -> Response:
    """The download URL: one version's bytes, streamed from the blob store after a check of its
    checksum (a damaged blob is never served as the file)."""
    container_id = content_rules.parse_id(req.params["pageId"])
    version = params.integer(req, "version", None, minimum=1)
    found = await attachments.download(req.app.store, req.caller, container_id, filename=req.params["filename"],
                                       version=version)
    blobs: BlobStore = req.app.blobs
    try:
        await asyncio.to_thread(blobs.verify, found.sha256, found.size)
    except BlobCorrupt as exc:
        raise Internal(f"The attachment's data is damaged or missing on the server ({exc}); restore it from a "
                       "backup") from None
    media = found.media_type
    if media.startswith("text/") and "charset" not in media:
        media += "; charset=UTF-8"
    headers = [(b"content-disposition", _disposition(found.filename)), (b"etag", f'"{found.sha256}"'.encode()),
               (b"x-content-type-options", b"nosniff"), (b"cache-control", b"private, no-cache")]
    return stream_response(blobs.chunks(found.sha256), found.size, media.encode(), headers)


async def delete_version(req: Request) -> Response:
    """Deleting an older version of an attachment (atlassian-python-api's
    remove_page_attachment_keep_version); `history.delete_version`, which serves the route, hands
    attachments here."""
    number = req.params["versionNumber"]
    if not is_decimal(number) or len(number) > 9:
        raise Invalid(f"Version number {number[:20]!r} is invalid")
    attachment_id = rules.parse_attachment_id(req.params["id"])
    await attachments.delete_version(req.app.store, req.app.blobs, req.caller, attachment_id, int(number))
    return empty(204)


async def _children(req: Request, container_id: int, depth: int, start: int, limit: int,
                    expand: Expand) -> dict[str, Any]:
    """A page's attachments as `/child` and `/descendant` list them (`tree.register_child_type`)."""
    views = await attachments.list_attachments(req.app.store, req.caller, container_id, filename=None,
                                               media_type=None, start=start, limit=limit)
    return _results(req, views, start, limit, f"/rest/api/content/{container_id}/child/attachment")


def install(app: Any) -> None:
    tree.register_child_type(rules.TYPE, _children)
    route = app.route
    base = f"{API}/content/{{id}}/child/attachment"
    route("GET", base, get_attachments, dialect=DIALECT)
    route("POST", base, create_attachment, dialect=DIALECT, stream_body=True)
    route("PUT", base, create_or_update_attachments, dialect=DIALECT, stream_body=True)
    route("PUT", f"{base}/{{attachmentId}}", update_attachment_properties, dialect=DIALECT)
    route("POST", f"{base}/{{attachmentId}}/data", update_attachment_data, dialect=DIALECT, stream_body=True)
    route("GET", f"{base}/{{attachmentId}}/download", download_redirect, dialect=DIALECT)
    route("GET", "/wiki/download/attachments/{pageId}/{filename}", download_file, dialect=DIALECT)
