"""The OpenAPI description of bondline's own endpoints (outside the Confluence and Reltio
namespaces, whose descriptions are the vendors' own, extracted into confluence.json)."""

from __future__ import annotations

from typing import Any

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

SCHEMAS: dict[str, Any] = {"bondline.Error": ERROR}
