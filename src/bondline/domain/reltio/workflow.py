"""Reltio's workflow: the data change request review process and its task
(docs/decisions/0025-reltio-workflow.md). Pure: no I/O.

A *process instance* of type ``dataChangeRequestReview`` is started for one change request (its
`objectURIs` name ``changeRequests/{id}``, and may name the objects the request touches). Starting it
opens one *task* (``dcrReview``) assigned to one of the tenant's reviewers. A task action —
``Approve`` or ``Reject`` — applies or rejects the change request and closes the task and its
process; cancelling the process (DELETE) closes the task with no action. Applying or rejecting the
change request through the data API closes its open task the same way (`close`, action None).

Rules decided here: which process types exist, who may be assigned (`possible_assignees`: members
whose roles may accept change requests, never the request's own author), whom a new task goes to
(`pick_assignee`: the possible assignee with the fewest open tasks, then by name), which actions a
task takes, and that a closed task takes none (409).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from bondline.domain.errors import Conflict, Invalid, NotFound
from bondline.domain.reltio import access
from bondline.domain.reltio import roles as r

DCR_REVIEW = "dataChangeRequestReview"
PROCESS_TYPES: dict[str, str] = {DCR_REVIEW: "Data Change Request Review"}  # type -> display name
TASK_TYPE = "dcrReview"
TASK_DISPLAY_NAME = "DCR Review"
APPROVE, REJECT = "Approve", "Reject"
ACTIONS: dict[str, str] = {APPROVE: "Approve", REJECT: "Reject"}  # action -> label
PREFERRED = APPROVE
DUE_DAYS = 7  # Reltio's DCR review task is due in P7D (the process definition's activiti:dueDate)
DAY_MS = 86_400_000
PRIORITY = 50
PRIORITY_CLASS = "Medium"
PRIORITY_CLASSES = ("Urgent", "High", "Medium", "Low")

ACTIVE, COMPLETED, CANCELLED = "active", "completed", "cancelled"
OPEN, CLOSED = "open", "closed"

MAX_URIS = 100  # objectURIs in a start or a filter
MAX_COMMENT = 4_000  # characters
MAX_NAME = 255
ORDER_BY = ("createTime", "assignee", "dueDate", "priority")


@dataclasses.dataclass(frozen=True, slots=True)
class Process:
    tenant: str
    id: str
    process_type: str
    object_uris: tuple[str, ...]
    change_request_id: str | None
    state: str
    created_at: int
    created_by: str
    ended_at: int | None = None

    @property
    def definition_id(self) -> str:
        return f"{self.process_type}:1:1"


@dataclasses.dataclass(frozen=True, slots=True)
class Task:
    tenant: str
    id: str
    process_id: str
    process_type: str
    task_type: str
    object_uris: tuple[str, ...]
    assignee: str | None
    state: str
    created_at: int
    created_by: str
    due_at: int
    action: str | None = None
    closed_at: int | None = None
    closed_by: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Comment:
    tenant: str
    id: str
    process_id: str
    message: str
    author: str
    time: int


@dataclasses.dataclass(frozen=True, slots=True)
class TaskFilter:
    """Retrieve Tasks' body (every field optional). `assignee` "none": unassigned tasks."""

    assignee: str | None = None
    created_by: str | None = None
    process_instance_id: str | None = None
    process_types: tuple[str, ...] = ()
    task_type: str | None = None
    created_before: int | None = None
    created_after: int | None = None
    suspended: bool | None = None
    priority_class: str | None = None
    object_uris: tuple[str, ...] = ()
    order_by: str = "createTime"
    ascending: bool = False


# --- errors (rendered in the workflow envelope) ---------------------------------------------------

def task_not_found(task_id: str) -> NotFound:
    return NotFound(f"Task with id {task_id[:64]} not found", reason="TASK_NOT_FOUND")


def process_not_found(process_id: str) -> NotFound:
    return NotFound(f"Process instance with id {process_id[:64]} not found", reason="PROCESS_INSTANCE_NOT_FOUND")


def unknown_process_type(process_type: str) -> Invalid:
    return Invalid(f"Process definition with type {process_type[:80]!r} not found; known types: "
                   f"{', '.join(PROCESS_TYPES)}", reason="PROCESS_TYPE_NOT_FOUND")


def require_open(task: Task) -> None:
    """A closed task takes no action, comment-bearing or not: 409, with the action it was closed by."""
    if task.state != OPEN:
        how = f"with action {task.action}" if task.action else "without an action"
        raise Conflict(f"Task {task.id} is already completed ({how}); no action can be executed on it",
                       reason="TASK_CLOSED")


def require_active(process: Process) -> None:
    if process.state != ACTIVE:
        raise Conflict(f"Process instance {process.id} is already {process.state}", reason="PROCESS_INSTANCE_CLOSED")


# --- validation of what clients send --------------------------------------------------------------

def check_process_type(process_type: Any) -> str:
    if not isinstance(process_type, str) or not process_type:
        raise Invalid("processType is required", reason="INVALID_REQUEST")
    if process_type not in PROCESS_TYPES:
        raise unknown_process_type(process_type)
    return process_type


def check_uris(uris: Any, *, required: bool) -> tuple[str, ...]:
    if uris is None and not required:
        return ()
    if not isinstance(uris, list) or not all(isinstance(u, str) and 0 < len(u) <= MAX_NAME for u in uris):
        raise Invalid("objectURIs must be a list of object URIs", reason="INVALID_REQUEST")
    if required and not uris:
        raise Invalid("objectURIs must name at least one object", reason="INVALID_REQUEST")
    if len(uris) > MAX_URIS:
        raise Invalid(f"objectURIs lists {len(uris)} URIs; at most {MAX_URIS}", reason="INVALID_REQUEST")
    return tuple(dict.fromkeys(uris))


def check_comment(comment: Any, field: str = "comment") -> str | None:
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise Invalid(f"{field} must be a string", reason="INVALID_REQUEST")
    if len(comment) > MAX_COMMENT:
        raise Invalid(f"{field} is longer than {MAX_COMMENT} characters", reason="INVALID_REQUEST")
    return comment or None


def check_action(action: Any) -> str:
    if not isinstance(action, str) or action not in ACTIONS:
        shown = action[:40] if isinstance(action, str) else action
        raise Invalid(f"Action {shown!r} is not a possible action of this task; possible actions: "
                      f"{', '.join(ACTIONS)}", reason="INVALID_TASK_ACTION")
    return action


def request_of(process_type: str, uris: tuple[str, ...]) -> str:
    """The change request id a DCR review names in its objectURIs (exactly one)."""
    ids = [u.removeprefix("changeRequests/") for u in uris if u.startswith("changeRequests/")]
    if len(ids) != 1 or not ids[0]:
        raise Invalid(f"A {process_type} process needs exactly one changeRequests/{{id}} in objectURIs",
                      reason="INVALID_REQUEST")
    return ids[0]


# --- who ------------------------------------------------------------------------------------------

def may_be_assigned(roles: Iterable[str]) -> bool:
    """A member holding a role that may accept change requests (ROLE_REVIEWER, ROLE_ADMIN_TENANT)."""
    return access.can_accept(r.permissions(roles, False))


def possible_assignees(members: Iterable[tuple[str, str]], author: str | None) -> list[str]:
    """The names (tenant members as (name, role) rows) a DCR review task may go to: the reviewers,
    never the change request's author (who may not approve their own request)."""
    by_name: dict[str, list[str]] = {}
    for name, role in members:
        by_name.setdefault(name, []).append(role)
    return sorted(n for n, roles in by_name.items() if may_be_assigned(roles) and n != author)


def pick_assignee(candidates: list[str], open_counts: Mapping[str, int]) -> str | None:
    """The candidate with the fewest open tasks (then by name); None when there is nobody."""
    if not candidates:
        return None
    return min(candidates, key=lambda n: (open_counts.get(n, 0), n))


def require_assignable(name: Any, candidates: list[str]) -> str:
    if not isinstance(name, str) or not name:
        raise Invalid("assignee is required", reason="INVALID_REQUEST")
    if name not in candidates:
        raise Invalid(f"User {name[:80]} is not a possible assignee of this task", reason="INVALID_ASSIGNEE")
    return name


def require_start(perms: frozenset[str]) -> None:
    access.require_start_review(perms)


def require_act(perms: frozenset[str], author: str, caller_name: str) -> None:
    """A task action applies or rejects the change request: the right to accept it, and never on
    one's own change request (`access.require_review`)."""
    access.require_review(perms, author, caller_name)


def require_reassign(perms: frozenset[str]) -> None:
    access.require_accept(perms)


# --- building -------------------------------------------------------------------------------------

def new_process(tenant: str, process_id: str, process_type: str, uris: tuple[str, ...], request_id: str | None,
                who: str, now: int) -> Process:
    return Process(tenant, process_id, process_type, uris, request_id, ACTIVE, now, who)


def new_task(process: Process, task_id: str, assignee: str | None, now: int) -> Task:
    return Task(process.tenant, task_id, process.id, process.process_type, TASK_TYPE, process.object_uris, assignee,
                OPEN, now, process.created_by, now + DUE_DAYS * DAY_MS)


def close(task: Task, action: str | None, who: str, now: int) -> Task:
    return dataclasses.replace(task, state=CLOSED, action=action, closed_at=now, closed_by=who)


def end(process: Process, state: str, now: int) -> Process:
    return dataclasses.replace(process, state=state, ended_at=now)


def reassigned(task: Task, assignee: str) -> Task:
    return dataclasses.replace(task, assignee=assignee)


def reassign_comment(assignee: str) -> str:
    return f"Reassigned to {assignee}"


# --- wire shapes ----------------------------------------------------------------------------------

def comment_view(c: Comment) -> dict[str, Any]:
    return {"id": c.id, "message": c.message, "author": c.author, "time": c.time}


def task_view(t: Task, comments: Iterable[Comment] = ()) -> dict[str, Any]:
    """A task as Retrieve Tasks and Get Task Details answer it."""
    actions = [{"action": a, "label": label} for a, label in ACTIONS.items()] if t.state == OPEN else []
    out: dict[str, Any] = {
        "taskId": t.id,
        "assignee": t.assignee,
        "createTime": t.created_at,
        "createdBy": t.created_by,
        "dueDate": t.due_at,
        "displayName": TASK_DISPLAY_NAME,
        "processInstanceId": t.process_id,
        "processType": t.process_type,
        "processDefinitionDisplayName": PROCESS_TYPES.get(t.process_type, t.process_type),
        "taskType": t.task_type,
        "suspended": False,
        "objectURIs": list(t.object_uris),
        "possibleActions": actions,
        "priority": PRIORITY,
        "priorityClass": PRIORITY_CLASS,
        "processInstanceComments": [comment_view(c) for c in comments],
    }
    if t.state == OPEN:
        out["preferredAction"] = {"action": PREFERRED, "label": ACTIONS[PREFERRED]}
    else:
        out["endTime"] = t.closed_at
        out["executedAction"] = t.action
    return out


def process_view(p: Process) -> dict[str, Any]:
    """A process instance as Retrieve Process Instances lists it (and Get Process Instance shows it,
    with its objects and times)."""
    out: dict[str, Any] = {"processInstanceId": p.id, "processDefinitionId": p.definition_id,
                           "processType": p.process_type, "suspended": False, "objectURIs": list(p.object_uris),
                           "startTime": p.created_at, "startedBy": p.created_by,
                           "active": p.state == ACTIVE}
    if p.ended_at is not None:
        out["endTime"] = p.ended_at
    return out

