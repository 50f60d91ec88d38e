"""Comments: `POST /content` with `type: comment` and a `container` (content.py hands it over),
/wiki/rest/api/content/{id}/child/comment (getContentComments: `depth` root|all, `location`
footer|inline|resolved), and a comment's own shape wherever content is rendered (its container, the
comments above it as ancestors, `extensions.location`, an inline comment's `inlineProperties` and
`resolution`)."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from bondline.dialects.confluence import bodies, params, render, tree
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.params import Expand
from bondline.dialects.confluence.render import CONTENT_DEFAULT_EXPAND, base_of, content_ref
from bondline.domain import comments as comment_rules
from bondline.domain import content as content_rules
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.http import Request, Response, json_response
from bondline.services import comments
from bondline.services.comments import CommentView

API = "/wiki/rest/api"


class _Container(msgspec.Struct):
    id: int | str
    type: str | None = None
    status: str | None = None


class _Extensions(msgspec.Struct):
    location: str | None = None
    inlineProperties: dict[str, Any] | None = None


class _CommentCreate(msgspec.Struct):
    type: str
    container: _Container | None = None
    body: bodies.CreateBody | UnsetType = UNSET
    ancestors: list[bodies.Ancestor] | None = None
    extensions: _Extensions | None = None
    status: str | UnsetType = UNSET
    title: str | None = None


def comment(cv: CommentView, base: str, expand: Expand, *, viewer: Caller) -> dict[str, Any]:
    """A `Content` of type comment: the content shape, with where the comment sits."""
    out = render.content(cv.view, base, expand, viewer=viewer)
    cid, container, meta = out["id"], cv.container, cv.meta
    extensions: dict[str, Any] = {"location": meta.location}
    if meta.location == "inline":
        extensions["inlineProperties"] = meta.inline_properties or {}
        resolution: dict[str, Any] = {"status": meta.resolution or "open"}
        # Who last resolved or reopened it and when, as Cloud's v1 shows them (absent until someone has)
        resolver = cv.view.users.get(meta.resolved_by) if meta.resolved_by is not None else None
        if resolver is not None:
            resolution["lastModifier"] = render.user(resolver, base, viewer=viewer)
        if meta.resolved_at is not None:
            resolution["lastModifiedDate"] = render.iso(meta.resolved_at)
        extensions["resolution"] = resolution
    out["extensions"] = extensions
    expandable = out["_expandable"]
    if expand.paths and "container" in expand:
        out["container"] = content_ref(container, base)
    else:
        expandable["container"] = f"/rest/api/content/{container.id}"
    if expand.paths and "ancestors" in expand:
        out["ancestors"] = [content_ref(p, base) for p in cv.parents]
    expandable.pop("descendants", None)
    out["_links"]["webui"] = (f"/pages/viewpage.action?pageId={container.id}&focusedCommentId={cid}"
                              f"#comment-{cid}")
    return out


async def create_comment(req: Request) -> Response:
    body = req.json(_CommentCreate)
    if body.container is None:
        raise Invalid("A comment needs the content it is on: container.id")
    container_id = content_rules.parse_id(str(body.container.id))
    # The comment answered is the last of the ancestors (the thread's root first); each must be an id.
    ancestor_ids = [content_rules.parse_id(str(a.id)) for a in body.ancestors or ()]
    parent_id = ancestor_ids[-1] if ancestor_ids else None
    first = body.body.first() if body.body is not UNSET else None
    if first is None or not first[0].strip():
        raise Invalid("A comment needs a body (body.storage)")
    ext = body.extensions
    status = body.status if body.status is not UNSET else (params.choice(req, "status", ("current",)) or "current")
    cv = await comments.create(req.app.store, req.caller, comments.NewComment(
        container_id=container_id, body=first[0], representation=first[1], parent_id=parent_id,
        location=ext.location if ext else None, inline_properties=ext.inlineProperties if ext else None,
        status=status))
    return json_response(comment(cv, base_of(req), Expand.of(req, CONTENT_DEFAULT_EXPAND), viewer=req.caller))


async def render_one(req: Request, view: Any, expand: Expand) -> Response:
    """A comment read or updated through `/content/{id}` (content.py hands it over)."""
    cv = await comments.get(req.app.store, req.caller, view.content.id, view)
    return json_response(comment(cv, base_of(req), expand, viewer=req.caller))


async def get_comments(req: Request) -> Response:
    container_id = content_rules.parse_id(req.params["id"])
    start, limit = params.paging(req)
    params.integer(req, "parentVersion", None)  # every version's comments are the page's
    locations = req.q_csv("location")
    depth = req.q("depth")
    expand = Expand.of(req)
    _container, found = await comments.list_comments(req.app.store, req.caller, container_id, depth=depth,
                                                     locations=locations, start=start, limit=limit,
                                                     bodies="body" in expand)
    base = base_of(req)
    results = [comment(cv, base, expand, viewer=req.caller) for cv in found]
    query = {"expand": req.q("expand"), "location": locations or None, "depth": depth}
    return json_response(render.page(results, start, limit, base, f"/rest/api/content/{container_id}/child/comment",
                                     query))


async def _children(req: Request, container_id: int, depth: int, start: int, limit: int,
                    expand: Expand) -> dict[str, Any]:
    """A page's comments as `/child` (the top-level ones) and `/descendant` (all, replies too) list them
    (`tree.register_child_type`)."""
    _container, found = await comments.list_comments(req.app.store, req.caller, container_id,
                                                     depth="root" if depth == 1 else "all", locations=[],
                                                     start=start, limit=limit, bodies="body" in expand)
    base = base_of(req)
    return render.page([comment(cv, base, expand, viewer=req.caller) for cv in found], start, limit, base,
                       f"/rest/api/content/{container_id}/child/comment")


def install(app: Any) -> None:
    tree.register_child_type(comment_rules.TYPE, _children)
    app.route("GET", f"{API}/content/{{id}}/child/comment", get_comments, dialect=DIALECT)
