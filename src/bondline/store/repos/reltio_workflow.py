"""Reltio's workflow: process instances (with the objects they name), their tasks and comments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
import sqlalchemy as sa

from bondline.domain.reltio import workflow as wf
from bondline.store.base import Conn
from bondline.store.tables import (
    reltio_wf_comments,
    reltio_wf_objects,
    reltio_wf_processes,
    reltio_wf_tasks,
    tenant_roles,
    users,
)

P = sa.bindparam
p = reltio_wf_processes.c
o = reltio_wf_objects.c
t = reltio_wf_tasks.c
c = reltio_wf_comments.c
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode

_p_cols = (p.tenant_id, p.id, p.process_type, p.object_uris, p.change_request_id, p.state, p.created_at,
           p.created_by, p.ended_at)
_t_cols = (t.tenant_id, t.id, t.process_id, t.process_type, t.task_type, t.object_uris, t.assignee, t.state,
           t.created_at, t.created_by, t.due_at, t.action, t.closed_at, t.closed_by)
_c_cols = (c.tenant_id, c.id, c.process_id, c.message, c.author, c.time)

_p_insert = reltio_wf_processes.insert().values(
    tenant_id=P("tenant"), id=P("id"), process_type=P("process_type"), object_uris=P("object_uris"),
    change_request_id=P("change_request_id"), state=P("state"), created_at=P("created_at"),
    created_by=P("created_by"), ended_at=P("ended_at"))
_o_insert = reltio_wf_objects.insert().values(tenant_id=P("tenant"), uri=P("uri"), process_id=P("process_id"))
_t_insert = reltio_wf_tasks.insert().values(
    tenant_id=P("tenant"), id=P("id"), process_id=P("process_id"), process_type=P("process_type"),
    task_type=P("task_type"), object_uris=P("object_uris"), assignee=P("assignee"), state=P("state"),
    created_at=P("created_at"), created_by=P("created_by"), due_at=P("due_at"), action=P("action"),
    closed_at=P("closed_at"), closed_by=P("closed_by"))
_c_insert = reltio_wf_comments.insert().values(
    tenant_id=P("tenant"), id=P("id"), process_id=P("process_id"), message=P("message"), author=P("author"),
    time=P("time"))

_p_get = sa.select(*_p_cols).where(p.tenant_id == P("tenant"), p.id == P("id"))
_p_get_locked = _p_get.with_for_update()
_p_update = reltio_wf_processes.update().where(p.tenant_id == P("tenant"), p.id == P("id")).values(
    state=P("state"), ended_at=P("ended_at"))
_t_get = sa.select(*_t_cols).where(t.tenant_id == P("tenant"), t.id == P("id"))
_t_get_locked = _t_get.with_for_update()
_t_update = reltio_wf_tasks.update().where(t.tenant_id == P("tenant"), t.id == P("id")).values(
    assignee=P("assignee"), state=P("state"), action=P("action"), closed_at=P("closed_at"), closed_by=P("closed_by"))
_t_of_process = sa.select(*_t_cols).where(t.tenant_id == P("tenant"), t.process_id == P("process_id")).order_by(
    t.created_at, t.id)
_open_of_request = (sa.select(*_t_cols).select_from(reltio_wf_tasks.join(
    reltio_wf_processes, sa.and_(p.tenant_id == t.tenant_id, p.id == t.process_id)))
    .where(p.tenant_id == P("tenant"), p.change_request_id == P("request_id"), t.state == wf.OPEN)
    .order_by(t.id).with_for_update())
_active_of_request = sa.select(*_p_cols).where(p.tenant_id == P("tenant"), p.change_request_id == P("request_id"),
                                               p.state == wf.ACTIVE)
_open_counts = (sa.select(t.assignee, sa.func.count()).where(t.tenant_id == P("tenant"), t.state == wf.OPEN,
                                                             t.assignee.is_not(None)).group_by(t.assignee))
_member_roles = (sa.select(users.c.email, tenant_roles.c.role).join(users, users.c.id == tenant_roles.c.user_id)
                 .where(tenant_roles.c.tenant_id == P("tenant")).order_by(users.c.email, tenant_roles.c.role))
_comments = sa.select(*_c_cols).where(c.tenant_id == P("tenant"), c.process_id == P("process_id")).order_by(
    c.time, c.id)


def _in(col: Any, name: str, values: list[str], params: dict[str, Any]) -> Any:
    """`col IN (:name0, :name1, …)`, each value its own bound parameter (lists are bounded)."""
    for n, v in enumerate(values):
        params[f"{name}{n}"] = v
    return col.in_([P(f"{name}{n}") for n in range(len(values))])


def _process(row: Any) -> wf.Process:
    return wf.Process(row[0], row[1], row[2], tuple(_decode(row[3])), row[4], row[5], row[6], row[7], row[8])


def _task(row: Any) -> wf.Task:
    return wf.Task(row[0], row[1], row[2], row[3], row[4], tuple(_decode(row[5])), row[6], row[7], row[8], row[9],
                   row[10], row[11], row[12], row[13])


def _comment(row: Any) -> wf.Comment:
    return wf.Comment(row[0], row[1], row[2], row[3], row[4], row[5])


def _task_params(x: wf.Task) -> dict[str, Any]:
    return {"tenant": x.tenant, "id": x.id, "process_id": x.process_id, "process_type": x.process_type,
            "task_type": x.task_type, "object_uris": _encode(list(x.object_uris)).decode(), "assignee": x.assignee,
            "state": x.state, "created_at": x.created_at, "created_by": x.created_by, "due_at": x.due_at,
            "action": x.action, "closed_at": x.closed_at, "closed_by": x.closed_by}


_ORDER = {"createTime": (t.created_at,), "assignee": (t.assignee,), "dueDate": (t.due_at,),
          "priority": (t.created_at,)}  # every task has the one priority: by creation


def _task_where(tenant: str, f: wf.TaskFilter, params: dict[str, Any]) -> list[Any]:
    """The WHERE of Retrieve Tasks (open tasks only), every value a bound parameter."""
    params["tenant"] = tenant
    params["open"] = wf.OPEN
    where: list[Any] = [t.tenant_id == P("tenant"), t.state == P("open")]
    if f.suspended is True:  # no task is ever suspended
        where.append(sa.false())
    if f.assignee == "none":
        where.append(t.assignee.is_(None))
    elif f.assignee is not None:
        params["assignee"] = f.assignee
        where.append(t.assignee == P("assignee"))
    if f.created_by is not None:
        params["created_by"] = f.created_by
        where.append(t.created_by == P("created_by"))
    if f.process_instance_id is not None:
        params["process_id"] = f.process_instance_id
        where.append(t.process_id == P("process_id"))
    if f.process_types:
        where.append(_in(t.process_type, "ptype", list(f.process_types), params))
    if f.task_type is not None:
        params["task_type"] = f.task_type
        where.append(t.task_type == P("task_type"))
    if f.created_before is not None:
        params["created_before"] = f.created_before
        where.append(t.created_at < P("created_before"))
    if f.created_after is not None:
        params["created_after"] = f.created_after
        where.append(t.created_at > P("created_after"))
    if f.priority_class is not None and f.priority_class != wf.PRIORITY_CLASS:
        where.append(sa.false())
    if f.object_uris:
        where.append(t.process_id.in_(sa.select(o.process_id).where(
            o.tenant_id == P("tenant"), _in(o.uri, "uri", list(f.object_uris), params))))
    return where


class ReltioWorkflowRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    # --- processes ----------------------------------------------------------------------------
    async def insert_process(self, x: wf.Process) -> None:
        await self.conn.execute(_p_insert, {
            "tenant": x.tenant, "id": x.id, "process_type": x.process_type,
            "object_uris": _encode(list(x.object_uris)).decode(), "change_request_id": x.change_request_id,
            "state": x.state, "created_at": x.created_at, "created_by": x.created_by, "ended_at": x.ended_at})
        await self.conn.executemany(_o_insert, [{"tenant": x.tenant, "uri": u, "process_id": x.id}
                                                for u in x.object_uris])

    async def process(self, tenant: str, process_id: str, lock: bool = False) -> wf.Process | None:
        row = await self.conn.one(_p_get_locked if lock else _p_get, {"tenant": tenant, "id": process_id})
        return _process(row) if row is not None else None

    async def update_process(self, x: wf.Process) -> None:
        await self.conn.execute(_p_update, {"tenant": x.tenant, "id": x.id, "state": x.state, "ended_at": x.ended_at})

    async def active_of_request(self, tenant: str, request_id: str) -> list[wf.Process]:
        return [_process(r) for r in await self.conn.all(_active_of_request, {"tenant": tenant,
                                                                               "request_id": request_id})]

    async def search_processes(self, tenant: str, uris: Iterable[str], process_type: str | None,
                               offset: int, limit: int) -> tuple[list[wf.Process], int]:
        """Active process instances (naming one of `uris`, when given), oldest first, and their count."""
        params: dict[str, Any] = {"tenant": tenant, "active": wf.ACTIVE}
        where: list[Any] = [p.tenant_id == P("tenant"), p.state == P("active")]
        uris = list(uris)
        if uris:
            where.append(p.id.in_(sa.select(o.process_id).where(o.tenant_id == P("tenant"),
                                                                _in(o.uri, "uri", uris, params))))
        if process_type is not None:
            params["process_type"] = process_type
            where.append(p.process_type == P("process_type"))
        rows = await self.conn.all(sa.select(*_p_cols).where(*where).order_by(p.created_at, p.id)
                                   .limit(P("limit")).offset(P("offset")), {**params, "limit": limit,
                                                                           "offset": offset})
        total = await self.conn.scalar(sa.select(sa.func.count()).select_from(reltio_wf_processes).where(*where),
                                       params)
        return [_process(r) for r in rows], int(total or 0)

    # --- tasks --------------------------------------------------------------------------------
    async def insert_task(self, x: wf.Task) -> None:
        await self.conn.execute(_t_insert, _task_params(x))

    async def task(self, tenant: str, task_id: str, lock: bool = False) -> wf.Task | None:
        row = await self.conn.one(_t_get_locked if lock else _t_get, {"tenant": tenant, "id": task_id})
        return _task(row) if row is not None else None

    async def update_task(self, x: wf.Task) -> None:
        await self.conn.execute(_t_update, {"tenant": x.tenant, "id": x.id, "assignee": x.assignee, "state": x.state,
                                            "action": x.action, "closed_at": x.closed_at, "closed_by": x.closed_by})

    async def tasks_of_process(self, tenant: str, process_id: str) -> list[wf.Task]:
        return [_task(r) for r in await self.conn.all(_t_of_process, {"tenant": tenant, "process_id": process_id})]

    async def open_tasks_of_request(self, tenant: str, request_id: str) -> list[wf.Task]:
        """The open tasks of the processes reviewing a change request, locked."""
        return [_task(r) for r in await self.conn.all(_open_of_request, {"tenant": tenant, "request_id": request_id})]

    async def open_counts(self, tenant: str) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in await self.conn.all(_open_counts, {"tenant": tenant})}

    async def search_tasks(self, tenant: str, f: wf.TaskFilter, offset: int, limit: int
                           ) -> tuple[list[wf.Task], int]:
        params: dict[str, Any] = {}
        where = _task_where(tenant, f, params)
        order = [col.asc() if f.ascending else col.desc() for col in _ORDER[f.order_by]]
        order.append(t.id.asc() if f.ascending else t.id.desc())
        rows = await self.conn.all(sa.select(*_t_cols).where(*where).order_by(*order).limit(P("limit"))
                                   .offset(P("offset")), {**params, "limit": limit, "offset": offset})
        total = await self.conn.scalar(sa.select(sa.func.count()).select_from(reltio_wf_tasks).where(*where), params)
        return [_task(r) for r in rows], int(total or 0)

    async def tasks(self, tenant: str, task_ids: Iterable[str]) -> list[wf.Task]:
        ids = list(dict.fromkeys(task_ids))
        if not ids:
            return []
        params: dict[str, Any] = {"tenant": tenant}
        stmt = sa.select(*_t_cols).where(t.tenant_id == P("tenant"), _in(t.id, "id", ids, params))
        return [_task(r) for r in await self.conn.all(stmt, params)]

    # --- comments -----------------------------------------------------------------------------
    async def add_comment(self, x: wf.Comment) -> None:
        await self.conn.execute(_c_insert, {"tenant": x.tenant, "id": x.id, "process_id": x.process_id,
                                            "message": x.message, "author": x.author, "time": x.time})

    async def comments(self, tenant: str, process_id: str) -> list[wf.Comment]:
        return [_comment(r) for r in await self.conn.all(_comments, {"tenant": tenant, "process_id": process_id})]

    async def reviewers(self, tenant: str) -> list[tuple[str, str]]:
        """(name, role) of every role a member holds on the tenant: the name is the user's email,
        as change requests and tasks record their authors."""
        rows = await self.conn.all(_member_roles, {"tenant": tenant})
        return [(r[0], r[1]) for r in rows]

    async def comments_of(self, tenant: str, process_ids: Iterable[str]) -> dict[str, list[wf.Comment]]:
        ids = list(dict.fromkeys(process_ids))
        out: dict[str, list[wf.Comment]] = {i: [] for i in ids}
        if not ids:
            return out
        params: dict[str, Any] = {"tenant": tenant}
        stmt = sa.select(*_c_cols).where(c.tenant_id == P("tenant"), _in(c.process_id, "pid", ids, params)).order_by(
            c.time, c.id)
        for row in await self.conn.all(stmt, params):
            out[row[2]].append(_comment(row))
        return out
