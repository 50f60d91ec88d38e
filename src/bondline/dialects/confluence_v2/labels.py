"""Labels: /wiki/api/v2/labels (getLabels), the content carrying one (getLabelPages,
getLabelBlogPosts, getLabelAttachments), the labels of a page, blog post or attachment
(getPageLabels, getBlogPostLabels, getAttachmentLabels) and of a space (getSpaceLabels: its own;
getSpaceContentLabels: its content's), over `services.labels`, as v1's label routes: a label added
through v1 is the same label here, and one the caller may not see (carried only by content hidden
from them) is not listed."""

from __future__ import annotations

from typing import Any

from bondline import ids as idgen
from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX, pages, render
from bondline.dialects.confluence_v2 import params as p
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.paging import Page, limit
from bondline.domain import content as rules
from bondline.domain.errors import Invalid
from bondline.http import Request, Response
from bondline.services import labels
from bondline.services.content import ContentView
from bondline.store.repos.labels import Label

LABEL_ORDERS = ("created-date", "-created-date", "id", "-id", "name", "-name")
# `/labels` and a space's labels: by name or id (a label itself has no creation date: it is put on
# each piece of content at its own time, which a content's labels sort by)
NAMED_ORDERS = ("id", "-id", "name", "-name")
PAGE_ORDERS = ("id", "-id", "created-date", "-created-date", "modified-date", "-modified-date", "title", "-title")
BLOGPOST_ORDERS = ("id", "-id", "created-date", "-created-date", "modified-date", "-modified-date")
ATTACHMENT_ORDERS = ("created-date", "-created-date", "modified-date", "-modified-date")
CONTENT_PREFIXES = ("my", "team", "global", "system")
SPACE_PREFIXES = ("my", "team")


def label(found: Label) -> dict[str, Any]:
    return {"id": str(found.id), "name": found.name, "prefix": found.prefix}


def blogpost(view: ContentView, body_format: str | None) -> dict[str, Any]:
    """A blog post as BlogPostBulk has it: a page's fields without the tree's."""
    out = render.page(view, body_format)
    for key in ("parentId", "parentType", "position", "ownerId", "lastOwnerId"):
        out.pop(key, None)
    return out


def attachment(view: ContentView) -> dict[str, Any]:
    """An attachment as AttachmentBulk has it, with what the content row holds (its container, its
    version); the file's own fields are the attachment routes'."""
    c = view.content
    out: dict[str, Any] = {"id": f"att{c.id}", "status": view.status, "title": view.title,
                           "createdAt": idgen.iso(c.created_at)}
    container = view.ancestors[-1] if view.ancestors else None
    if container is not None and container.type in ("page", "blogpost"):
        out["pageId" if container.type == "page" else "blogPostId"] = str(container.id)
    out["version"] = render.version(view)
    return out


def _prefix(req: Request, allowed: tuple[str, ...]) -> str | None:
    raw = req.q("prefix")
    if raw is not None and raw not in allowed:
        raise Invalid(f"Provided value {{{raw[:40]}}} for 'prefix' is not valid: expected one of {', '.join(allowed)}")
    return raw


def _order(raw: str | None, default: str) -> str:
    """The labels repository's order for a LabelSortOrder (`-created-date` → `-created`)."""
    return default if raw is None else raw.replace("-date", "")


async def get_labels(req: Request) -> Response:
    label_ids = p.ids(req, "label-id", 250)
    prefixes = p.strings(req, "prefix")
    for prefix in prefixes:
        if prefix not in CONTENT_PREFIXES:
            raise Invalid(f"Provided value {{{prefix[:40]}}} for 'prefix' is not valid: expected one of"
                          f" {', '.join(CONTENT_PREFIXES)}")
    order = _order(p.sort(req, NAMED_ORDERS, LABEL_ORDERS), "id")
    size = limit(req)
    page = await Page.of(req, f"{PREFIX}/labels", p.query(req, "label-id", "prefix", "sort"), size)
    kept = [x for x in prefixes if x != "system"]  # bondline has no system labels
    found = [] if prefixes and not kept else await labels.all_labels(
        req.app.store, req.caller, ids=label_ids, prefixes=kept, start=page.offset, limit=size + 1, order=order)
    return page.respond([label(x) for x in found[:size]], len(found) > size, base_of(req))


async def _labelled(req: Request, type: str, orders: tuple[str, ...], served: str) -> Response:
    label_id = p.path_id(req, "id", "Label")
    space_ids = p.ids(req, "space-id", 100) if type != "attachment" else []
    body_format = pages._body_format(req, render.LIST_FORMATS) if type != "attachment" else None
    p.sort(req, (served,), orders)
    size = limit(req)
    plural = {"page": "pages", "blogpost": "blogposts", "attachment": "attachments"}[type]
    page = await Page.of(req, f"{PREFIX}/labels/{label_id}/{plural}",
                         p.query(req, "space-id", "body-format", "sort"), size)
    views = await labels.labelled_content(req.app.store, req.caller, label_id, type, page.offset, size + 1,
                                          space_ids=space_ids or None, body=body_format is not None)
    if type == "page":
        results = [render.page(v, body_format) for v in views[:size]]
    elif type == "blogpost":
        results = [blogpost(v, body_format) for v in views[:size]]
    else:
        results = [attachment(v) for v in views[:size]]
    return page.respond(results, len(views) > size, base_of(req))


async def get_label_pages(req: Request) -> Response:
    return await _labelled(req, "page", PAGE_ORDERS, "id")


async def get_label_blogposts(req: Request) -> Response:
    return await _labelled(req, "blogpost", BLOGPOST_ORDERS, "id")


async def get_label_attachments(req: Request) -> Response:
    return await _labelled(req, "attachment", ATTACHMENT_ORDERS, "created-date")


async def _content_labels(req: Request, type: str, plural: str) -> Response:
    content_id = rules.parse_id(req.params["id"])
    prefix = _prefix(req, CONTENT_PREFIXES)
    order = _order(p.sort(req, LABEL_ORDERS, LABEL_ORDERS), "name")
    size = limit(req)
    page = await Page.of(req, f"{PREFIX}/{plural}/{content_id}/labels", p.query(req, "prefix", "sort"), size)
    found = await labels.list_labels(req.app.store, req.caller, content_id, None if prefix == "system" else prefix,
                                     page.offset, size + 1, types=(type,), order=order)
    if prefix == "system":
        found = []
    return page.respond([label(x) for x in found[:size]], len(found) > size, base_of(req))


async def get_page_labels(req: Request) -> Response:
    return await _content_labels(req, "page", "pages")


async def get_blogpost_labels(req: Request) -> Response:
    return await _content_labels(req, "blogpost", "blogposts")


async def get_attachment_labels(req: Request) -> Response:
    return await _content_labels(req, "attachment", "attachments")


async def _space_labels(req: Request, which: str) -> Response:
    space_id = p.path_id(req, "id", "Space")
    prefix = _prefix(req, SPACE_PREFIXES if which == "space" else CONTENT_PREFIXES)
    order = _order(p.sort(req, NAMED_ORDERS, LABEL_ORDERS), "name")
    size = limit(req)
    path = f"{PREFIX}/spaces/{space_id}/labels" if which == "space" else f"{PREFIX}/spaces/{space_id}/content/labels"
    page = await Page.of(req, path, p.query(req, "prefix", "sort"), size)
    found = await labels.list_space_labels(req.app.store, req.caller, space_id,
                                           None if prefix == "system" else prefix, page.offset, size + 1, which,
                                           order=order)
    if prefix == "system":
        found = []
    return page.respond([label(x) for x in found[:size]], len(found) > size, base_of(req))


async def get_space_labels(req: Request) -> Response:
    return await _space_labels(req, "space")


async def get_space_content_labels(req: Request) -> Response:
    return await _space_labels(req, "content")


def install(app: Any) -> None:
    route = app.route
    route("GET", f"{PREFIX}/labels", get_labels, dialect=DIALECT)
    route("GET", f"{PREFIX}/labels/{{id}}/pages", get_label_pages, dialect=DIALECT)
    route("GET", f"{PREFIX}/labels/{{id}}/blogposts", get_label_blogposts, dialect=DIALECT)
    route("GET", f"{PREFIX}/labels/{{id}}/attachments", get_label_attachments, dialect=DIALECT)
    route("GET", f"{PREFIX}/pages/{{id}}/labels", get_page_labels, dialect=DIALECT)
    route("GET", f"{PREFIX}/blogposts/{{id}}/labels", get_blogpost_labels, dialect=DIALECT)
    route("GET", f"{PREFIX}/attachments/{{id}}/labels", get_attachment_labels, dialect=DIALECT)
    route("GET", f"{PREFIX}/spaces/{{id}}/labels", get_space_labels, dialect=DIALECT)
    route("GET", f"{PREFIX}/spaces/{{id}}/content/labels", get_space_content_labels, dialect=DIALECT)
