"""Who may do what on a Reltio tenant. `bondline.domain.access` re-exports these rules, so every
authorization decision stays in the domain's access module family and routes never decide.

Rules:
- no role on a tenant: every request is refused (403, Reltio's error 804);
- reading objects and change requests needs READ;
- a write goes straight to the objects when the caller holds its right (CREATE, UPDATE, DELETE) and
  did not ask for a change request; it is staged in a change request when the request names one
  (`changeRequestId`) or asks for a new one (`alwaysCreateDCR=true`), or — automatically — when the
  caller lacks the right but holds READ and INITIATE_CHANGE_REQUEST; staging needs
  INITIATE_CHANGE_REQUEST;
- applying and rejecting a change request need ACCEPT_CHANGE_REQUEST (the review inbox offers its
  Apply and Reject buttons exactly when `can_accept` says so; its forms still go through the same
  services, which require it again);
- approving or rejecting a change request through its review task (the Workflow API) needs the
  same, and the reviewer may not be the request's author (`require_review`);
- starting a change request's review process needs INITIATE_CHANGE_REQUEST or
  ACCEPT_CHANGE_REQUEST (`require_start_review`); reassigning a review task or cancelling its
  process needs ACCEPT_CHANGE_REQUEST; reading tasks, processes and comments, and commenting, READ;
- deleting a change request, one of its items, or editing its external info: its creator (while
  they may still initiate) or a reviewer (ACCEPT_CHANGE_REQUEST);
- adding items to an existing change request (`changeRequestId` on any write): the same people —
  its creator or a reviewer — who must also be allowed to stage (INITIATE_CHANGE_REQUEST);
- replacing the tenant's types needs CONFIGURE (ROLE_ADMIN_TENANT, site admins);
- the activity log (what changed on the tenant, by whom) and interactions are read with READ; any
  member who may read logs their own activities (Reltio lets every user of a tenant log
  activities); creating interactions needs CREATE.
"""

from __future__ import annotations

from bondline.domain.reltio import roles as r
from bondline.domain.reltio.errors import forbidden

DIRECT, STAGE = "direct", "stage"


def require_member(perms: frozenset[str]) -> None:
    if not perms:
        raise forbidden()


def require(perms: frozenset[str], right: str) -> None:
    if right not in perms:
        raise forbidden()


def require_read(perms: frozenset[str]) -> None:
    require(perms, r.READ)


def write_route(perms: frozenset[str], right: str, change_request_id: str | None, always_create: bool) -> str:
    """DIRECT or STAGE for a write needing `right` (CREATE, UPDATE or DELETE)."""
    require_read(perms)
    if change_request_id is not None or always_create:
        require(perms, r.INITIATE)
        return STAGE
    if right in perms:
        return DIRECT
    if r.INITIATE in perms:
        return STAGE
    raise forbidden()


def require_update_existing(perms: frozenset[str], route: str) -> None:
    """A posted object that matches a stored one (by crosswalk) updates it: done at once, that takes
    UPDATE as well as the CREATE the post was routed by; staged, the staging rule already held."""
    if route == DIRECT:
        require(perms, r.UPDATE)


def require_initiate(perms: frozenset[str]) -> None:
    require_read(perms)
    require(perms, r.INITIATE)


def can_read(perms: frozenset[str]) -> bool:
    """May see the tenant's objects and change requests (the tenants a review inbox lists)."""
    return r.READ in perms


def can_accept(perms: frozenset[str]) -> bool:
    """May apply and reject change requests."""
    return r.READ in perms and r.ACCEPT in perms


def require_accept(perms: frozenset[str]) -> None:
    require_read(perms)
    require(perms, r.ACCEPT)


def require_review(perms: frozenset[str], author: str, caller_name: str) -> None:
    """Approve or reject a change request in its review task: a reviewer (ACCEPT_CHANGE_REQUEST),
    and never its author — a review is someone else's (403, error 804)."""
    require_accept(perms)
    if author == caller_name:
        raise forbidden()


def require_start_review(perms: frozenset[str]) -> None:
    """Start a change request's review process (the Workflow API): whoever may stage change
    requests (INITIATE_CHANGE_REQUEST) or accept them."""
    require_read(perms)
    if r.INITIATE not in perms and r.ACCEPT not in perms:
        raise forbidden()


def require_manage_change_request(perms: frozenset[str], creator: str, caller_name: str) -> None:
    """Delete a change request or an item, or change its external info."""
    require_read(perms)
    if r.ACCEPT in perms:
        return
    if r.INITIATE in perms and creator == caller_name:
        return
    raise forbidden()


def require_add_to_change_request(perms: frozenset[str], creator: str, caller_name: str) -> None:
    """Stage items into an existing change request (`changeRequestId`), once `write_route` has
    already required INITIATE_CHANGE_REQUEST. Reltio's API reference says nothing of who may name a
    change request; its role documentation splits change-request rights into "personal change
    requests" (the suggesting role's) and "all change requests" (the reviewing role's). So: the
    creator, or a reviewer — exactly who may already delete the request or edit its external info
    (`require_manage_change_request`), refused the same way (403, error 804). Letting any initiator
    write into a request they may not delete would put their changes under someone else's name."""
    require_manage_change_request(perms, creator, caller_name)


def require_configure(perms: frozenset[str]) -> None:
    require(perms, r.CONFIGURE)


def require_read_activities(perms: frozenset[str]) -> None:
    require_read(perms)


def require_log_activity(perms: frozenset[str]) -> None:
    require_read(perms)


def require_create_interaction(perms: frozenset[str]) -> None:
    require(perms, r.CREATE)


def require_merge(perms: frozenset[str]) -> None:
    """Merging and unmerging change and remove entities: READ, UPDATE and DELETE (a merge's loser
    stops standing alone; an unmerge takes a contributor's data from the entity it is in)."""
    require_read(perms)
    require(perms, r.UPDATE)
    require(perms, r.DELETE)


def require_mark_match(perms: frozenset[str]) -> None:
    """Marking (or unmarking) two entities as not a match: READ and UPDATE."""
    require_read(perms)
    require(perms, r.UPDATE)
