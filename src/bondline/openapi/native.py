"""The OpenAPI description of bondline's own endpoints (outside the Confluence and Reltio
namespaces, whose descriptions are the vendors' own, extracted into confluence.json)."""

from __future__ import annotations

from typing import Any

from bondline.domain import events as ev

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                           "message": {"type": "string"}},
        }
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/bondline.Error"}}}}


PATHS: dict[str, Any] = {
    "/healthz": {"get": {
        "tags": ["bondline"], "operationId": "bondline.healthz", "summary": "Liveness",
        "description": "The process is up. Needs no credentials.", "security": [],
        "responses": {"200": {"description": "Alive", "content": {"application/json": {"schema": {
            "type": "object", "required": ["status", "version"],
            "properties": {"status": {"type": "string", "enum": ["ok"]}, "version": {"type": "string"}}}}}}},
    }},
    "/readyz": {"get": {
        "tags": ["bondline"], "operationId": "bondline.readyz", "summary": "Readiness",
        "description": "The database answers. Needs no credentials.", "security": [],
        "responses": {
            "200": {"description": "Ready", "content": {"application/json": {"schema": {
                "type": "object", "required": ["status", "database"],
                "properties": {"status": {"type": "string", "enum": ["ready"]},
                               "database": {"type": "string", "enum": ["sqlite", "postgresql"]}}}}}},
            "503": _error_response("The database is not reachable"),
        },
    }},
}

PATHS["/metrics"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.metrics", "summary": "Prometheus metrics",
    "description": "Prometheus text exposition: `bondline_http_requests_total{method,route,status}`, "
                   "`bondline_http_request_duration_seconds{method,route}` (histogram), "
                   "`bondline_db_pool_connections{state}`, `bondline_db_pool_max_connections`, "
                   "`bondline_db_pool_waiting`, `bondline_change_requests{state}` (summed over tenants; "
                   "`{tenant,state}` with BONDLINE_METRICS_TENANT_LABELS=1). With several worker processes the "
                   "numbers are summed over all of them. Needs no credentials unless the server sets "
                   "BONDLINE_METRICS_TOKEN (then `Authorization: Bearer <that token>`, else 401); 404 when the "
                   "server runs with BONDLINE_METRICS=0.",
    "security": [],
    "responses": {"200": {"description": "The metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
                  "401": _error_response("BONDLINE_METRICS_TOKEN is set and the request does not carry it"),
                  "404": _error_response("Metrics are turned off")},
}}
PATHS["/openapi.json"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.openapi", "summary": "This document", "security": [],
    "responses": {"200": {"description": "The OpenAPI document",
                          "content": {"application/json": {"schema": {"type": "object"}}}}},
}}
PATHS["/docs"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.docs", "summary": "Interactive API documentation",
    "security": [], "responses": {"200": {"description": "Swagger UI", "content": {"text/html": {}}}},
}}
PATHS["/docs/static/{name}"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.docsAsset", "summary": "Swagger UI assets", "security": [],
    "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "The asset"}, "404": _error_response("No such asset")},
}}

# Confluence's download URL for an attachment (`_links.download` of an attachment, where
# downloadAttatchment redirects): not in Atlassian's REST documents, which stop at the redirect.
PATHS["/wiki/download/attachments/{pageId}/{filename}"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.downloadAttachment",
    "summary": "Download an attachment's data",
    "description": "The data of one version of an attachment (`version`, default the current one), with its "
                   "media type as `Content-Type` and `Content-Disposition: attachment`. Its SHA-256 is checked "
                   "before it is sent.",
    "security": [{"basicAuth": []}, {"bearerAuth": []}],
    "parameters": [
        {"name": "pageId", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "filename", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "version", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "modificationDate", "in": "query", "schema": {"type": "string"}},
        {"name": "cacheVersion", "in": "query", "schema": {"type": "string"}},
        {"name": "api", "in": "query", "schema": {"type": "string"}},
    ],
    "responses": {"200": {"description": "The attachment's data, with its own media type",
                          "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                              "format": "binary"}}}}},
}}

_END = {
    "type": "object",
    "required": ["type", "key"],
    "properties": {
        "type": {"type": "string", "enum": ["user", "space", "content"]},
        "key": {"type": "string"},
        "status": {"type": "string", "nullable": True},
        "version": {"type": "integer", "nullable": True},
        "title": {"type": "string"},
        "spaceKey": {"type": "string"},
        "name": {"type": "string"},
        "displayName": {"type": "string"},
    },
}
PATHS["/api/v1/users/{accountId}/relations/{relationName}"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.listUserRelations",
    "summary": "A user's relations of one name, newest first (favourites included)",
    "description": (
        "Confluence Cloud's list endpoints refuse `favourite` and `like` (501). This bondline extension lists "
        "any of a user's relations, paginated with an opaque cursor. Only the user and site admins may list "
        "them; targets the caller can no longer see are left out."),
    "parameters": [
        {"name": "accountId", "in": "path", "required": True, "description": "An accountId, or `current`.",
         "schema": {"type": "string"}},
        {"name": "relationName", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "targetType", "in": "query", "schema": {"type": "string", "enum": ["user", "space", "content"]}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 25}},
        {"name": "cursor", "in": "query", "description": "`nextCursor` of the previous page.",
         "schema": {"type": "string"}},
    ],
    "responses": {
        "200": {"description": "A page of relations", "content": {"application/json": {"schema": {
            "type": "object", "required": ["results", "limit", "nextCursor", "_links"],
            "properties": {
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["id", "name", "source", "target", "createdAt", "createdBy"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "source": _END,
                                   "target": _END, "createdAt": {"type": "string", "format": "date-time"},
                                   "createdBy": {"type": "string"}}}},
                "limit": {"type": "integer"},
                "nextCursor": {"type": "string", "nullable": True},
                "_links": {"type": "object", "additionalProperties": {"type": "string"}},
            }}}}},
        "400": _error_response("Bad limit, cursor or targetType"),
        "401": _error_response("Missing or bad credentials"),
        "403": _error_response("Another user's relations"),
        "404": _error_response("No such user"),
    },
}}

# Confluence's page-tree web action (not in its REST documents), which atlassian-python-api's
# `move_page` posts to (dialects/confluence/tree.py).
_MOVE_QUERY = [
    {"name": "pageId", "in": "query", "required": True, "schema": {"type": "string"}},
    {"name": "position", "in": "query", "schema": {"type": "string", "enum": ["above", "below", "append", "topLevel"],
                                                  "default": "append"}},
    {"name": "targetId", "in": "query", "schema": {"type": "string"}},
    {"name": "targetTitle", "in": "query", "schema": {"type": "string"}},
    {"name": "spaceKey", "in": "query", "schema": {"type": "string"}},
]
PATHS["/wiki/pages/movepage.action"] = {"post": {
    "tags": ["bondline"], "operationId": "bondline.movePageAction",
    "summary": "Move a page (Confluence's page-tree action)",
    "description": (
        "What atlassian-python-api's `move_page` calls: moves `pageId` above or below the target page (`targetId`, "
        "or `targetTitle` in `spaceKey`), under it (`append`), or to the top level of `spaceKey` (`topLevel`), "
        "as `PUT /wiki/rest/api/content/{pageId}/move/{position}/{targetId}` does. Needs "
        "`X-Atlassian-Token: no-check`. Errors are Confluence's error bodies."),
    "parameters": _MOVE_QUERY,
    "responses": {
        "200": {"description": "Moved", "content": {"application/json": {"schema": {
            "type": "object", "required": ["pageId"], "properties": {"pageId": {"type": "string"}}}}}},
        "400": {"description": "Bad position, or a move that would make a loop or a title clash"},
        "403": {"description": "No X-Atlassian-Token, or not allowed to move the page there"},
        "404": {"description": "No such page, target or space"},
    },
}}

PATHS["/api/v1/audit"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.audit", "summary": "The audit trail (site admins)",
    "description": ("Every change — relations, watches, content, spaces, labels, users, tokens, Reltio entities, "
                    "relations and change requests — with who, when, what, before and after; newest first."),
    "parameters": [
        {"name": "actor", "in": "query", "schema": {"type": "string"},
         "description": "accountId (or bondline-operator)"},
        {"name": "object", "in": "query", "schema": {"type": "string"}, "description": "e.g. content/123"},
        {"name": "objectPrefix", "in": "query", "schema": {"type": "string"}, "description": "e.g. reltio/acme/"},
        {"name": "since", "in": "query", "schema": {"type": "string"}, "description": "ISO date-time or epoch ms"},
        {"name": "before", "in": "query", "schema": {"type": "integer"}, "description": "cursor: the last id seen"},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
    ],
    "responses": {
        "200": {"description": "A page of entries", "content": {"application/json": {"schema": {
            "type": "object", "required": ["results", "limit", "_links"],
            "properties": {"results": {"type": "array", "items": {
                "type": "object", "required": ["id", "at", "actor", "action", "object"],
                "properties": {"id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
                               "actor": {"type": "string"}, "action": {"type": "string"},
                               "object": {"type": "string"}, "before": {}, "after": {},
                               "requestId": {"type": "string", "nullable": True}}}},
                "limit": {"type": "integer"}, "_links": {"type": "object"}}}}}},
        "400": _error_response("Bad filter or paging"),
        "401": _error_response("Missing or bad credentials"),
        "403": _error_response("Not a site administrator"),
    },
}}

# --- change requests by state (the CLI's `dcr list`) ------------------------------------------------

_CHANGE_REQUEST = {"type": "object", "required": ["uri", "createdBy", "createdTime", "type", "state"],
                   "properties": {"uri": {"type": "string"}, "createdBy": {"type": "string"},
                                  "createdTime": {"type": "integer"}, "updatedBy": {"type": "string"},
                                  "updatedTime": {"type": "integer"},
                                  "changes": {"type": "object", "additionalProperties": {"type": "array"}},
                                  "externalInfo": {"type": "object"}, "type": {"type": "string"},
                                  "state": {"type": "string", "enum": ["AWAITING_REVIEW", "APPLIED", "REJECTED"]}}}
PATHS["/api/v1/reltio/{tenant}/changeRequests"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.listChangeRequestsByState",
    "summary": "A Reltio tenant's change requests by state (what awaits review, by default)",
    "description": ("Reltio's own search (`GET /reltio/api/{tenant}/changeRequests`) needs a `createdBy` or "
                    "`objectURI` filter and has no state; this bondline extension lists by state, optionally "
                    "narrowed to one creator and/or one object. Waiting requests come newest first, decided ones "
                    "most recently decided first. Each is rendered as Reltio renders a change request. Needs "
                    "read access to the tenant."),
    "parameters": [
        {"name": "tenant", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "state", "in": "query", "schema": {"type": "string", "default": "AWAITING_REVIEW",
                                                   "enum": ["AWAITING_REVIEW", "APPLIED", "REJECTED", "all"]}},
        {"name": "createdBy", "in": "query", "schema": {"type": "string"}},
        {"name": "objectURI", "in": "query", "schema": {"type": "string"}, "description": "e.g. entities/1a2B3c4"},
        {"name": "max", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
    ],
    "responses": {
        "200": {"description": "Change requests", "content": {"application/json": {"schema": {
            "type": "array", "items": _CHANGE_REQUEST}}}},
        "400": _error_response("Bad state or paging"),
        "401": _error_response("Missing or bad credentials"),
        "403": _error_response("No read access to the tenant"),
        "404": _error_response("No such tenant"),
    },
}}

# --- webhooks --------------------------------------------------------------------------------------

_EVENT_NAMES = [*ev.TYPES, *ev.PATTERNS]
_WEBHOOK_PROPS = {"id": {"type": "integer"}, "url": {"type": "string"},
                  "events": {"type": "array", "items": {"type": "string", "enum": _EVENT_NAMES}},
                  "active": {"type": "boolean"}, "createdAt": {"type": "string", "format": "date-time"},
                  "createdBy": {"type": "string"}}
_WEBHOOK = {"type": "object", "required": list(_WEBHOOK_PROPS), "properties": _WEBHOOK_PROPS}
_DELIVERY = {"type": "object", "required": ["id", "webhookId", "eventId", "eventType", "status", "attempts"],
             "properties": {
                 "id": {"type": "integer", "description": "Sent as X-Bondline-Delivery: de-duplicate by it"},
                 "webhookId": {"type": "integer"}, "eventId": {"type": "integer"}, "eventType": {"type": "string"},
                 "status": {"type": "string", "enum": list(ev.STATUSES)},
                 "attempts": {"type": "integer"},
                 "nextAttemptAt": {"type": "string", "format": "date-time", "nullable": True},
                 "lastAttemptAt": {"type": "string", "format": "date-time", "nullable": True},
                 "lastStatus": {"type": "integer", "nullable": True},
                 "lastError": {"type": "string", "nullable": True},
                 "deliveredAt": {"type": "string", "format": "date-time", "nullable": True},
                 "createdAt": {"type": "string", "format": "date-time"}}}
_HOOK_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ADMIN_ERRORS = {"401": _error_response("Missing or bad credentials"),
                 "403": _error_response("Not a site administrator")}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PATHS["/api/v1/webhooks"] = {
    "post": {
        "tags": ["bondline"], "operationId": "bondline.webhooks.create", "summary": "Register a webhook (site admins)",
        "description": ("Events of the chosen types are POSTed to `url` as JSON, signed with "
                        "`X-Bondline-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>`, with "
                        "`X-Bondline-Event` and `X-Bondline-Delivery`. Delivered at least once, retried with "
                        "exponential backoff, dead after the configured number of failures. The secret (generated "
                        "when not given) is in this response only."),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["url", "events"], "additionalProperties": False,
            "properties": {"url": {"type": "string", "format": "uri", "description": "http:// or https://"},
                           "events": {"type": "array", "minItems": 1,
                                      "items": {"type": "string", "enum": _EVENT_NAMES}},
                           "secret": {"type": "string", "minLength": ev.MIN_SECRET, "maxLength": ev.MAX_SECRET}}}}}},
        "responses": {"201": _json("The webhook, with its secret", {
            "type": "object", "required": [*_WEBHOOK_PROPS, "secret"],
            "properties": {**_WEBHOOK_PROPS, "secret": {"type": "string"}}}),
            "400": _error_response("Bad URL, event type or secret"), **_ADMIN_ERRORS},
    },
    "get": {
        "tags": ["bondline"], "operationId": "bondline.webhooks.list", "summary": "List webhooks (site admins)",
        "description": "Every webhook, oldest first; secrets are never shown again.",
        "responses": {"200": _json("The webhooks", {"type": "object", "required": ["results"], "properties": {
            "results": {"type": "array", "items": _WEBHOOK}}}), **_ADMIN_ERRORS},
    },
}
PATHS["/api/v1/webhooks/{id}"] = {"delete": {
    "tags": ["bondline"], "operationId": "bondline.webhooks.delete", "summary": "Remove a webhook (site admins)",
    "description": "Removes the webhook and its deliveries; pending ones are not sent.",
    "parameters": [_HOOK_ID],
    "responses": {"204": {"description": "Removed"}, **_ADMIN_ERRORS, "404": _error_response("No such webhook")},
}}
PATHS["/api/v1/webhooks/{id}/deliveries"] = {"get": {
    "tags": ["bondline"], "operationId": "bondline.webhooks.deliveries",
    "summary": "A webhook's deliveries (site admins)",
    "description": "Newest first, with their status, attempts and last outcome; paginate with `before`.",
    "parameters": [
        _HOOK_ID,
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(ev.STATUSES)}},
        {"name": "before", "in": "query", "schema": {"type": "integer"}, "description": "cursor: the last id seen"},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
    ],
    "responses": {"200": _json("A page of deliveries", {
        "type": "object", "required": ["results", "limit", "_links"],
        "properties": {"results": {"type": "array", "items": _DELIVERY}, "limit": {"type": "integer"},
                       "_links": {"type": "object"}}}),
        "400": _error_response("Bad status or paging"), **_ADMIN_ERRORS, "404": _error_response("No such webhook")},
}}
PATHS["/api/v1/webhooks/deliveries/{id}/replay"] = {"post": {
    "tags": ["bondline"], "operationId": "bondline.webhooks.replay", "summary": "Replay a delivery (site admins)",
    "description": "Delivered or dead, the delivery becomes pending and due now, with a fresh count of attempts.",
    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"202": _json("The delivery, pending again", _DELIVERY), **_ADMIN_ERRORS,
                  "404": _error_response("No such delivery")},
}}

SCHEMAS: dict[str, Any] = {"bondline.Error": ERROR}

# --- the review inbox (HTML pages, bondline.ui) ----------------------------------------------------

_HTML_PAGE = {"description": "An HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
_SEE_OTHER = {"description": "See other: where the browser goes next (the sign-in page when not signed in)",
              "headers": {"Location": {"schema": {"type": "string"}}}}
_UI_COOKIE: list[dict[str, list[str]]] = [{"uiSession": []}]
_UI_FORM = {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["csrf"],
    "properties": {"csrf": {"type": "string", "description": "The page's CSRF token (per session)."}}}}}}
_TENANT = {"name": "tenant", "in": "path", "required": True, "schema": {"type": "string"}}
_CR_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "The change request's id (`changeRequests/{id}`)."}
_UI_TAG = "bondline review inbox"


def _ui(operation_id: str, summary: str, description: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"tags": [_UI_TAG], "operationId": f"bondline.ui.{operation_id}", "summary": summary,
            "description": description, "security": _UI_COOKIE, "responses": responses, **extra}


PATHS["/ui"] = {"get": _ui("root", "The review inbox", "Redirects to `/ui/`.", {"303": _SEE_OTHER}, security=[])}
PATHS["/ui/"] = {"get": _ui(
    "tenants", "Tenants to review",
    "The Reltio tenants the signed-in user has a role on (every tenant for site admins), with how many change "
    "requests await review. Without a session: 303 to the sign-in page.",
    {"200": _HTML_PAGE, "303": _SEE_OTHER})}
PATHS["/ui/sign-in"] = {
    "get": _ui("signInForm", "Sign-in form",
               "A form for a bondline API token; sets a pre-sign-in session cookie carrying the form's CSRF token.",
               {"200": _HTML_PAGE, "303": _SEE_OTHER}, security=[]),
    "post": _ui("signIn", "Sign in with an API token",
                "Verifies the token (as API requests do) and sets the session cookie `bondline_ui` (HttpOnly, "
                "SameSite=Strict, Path=/ui, Secure over https): a random secret the server keeps only as a hash; "
                "the token is re-checked on every request, so revoking it ends the session.",
                {"303": _SEE_OTHER, "401": {"description": "The form again, saying why the token was refused",
                                            "content": {"text/html": {}}},
                 "403": {"description": "Missing or wrong CSRF token", "content": {"text/html": {}}}},
                security=[], requestBody={"required": True, "content": {"application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "required": ["csrf", "token"],
                               "properties": {"csrf": {"type": "string"}, "token": {"type": "string"}}}}}}),
}
PATHS["/ui/sign-out"] = {"post": _ui("signOut", "Sign out",
                                     "Ends the session on the server (its cookie is refused from then on, by every "
                                     "worker) and clears the cookie.",
                                     {"303": _SEE_OTHER, "403": {"description": "Missing or wrong CSRF token",
                                                                 "content": {"text/html": {}}}},
                                     requestBody=_UI_FORM)}
PATHS["/ui/tenants/{tenant}"] = {"get": _ui(
    "inbox", "A tenant's change requests",
    "Change requests in one state (`AWAITING_REVIEW` by default; `APPLIED`, `REJECTED`), 20 a page, optionally only "
    "those by one creator and/or touching one object: each headed by what it changes and to whom, with its objects' "
    "labels, every item in words, and conflicts flagged (the current value beside the staged one); links to the "
    "Apply and Reject confirmation steps for users with ACCEPT_CHANGE_REQUEST.",
    {"200": _HTML_PAGE, "303": _SEE_OTHER,
     "400": {"description": "Unknown state, or a malformed filter", "content": {"text/html": {}}},
     "403": {"description": "No role on the tenant", "content": {"text/html": {}}},
     "404": {"description": "No such tenant", "content": {"text/html": {}}}},
    parameters=[_TENANT,
                {"name": "state", "in": "query", "schema": {"type": "string",
                                                            "enum": ["AWAITING_REVIEW", "APPLIED", "REJECTED"]}},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "createdBy", "in": "query", "schema": {"type": "string", "maxLength": 254},
                 "description": "Only change requests made by this user (their email, as `createdBy` records it)."},
                {"name": "object", "in": "query", "schema": {"type": "string"},
                 "description": "Only change requests with an item on this object (`entities/ID` or "
                                "`relations/ID`)."}])}
_UI_NOT_FOUND = {"description": "No such tenant or change request", "content": {"text/html": {}}}
PATHS["/ui/tenants/{tenant}/changeRequests/{id}"] = {"get": _ui(
    "changeRequest", "One change request",
    "All its items in words, every item checked for conflicts; after a decision (`done`), what became of it.",
    {"200": _HTML_PAGE, "303": _SEE_OTHER,
     "403": {"description": "No role on the tenant", "content": {"text/html": {}}}, "404": _UI_NOT_FOUND},
    parameters=[_TENANT, _CR_ID,
                {"name": "done", "in": "query", "schema": {"type": "string",
                                                           "enum": ["applied", "rejected", "already"]},
                 "description": "Where a decision's redirect lands: the request was just applied or rejected, or "
                                "(`already`) nothing was done because it had been decided before."}])}


def _confirm_step(action: str) -> dict[str, Any]:
    return _ui(
        f"confirm{action.title()}", f"Confirm: {action} a change request",
        f"The step before a reviewer's {action}: the request in full and a form that posts the {action} "
        "(with the session's CSRF token and `confirm=yes`)."
        + (" A request with conflicts is offered 'apply anyway' (`ignoreConflicts=true`) instead; `conflicts=1` "
           "says an apply just failed on them." if action == "apply" else ""),
        {"200": _HTML_PAGE, "303": _SEE_OTHER,
         "403": {"description": "No ACCEPT_CHANGE_REQUEST (the page says so, with no form), or no role on the "
                                "tenant", "content": {"text/html": {}}},
         "404": _UI_NOT_FOUND},
        parameters=[_TENANT, _CR_ID] + ([{"name": "conflicts", "in": "query",
                                          "schema": {"type": "string", "enum": ["1"]}}] if action == "apply" else []))


def _decision(action: str, description: str, extra: dict[str, Any]) -> dict[str, Any]:
    return _ui(
        action, f"{action.title()} a change request",
        f"Needs ACCEPT_CHANGE_REQUEST. {description} Every outcome is a 303 to a page (POST, redirect, GET: "
        "reloading it resubmits nothing); a form without `confirm=yes` is sent to the confirmation step.",
        {"303": _SEE_OTHER,
         "403": {"description": "No ACCEPT_CHANGE_REQUEST, or missing or wrong CSRF token",
                 "content": {"text/html": {}}},
         "404": _UI_NOT_FOUND},
        parameters=[_TENANT, _CR_ID],
        requestBody={"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["csrf"],
            "properties": {"csrf": {"type": "string"}, "confirm": {"type": "string", "enum": ["yes"]}, **extra}}}}})


PATHS["/ui/tenants/{tenant}/changeRequests/{id}/apply"] = {
    "get": _confirm_step("apply"),
    "post": _decision("apply", "Applies every item in one transaction (as `_apply`), then redirects to the "
                      "request's page (`?done=applied`); with conflicts nothing is applied and it redirects to the "
                      "confirmation step (`?conflicts=1`), which offers to apply anyway.",
                      {"ignoreConflicts": {"type": "string", "enum": ["true"]}}),
}
PATHS["/ui/tenants/{tenant}/changeRequests/{id}/reject"] = {
    "get": _confirm_step("reject"),
    "post": _decision("reject", "Rejects it, then redirects to the request's page (`?done=rejected`).", {}),
}
PATHS["/ui/static/{name}"] = {"get": _ui(
    "asset", "The inbox's stylesheet", "`ui.css`.", {"200": {"description": "The file", "content": {"text/css": {}}},
                                                     "404": {"description": "No such file",
                                                             "content": {"text/html": {}}}},
    security=[], parameters=[{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}])}


# --- the control endpoints of a test server (bondline serve --ephemeral) ---------------------------

_CONTROL_NOTE = (" Only a test server (`bondline serve --ephemeral`) has this endpoint; on any other it answers 404. "
                 "It needs no credentials, is never journaled and never meets injected faults.")
_SEED_BODY = {"required": False, "description": (
    "A seed file, YAML (`application/yaml`) or JSON (`application/json`); see the README's seed file reference."),
    "content": {"application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}}}}
_SEED_REPORT = {
    "type": "object", "required": ["tokens", "emails", "spaces", "content", "contentIds", "reltio"],
    "properties": {
        "tokens": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Each seeded user's API token, by accountId"},
        "emails": {"type": "object", "additionalProperties": {"type": "string"}},
        "spaces": {"type": "array", "items": {"type": "string"}},
        "content": {"type": "object", "additionalProperties": {"type": "integer"},
                    "description": "The id of each content item with a `key`, by key"},
        "contentIds": {"type": "array", "items": {"type": "integer"}},
        "reltio": {"type": "object", "additionalProperties": {
            "type": "object", "properties": {
                "entities": {"type": "object", "additionalProperties": {"type": "string"}},
                "relations": {"type": "object", "additionalProperties": {"type": "string"}},
                "changeRequests": {"type": "object", "additionalProperties": {"type": "string"}},
                "allChangeRequests": {"type": "array", "items": {"type": "string"}}}}},
    },
}
_FAULT_RULE = {
    "type": "object", "required": ["kind"],
    "properties": {
        "kind": {"type": "string", "enum": ["latency", "rate_limit", "error", "drop"]},
        "path": {"type": "string", "description": "A glob on the path, or `re:` and a regular expression"},
        "methods": {"type": "array", "items": {"type": "string"}},
        "method": {"type": "string"},
        "probability": {"type": "number", "minimum": 0, "maximum": 1},
        "times": {"type": "integer", "minimum": 0},
        "after": {"type": "integer", "minimum": 0},
        "delay": {"oneOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}}]},
        "retryAfter": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 0},
        "window": {"type": "number"},
        "status": {"type": "integer"},
    },
}
_FAULTS = {"type": "object", "required": ["seed", "rules"],
           "properties": {"seed": {"type": "integer"}, "rules": {"type": "array", "items": _FAULT_RULE}}}
_JOURNAL_ENTRY = {
    "type": "object",
    "required": ["id", "time", "method", "path", "query", "headers", "body", "status", "responseBody", "durationMs"],
    "properties": {
        "id": {"type": "integer"}, "time": {"type": "string", "format": "date-time"},
        "method": {"type": "string"}, "path": {"type": "string"}, "query": {"type": "string"},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "body": {"type": "string"}, "bodySize": {"type": "integer"}, "bodyTruncated": {"type": "boolean"},
        "status": {"type": "integer", "nullable": True, "description": "null when the connection was dropped"},
        "responseHeaders": {"type": "object", "additionalProperties": {"type": "string"}},
        "responseBody": {"type": "string"}, "responseBodySize": {"type": "integer"},
        "responseBodyTruncated": {"type": "boolean"}, "durationMs": {"type": "number"},
        "faults": {"type": "array", "items": {"type": "string"}},
    },
}


def _control(operation_id: str, summary: str, description: str, responses: dict[str, Any],
             body: dict[str, Any] | None = None, parameters: list[Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"tags": ["bondline"], "operationId": operation_id, "summary": summary,
                          "description": description + _CONTROL_NOTE, "security": [],
                          "responses": {**responses, "404": _error_response("Not a test server")}}
    if body is not None:
        op["requestBody"] = body
    if parameters:
        op["parameters"] = parameters
    return op


_NAME = {"name": "name", "in": "query", "description": "How errors name the file (`seed.yaml:12:5: …`)",
         "schema": {"type": "string"}}
PATHS["/api/v1/_reset"] = {"post": _control(
    "bondline.testReset", "Reset a test server",
    "Deletes every row (ids start at 1 again), restores the server's own faults, clears the journal and "
    "forgets cached credentials; then loads the seed file in the body, if any.",
    {"200": {"description": "What the seed made", "content": {"application/json": {"schema": _SEED_REPORT}}},
     "400": _error_response("The seed file is not valid (the message names the line and the reason)")},
    _SEED_BODY, [_NAME])}
PATHS["/api/v1/_seed"] = {"post": _control(
    "bondline.testSeed", "Load a seed file into a test server",
    "Loads the seed file in the body on top of what the database holds, in one transaction.",
    {"200": {"description": "What the seed made", "content": {"application/json": {"schema": _SEED_REPORT}}},
     "400": _error_response("The seed file is not valid (the message names the line and the reason)")},
    {**_SEED_BODY, "required": True}, [_NAME])}
PATHS["/api/v1/_faults"] = {
    "get": _control("bondline.testGetFaults", "The active fault rules", "Fault injection in force now.",
                    {"200": {"description": "The rules", "content": {"application/json": {"schema": _FAULTS}}}}),
    "put": _control(
        "bondline.testSetFaults", "Replace the fault rules",
        "Latency, rate limiting (429 with Retry-After), errors and dropped connections, per path pattern and "
        "method, reproducible with `seed`. Counters and random draws start afresh.",
        {"200": {"description": "The rules now active", "content": {"application/json": {"schema": _FAULTS}}},
         "400": _error_response("An invalid rule")},
        {"required": True, "content": {"application/json": {"schema": {"oneOf": [
            _FAULTS, {"type": "array", "items": _FAULT_RULE}]}}, "application/yaml": {"schema": {"type": "string"}}}}),
    "post": _control(
        "bondline.testAddFaults", "Add fault rules",
        "Adds rules after those in force; the others keep their counters, windows and random draws (the "
        "body's `seed` is ignored: the rules in force have one).",
        {"200": {"description": "The rules now active", "content": {"application/json": {"schema": _FAULTS}}},
         "400": _error_response("An invalid rule")},
        {"required": True, "content": {"application/json": {"schema": {"oneOf": [
            _FAULTS, {"type": "array", "items": _FAULT_RULE}]}}, "application/yaml": {"schema": {"type": "string"}}}}),
    "delete": _control("bondline.testClearFaults", "Restore the server's own fault rules",
                       "Back to the faults the server was started with (none by default).",
                       {"204": {"description": "Restored"}}),
}
PATHS["/api/v1/_journal"] = {
    "get": _control(
        "bondline.testJournal", "The request journal",
        "Every request and response since the last reset, oldest first, in a bounded ring buffer; bodies are "
        "bounded too. Credentials never appear: Authorization and Cookie headers keep only their scheme, and "
        "tokens are replaced wherever they occur.",
        {"200": {"description": "The journal", "content": {"application/json": {"schema": {
            "type": "object", "required": ["requests", "size", "recorded"],
            "properties": {"requests": {"type": "array", "items": _JOURNAL_ENTRY},
                           "size": {"type": "integer"}, "recorded": {"type": "integer"}}}}}},
         "400": _error_response("A bad limit")},
        parameters=[{"name": "limit", "in": "query", "description": "Only the last N entries",
                     "schema": {"type": "integer", "minimum": 0}}]),
    "delete": _control("bondline.testClearJournal", "Clear the request journal", "Forgets every entry.",
                       {"204": {"description": "Cleared"}}),
}
