"""Confluence's JSON shapes (the `User`, `Space`, `Content`, `Version` schemas of the official
Confluence Cloud v1 OpenAPI document), built from domain records.

`base` is the site's wiki base URL (``https://host/wiki``); relative links start at ``/rest/api``,
as Confluence's do, and `_links.base` / `_links.context` let clients resolve them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any
from urllib.parse import quote, urlencode

from bondline import ids
from bondline.dialects.confluence.params import Expand
from bondline.domain import access, adf
from bondline.domain.model import Caller, Space, User
from bondline.http import Request

CONTEXT = "/wiki"
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")
_TITLE_SAFE = re.compile(r"[A-Za-z0-9._~+-]*")


@functools.lru_cache(maxsize=4096)
def q(text: str) -> str:
    """Percent-encode one path segment or query value (skipping the work when nothing needs it;
    kept, as listings encode the same space key for every item)."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="")


@functools.lru_cache(maxsize=1024)
def title_segment(title: str) -> str:
    """A title as the last segment of a page's web UI link: spaces as `+`, the rest percent-encoded."""
    plus = title.replace(" ", "+")
    return plus if _TITLE_SAFE.fullmatch(plus) else quote(plus, safe="+")


def base_of(request: Request) -> str:
    return request.base_url + CONTEXT


def iso(ms: int | None) -> str | None:
    return None if ms is None else ids.iso(ms)


def friendly(ms: int | None) -> str | None:
    """Confluence's 'friendly' dates: "just a moment ago", "5 minutes ago", "Nov 23, 2026"."""
    if ms is None:
        return None
    then = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    seconds = (dt.datetime.now(dt.UTC) - then).total_seconds()
    if seconds < 60:
        return "just a moment ago"
    if seconds < 3600:
        minutes = int(seconds // 60)
        return "1 minute ago" if minutes == 1 else f"{minutes} minutes ago"
    if seconds < 86400:
        return f"about {int(seconds // 3600)} hour{'s' if seconds >= 7200 else ''} ago"
    return then.strftime("%b %d, %Y").replace(" 0", " ")


def links(base: str, self_path: str, **extra: str) -> dict[str, str]:
    out = dict(extra)
    out["self"] = base + self_path
    out["base"] = base
    out["context"] = CONTEXT
    return out


# --- users --------------------------------------------------------------------------------------

# Every bondline user is a full member of the site: not a guest, not an external collaborator
# (Atlassian's newest document requires `isGuest` on a watcher and describes it on every user;
# `isExternalCollaborator` and `externalCollaborator` are its deprecated predecessors, still sent).
_DEFAULT_PICTURE = {"path": "/wiki/aa-avatar/default.png", "width": 48, "height": 48, "isDefault": True}


def user(u: User | None, base: str, account_id: str | None = None, *, viewer: Caller) -> dict[str, Any]:
    """A `User` as `viewer` sees it (`email` empty unless access.can_see_email); a deleted or
    unknown user renders as Confluence's 'unknown' user."""
    if u is None:
        return {
            "type": "unknown",
            "accountId": account_id or "",
            "accountType": "",
            "email": "",
            "publicName": "Unknown user",
            "profilePicture": dict(_DEFAULT_PICTURE),
            "displayName": "Unknown user",
            "isExternalCollaborator": False,
            "isGuest": False,
            "_expandable": {"operations": "", "personalSpace": ""},
            "_links": {"self": f"{base}/rest/api/user?accountId={q(account_id or '')}"},
        }
    return {
        "type": "known",
        "accountId": u.account_id,
        "accountType": "atlassian",
        "email": _email(u, viewer),
        "publicName": u.display_name,
        "profilePicture": dict(_DEFAULT_PICTURE),
        "displayName": u.display_name,
        "isExternalCollaborator": False,
        "isGuest": False,
        "_expandable": {"operations": "", "personalSpace": ""},
        "_links": {"self": f"{base}/rest/api/user?accountId={q(u.account_id)}"},
    }


def _email(u: User, viewer: Caller) -> str:
    """Confluence's documents: "Depending on the user's privacy setting, this may return an empty
    string" — `email` stays in every user object (WatchUser and BulkUserLookup require it)."""
    return u.email if access.can_see_email(viewer, u) else ""


def group(g: Any, base: str) -> dict[str, Any]:
    """A `Group`. Every bondline group is an ordinary group its site admins manage."""
    return {"type": "group", "name": g.name, "id": g.id, "usageType": "USERBASE_GROUP", "managedBy": "ADMINS",
            "_links": {"self": f"{base}/rest/api/group/by-id?id={q(g.id)}"}}


def watch_user(u: User, *, viewer: Caller) -> dict[str, Any]:
    """A `WatchUser`: a User without `_links`/`_expandable`, with a few more required fields."""
    return {
        "type": "known",
        "accountId": u.account_id,
        "profilePicture": dict(_DEFAULT_PICTURE),
        "displayName": u.display_name,
        "timeZone": None,
        "operations": None,
        "isExternalCollaborator": False,
        "isGuest": False,
        "accountType": "atlassian",
        "email": _email(u, viewer),
        "publicName": u.display_name,
        "personalSpace": None,
        "externalCollaborator": False,
    }


# --- spaces -------------------------------------------------------------------------------------

def space(s: Space, base: str, expand: Expand | None = None, users: dict[int, User] | None = None, *,
          viewer: Caller, homepage: Any = None) -> dict[str, Any]:
    """A `Space`; `homepage` (its home page's ContentView) is shown when expanded and given."""
    expand = expand or Expand(set())
    key = q(s.key)
    out: dict[str, Any] = {"id": s.id, "key": s.key, "name": s.name}
    # bondline keeps no themes and no look and feel: no space has a theme (Confluence's own
    # /space/{key}/theme answers 404 for such a space) and no look-and-feel settings to link to, so
    # those two are expandable without a URL rather than at one that answers 404.
    expandable: dict[str, str] = {
        "settings": f"/rest/api/space/{key}/settings",
        "metadata": "",
        "operations": "",
        "lookAndFeel": "",
        "identifiers": "",
        "permissions": "",
        "icon": "",
        "description": "",
        "theme": "",
        "history": "",
        "homepage": f"/rest/api/content/{s.homepage_id}" if s.homepage_id is not None else "",
    }
    if "icon" in expand:
        out["icon"] = {"path": "/images/logo/default-space-logo-256.png", "width": 48, "height": 48,
                       "isDefault": True}
        del expandable["icon"]
    if "description" in expand:
        sub = expand.sub("description")
        description: dict[str, Any] = {}
        wanted = sub.paths or {"plain"}
        for form in ("plain", "view"):
            if form in wanted:
                description[form] = {"value": s.description, "representation": form, "embeddedContent": []}
        description["_expandable"] = {f: "" for f in ("view", "plain") if f not in description}
        out["description"] = description
        del expandable["description"]
    if "homepage" in expand and homepage is not None:
        out["homepage"] = content(homepage, base, expand.sub("homepage"), viewer=viewer)
        del expandable["homepage"]
    out["type"] = s.type
    out["status"] = s.status
    if "history" in expand:
        creator = (users or {}).get(s.created_by) if s.created_by is not None else None
        out["history"] = {"createdDate": iso(s.created_at), "createdBy": user(creator, base, viewer=viewer)}
        del expandable["history"]
    out["_expandable"] = expandable
    out["_links"] = links(base, f"/rest/api/space/{key}", webui=f"/spaces/{key}", collection="/rest/api/space")
    return out


# --- pagination ---------------------------------------------------------------------------------

def page(results: list[Any], start: int, limit: int, base: str, path: str,
         query: dict[str, Any] | None = None, has_more: bool | None = None) -> dict[str, Any]:
    """Confluence's paginated array: `results`, `start`, `limit`, `size`, `_links` (with `next` when
    there may be more). `query`: the request's parameters that `next` and `prev` repeat; `self`
    repeats those that choose what is listed (not `expand`), so that it answers as the request did
    (`/user/memberof` without its `accountId` is a 400)."""
    if has_more is None:
        has_more = len(results) >= limit > 0
    out_links: dict[str, str] = {"base": base, "context": CONTEXT}
    params = {k: v for k, v in (query or {}).items() if v is not None}
    if has_more:
        out_links["next"] = path + "?" + urlencode({**params, "limit": limit, "start": start + limit}, doseq=True)
    if start > 0:
        out_links["prev"] = path + "?" + urlencode(
            {**params, "limit": limit, "start": max(0, start - limit)}, doseq=True)
    chosen = {k: v for k, v in params.items() if k != "expand"}
    out_links["self"] = base + path + ("?" + urlencode(chosen, doseq=True) if chosen else "")
    return {"results": results, "start": start, "limit": limit, "size": len(results), "_links": out_links}


# --- content ------------------------------------------------------------------------------------

CONTENT_DEFAULT_EXPAND = ("space", "history", "version")


def content_ref(c: Any, base: str) -> dict[str, Any]:
    """A short `Content` (ancestors, relation endpoints without expansion)."""
    return {
        "id": str(c.id),
        "type": c.type,
        "status": c.status,
        "title": c.title,
        "_expandable": {"container": "", "metadata": "", "operations": "", "children": "", "restrictions": "",
                        "history": "", "ancestors": "", "body": "", "version": "", "descendants": "", "space": ""},
        "_links": links(base, f"/rest/api/content/{c.id}", webui=f"/pages/viewpage.action?pageId={c.id}",
                        collection="/rest/api/content"),
    }


def version(view: Any, base: str, users: dict[int, User] | None = None, number: int | None = None,
            by: int | None = None, when: int | None = None, message: str | None = None,
            minor_edit: bool | None = None, *, viewer: Caller) -> dict[str, Any]:
    users = users if users is not None else view.users
    number = view.number if number is None else number
    by = view.by if by is None else by
    when = view.when if when is None else when
    content_id = view.content.id
    return {
        "by": user(users.get(by) if by is not None else None, base, viewer=viewer),
        "when": iso(when),
        "friendlyWhen": friendly(when),
        "message": view.message if message is None else message,
        "number": number,
        "minorEdit": view.content.minor_edit if minor_edit is None else minor_edit,
        "contentTypeModified": False,
        "_expandable": {"collaborators": "", "content": f"/rest/api/content/{content_id}"},
        "_links": {"self": f"{base}/rest/api/content/{content_id}/version/{number}"},
    }


def content(view: Any, base: str, expand: Expand, labels: list[Any] | None = None, *,
            viewer: Caller) -> dict[str, Any]:
    c = view.content
    cid = str(c.id)
    key = q(view.space.key)
    title = view.title
    out: dict[str, Any] = {"id": cid, "type": c.type, "status": view.status, "title": title}
    expandable: dict[str, str] = {
        "childTypes": "",
        "container": f"/rest/api/space/{key}",
        "metadata": "",
        "operations": "",
        "children": f"/rest/api/content/{cid}/child",
        "restrictions": f"/rest/api/content/{cid}/restriction/byOperation",
        "history": f"/rest/api/content/{cid}/history",
        "ancestors": "",
        "body": "",
        "version": "",
        "descendants": f"/rest/api/content/{cid}/descendant",
        "space": f"/rest/api/space/{key}",
    }
    if expand.paths:  # listings mostly expand nothing: the checks below are skipped then
        _expanded(out, expandable, view, base, expand, labels, viewer)
    out["macroRenderedOutput"] = {}
    out["extensions"] = {"position": c.position}
    out["_expandable"] = expandable
    self_path = f"/rest/api/content/{cid}"
    if view.version is not None:
        self_path += f"?status=historical&version={view.number}"
    out["_links"] = {  # links(), inline: this runs for every item of a listing
        "webui": f"/spaces/{key}/pages/{cid}/{title_segment(title)}",
        "edit": f"/pages/resumedraft.action?draftId={cid}",
        "tinyui": f"/x/{cid}",
        "collection": "/rest/api/content",
        "self": base + self_path,
        "base": base,
        "context": CONTEXT,
    }
    return out


def _expanded(out: dict[str, Any], expandable: dict[str, str], view: Any, base: str, expand: Expand,
              labels: list[Any] | None, viewer: Caller) -> None:
    """`content`'s expansions, in `out` (and out of `expandable`)."""
    cid = out["id"]
    if "space" in expand:
        out["space"] = space(view.space, base, expand.sub("space"), view.users, viewer=viewer)
        del expandable["space"]
    if "container" in expand:
        out["container"] = space(view.space, base, expand.sub("container"), view.users, viewer=viewer)
        del expandable["container"]
    if "history" in expand:
        from bondline.dialects.confluence.history import content_history  # it renders with this module

        out["history"] = content_history(view, base, expand.sub("history"), viewer=viewer)
        del expandable["history"]
    if "version" in expand:
        out["version"] = version(view, base, viewer=viewer)
        del expandable["version"]
    if "ancestors" in expand:
        out["ancestors"] = [content_ref(a, base) for a in view.ancestors]
        del expandable["ancestors"]
    if "body" in expand:
        value, representation = view.body
        sub = expand.sub("body")
        body: dict[str, Any] = {}
        for form in sub.paths or set():
            if form in ("storage", "view", "export_view", "styled_view", "editor", "editor2", "wiki",
                        "anonymous_export_view", "atlas_doc_format"):
                shown = value if value is None else adf.read_as(value, representation, form)
                body[form] = {"value": shown, "representation": form, "embeddedContent": [],
                              "_expandable": {"content": f"/rest/api/content/{cid}"}}
        body["_expandable"] = {f: "" for f in ("editor", "view", "export_view", "styled_view", "storage", "editor2",
                                         "anonymous_export_view", "atlas_doc_format", "wiki", "dynamic", "raw")
                               if f not in body}
        out["body"] = body
        del expandable["body"]
    if "metadata" in expand and labels is not None:
        sub = expand.sub("metadata")
        metadata: dict[str, Any] = {}
        if "labels" in sub:
            metadata["labels"] = label_array(labels, base, cid, 0, 200)
        metadata["_expandable"] = {k: "" for k in ("currentuser", "properties", "frontend", "labels")
                                   if k not in metadata}
        out["metadata"] = metadata
        del expandable["metadata"]


def label(lbl: Any) -> dict[str, Any]:
    return {"prefix": lbl.prefix, "name": lbl.name, "id": str(lbl.id), "label": lbl.name}


def label_array(labels: list[Any], base: str, content_id: str, start: int, limit: int, *,
                self_path: str | None = None) -> dict[str, Any]:
    """A LabelArray: a content's labels, or (with `self_path`) another listing's."""
    return {
        "results": [label(lbl) for lbl in labels],
        "start": start,
        "limit": limit,
        "size": len(labels),
        "_links": {"self": base + (self_path or f"/rest/api/content/{content_id}/label"), "base": base,
                   "context": CONTEXT},
    }


def label_details(lbl: Any, contents: list[Any], start: int, limit: int) -> dict[str, Any]:
    """A LabelDetails: the label and the content carrying it (LabeledContentPageResponse)."""
    return {
        "label": label(lbl),
        "associatedContents": {
            "results": [{"contentType": c.type, "contentId": c.content_id, "title": c.title} for c in contents],
            "start": start,
            "limit": limit,
            "size": len(contents),
        },
    }


def anonymous_user(base: str) -> dict[str, Any]:
    """The UserAnonymous: how Confluence shows a caller who is not signed in."""
    return {
        "type": "anonymous",
        "profilePicture": {"path": "/wiki/s/-1/_/images/icons/profilepics/anonymous.svg", "width": 48,
                           "height": 48, "isDefault": True},
        "displayName": "Anonymous",
        "_expandable": {"operations": ""},
        "_links": {"self": f"{base}/rest/api/user/anonymous", "base": base, "context": CONTEXT},
    }


# --- relations ----------------------------------------------------------------------------------

def entity_path(entity: Any) -> str:
    """Where Confluence serves an entity (relative to the wiki base)."""
    return _ref_path(entity.ref)


def _ref_path(ref: Any) -> str:
    if ref.type == "user":
        return f"/rest/api/user?accountId={q(ref.key)}"
    if ref.type == "space":
        return f"/rest/api/space/{q(ref.key)}"
    if ref.type == "content":
        if ref.status == "historical":
            return f"/rest/api/content/{ref.key}?status=historical&version={ref.version}"
        return f"/rest/api/content/{ref.key}"
    return f"/rest/api/label/{q(ref.key)}"


def entity(e: Any, base: str, *, viewer: Caller) -> dict[str, Any]:
    """The `User`, `Space` or `Content` a relation points at."""
    from bondline.services.content import ContentView

    if e.ref.type == "user":
        return user(e.user, base, e.ref.key, viewer=viewer)
    if e.ref.type == "space":
        return space(e.space, base, viewer=viewer)
    if e.ref.type == "content":
        view = ContentView(e.content, e.space, {}, "historical" if e.version is not None else e.content.status,
                           e.version)
        return content(view, base, Expand(set()), viewer=viewer)
    return {"prefix": "global", "name": e.ref.key, "id": e.ref.key, "label": e.ref.key}


def relation_path(view: Any) -> str:
    return _relation_path(view.relation.name, view.source.ref, view.target.ref)


def _relation_path(name: str, s: Any, t: Any) -> str:
    path = f"/rest/api/relation/{q(name)}/from/{s.type}/{q(s.key)}/to/{t.type}/{q(t.key)}"
    query = {}
    for side, ref in (("source", s), ("target", t)):
        if ref.type == "content" and ref.status not in (None, "current"):
            query[f"{side}Status"] = ref.status
            if ref.version is not None:
                query[f"{side}Version"] = ref.version
    return path + ("?" + urlencode(query) if query else "")


def relation(view: Any, base: str, expand: Expand, *, viewer: Caller) -> dict[str, Any]:
    """A `Relation`: `name`, and `relationData`, `source`, `target` when expanded."""
    if not expand.paths:
        s, t = view.source.ref, view.target.ref
        return _unexpanded(view.relation.name, s.type, s.key, s.status, s.version, t.type, t.key, t.status,
                           t.version, base)
    r = view.relation
    out: dict[str, Any] = {"name": r.name}
    expandable: dict[str, str] = {}
    if "relationData" in expand:
        out["relationData"] = {
            "createdBy": user(view.creator, base, r.created_by, viewer=viewer),
            "createdDate": iso(r.created_at),
            "friendlyCreatedDate": friendly(r.created_at),
        }
    else:
        expandable["relationData"] = ""
    for side in ("source", "target"):
        e = getattr(view, side)
        if side in expand:
            out[side] = entity(e, base, viewer=viewer)
        else:
            expandable[side] = entity_path(e)
    if expandable:
        out["_expandable"] = expandable
    out["_links"] = links(base, relation_path(view))
    return out


class _Ref:
    __slots__ = ("type", "key", "status", "version")

    def __init__(self, type: str, key: str, status: str | None, version: int | None) -> None:
        self.type, self.key, self.status, self.version = type, key, status, version


@functools.lru_cache(maxsize=8192)
def _unexpanded(name: str, s_type: str, s_key: str, s_status: str | None, s_version: int | None, t_type: str,
                t_key: str, t_status: str | None, t_version: int | None, base: str) -> dict[str, Any]:
    """A relation rendered without expansions, as `relation` renders it: it depends on the name,
    the two ends as named and the base alone (nothing of the viewer), and a listing renders the same
    items on every request, so it is kept (bounded; shared, so nobody may change it: the responses
    only encode it)."""
    s, t = _Ref(s_type, s_key, s_status, s_version), _Ref(t_type, t_key, t_status, t_version)
    return {"name": name, "_expandable": {"relationData": "", "source": _ref_path(s), "target": _ref_path(t)},
            "_links": links(base, _relation_path(name, s, t))}
