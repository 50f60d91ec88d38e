"""Reltio's Workflow API (docs/decisions/0025-reltio-workflow.md): the DCR review process and its
tasks, under ``/services/workflow/{tenantId}`` (the workflow UI host's form, which Reltio's agent
tools call), ``/nui/workflow/workflow/{tenantId}`` (the environment host's form) and
``/workflow-adapter/workflow/{tenantId}`` (``{workflowPath}/workflow/{tenantId}`` of Reltio's
documentation, with its example ``workflowPath``).

Every answer is in the Workflow API's envelope (`workflow`, decision 0008) whether or not the client
sends `EnvironmentURL`: this service has no other shape. Lists answer ``{"offset", "size", "total",
"data", "status": "OK"}``; a failure ``{"status": "failed", "error": {…}}`` with the HTTP status.
"""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio import workflow
from bondline.dialects.reltio.errors import DIALECT as RELTIO
from bondline.domain.errors import DomainError, Invalid
from bondline.domain.reltio import workflow as wf
from bondline.http import Request, Response, json_response
from bondline.services.reltio import workflow as service

PREFIXES = ("/services/workflow/{tenantId}", "/nui/workflow/workflow/{tenantId}",
            "/workflow-adapter/workflow/{tenantId}")
CLAIMED = ("/services/workflow/", "/nui/workflow/", "/workflow-adapter/")
DEFAULT_MAX = 10
MAX_PAGE = 1000
MAX_TASKS = 1000  # tasks in one reassign or possible-assignees request


class WorkflowDialect:
    """Reltio's error bodies (`errors`), always in the envelope; 401 keeps the OAuth body."""

    name = "reltio-workflow"

    def error(self, request: Request | None, err: DomainError) -> Response:
        return RELTIO.error(request, err)

    def finish(self, scope: dict[str, Any], response: Response) -> Response:
        return workflow.wrap(scope, response)


DIALECT = WorkflowDialect()


def _tenant(req: Request) -> str:
    return req.params["tenantId"]


def _body(req: Request) -> dict[str, Any]:
    body = req.json()
    if not isinstance(body, dict):
        raise Invalid("The request body must be a JSON object", reason="INVALID_BODY")
    return body


def _opt_body(req: Request) -> dict[str, Any]:
    return _body(req) if req.body else {}


def _int(body: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{name} must be an integer from {low} to {high}", reason="INVALID_REQUEST")
    return value


def _str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > wf.MAX_NAME:
        raise Invalid(f"{name} must be a string of at most {wf.MAX_NAME} characters", reason="INVALID_REQUEST")
    return value


def _bool(body: dict[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise Invalid(f"{name} must be true or false", reason="INVALID_REQUEST")
    return value


def _list(body: dict[str, Any], name: str, limit: int) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= wf.MAX_NAME for v in value):
        raise Invalid(f"{name} must be a list of strings", reason="INVALID_REQUEST")
    if len(value) > limit:
        raise Invalid(f"{name} lists more than {limit} values", reason="INVALID_REQUEST")
    return value


def task_filter(body: dict[str, Any]) -> wf.TaskFilter:
    """Retrieve Tasks' filter fields (Reltio's documented body), checked."""
    types = list(_list(body, "processTypes", 50) or [])
    single = _str(body, "processType")
    if single is not None:
        types.append(single)
    order_by = _str(body, "orderBy") or "createTime"
    if order_by not in wf.ORDER_BY:
        raise Invalid(f"orderBy must be one of {', '.join(wf.ORDER_BY)}", reason="INVALID_REQUEST")
    priority = _str(body, "priorityClass")
    if priority is not None and priority not in wf.PRIORITY_CLASSES:
        raise Invalid(f"priorityClass must be one of {', '.join(wf.PRIORITY_CLASSES)}", reason="INVALID_REQUEST")
    state = _str(body, "state")
    if state is not None and state not in ("valid", "invalid", "all"):
        raise Invalid("state must be one of valid, invalid, all", reason="INVALID_REQUEST")
    before, after = body.get("createdBefore"), body.get("createdAfter")
    return wf.TaskFilter(
        assignee=_str(body, "assignee"), created_by=_str(body, "createdBy"),
        process_instance_id=_str(body, "processInstanceId"), process_types=tuple(types),
        task_type=_str(body, "taskType"),
        created_before=None if before is None else _int(body, "createdBefore", 0, 0, 2**62),
        created_after=None if after is None else _int(body, "createdAfter", 0, 0, 2**62),
        suspended=_bool(body, "suspended"), priority_class=priority,
        object_uris=wf.check_uris(body.get("objectURIs"), required=False),
        order_by=order_by, ascending=bool(_bool(body, "ascending")))


def _page(data: list[Any], offset: int, total: int) -> Response:
    return json_response({"offset": offset, "size": len(data), "total": total, "data": data})


# --- tasks ----------------------------------------------------------------------------------------

async def search_tasks(req: Request) -> Response:
    body = _opt_body(req)
    f = task_filter(body)
    offset = _int(body, "offset", 0, 0, 2**31 - 1)
    limit = _int(body, "max", DEFAULT_MAX, 1, MAX_PAGE)
    views, total = await service.search_tasks(req.app.store, req.caller, _tenant(req), f, offset, limit)
    return _page([wf.task_view(v.task, v.comments) for v in views], offset, total)


async def get_task(req: Request) -> Response:
    view = await service.get_task(req.app.store, req.caller, _tenant(req), req.params["taskId"])
    return json_response(wf.task_view(view.task, view.comments))


async def reassign(req: Request) -> Response:
    body = req.json()
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > MAX_TASKS:
        raise Invalid(f"The body must list 1 to {MAX_TASKS} tasks", reason="INVALID_REQUEST")
    pairs: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, dict):
            raise Invalid("Each element must be an object with taskId and assignee", reason="INVALID_REQUEST")
        task_id, assignee = _str(item, "taskId"), _str(item, "assignee")
        if not task_id or not assignee:
            raise Invalid("Each element needs taskId and assignee", reason="INVALID_REQUEST")
        pairs.append((task_id, assignee))
    await service.reassign(req.app.store, req.caller, _tenant(req), pairs)
    return json_response({})


async def act(req: Request) -> Response:
    body = _body(req)
    await service.act(req.app.store, req.caller, _tenant(req), req.params["taskId"], body.get("action"),
                      body.get("processInstanceComment"))
    return json_response({})


async def assignees(req: Request) -> Response:
    body = _opt_body(req)
    tasks = _list(body, "tasks", MAX_TASKS)
    exclude = _list(body, "exclude", MAX_TASKS) or []
    if tasks is not None and ("filter" in body or exclude):
        raise Invalid("Use either tasks, or filter and exclude", reason="INVALID_REQUEST")
    if tasks is None:
        filter_body = body.get("filter") or {}
        if not isinstance(filter_body, dict):
            raise Invalid("filter must be an object", reason="INVALID_REQUEST")
        f = task_filter(filter_body)
        views, _ = await service.search_tasks(req.app.store, req.caller, _tenant(req), f, 0, MAX_TASKS)
        tasks = [v.task.id for v in views]
        if not tasks:
            return json_response({"total": 0, "data": []})
    names = await service.possible_assignees(req.app.store, req.caller, _tenant(req), tasks, exclude)
    return json_response({"total": len(names), "data": names})


# --- process instances ----------------------------------------------------------------------------

async def start(req: Request) -> Response:
    body = _body(req)
    process = await service.start(req.app.store, req.caller, _tenant(req), body.get("processType"),
                                  body.get("objectURIs"), body.get("comment"), body.get("variables"))
    return json_response({"processInstanceId": process.id})


async def search_processes(req: Request) -> Response:
    body = _opt_body(req)
    uris = wf.check_uris(body.get("objectURIs"), required=False)
    process_type = _str(body, "processType")
    if process_type is not None:
        wf.check_process_type(process_type)
    offset = _int(body, "offset", 0, 0, 2**31 - 1)
    limit = _int(body, "max", DEFAULT_MAX, 1, MAX_PAGE)
    if _bool(body, "suspended") is True:
        return _page([], offset, 0)
    found, total = await service.search_processes(req.app.store, req.caller, _tenant(req), uris, process_type,
                                                  offset, limit)
    return _page([wf.process_view(p) for p in found], offset, total)


async def get_process(req: Request) -> Response:
    process, tasks = await service.get_process(req.app.store, req.caller, _tenant(req),
                                               req.params["processInstanceId"])
    body = wf.process_view(process)
    body["tasks"] = [t.id for t in tasks]
    return json_response(body)


async def cancel(req: Request) -> Response:
    await service.cancel(req.app.store, req.caller, _tenant(req), req.params["processInstanceId"])
    return json_response({})


async def comments(req: Request) -> Response:
    found = await service.comments(req.app.store, req.caller, _tenant(req), req.params["processInstanceId"])
    return json_response({"data": [wf.comment_view(c) for c in found]})


async def add_comment(req: Request) -> Response:
    body = _body(req)
    message = body.get("message", body.get("comment"))
    comment = await service.add_comment(req.app.store, req.caller, _tenant(req), req.params["processInstanceId"],
                                        message)
    return json_response({"data": [wf.comment_view(comment)]})


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", "/tasks", search_tasks),
    ("PUT", "/tasks", reassign),
    ("GET", "/tasks/{taskId}", get_task),
    ("POST", "/tasks/{taskId}/_action", act),
    ("POST", "/assignee", assignees),
    ("POST", "/processInstances", start),
    ("POST", "/processInstances/_search", search_processes),
    ("GET", "/processInstances/{processInstanceId}", get_process),
    ("DELETE", "/processInstances/{processInstanceId}", cancel),
    ("GET", "/processInstances/{processInstanceId}/_comment", comments),
    ("POST", "/processInstances/{processInstanceId}/_comment", add_comment),
]


def install(app: Any) -> None:
    for prefix in CLAIMED:
        app.claim_prefix(prefix, DIALECT)
    for prefix in PREFIXES:
        for method, suffix, handler in ROUTES:
            app.route(method, prefix + suffix, handler, dialect=DIALECT)
