"""The change request -> review task half of the link (docs/decisions/0025-reltio-workflow.md): a
change request applied, rejected or deleted by any path closes the open tasks of the processes
reviewing it (and ends those processes), in the same unit of work, with their audit entries and
`workflow_task.completed` events. A task closed this way has no action: the decision was made
elsewhere (the change request's own state says which)."""

from __future__ import annotations

from bondline.domain import events as ev
from bondline.domain.reltio import trail
from bondline.domain.reltio import workflow as wf
from bondline.store.unit import Tx


async def close_tasks(tx: Tx, tenant: str, request_id: str, who: str, now: int, *, cancelled: bool = False) -> None:
    tasks = await tx.workflow.open_tasks_of_request(tenant, request_id)
    if not tasks:
        return
    assert tx.actor is not None
    ended: set[str] = set()
    for task in tasks:
        closed = wf.close(task, None, who, now)
        await tx.workflow.update_task(closed)
        tx.record(trail.task_changed(task, closed))
        tx.emit([ev.task_event(ev.TASK_COMPLETED, closed, tx.actor.account_id, request_id)])
        ended.add(task.process_id)
    for process_id in sorted(ended):
        process = await tx.workflow.process(tenant, process_id, lock=True)
        if process is not None and process.state == wf.ACTIVE:
            after = wf.end(process, wf.CANCELLED if cancelled else wf.COMPLETED, now)
            await tx.workflow.update_process(after)
            tx.record(trail.process_ended(process, after))
