"""Who may do what. Every authorization decision in bondline is made here.

Each rule is a pure function of the caller and the facts the service loaded (the object, the
caller's role in its space). Routes never check permissions themselves; services call these
rules before writing, so the same decision holds on every wire API.

Visibility follows Confluence: an object the caller may not see is reported as not found, so its
existence does not leak. Where Confluence answers 403 instead (the watch API), the service says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bondline.domain import restrictions
from bondline.domain.errors import Forbidden, NotFound
from bondline.domain.model import Caller, Content, Space, User
from bondline.domain.relations import PERSONAL
from bondline.domain.restrictions import Named
from bondline.domain.watches import accepts_xsrf_token

if TYPE_CHECKING:
    from bondline.domain.relations import RelationEnd

ADMIN = "admin"
MEMBER = "member"
SPACE_ROLES = (ADMIN, MEMBER)


# --- spaces -------------------------------------------------------------------------------------

def can_view_space(caller: Caller, space: Space, role: str | None) -> bool:
    """Open spaces are visible to every user; private ones to their members and site admins."""
    return caller.site_admin or not space.private or role is not None


def can_admin_space(caller: Caller, space: Space, role: str | None) -> bool:
    return caller.site_admin or role == ADMIN


def require_view_space(caller: Caller, space: Space, role: str | None) -> None:
    if not can_view_space(caller, space, role):
        raise NotFound(f"No space with key : {space.key}", reason="SPACE_NOT_FOUND")


def require_create_space(caller: Caller) -> None:
    """Every user of the site may create a space (Confluence's default 'Create Space' grant)."""


def can_view_task(caller: Caller, started_by: int) -> bool:
    """A long task (a space deletion) is visible to whoever started it and to site admins."""
    return caller.site_admin or started_by == caller.user_id


def require_grant_space_admin(caller: Caller | None) -> None:
    """Only a site admin grants space administration; `None` is the operator at the CLI."""
    if caller is not None and not caller.site_admin:
        raise Forbidden("Only a site administrator can grant space administration")


# --- content ------------------------------------------------------------------------------------

def _can_view_in_space(caller: Caller, content: Content) -> bool:
    """What decides once the caller sees the space: a draft is visible to its author (and to site
    admins) only."""
    return content.status != "draft" or caller.site_admin or content.created_by == caller.user_id


def can_view_content(caller: Caller, content: Content, space: Space, role: str | None, named: Named) -> bool:
    """The space lets the caller in, the draft rule does, and so does every read restriction at or
    above the content (`named.read`). Site admins see everything (bondline's recovery path for a
    page whose restrictions shut everyone else out)."""
    return can_view_space(caller, space, role) and _can_view_in_space(caller, content) \
        and (named.read or caller.site_admin)


def visible_ancestors(caller: Caller, ancestors: list[Content]) -> tuple[Content, ...]:
    """The ancestors of content the caller is shown that they may see. A parent is always in its
    child's space (the caller sees it) and its read restrictions govern the child too (the caller
    passes them), so only the draft rule hides one: another user's draft."""
    return tuple(a for a in ancestors if _can_view_in_space(caller, a))


def require_view_content(caller: Caller, content: Content, space: Space, role: str | None, named: Named) -> None:
    if not can_view_content(caller, content, space, role, named):
        raise NotFound(f"No content found with id : {content.id}", reason="CONTENT_NOT_FOUND")


def can_see_label(caller: Caller, carriers: Iterable[tuple[Content, Space, str | None, Named]]) -> bool:
    """A label exists only while content carries it; for the caller, only while content they can
    see does (each carrier with its space, the caller's role there and its restrictions). A label on
    nothing else is answered as one that does not exist, so its name does not leak what hidden
    content is about."""
    return any(can_view_content(caller, *carrier) for carrier in carriers)


def require_create_content(caller: Caller, space: Space | None, role: str | None, key: str) -> None:
    """Anyone who can see a space may add pages and blog posts to it. A space that does not exist,
    or that the caller cannot see, is refused with 403 (not 404), as Confluence answers."""
    if space is None or not can_view_space(caller, space, role):
        raise Forbidden(f"Space does not exist or you cannot create content in it: {key}")


def can_update_content(caller: Caller, content: Content, space: Space, role: str | None, named: Named) -> bool:
    return can_view_content(caller, content, space, role, named) and (named.update or caller.site_admin)


def require_update_content(caller: Caller, content: Content, space: Space, role: str | None, named: Named) -> None:
    """Editing takes seeing, and the content's update restriction (if any) naming the caller. Content
    the caller may read but not edit is answered 404, as Confluence Cloud answers an update of an
    edit-restricted page (and its document, an update of restrictions one may not change)."""
    require_view_content(caller, content, space, role, named)
    if not (named.update or caller.site_admin):
        raise NotFound(f"No content found with id : {content.id} that you can edit: its update restriction"
                       " does not name you", reason="CONTENT_NOT_FOUND")


def can_trash_content(caller: Caller, content: Content, space: Space, role: str | None, named: Named) -> bool:
    return can_update_content(caller, content, space, role, named) and (
        content.created_by == caller.user_id or can_admin_space(caller, space, role))


def require_trash_content(caller: Caller, content: Content, space: Space, role: str | None, named: Named) -> None:
    """Moving to the trash: the author, an administrator of the space, or a site admin — and the
    content's update restriction, like an edit."""
    require_update_content(caller, content, space, role, named)
    if content.created_by != caller.user_id and not can_admin_space(caller, space, role):
        raise Forbidden(
            f"User not permitted to delete content with id {content.id}: only its author or a space"
            " administrator can delete it"
        )


def require_purge_content(caller: Caller, content: Content, space: Space, role: str | None) -> None:
    """Purging from the trash is for space administrators (and site admins), as in Confluence."""
    require_view_space(caller, space, role)
    if not can_admin_space(caller, space, role):
        raise Forbidden(
            f"User not permitted to purge content with id {content.id}: space administrator"
            " permission is required"
        )


# --- restrictions -------------------------------------------------------------------------------

def require_change_restrictions(caller: Caller, content: Content, space: Space, role: str | None,
                                named: Named) -> None:
    """Restrictions are changed with permission to edit the content (the document's rule for every
    write under /restriction); pages and blog posts only."""
    require_update_content(caller, content, space, role, named)
    restrictions.require_restrictable(content.type, content.id)


def require_check_permission_for(caller: Caller, account_id: str | None) -> None:
    """POST /content/{id}/permission/check: anyone may check themselves; checking another user or a
    group takes the 'Confluence Administrator' permission (a site admin here)."""
    if account_id != caller.account_id and not caller.site_admin:
        raise Forbidden("Checking the permissions of another user or of a group needs the 'Confluence"
                        " Administrator' permission")


def user_permission_errors(subject: Caller, content: Content, space: Space, role: str | None, named: Named,
                           operation: str) -> list[str]:
    """Why user `subject` may not perform `operation` (read, update, delete) on the content, in the
    document's words — empty when they may."""
    if not can_view_space(subject, space, role):
        return ["User does not have permission to the space"]
    allowed = {"read": can_view_content, "update": can_update_content, "delete": can_trash_content}[operation]
    return [] if allowed(subject, content, space, role, named) else ["User does not have permission to the content"]


def group_permission_errors(content: Content, space: Space, named: Named, operation: str) -> list[str]:
    """The same for a group: bondline grants spaces to users (roles), so a group reaches an open
    space only; on content it needs every read restriction (and for update or delete, the update
    restriction) to name it. Deleting takes an author or a space administrator: no group is one."""
    if space.private:
        return ["Group does not have permission to the space"]
    ok = named.read and (operation == "read" or named.update) and operation != "delete" \
        and content.status != "draft"
    return [] if ok else ["Group does not have permission to the content"]


def listing_scope(caller: Caller) -> int | None:
    """Whose view a listing takes: None means everything (site admins), else the caller's user id
    (open spaces, private spaces they belong to, their own drafts)."""
    return None if caller.site_admin else caller.user_id


def require_update_space(caller: Caller, space: Space, role: str | None) -> None:
    """Renaming or describing a space takes its 'Admin' permission; others see 404 as in Confluence."""
    require_view_space(caller, space, role)
    if not can_admin_space(caller, space, role):
        raise NotFound(f"No space with key : {space.key} that you can administer", reason="SPACE_NOT_FOUND")


require_delete_space = require_update_space


def require_edit_space_properties(caller: Caller, space: Space, role: str | None) -> None:
    """Space properties are written with the space's 'Admin' permission: a caller who sees the space
    without it gets 403, one who does not see it 404 (Confluence's document for them)."""
    require_view_space(caller, space, role)
    if not can_admin_space(caller, space, role):
        raise Forbidden(f"User not permitted to change the properties of space {space.key}: the space's"
                        " 'Admin' permission is required")


# --- what a caller may do (v2's `operations`, v1's /permission/check) ------------------------------

def content_operations(caller: Caller, content: Content, space: Space, role: str | None,
                       named: Named) -> list[tuple[str, str]]:
    """What the caller may do to the content, as (operation, target type): the same rules as
    `user_permission_errors` (read, update, delete) and `require_change_restrictions`
    (restrict_content, pages and blog posts only). Empty when they may not even read it."""
    target = content.type
    if not can_view_content(caller, content, space, role, named):
        return []
    out = [("read", target)]
    if can_update_content(caller, content, space, role, named):
        out.append(("update", target))
        if can_trash_content(caller, content, space, role, named):
            out.append(("delete", target))
        if target in restrictions.RESTRICTABLE_TYPES:
            out.append(("restrict_content", target))
    return out


def space_operations(caller: Caller, space: Space, role: str | None) -> list[tuple[str, str]]:
    """What the caller may do in the space, as (operation, target type): see it, add pages, blog posts,
    comments and attachments to it (`require_create_content`), and with its 'Admin' permission
    administer, delete and purge (`require_update_space`, `require_purge_content`)."""
    if not can_view_space(caller, space, role):
        return []
    out = [("read", "space")] + [("create", t) for t in ("page", "blogpost", "comment", "attachment")]
    if can_admin_space(caller, space, role):
        out += [("administer", "space"), ("delete", "space"), ("restrict_content", "space"),
                ("purge", "page"), ("purge", "blogpost")]
    return out


def role_operations(role: str) -> list[tuple[str, str]]:
    """The space permissions a role in a space grants (v2's space permission assignments): a member
    sees the space and adds to it; an administrator also administers it."""
    member = [("read", "space")] + [("create", t) for t in ("page", "blogpost", "comment", "attachment")]
    if role == ADMIN:
        return member + [("administer", "space"), ("delete", "space"), ("restrict_content", "space"),
                         ("delete", "page"), ("delete", "blogpost"), ("purge", "page"), ("purge", "blogpost")]
    return member


# --- users --------------------------------------------------------------------------------------

def can_see_email(viewer: Caller, user: User) -> bool:
    """Whether `viewer` is shown `user`'s email address. Confluence Cloud returns a user's email only
    as their profile visibility allows — its document: "Depending on the user's privacy setting,
    this may return an empty string" (Atlassian's privacy migration guide: email visibility follows
    the profile's privacy settings). bondline keeps no visibility settings, so every email is as
    private as Atlassian lets a profile make it: shown to its owner only. Site admins get no
    exception: Confluence's REST API does not show them a hidden email either (Atlassian's
    CONFCLOUD-72205: org and site admins get no email through GET /user)."""
    return viewer.account_id == user.account_id


# --- relations ----------------------------------------------------------------------------------

def can_see_entity(caller: Caller, entity: RelationEnd) -> bool:
    if entity.ref.type in ("user", "label"):
        return True
    if entity.space is None:  # a space or content entity is loaded with its space
        return False
    if entity.content is not None:
        return can_view_content(caller, entity.content, entity.space, entity.role, entity.named)
    return can_view_space(caller, entity.space, entity.role)


def require_see_entity(caller: Caller, entity: RelationEnd) -> None:
    """An entity the caller may not see is reported as not found, as Confluence does."""
    if not can_see_entity(caller, entity):
        kind = entity.ref.type
        if kind == "space":
            raise NotFound(f"No space with key : {entity.ref.key}", reason="SPACE_NOT_FOUND")
        raise NotFound(f"No content found with id : {entity.ref.key}", reason="CONTENT_NOT_FOUND")


def _owner_of(name: str, source: RelationEnd) -> str | None:
    if name in PERSONAL and source.ref.type == "user":
        return source.ref.key
    return None


def _administers_target(caller: Caller, target: RelationEnd) -> bool:
    return target.space is not None and can_admin_space(caller, target.space, target.role)


def require_read_relation(caller: Caller, name: str, source: RelationEnd, target: RelationEnd) -> None:
    require_see_entity(caller, source)
    require_see_entity(caller, target)
    owner = _owner_of(name, source)
    if owner is not None and owner != caller.account_id and not caller.site_admin \
            and not _administers_target(caller, target):
        raise Forbidden(f"You cannot view another user's '{name}' relationships")


def require_create_relation(caller: Caller, name: str, source: RelationEnd, target: RelationEnd) -> None:
    """Anyone who can see both ends may relate them; a personal relation (favourite, like, watch)
    only for oneself, unless a site admin acts."""
    require_see_entity(caller, source)
    require_see_entity(caller, target)
    owner = _owner_of(name, source)
    if owner is not None and owner != caller.account_id and not caller.site_admin:
        raise Forbidden(f"You can only create your own '{name}' relationships")


def require_delete_relation(caller: Caller, name: str, source: RelationEnd, target: RelationEnd) -> None:
    """As the definitions say: the current user can only delete their own favourite relationships;
    a space administrator can delete favourite relationships of any user for the space or the
    content in it; a site admin may do anything."""
    require_see_entity(caller, source)
    require_see_entity(caller, target)
    owner = _owner_of(name, source)
    if owner is None or owner == caller.account_id or caller.site_admin:
        return
    if name == "favourite" and _administers_target(caller, target):
        return
    raise Forbidden(f"You can only delete your own '{name}' relationships"
                    + (" (or favourites in a space you administer)" if name == "favourite" else ""))


def require_list_targets(caller: Caller, name: str, source: RelationEnd) -> None:
    require_see_entity(caller, source)
    owner = _owner_of(name, source)
    if owner is not None and owner != caller.account_id and not caller.site_admin:
        raise Forbidden(f"You cannot list another user's '{name}' relationships")


def require_list_sources(caller: Caller, name: str, target: RelationEnd) -> None:
    require_see_entity(caller, target)


def require_list_own(caller: Caller, name: str, user: RelationEnd) -> None:
    """A user's personal relations (bondline's favourites listing) are theirs and site admins'."""
    if user.ref.key != caller.account_id and not caller.site_admin:
        raise Forbidden(f"You cannot list another user's '{name}' relationships")


def require_list_favourite_spaces(caller: Caller, account_id: str) -> None:
    """Listing spaces with `favourite=true`: the caller's own favourites, anyone's for a site admin."""
    if account_id != caller.account_id and not caller.site_admin:
        raise Forbidden("You cannot list another user's favourite spaces")


# --- watches ------------------------------------------------------------------------------------

def require_xsrf_token(header: str | None) -> None:
    """Confluence's XSRF protection of the watch writes (POST and DELETE): they need
    `X-Atlassian-Token: no-check` (or the older `nocheck`), otherwise 403."""
    if not accepts_xsrf_token(header):
        raise Forbidden("XSRF check failed: this operation needs the header 'X-Atlassian-Token: no-check'",
                        reason="XSRF_CHECK_FAILED")


def require_act_for(caller: Caller, account_id: str) -> None:
    """Watching on someone else's behalf takes the 'Confluence Administrator' permission."""
    if account_id != caller.account_id and not caller.site_admin:
        raise Forbidden("A user can only be specified by a Confluence administrator")


def require_watchable(caller: Caller, entity: RelationEnd) -> None:
    """The watch API reports anything the caller cannot see as if it did not exist — with 403."""
    if not can_see_entity(caller, entity):
        kind = entity.ref.type
        raise Forbidden(f"No {'content' if kind == 'content' else kind} exists for the specified "
                        f"{'contentId' if kind == 'content' else kind + 'Key'}")


# --- Reltio tenants (rules in bondline.domain.reltio.access) ------------------------------------

from bondline.domain.reltio import access as _reltio  # noqa: E402

RELTIO_DIRECT = _reltio.DIRECT
RELTIO_STAGE = _reltio.STAGE
reltio_can_accept = _reltio.can_accept
reltio_can_read = _reltio.can_read
reltio_require = _reltio.require
reltio_require_accept = _reltio.require_accept
reltio_require_review = _reltio.require_review
reltio_require_start_review = _reltio.require_start_review
reltio_require_add_to_change_request = _reltio.require_add_to_change_request
reltio_require_configure = _reltio.require_configure
reltio_require_read_activities = _reltio.require_read_activities
reltio_require_log_activity = _reltio.require_log_activity
reltio_require_create_interaction = _reltio.require_create_interaction
reltio_require_initiate = _reltio.require_initiate
reltio_require_manage_change_request = _reltio.require_manage_change_request
reltio_require_member = _reltio.require_member
reltio_require_merge = _reltio.require_merge
reltio_require_mark_match = _reltio.require_mark_match
reltio_require_read = _reltio.require_read
reltio_require_update_existing = _reltio.require_update_existing
reltio_write_route = _reltio.write_route


# --- operations ---------------------------------------------------------------------------------

def require_site_admin(caller: Caller, what: str) -> None:
    """The audit trail, webhooks and other site-wide administration: site admins only."""
    if not caller.site_admin:
        raise Forbidden(f"Only a site administrator can {what}")


def require_manage_groups(caller: Caller) -> None:
    """Creating and deleting groups and changing their members: site admins, as in Confluence Cloud."""
    require_site_admin(caller, "manage groups")


def require_manage_webhooks(caller: Caller, what: str) -> None:
    """Webhooks receive every watcher's events site-wide (and are signed with secrets shown to whoever
    registers them): registering, listing, removing them and replaying deliveries is for site admins."""
    require_site_admin(caller, what)
