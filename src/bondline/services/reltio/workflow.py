"""Reltio's Workflow API use cases (docs/decisions/0025-reltio-workflow.md): start, read, list and
cancel DCR review process instances; read, search and reassign their tasks; execute a task action
(Approve applies the change request, Reject rejects it); process comments; possible assignees.

A task action is one transaction: the task row is locked (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite serializes writers) and must still be open, then the change request is applied or rejected
by the same code the data API's `_apply` / `_reject` run (`change_requests.apply_in` / `reject_in`),
the task is closed and its process completed. Of two reviewers acting at once exactly one wins; the
other finds the task closed (409). Applying or rejecting the change request through the data API
closes its task (`review_link`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline import ids
from bondline.domain import access
from bondline.domain import events as ev
from bondline.domain.audit import Actor
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import trail
from bondline.domain.reltio import workflow as wf
from bondline.services.reltio import change_requests
from bondline.services.reltio.retry import retrying
from bondline.services.reltio.staging import load_request
from bondline.services.reltio.tenants import TenantContext, tenant_context
from bondline.store import Store
from bondline.store.unit import Tx


@dataclasses.dataclass(frozen=True, slots=True)
class TaskView:
    task: wf.Task
    comments: list[wf.Comment]


def _new_id() -> str:
    return ids.reltio_id()


async def _candidates(tx: Tx, tenant: str, author: str | None) -> list[str]:
    return wf.possible_assignees(await tx.workflow.reviewers(tenant), author)


async def _author(tx: Tx, process: wf.Process | None, task: wf.Task) -> str | None:
    """The change request's author, for the task of a DCR review (None if the request is gone)."""
    request_id = process.change_request_id if process is not None else None
    if request_id is None:
        return None
    cr = await tx.change_requests.get(task.tenant, request_id)
    return cr.created_by if cr is not None else None


async def start_in(tx: Tx, ctx: TenantContext, process_type: str, uris: tuple[str, ...], comment: str | None,
                   assignee: str | None) -> wf.Process:
    """Start a process (after `wf.require_start`) in the caller's unit of work."""
    request_id = wf.request_of(process_type, uris)
    cr = await load_request(tx, ctx, request_id, lock=True)
    ch.require_awaiting(cr, "reviewed")
    if await tx.workflow.active_of_request(ctx.tenant, cr.id):
        raise Invalid(f"Change request {cr.uri} is already in review (an active {process_type} "
                                      "process instance exists)", reason="PROCESS_INSTANCE_EXISTS")
    candidates = await _candidates(tx, ctx.tenant, cr.created_by)
    chosen = (wf.require_assignable(assignee, candidates) if assignee is not None
              else wf.pick_assignee(candidates, await tx.workflow.open_counts(ctx.tenant)))
    now = ids.now_ms()
    process = wf.new_process(ctx.tenant, _new_id(), process_type, uris, cr.id, ctx.who, now)
    task = wf.new_task(process, _new_id(), chosen, now)
    await tx.workflow.insert_process(process)
    await tx.workflow.insert_task(task)
    tx.record(*trail.process_started(process, task))
    assert tx.actor is not None
    tx.emit([ev.task_event(ev.TASK_CREATED, task, tx.actor.account_id, cr.id)])
    if comment:
        await _comment_in(tx, process, comment, ctx.who, now)
    return process


@retrying
async def start(store: Store, caller: Caller, tenant: str, process_type: Any, uris: Any, comment: Any,
                variables: Any) -> wf.Process:
    kind = wf.check_process_type(process_type)
    object_uris = wf.check_uris(uris, required=True)
    text = wf.check_comment(comment)
    assignee = variables.get("assignee") if isinstance(variables, dict) else None
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        wf.require_start(ctx.perms)
        return await start_in(tx, ctx, kind, object_uris, text, assignee)


@retrying
async def autostart(store: Store, caller: Caller, tenant: str, request_id: str) -> None:
    """Start the review of a change request a data-API write just created (the
    `reltio_review_autostart` setting), unless one is active or the request was decided meanwhile."""
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        wf.require_start(ctx.perms)
        cr = await tx.change_requests.get(ctx.tenant, request_id)
        if cr is None or cr.state != ch.AWAITING or await tx.workflow.active_of_request(ctx.tenant, cr.id):
            return
        await start_in(tx, ctx, wf.DCR_REVIEW, (cr.uri,), None, None)


async def _comment_in(tx: Tx, process: wf.Process, message: str, who: str, now: int) -> wf.Comment:
    comment = wf.Comment(process.tenant, _new_id(), process.id, message, who, now)
    await tx.workflow.add_comment(comment)
    tx.record(trail.comment_added(comment))
    return comment


# --- tasks ----------------------------------------------------------------------------------------

async def get_task(store: Store, caller: Caller, tenant: str, task_id: str) -> TaskView:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        task = await tx.workflow.task(ctx.tenant, task_id)
        if task is None:
            raise wf.task_not_found(task_id)
        return TaskView(task, await tx.workflow.comments(ctx.tenant, task.process_id))


async def search_tasks(store: Store, caller: Caller, tenant: str, f: wf.TaskFilter, offset: int, limit: int
                       ) -> tuple[list[TaskView], int]:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        tasks, total = await tx.workflow.search_tasks(ctx.tenant, f, offset, limit)
        comments = await tx.workflow.comments_of(ctx.tenant, [t.process_id for t in tasks])
        return [TaskView(t, comments.get(t.process_id, [])) for t in tasks], total


@retrying
async def reassign(store: Store, caller: Caller, tenant: str, pairs: list[tuple[str, str]]) -> None:
    """Give each task (taskId, assignee) to another possible assignee; all or none."""
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        wf.require_reassign(ctx.perms)
        now = ids.now_ms()
        assert tx.actor is not None
        for task_id, assignee in pairs:
            task = await tx.workflow.task(ctx.tenant, task_id, lock=True)
            if task is None:
                raise wf.task_not_found(task_id)
            wf.require_open(task)
            process = await tx.workflow.process(ctx.tenant, task.process_id)
            wf.require_assignable(assignee, await _candidates(tx, ctx.tenant, await _author(tx, process, task)))
            if assignee == task.assignee:
                continue
            after = wf.reassigned(task, assignee)
            await tx.workflow.update_task(after)
            tx.record(trail.task_changed(task, after))
            tx.emit([ev.task_event(ev.TASK_REASSIGNED, after, tx.actor.account_id,
                                   process.change_request_id if process else None)])
            if process is not None:
                await _comment_in(tx, process, wf.reassign_comment(assignee), ctx.who, now)


@retrying
async def act(store: Store, caller: Caller, tenant: str, task_id: str, action: Any, comment: Any) -> wf.Task:
    """Execute `action` on an open task: Approve applies its change request, Reject rejects it."""
    chosen = wf.check_action(action)
    text = wf.check_comment(comment, "processInstanceComment")
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        task = await tx.workflow.task(ctx.tenant, task_id, lock=True)
        if task is None:
            raise wf.task_not_found(task_id)
        return await _act_in(tx, ctx, task, chosen, text)


async def _act_in(tx: Tx, ctx: TenantContext, task: wf.Task, action: str, text: str | None,
                  ignore_conflicts: bool = False) -> wf.Task:
    """The action on a task locked by the caller: one transaction with the change request's fate."""
    wf.require_open(task)
    process = await tx.workflow.process(ctx.tenant, task.process_id, lock=True)
    if process is None or process.change_request_id is None:
        raise wf.process_not_found(task.process_id)
    cr = await load_request(tx, ctx, process.change_request_id)
    wf.require_act(ctx.perms, cr.created_by, ctx.who)
    now = ids.now_ms()
    closed = wf.close(task, action, ctx.who, now)
    await tx.workflow.update_task(closed)  # closed first: the request's own change finds no open task
    tx.record(trail.task_changed(task, closed))
    assert tx.actor is not None
    tx.emit([ev.task_event(ev.TASK_COMPLETED, closed, tx.actor.account_id, cr.id)])
    ended = wf.end(process, wf.COMPLETED, now)
    await tx.workflow.update_process(ended)
    tx.record(trail.process_ended(process, ended))
    if text:
        await _comment_in(tx, process, text, ctx.who, now)
    if action == wf.APPROVE:
        await change_requests.apply_in(tx, ctx, cr.id, ignore_conflicts)
    else:
        await change_requests.reject_in(tx, ctx, cr.id)
    return closed


async def decide(store: Store, caller: Caller, tenant: str, request_id: str, action: str,
                 ignore_conflicts: bool = False) -> None:
    """The review inbox's Apply and Reject: through the request's open review task when it has one
    (the task's rules hold: not the author's own request), else the data API's own `apply` /
    `reject`."""
    async with store.read() as tx:
        task = await open_task_of(tx, tenant, request_id)
    if task is None:
        if action == wf.APPROVE:
            await change_requests.apply(store, caller, tenant, request_id, ignore_conflicts)
        else:
            await change_requests.reject(store, caller, tenant, request_id)
        return
    await _decide_task(store, caller, tenant, task.id, action, ignore_conflicts)


@retrying
async def _decide_task(store: Store, caller: Caller, tenant: str, task_id: str, action: str,
                       ignore_conflicts: bool) -> None:
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_accept(ctx.perms)
        task = await tx.workflow.task(ctx.tenant, task_id, lock=True)
        if task is None:
            raise wf.task_not_found(task_id)
        await _act_in(tx, ctx, task, action, None, ignore_conflicts)


async def open_task_of(tx: Tx, tenant: str, request_id: str) -> wf.Task | None:
    """The open review task of a change request (None: it has none)."""
    found, _ = await tx.workflow.search_tasks(tenant, wf.TaskFilter(object_uris=(f"changeRequests/{request_id}",)),
                                              0, 1)
    return found[0] if found else None


async def possible_assignees(store: Store, caller: Caller, tenant: str, task_ids: list[str] | None,
                             exclude: list[str]) -> list[str]:
    """Who the given tasks (or every open task but `exclude`d ones, when none are given) may go to:
    for several tasks, the users every one of them may go to."""
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        members = await tx.workflow.reviewers(ctx.tenant)
        if task_ids is None:
            return wf.possible_assignees(members, None)
        result: set[str] | None = None
        for task in await tx.workflow.tasks(ctx.tenant, [i for i in task_ids if i not in set(exclude)]):
            process = await tx.workflow.process(ctx.tenant, task.process_id)
            names = set(wf.possible_assignees(members, await _author(tx, process, task)))
            result = names if result is None else result & names
        return sorted(result or set())


# --- process instances ----------------------------------------------------------------------------

async def get_process(store: Store, caller: Caller, tenant: str, process_id: str
                      ) -> tuple[wf.Process, list[wf.Task]]:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        process = await tx.workflow.process(ctx.tenant, process_id)
        if process is None:
            raise wf.process_not_found(process_id)
        return process, await tx.workflow.tasks_of_process(ctx.tenant, process_id)


async def search_processes(store: Store, caller: Caller, tenant: str, uris: tuple[str, ...],
                           process_type: str | None, offset: int, limit: int) -> tuple[list[wf.Process], int]:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        return await tx.workflow.search_processes(ctx.tenant, uris, process_type, offset, limit)


@retrying
async def cancel(store: Store, caller: Caller, tenant: str, process_id: str) -> None:
    """Terminate a process instance: its open task closes with no action; the change request stays
    as it is (awaiting review, for a new process or the data API)."""
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        wf.require_reassign(ctx.perms)
        process = await tx.workflow.process(ctx.tenant, process_id, lock=True)
        if process is None:
            raise wf.process_not_found(process_id)
        wf.require_active(process)
        now = ids.now_ms()
        assert tx.actor is not None
        for task in await tx.workflow.tasks_of_process(ctx.tenant, process_id):
            if task.state == wf.OPEN:
                closed = wf.close(task, None, ctx.who, now)
                await tx.workflow.update_task(closed)
                tx.record(trail.task_changed(task, closed))
                tx.emit([ev.task_event(ev.TASK_COMPLETED, closed, tx.actor.account_id, process.change_request_id)])
        ended = wf.end(process, wf.CANCELLED, now)
        await tx.workflow.update_process(ended)
        tx.record(trail.process_ended(process, ended))


async def comments(store: Store, caller: Caller, tenant: str, process_id: str) -> list[wf.Comment]:
    async with store.read() as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        if await tx.workflow.process(ctx.tenant, process_id) is None:
            raise wf.process_not_found(process_id)
        return await tx.workflow.comments(ctx.tenant, process_id)


@retrying
async def add_comment(store: Store, caller: Caller, tenant: str, process_id: str, message: Any) -> wf.Comment:
    text = wf.check_comment(message, "message")
    if text is None:
        raise Invalid("message is required", reason="INVALID_REQUEST")
    async with store.write(Actor.of(caller)) as tx:
        ctx = await tenant_context(tx, caller, tenant)
        access.reltio_require_read(ctx.perms)
        process = await tx.workflow.process(ctx.tenant, process_id)
        if process is None:
            raise wf.process_not_found(process_id)
        return await _comment_in(tx, process, text, ctx.who, ids.now_ms())
