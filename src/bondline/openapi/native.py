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

SCHEMAS: dict[str, Any] = {"bondline.Error": ERROR}
