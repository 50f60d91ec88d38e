"""The OpenAPI description of Reltio's Workflow API as bondline serves it (the DCR review process;
docs/decisions/0025-reltio-workflow.md). Reltio publishes no definition of this service: the shapes
are written from its public documentation (links in the decision record), every answer in the
Workflow API's envelope."""

from __future__ import annotations

import copy
from typing import Any

from bondline.domain.reltio import workflow as wf
from bondline.openapi.reltio_extra import ENVIRONMENT_URL

TAG = "bondline (Reltio Workflow)"
PREFIXES = ("/services/workflow/{tenantId}", "/nui/workflow/workflow/{tenantId}",
            "/workflow-adapter/workflow/{tenantId}")


def _own(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_OK = {"type": "string", "enum": ["OK"]}
_STR = {"type": "string"}
_INT = {"type": "integer"}
_URIS = {"type": "array", "items": _STR}
# What a request must send: object URIs, names and comments are non-empty and bounded (the routes'
# own checks in domain/reltio/workflow.py)
_NAME = {"type": "string", "minLength": 1, "maxLength": wf.MAX_NAME}
_URIS_IN = {"type": "array", "items": _NAME}
_COMMENT_TEXT = {"type": "string", "maxLength": wf.MAX_COMMENT}
_ACTION = {"type": "object", "required": ["action", "label"], "properties": {"action": _STR, "label": _STR}}
_NULLABLE_STR = {"type": "string", "nullable": True}


def _page(item: str) -> dict[str, Any]:
    return {"type": "object", "required": ["offset", "size", "total", "data", "status"],
            "properties": {"offset": {"type": "integer", "minimum": 0}, "size": {"type": "integer", "minimum": 0},
                           "total": {"type": "integer", "minimum": 0}, "data": {"type": "array", "items": _own(item)},
                           "status": _OK}}


SCHEMAS: dict[str, Any] = {
    "bondline.WorkflowComment": {
        "type": "object", "required": ["id", "message", "author", "time"],
        "properties": {"id": _STR, "message": _STR, "author": _STR, "time": _INT}},
    "bondline.WorkflowTask": {
        "type": "object",
        "required": ["taskId", "assignee", "createTime", "createdBy", "dueDate", "displayName", "processInstanceId",
                     "processType", "processDefinitionDisplayName", "taskType", "suspended", "objectURIs",
                     "possibleActions", "priority", "priorityClass", "processInstanceComments"],
        "description": "A task, as Get Task Details and Retrieve Tasks answer it; a closed task has no "
                       "`possibleActions`, and `endTime` and `executedAction` (null: closed without an action).",
        "properties": {
            "taskId": _STR, "assignee": _NULLABLE_STR, "createTime": _INT, "createdBy": _STR, "dueDate": _INT,
            "displayName": _STR, "processInstanceId": _STR, "processType": _STR,
            "processDefinitionDisplayName": _STR, "taskType": _STR, "suspended": {"type": "boolean"},
            "objectURIs": _URIS, "possibleActions": {"type": "array", "items": _ACTION},
            "preferredAction": _ACTION, "priority": _INT,
            "priorityClass": {"type": "string", "enum": ["Urgent", "High", "Medium", "Low"]},
            "processInstanceComments": {"type": "array", "items": _own("bondline.WorkflowComment")},
            "endTime": _INT, "executedAction": _NULLABLE_STR, "status": _OK}},
    "bondline.WorkflowProcessInstance": {
        "type": "object", "required": ["processInstanceId", "processDefinitionId", "processType", "suspended"],
        "properties": {"processInstanceId": _STR, "processDefinitionId": _STR, "processType": _STR,
                       "suspended": {"type": "boolean"}, "objectURIs": _URIS, "startTime": _INT,
                       "startedBy": _STR, "active": {"type": "boolean"}, "endTime": _INT,
                       "tasks": {"type": "array", "items": _STR}, "status": _OK}},
    "bondline.WorkflowTaskPage": _page("bondline.WorkflowTask"),
    "bondline.WorkflowProcessPage": _page("bondline.WorkflowProcessInstance"),
    "bondline.WorkflowStatus": {"type": "object", "required": ["status"], "properties": {"status": _OK}},
    "bondline.WorkflowStarted": {"type": "object", "required": ["processInstanceId", "status"],
                                 "properties": {"processInstanceId": _STR, "status": _OK}},
    "bondline.WorkflowComments": {"type": "object", "required": ["data", "status"], "properties": {
        "data": {"type": "array", "items": _own("bondline.WorkflowComment")}, "status": _OK}},
    "bondline.WorkflowAssignees": {"type": "object", "required": ["total", "data", "status"], "properties": {
        "total": _INT, "data": {"type": "array", "items": _STR}, "status": _OK}},
}

_FILTER = {"type": "object", "description": "Retrieve Tasks' filter: every field optional", "properties": {
    "assignee": {"type": "string", "description": "`none`: unassigned tasks"}, "createdBy": _STR,
    "processInstanceId": _STR, "processType": _STR, "processTypes": {"type": "array", "items": _STR},
    "taskType": _STR, "createdBefore": _INT, "createdAfter": _INT, "suspended": {"type": "boolean"},
    "priorityClass": {"type": "string", "enum": list(wf.PRIORITY_CLASSES)}, "objectURIs": _URIS_IN,
    "orderBy": {"type": "string", "enum": ["createTime", "assignee", "dueDate", "priority"]},
    "ascending": {"type": "boolean"}, "state": {"type": "string", "enum": ["valid", "invalid", "all"]},
    "offset": {"type": "integer", "minimum": 0}, "max": {"type": "integer", "minimum": 1, "maximum": 1000}}}

_ERROR = _own("bondline.ReltioWorkflowError")
_ERRORS = {
    "400": _json("Bad input (the envelope, errorCode 10400)", _ERROR),
    "401": _json("Missing, bad or expired token (the OAuth body)", {"$ref": "#/components/schemas/"
                                                                            "reltio.UnauthorizedErrorModel"}),
    "403": _json("Forbidden for the current user (10403; the plain error 804)", _ERROR),
    "404": _json("No such tenant (10061), task, process instance or change request (10404)", _ERROR),
}
_CONFLICT = {"409": _json("The task is already completed, or the process instance ended (10409)", _ERROR)}


def _op(op_id: str, summary: str, ok: str, *, body: dict[str, Any] | None = None, params: tuple[str, ...] = (),
        conflict: bool = False, body_required: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tags": [TAG], "operationId": f"bondline.workflow.{op_id}", "summary": summary,
        "parameters": [{"name": "tenantId", "in": "path", "required": True, "schema": _STR},
                       *({"name": p, "in": "path", "required": True, "schema": _STR} for p in params),
                       ENVIRONMENT_URL],
        "responses": {"200": _json("OK", _own(ok)), **_ERRORS, **(_CONFLICT if conflict else {})},
    }
    if body is not None:
        # searches without a body search everything (an empty filter)
        out["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": body}}}
    return out


_REASSIGN = {"type": "array", "items": {"type": "object", "required": ["taskId", "assignee"],
                                        "properties": {"taskId": _NAME, "assignee": _NAME}}}
_ACTION_BODY = {"type": "object", "required": ["action"], "properties": {
    "action": {"type": "string", "enum": ["Approve", "Reject"]}, "processInstanceComment": _COMMENT_TEXT}}
_ASSIGNEE_BODY = {"type": "object", "description": "Either `tasks`, or `filter` and `exclude`",
                  "properties": {"tasks": {"type": "array", "items": _STR}, "filter": _FILTER,
                                 "exclude": {"type": "array", "items": _STR}},
                  "oneOf": [{"required": ["tasks"], "not": {"anyOf": [{"required": ["filter"]},
                                                                      {"required": ["exclude"]}]}},
                            {"not": {"required": ["tasks"]}}]}
_START = {"type": "object", "required": ["processType", "objectURIs"], "properties": {
    "processType": {"type": "string", "enum": ["dataChangeRequestReview"]},
    "objectURIs": {**_URIS_IN, "minItems": 1, "description": "Must name exactly one changeRequests/{id}"},
    "comment": _COMMENT_TEXT, "variables": {"type": "object", "description": "`assignee`: who gets the task"}}}
_PROCESS_SEARCH = {"type": "object", "properties": {
    "objectURIs": _URIS_IN, "processType": _NAME, "suspended": {"type": "boolean"},
    "offset": {"type": "integer", "minimum": 0}, "max": {"type": "integer", "minimum": 1, "maximum": 1000}}}
_COMMENT = {"type": "object", "required": ["message"],
            "properties": {"message": {"type": "string", "minLength": 1, "maxLength": wf.MAX_COMMENT}}}
_PID = ("processInstanceId",)

OPERATIONS: dict[str, dict[str, Any]] = {
    "/tasks": {
        "post": _op("retrieveTasks", "Retrieve open tasks by filter", "bondline.WorkflowTaskPage", body=_FILTER,
                    body_required=False),
        "put": _op("reassignTasks", "Reassign tasks", "bondline.WorkflowStatus", body=_REASSIGN, conflict=True)},
    "/tasks/{taskId}": {"get": _op("getTask", "Get task details", "bondline.WorkflowTask", params=("taskId",))},
    "/tasks/{taskId}/_action": {"post": _op("executeAction", "Execute an action on a task (Approve applies the "
                                            "change request, Reject rejects it)", "bondline.WorkflowStatus",
                                            body=_ACTION_BODY, params=("taskId",), conflict=True)},
    "/assignee": {"post": _op("possibleAssignees", "Get possible assignees for tasks",
                              "bondline.WorkflowAssignees", body=_ASSIGNEE_BODY, body_required=False)},
    "/processInstances": {"post": _op("startProcess", "Start a process instance", "bondline.WorkflowStarted",
                                      body=_START)},
    "/processInstances/_search": {"post": _op("searchProcesses", "Retrieve active process instances by filter",
                                              "bondline.WorkflowProcessPage", body=_PROCESS_SEARCH,
                                              body_required=False)},
    "/processInstances/{processInstanceId}": {
        "get": _op("getProcess", "Get a process instance", "bondline.WorkflowProcessInstance", params=_PID),
        "delete": _op("terminateProcess", "Terminate a process instance", "bondline.WorkflowStatus", params=_PID,
                      conflict=True)},
    "/processInstances/{processInstanceId}/_comment": {
        "get": _op("getComments", "Get process instance comments", "bondline.WorkflowComments", params=_PID),
        "post": _op("addComment", "Add a process instance comment", "bondline.WorkflowComments", body=_COMMENT,
                    params=_PID)},
}


def extend(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    schemas.update(SCHEMAS)
    for n, prefix in enumerate(PREFIXES):
        for suffix, item in OPERATIONS.items():
            copied = copy.deepcopy(item)
            if n:
                for op in copied.values():
                    op["operationId"] = f"{op['operationId']}.{n}"
            paths[prefix + suffix] = copied
