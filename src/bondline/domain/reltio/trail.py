"""What a Reltio change leaves in the audit trail: the entries for tenants, entities, relations and
change requests, built from the objects as they were and as they are. Use cases hand them to their
unit of work (`Tx.record`), which writes them at commit with the actor it acts for.

Objects are named by their path under the tenant (``reltio/acme/entities/0001dE9``,
``reltio/acme/relations/0002Xy``, ``reltio/acme/changeRequests/0003Ab``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bondline.domain.audit import Change, record_of
from bondline.domain.reltio.changes import ChangeRequest, Item
from bondline.domain.reltio.objects import ReltioEntity, ReltioRelation

STAGED_LISTED = 1000  # items a staging entry lists (with the count of all)


def tenant_created(tenant: str) -> Change:
    return Change("tenant.create", f"reltio/{tenant}")


def role_granted(tenant: str, user_id: int, role: str) -> Change:
    return Change("tenant.grant", f"reltio/{tenant}/roles/{user_id}", None, {"user_id": user_id, "role": role})


def roles_revoked(tenant: str, user_id: int, count: int) -> Change:
    return Change("tenant.revoke", f"reltio/{tenant}/roles/{user_id}", {"user_id": user_id, "roles": count})


def types_replaced(tenant: str, before: list[tuple[str, str, str]], after: list[tuple[str, str, str]]) -> Change:
    return Change("tenant.types", f"reltio/{tenant}/configuration", [list(r) for r in before] or None,
                  [list(r) for r in after])


# --- entities and relations -----------------------------------------------------------------------

def entities_created(entities: Iterable[ReltioEntity]) -> list[Change]:
    return [Change("entity.create", f"reltio/{e.tenant}/{e.uri}", None, record_of(e)) for e in entities]


def entities_updated(pairs: Iterable[tuple[ReltioEntity | None, ReltioEntity]]) -> list[Change]:
    """(as it was, as it is) for each updated entity."""
    return [Change("entity.update", f"reltio/{e.tenant}/{e.uri}", record_of(before), record_of(e))
            for before, e in pairs]


def entity_deleted(before: ReltioEntity) -> Change:
    return Change("entity.delete", f"reltio/{before.tenant}/{before.uri}", record_of(before))


def _relation_doc(rel: ReltioRelation | None) -> dict[str, Any] | None:
    doc = record_of(rel)
    if doc is not None:
        doc.pop("row_id", None)  # where it is stored, not what it is
    return doc


def relations_created(relations: Iterable[ReltioRelation]) -> list[Change]:
    return [Change("reltio.relation.create", f"reltio/{r.tenant}/relations/{r.id}", None, _relation_doc(r))
            for r in relations]


def relations_updated(pairs: Iterable[tuple[ReltioRelation | None, ReltioRelation]]) -> list[Change]:
    """(as it was, as it is) for each updated relation."""
    return [Change("reltio.relation.update", f"reltio/{r.tenant}/relations/{r.id}", _relation_doc(before),
                   _relation_doc(r)) for before, r in pairs]


def relations_moved(pairs: Iterable[tuple[ReltioRelation, ReltioRelation]]) -> list[Change]:
    """Relations whose ends changed (a merge, an unmerge): what moved, not the whole documents
    again (a merge moves thousands)."""
    return [Change("reltio.relation.update", f"reltio/{r.tenant}/relations/{r.id}",
                   {"startObject": f"entities/{before.start_id}", "endObject": f"entities/{before.end_id}"},
                   {"startObject": f"entities/{r.start_id}", "endObject": f"entities/{r.end_id}"})
            for before, r in pairs]


def relations_deleted(relations: Iterable[ReltioRelation]) -> list[Change]:
    return [Change("reltio.relation.delete", f"reltio/{r.tenant}/relations/{r.id}", _relation_doc(r))
            for r in relations]


# --- change requests ------------------------------------------------------------------------------

def _request_path(tenant: str, request_id: str) -> str:
    return f"reltio/{tenant}/changeRequests/{request_id}"


def request_created(cr: ChangeRequest) -> Change:
    return Change("dcr.create", _request_path(cr.tenant, cr.id), None, record_of(cr))


def request_changed(before: ChangeRequest, after: ChangeRequest) -> Change:
    """`dcr.update`, or `dcr.applied` / `dcr.rejected` when its state moved."""
    action = "dcr.update" if before.state == after.state else f"dcr.{after.state.lower()}"
    return Change(action, _request_path(after.tenant, after.id), record_of(before), record_of(after))


def request_deleted(before: ChangeRequest) -> Change:
    return Change("dcr.delete", _request_path(before.tenant, before.id), record_of(before))


def items_staged(tenant: str, items: list[Item]) -> Change:
    """One entry per staging call: the items it added (their ids, types and objects; at most the
    first STAGED_LISTED listed, with the count)."""
    return Change("dcr.stage", _request_path(tenant, items[0].request_id), None,
                  {"count": len(items), "items": [{"id": it.id, "type": it.type, "object": it.object_uri}
                                                  for it in items[:STAGED_LISTED]]})


def item_deleted(tenant: str, item: Item) -> Change:
    return Change("dcr.item.delete", _request_path(tenant, item.request_id), record_of(item))


# --- workflow (docs/decisions/0025-reltio-workflow.md) ----------------------------------------------

def _process_path(tenant: str, process_id: str) -> str:
    return f"reltio/{tenant}/workflow/processInstances/{process_id}"


def _task_path(tenant: str, task_id: str) -> str:
    return f"reltio/{tenant}/workflow/tasks/{task_id}"


def process_started(process: Any, task: Any) -> list[Change]:
    return [Change("workflow.process.start", _process_path(process.tenant, process.id), None, record_of(process)),
            Change("workflow.task.create", _task_path(task.tenant, task.id), None, record_of(task))]


def process_ended(before: Any, after: Any) -> Change:
    """`workflow.process.complete` or `workflow.process.cancel`."""
    verb = "cancel" if after.state == "cancelled" else "complete"
    return Change(f"workflow.process.{verb}", _process_path(after.tenant, after.id), record_of(before),
                  record_of(after))


def task_changed(before: Any, after: Any) -> Change:
    """`workflow.task.complete` (closed, by an action or none) or `workflow.task.reassign`."""
    verb = "complete" if before.state != after.state else "reassign"
    return Change(f"workflow.task.{verb}", _task_path(after.tenant, after.id), record_of(before), record_of(after))


def comment_added(comment: Any) -> Change:
    return Change("workflow.comment.create", _process_path(comment.tenant, comment.process_id), None,
                  record_of(comment))
