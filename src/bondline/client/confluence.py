"""Call builders for the Confluence dialect (`/wiki/rest/api`) and bondline's own endpoints."""

from __future__ import annotations

from typing import Any

from bondline.client._call import Call, none, params, seg
from bondline.client.types import Content, Label, LongTask, Page, Ref, Relation, Space, User, UserRelationsPage

API = "/wiki/rest/api"
XSRF = {"X-Atlassian-Token": "no-check"}


def _ref(ref: Ref) -> tuple[str, str]:
    if isinstance(ref, str):
        kind, sep, key = ref.partition(":")
        if not sep:
            raise ValueError(f"entity {ref!r} should look like 'content:123' or ('content', '123')")
        return kind, key
    kind, key = ref
    return kind, str(key)


def _relation_path(name: str, source: Ref, target: Ref) -> str:
    st, sk = _ref(source)
    tt, tk = _ref(target)
    return f"{API}/relation/{seg(name)}/from/{seg(st)}/{seg(sk)}/to/{seg(tt)}/{seg(tk)}"


def _qualifiers(source_status: str | None, source_version: int | None, target_status: str | None,
                target_version: int | None) -> dict[str, Any]:
    return params(sourceStatus=source_status, sourceVersion=source_version, targetStatus=target_status,
                  targetVersion=target_version)


# --- relations ----------------------------------------------------------------------------------

def relation_get(name: str, source: Ref, target: Ref, *, expand: list[str] | None = None,
                 source_status: str | None = None, source_version: int | None = None,
                 target_status: str | None = None, target_version: int | None = None) -> Call[Relation]:
    """The relation if it exists (NotFound otherwise)."""
    q = {**_qualifiers(source_status, source_version, target_status, target_version), **params(expand=expand)}
    return Call("GET", _relation_path(name, source, target), q)


def relation_exists(name: str, source: Ref, target: Ref, *, source_status: str | None = None,
                    source_version: int | None = None, target_status: str | None = None,
                    target_version: int | None = None) -> Call[bool]:
    """True if the relation exists, False if not (other errors still raise)."""
    return Call("GET", _relation_path(name, source, target),
                _qualifiers(source_status, source_version, target_status, target_version),
                parse=lambda body: body is not None, absent_ok=True)


def relation_put(name: str, source: Ref, target: Ref, *, expand: list[str] | None = None,
                 source_status: str | None = None, source_version: int | None = None,
                 target_status: str | None = None, target_version: int | None = None) -> Call[Relation]:
    """Create the relation (idempotent: an existing one is returned unchanged)."""
    q = {**_qualifiers(source_status, source_version, target_status, target_version), **params(expand=expand)}
    return Call("PUT", _relation_path(name, source, target), q)


def relation_delete(name: str, source: Ref, target: Ref, *, source_status: str | None = None,
                    source_version: int | None = None, target_status: str | None = None,
                    target_version: int | None = None) -> Call[None]:
    """Delete the relation (succeeds when it did not exist)."""
    return Call("DELETE", _relation_path(name, source, target),
                _qualifiers(source_status, source_version, target_status, target_version), parse=none)


def relation_targets(name: str, source: Ref, target_type: str, *, start: int = 0, limit: int = 25,
                     expand: list[str] | None = None, target_status: str | None = None,
                     target_version: int | None = None) -> Call[Page]:
    """Targets related to a source, newest first (Confluence refuses favourite/like: 501)."""
    st, sk = _ref(source)
    return Call("GET", f"{API}/relation/{seg(name)}/from/{seg(st)}/{seg(sk)}/to/{seg(target_type)}",
                params(start=start, limit=limit, expand=expand, targetStatus=target_status,
                       targetVersion=target_version))


def relation_sources(name: str, target: Ref, source_type: str, *, start: int = 0, limit: int = 25,
                     expand: list[str] | None = None, source_status: str | None = None,
                     source_version: int | None = None) -> Call[Page]:
    """Sources related to a target, newest first."""
    tt, tk = _ref(target)
    return Call("GET", f"{API}/relation/{seg(name)}/to/{seg(tt)}/{seg(tk)}/from/{seg(source_type)}",
                params(start=start, limit=limit, expand=expand, sourceStatus=source_status,
                       sourceVersion=source_version))


def relations_of_user(name: str, account_id: str = "current", *, target_type: str | None = None, limit: int = 25,
                      cursor: str | None = None) -> Call[UserRelationsPage]:
    """bondline extension: one user's relations of `name` (favourites too), newest first."""
    return Call("GET", f"/api/v1/users/{seg(account_id)}/relations/{seg(name)}",
                params(targetType=target_type, limit=limit, cursor=cursor))


# --- watches ------------------------------------------------------------------------------------

def _watch(kind: str, key: str) -> str:
    return f"{API}/user/watch/{kind}/{seg(key)}"


def _watch_params(account_id: str | None, content_type: str | None = None) -> dict[str, Any]:
    return params(accountId=account_id, contentType=content_type)


def _watching(body: Any) -> bool:
    return bool(body["watching"])


def watch_content_status(content_id: str | int, *, account_id: str | None = None) -> Call[bool]:
    """Whether the caller (or, for site admins, `account_id`) watches the content."""
    return Call("GET", _watch("content", str(content_id)), _watch_params(account_id), parse=_watching)


def watch_content(content_id: str | int, *, account_id: str | None = None) -> Call[None]:
    return Call("POST", _watch("content", str(content_id)), _watch_params(account_id), headers=XSRF, parse=none)


def unwatch_content(content_id: str | int, *, account_id: str | None = None) -> Call[None]:
    return Call("DELETE", _watch("content", str(content_id)), _watch_params(account_id), headers=XSRF, parse=none)


def watch_space_status(space_key: str, *, account_id: str | None = None,
                       content_type: str | None = None) -> Call[bool]:
    return Call("GET", _watch("space", space_key), _watch_params(account_id, content_type), parse=_watching)


def watch_space(space_key: str, *, account_id: str | None = None, content_type: str | None = None) -> Call[None]:
    return Call("POST", _watch("space", space_key), _watch_params(account_id, content_type), headers=XSRF,
                parse=none)


def unwatch_space(space_key: str, *, account_id: str | None = None, content_type: str | None = None) -> Call[None]:
    return Call("DELETE", _watch("space", space_key), _watch_params(account_id, content_type), headers=XSRF,
                parse=none)


def watch_label_status(label: str, *, account_id: str | None = None) -> Call[bool]:
    return Call("GET", _watch("label", label), _watch_params(account_id), parse=_watching)


def watch_label(label: str, *, account_id: str | None = None) -> Call[None]:
    return Call("POST", _watch("label", label), _watch_params(account_id), headers=XSRF, parse=none)


def unwatch_label(label: str, *, account_id: str | None = None) -> Call[None]:
    return Call("DELETE", _watch("label", label), _watch_params(account_id), headers=XSRF, parse=none)


def page_watchers(content_id: str | int, *, start: int = 0, limit: int = 200) -> Call[Page]:
    """Watches on a page (`WatchArray`)."""
    return Call("GET", f"{API}/content/{seg(content_id)}/notification/child-created", params(start=start, limit=limit))


def space_watchers(space_key: str, *, start: int = 0, limit: int = 200) -> Call[Page]:
    """Watchers of a space (`SpaceWatchArray`)."""
    return Call("GET", f"{API}/space/{seg(space_key)}/watch", params(start=start, limit=limit))


def space_watchers_of_page(content_id: str | int, *, start: int = 0, limit: int = 200) -> Call[Page]:
    """Watchers of the space a page is in (`SpaceWatchArray`)."""
    return Call("GET", f"{API}/content/{seg(content_id)}/notification/created", params(start=start, limit=limit))


# --- spaces -------------------------------------------------------------------------------------

def space_list(*, keys: list[str] | None = None, type: str | None = None, status: str | None = None,
               start: int = 0, limit: int = 25, expand: list[str] | None = None) -> Call[Page]:
    q = params(type=type, status=status, start=start, limit=limit, expand=expand)
    if keys:
        q["spaceKey"] = list(keys)
    return Call("GET", f"{API}/space", q)


def space_get(key: str, *, expand: list[str] | None = None) -> Call[Space]:
    return Call("GET", f"{API}/space/{seg(key)}", params(expand=expand))


def space_create(key: str, name: str, *, description: str | None = None, private: bool = False) -> Call[Space]:
    body: dict[str, Any] = {"key": key, "name": name}
    if description is not None:
        body["description"] = {"plain": {"value": description, "representation": "plain"}}
    return Call("POST", f"{API}/space/_private" if private else f"{API}/space", json=body)


def space_update(key: str, *, name: str | None = None, description: str | None = None,
                 status: str | None = None) -> Call[Space]:
    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = name
    if description is not None:
        body["description"] = {"plain": {"value": description, "representation": "plain"}}
    if status is not None:
        body["status"] = status
    return Call("PUT", f"{API}/space/{seg(key)}", json=body)


def space_delete(key: str) -> Call[LongTask]:
    return Call("DELETE", f"{API}/space/{seg(key)}")


# --- content ------------------------------------------------------------------------------------

def content_list(*, space_key: str | None = None, type: str = "page", title: str | None = None,
                 status: str | None = None, start: int = 0, limit: int = 25,
                 expand: list[str] | None = None) -> Call[Page]:
    return Call("GET", f"{API}/content", params(spaceKey=space_key, type=type, title=title, status=status,
                                                start=start, limit=limit, expand=expand))


def content_get(content_id: str | int, *, status: str | None = None, version: int | None = None,
                expand: list[str] | None = None) -> Call[Content]:
    return Call("GET", f"{API}/content/{seg(content_id)}", params(status=status, version=version, expand=expand))


def content_create(space_key: str, title: str, body: str = "", *, type: str = "page", status: str = "current",
                   parent_id: str | int | None = None, representation: str = "storage") -> Call[Content]:
    doc: dict[str, Any] = {"type": type, "title": title, "space": {"key": space_key}, "status": status,
                           "body": {representation: {"value": body, "representation": representation}}}
    if parent_id is not None:
        doc["ancestors"] = [{"id": str(parent_id)}]
    return Call("POST", f"{API}/content", json=doc)


def content_update(content_id: str | int, title: str, version: int, *, type: str = "page",
                   body: str | None = None, status: str | None = None, message: str = "",
                   representation: str = "storage") -> Call[Content]:
    """Update content; `version` must be the current version number plus one."""
    doc: dict[str, Any] = {"type": type, "title": title, "version": {"number": version, "message": message}}
    if body is not None:
        doc["body"] = {representation: {"value": body, "representation": representation}}
    if status is not None:
        doc["status"] = status
    return Call("PUT", f"{API}/content/{seg(content_id)}", json=doc)


def content_delete(content_id: str | int, *, purge: bool = False) -> Call[None]:
    """Trash current content; with purge=True, purge trashed content."""
    return Call("DELETE", f"{API}/content/{seg(content_id)}", params(status="trashed" if purge else None), parse=none)


def content_versions(content_id: str | int, *, start: int = 0, limit: int = 200) -> Call[Page]:
    return Call("GET", f"{API}/content/{seg(content_id)}/version", params(start=start, limit=limit))


def content_version(content_id: str | int, number: int) -> Call[dict[str, Any]]:
    """One version of a piece of content (`/content/{id}/version/{n}`)."""
    return Call("GET", f"{API}/content/{seg(content_id)}/version/{int(number)}")


def longtask(task_id: str) -> Call[LongTask]:
    """A long-running task (a space deletion) and how far it got."""
    return Call("GET", f"{API}/longtask/{seg(task_id)}")


# --- labels -------------------------------------------------------------------------------------

def _label_results(body: Any) -> list[Label]:
    return list(body["results"])


def label_list(content_id: str | int, *, prefix: str | None = None) -> Call[list[Label]]:
    return Call("GET", f"{API}/content/{seg(content_id)}/label", params(prefix=prefix), parse=_label_results)


def label_add(content_id: str | int, *names: str, prefix: str = "global") -> Call[list[Label]]:
    return Call("POST", f"{API}/content/{seg(content_id)}/label", json=[{"prefix": prefix, "name": n} for n in names],
                parse=_label_results)


def label_remove(content_id: str | int, name: str) -> Call[None]:
    return Call("DELETE", f"{API}/content/{seg(content_id)}/label", params(name=name), parse=none)


# --- users and health ---------------------------------------------------------------------------

def user_current() -> Call[User]:
    return Call("GET", f"{API}/user/current")


def user_get(account_id: str) -> Call[User]:
    return Call("GET", f"{API}/user", params(accountId=account_id))


def users_bulk(account_ids: list[str]) -> Call[Page]:
    """Several users at once (`/user/bulk?accountId=a,b`)."""
    return Call("GET", f"{API}/user/bulk", params(accountId=",".join(account_ids)))


# --- bondline's own API -----------------------------------------------------------------------------

def audit_entries(*, actor: str | None = None, object: str | None = None, object_prefix: str | None = None,
                  since: str | int | None = None, limit: int = 50, before: int | None = None) -> Call[Page]:
    """The audit trail, newest first (site admins): `results` and `_links.next` (`before` pages on)."""
    return Call("GET", "/api/v1/audit", params(actor=actor, object=object, objectPrefix=object_prefix, since=since,
                                               limit=limit, before=before))


def ready() -> Call[dict[str, Any]]:
    return Call("GET", "/readyz")
