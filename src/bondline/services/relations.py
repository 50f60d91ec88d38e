"""Relations: check, create, delete and list, with Confluence's permission rules.

Each entity a request names is looked up (404 when it does not exist or the caller may not see
it), the domain decides whether the caller may do what they ask, and the store commits.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain import relations as rel
from bondline.domain.audit import Actor, Change, record_of, relation_object
from bondline.domain.errors import NotFound, Unsupported
from bondline.domain.model import Caller, User
from bondline.domain.relations import CONFLUENCE, EntityRef, Relation, RelationEnd
from bondline.store import Store
from bondline.store.repos.content import Loaded
from bondline.store.unit import Tx

NS = CONFLUENCE


@dataclasses.dataclass(slots=True)
class RelationView:
    relation: Relation
    source: RelationEnd
    target: RelationEnd
    creator: User | None


async def resolve(tx: Tx, caller: Caller, ref: EntityRef) -> RelationEnd:
    """Look an entity up as the request names it; NotFound when it does not exist. Whether the
    caller may see it is for `access` to decide."""
    if ref.type == "user":
        if ref.key == "current" or ref.key == caller.account_id:
            return RelationEnd(EntityRef("user", caller.account_id), user=caller.as_user())
        user = await tx.users.by_account_id(ref.key)
        if user is None:
            raise NotFound(f"No user found with accountId : {ref.key}", reason="USER_NOT_FOUND")
        return RelationEnd(ref, user=user)
    if ref.type == "space":
        space = await tx.spaces.by_key(ref.key)
        if space is None:
            raise NotFound(f"No space with key : {ref.key}", reason="SPACE_NOT_FOUND")
        role = await tx.spaces.role_of(space.id, caller.user_id)
        return RelationEnd(ref, space=space, role=role)
    if ref.type == "label":
        return RelationEnd(ref, label=ref.key)
    found = await tx.content.with_space(int(ref.key), caller.user_id)
    return await _content_entity(tx, ref, found)


async def _content_entity(tx: Tx, ref: EntityRef, found: Loaded | None) -> RelationEnd:
    """A piece of content as `ref` names it, from its row, its space, the caller's role there and how
    its restrictions stand for the caller."""
    if found is None:
        raise NotFound(f"No content found with id : {ref.key}", reason="CONTENT_NOT_FOUND")
    content, space, role, named = found
    version = None
    if ref.status == "historical":
        assert ref.version is not None
        if ref.version >= content.version or content.status == "draft":
            raise NotFound(f"No historical version {ref.version} of content {ref.key} (its current version"
                           f" is {content.version})", reason="VERSION_NOT_FOUND")
        version = await tx.content.version(content.id, ref.version)
        if version is None:
            raise NotFound(f"No version {ref.version} of content {ref.key}", reason="VERSION_NOT_FOUND")
    elif ref.status != content.status:
        raise NotFound(f"No content found with id : {ref.key} and status {ref.status}",
                       reason="CONTENT_NOT_FOUND")
    return RelationEnd(ref, space=space, content=content, version=version, role=role, named=named)


async def _entity_from_row(tx: Tx, caller: Caller, kind: str, stored_key: str,
                           content: dict[int, Any]) -> RelationEnd | None:
    """The entity at one end of a stored relation, as it is now (None if it has gone). Content is
    looked up in `content` (loaded for the whole page at once by `_views`)."""
    key, version = rel.parse_stored_key(kind, stored_key)
    try:
        if kind == "content":
            found = content.get(int(key))
            if found is None:
                return None
            status = "historical" if version is not None else found[0].status
            return await _content_entity(tx, EntityRef(kind, key, status, version), found)
        return await resolve(tx, caller, EntityRef(kind, key))
    except NotFound:
        return None


def _needs_no_lookup(caller: Caller, ref: EntityRef) -> bool:
    """The caller themself: `resolve` answers from the caller, without the store."""
    return ref.type == "user" and (ref.key == "current" or ref.key == caller.account_id)


async def _creator(tx: Tx, relation: Relation) -> User | None:
    return await tx.users.by_account_id(relation.created_by)


def _check_shape(name: str, source: EntityRef, target: EntityRef) -> None:
    rel.validate_name(name)
    rel.validate_shape(name, source.type, target.type)


async def get(store: Store, caller: Caller, name: str, source: EntityRef, target: EntityRef, *,
              with_data: bool = True) -> RelationView:
    """The relation (NotFound when absent). Without `with_data` only its existence is checked: the
    view carries no creation data and no creator (what a plain check renders)."""
    _check_shape(name, source, target)
    async with store.read() as tx:
        if _needs_no_lookup(caller, source) and target.type == "content":
            # The common check (the caller's favourite, like or watch of a page): one round trip for
            # the page, its space, the caller's role and the relation. Nothing about the relation is
            # used before access to both ends is decided.
            src = await resolve(tx, caller, source)
            key = (NS, name, src.ref.type, src.ref.stored_key, target.type, target.stored_key)
            row, relation = await tx.relations.get_with_content(int(target.key), caller.user_id, *key)
            dst = await _content_entity(tx, target, row)
            access.require_read_relation(caller, name, src, dst)
            found: Any = relation if with_data or relation is None else relation.id
        else:
            src = await resolve(tx, caller, source)
            dst = await resolve(tx, caller, target)
            access.require_read_relation(caller, name, src, dst)
            key = (NS, name, src.ref.type, src.ref.stored_key, dst.ref.type, dst.ref.stored_key)
            found = await tx.relations.get(*key) if with_data else await tx.relations.find_id(*key)
        if found is None:
            raise NotFound(f"No '{name}' relationship from {source.type} {src.ref.key} to {target.type}"
                           f" {dst.ref.stored_key}", reason="RELATION_NOT_FOUND")
        if not with_data:
            return RelationView(Relation(found, *key, 0, 0, "", 0, ""), src, dst, None)
        creator = caller.as_user() if found.created_by == caller.account_id else await _creator(tx, found)
    return RelationView(found, src, dst, creator)


async def put(store: Store, caller: Caller, name: str, source: EntityRef, target: EntityRef) -> RelationView:
    """Create the relation; putting one that exists returns it unchanged."""
    _check_shape(name, source, target)
    rel.require_writable(name)
    async with store.write(Actor.of(caller)) as tx:
        src = await resolve(tx, caller, source)
        dst = await resolve(tx, caller, target)
        access.require_create_relation(caller, name, src, dst)
        created, new = await tx.relations.put(
            NS, name, src.ref.type, src.ref.stored_key, dst.ref.type, dst.ref.stored_key,
            source_scope=src.scope, target_scope=dst.scope, by=caller.account_id, now=ids.now_ms())
        if new:
            tx.record(Change(_action(name, "create"), _object(created), None, record_of(created)))
        creator = caller.as_user() if created.created_by == caller.account_id else await _creator(tx, created)
    return RelationView(created, src, dst, creator)


async def delete(store: Store, caller: Caller, name: str, source: EntityRef, target: EntityRef) -> bool:
    """Delete the relation; deleting one that does not exist succeeds too (returns False)."""
    _check_shape(name, source, target)
    rel.require_writable(name)
    async with store.write(Actor.of(caller)) as tx:
        src = await resolve(tx, caller, source)
        dst = await resolve(tx, caller, target)
        access.require_delete_relation(caller, name, src, dst)
        gone = await tx.relations.delete_returning(NS, name, src.ref.type, src.ref.stored_key, dst.ref.type,
                                                   dst.ref.stored_key)
        if gone is not None:
            tx.record(Change(_action(name, "delete"), _object(gone), record_of(gone)))
        return gone is not None


def _action(name: str, verb: str) -> str:
    """Audit action names: watches are watches, everything else a relation."""
    if name == "watch":
        return "watch.add" if verb == "create" else "watch.remove"
    return f"relation.{verb}"


def _object(r: Relation) -> str:
    return relation_object(r.namespace, r.name, r.source_type, r.source_key, r.target_type, r.target_key)


def _status_filter(status: str | None, version: int | None) -> tuple[bool | None, int | None]:
    if status == "historical":
        return True, version
    if status is None:
        return None, None
    return False, None


def _active(entity: RelationEnd, status: str | None) -> bool:
    """Whether a listed end is shown: content in the status asked for; without one, anything but
    trashed content (its relations stay, but are not active until it is restored)."""
    if entity.content is None or entity.version is not None:
        return True
    current = entity.content.status
    if status in ("current", "draft", "trashed"):
        return current == status
    return current != "trashed"


async def _views(tx: Tx, caller: Caller, rows: list[Relation], fixed: RelationEnd, direction: str,
                 status: str | None) -> list[RelationView]:
    """A page of relations as views. The other ends' content and the creators are loaded for the
    whole page in two statements, not two per row (both answered by the read cache while nothing
    has been committed), and each row's stored key is parsed once."""
    forward = direction == "forward"
    ends = [(row.target_type, row.target_key) if forward else (row.source_type, row.source_key) for row in rows]
    parsed = [rel.parse_stored_key(kind, key) for kind, key in ends]
    content_ids = {int(key) for (kind, _), (key, _) in zip(ends, parsed, strict=True) if kind == "content"}
    content = await tx.content.with_space_many(content_ids, caller.user_id)
    me = caller.account_id
    creators = await tx.users.by_account_ids({row.created_by for row in rows if row.created_by != me})
    myself = caller.as_user()
    views = []
    for row, (kind, stored), (key, version) in zip(rows, ends, parsed, strict=True):
        other: RelationEnd | None
        if kind == "content" and version is None:
            # Current content, the common end: its row is in `content` (None: it has gone), and
            # nothing else needs the store (`_content_entity` without a version to look up).
            found = content.get(int(key))
            if found is None:
                continue
            page, space, role, named = found
            other = RelationEnd(EntityRef(kind, key, page.status, None), space=space, content=page, role=role,
                                named=named)
        else:
            other = await _entity_from_row(tx, caller, kind, stored, content)
        if other is None or not access.can_see_entity(caller, other) or not _active(other, status):
            continue
        creator = myself if row.created_by == me else creators.get(row.created_by)
        source, target = (fixed, other) if forward else (other, fixed)
        views.append(RelationView(row, source, target, creator))
    return views


async def list_targets(store: Store, caller: Caller, name: str, source: EntityRef, target_type: str,
                       target_status: str | None, target_version: int | None, start: int,
                       limit: int) -> tuple[list[RelationView], bool]:
    """Targets related to a source, newest first; returns the page and whether more may follow."""
    rel.validate_name(name)
    rel.validate_type(target_type, "target")
    if name in rel.UNLISTABLE:
        raise Unsupported(f"Listing '{name}' relationships is not supported by this endpoint")
    _validate_list_status(target_type, target_status, target_version, "target")
    async with store.read() as tx:
        src = await resolve(tx, caller, source)
        access.require_list_targets(caller, name, src)
        historical, version = _status_filter(target_status, target_version)
        rows = await tx.relations.listing(
            direction="forward", ns=NS, name=name, kind=src.ref.type, key=src.ref.stored_key,
            other_type=target_type, viewer=access.listing_scope(caller), historical=historical,
            version=version, offset=start, limit=limit)
        return await _views(tx, caller, rows, src, "forward", target_status), len(rows) == limit


async def list_sources(store: Store, caller: Caller, name: str, target: EntityRef, source_type: str,
                       source_status: str | None, source_version: int | None, start: int,
                       limit: int, *, own_endpoint: bool = False) -> tuple[list[RelationView], bool]:
    """Sources related to a target, newest first. `own_endpoint`: for an API with an endpoint of its
    own for the relation (v2's `/likes/users`), where the generic listing refuses it."""
    rel.validate_name(name)
    rel.validate_type(source_type, "source")
    if name in rel.UNLISTABLE and not own_endpoint:
        raise Unsupported(f"Listing '{name}' relationships is not supported by this endpoint")
    _validate_list_status(source_type, source_status, source_version, "source")
    async with store.read() as tx:
        dst = await resolve(tx, caller, target)
        access.require_list_sources(caller, name, dst)
        historical, version = _status_filter(source_status, source_version)
        rows = await tx.relations.listing(
            direction="reverse", ns=NS, name=name, kind=dst.ref.type, key=dst.ref.stored_key,
            other_type=source_type, viewer=access.listing_scope(caller), historical=historical,
            version=version, offset=start, limit=limit)
        return await _views(tx, caller, rows, dst, "reverse", source_status), len(rows) == limit


async def count_sources(store: Store, caller: Caller, name: str, target: EntityRef, source_type: str) -> int:
    """How many sources are related to a target (v2's `/likes/count`): as `list_sources` lists them
    (`own_endpoint`), counted."""
    rel.validate_name(name)
    rel.validate_type(source_type, "source")
    async with store.read() as tx:
        dst = await resolve(tx, caller, target)
        access.require_list_sources(caller, name, dst)
        return await tx.relations.count(direction="reverse", ns=NS, name=name, kind=dst.ref.type,
                                        key=dst.ref.stored_key, other_type=source_type,
                                        viewer=access.listing_scope(caller))


def _validate_list_status(kind: str, status: str | None, version: int | None, side: str) -> None:
    if kind != "content":
        return
    # Reuse the single-entity rules on a placeholder key.
    rel.entity_ref("content", "1", status, version, side)


async def page_of_user(store: Store, caller: Caller, account_id: str, name: str, target_type: str | None,
                       before: int | None, limit: int) -> tuple[list[RelationView], int | None]:
    """bondline's extension: a user's relations of one name (favourites included), newest first,
    paginated with a cursor. Returns the page and the cursor for the next one (None at the end)."""
    rel.validate_name(name)
    if target_type is not None:
        rel.validate_type(target_type, "target")
    source = EntityRef("user", account_id)
    async with store.read() as tx:
        src = await resolve(tx, caller, source)
        access.require_list_own(caller, name, src)
        rows = await tx.relations.listing(
            direction="forward", ns=NS, name=name, kind="user", key=src.ref.key, other_type=target_type,
            viewer=access.listing_scope(caller), before=before if before is not None else 2**62, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        views = await _views(tx, caller, rows, src, "forward", None)
    return views, (rows[-1].id if more and rows else None)
