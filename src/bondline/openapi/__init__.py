"""`/openapi.json`: the implemented subset of the vendors' own OpenAPI documents (extracted by
`scripts/extract_openapi.py`, so shapes and descriptions are Atlassian's and Reltio's, word for
word) merged with the description of bondline's own endpoints."""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

from bondline import __version__
from bondline.openapi import errors, native, precise, reltio_extra, reltio_workflow

VENDOR_DOCUMENTS = ("confluence", "confluence_v2", "reltio")


def _load(name: str) -> dict[str, Any]:
    return json.loads(resources.files("bondline.openapi").joinpath(f"{name}.json").read_text())


@functools.lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {"schemas": {}, "securitySchemes": {}}
    tags: list[dict[str, str]] = []
    for name in VENDOR_DOCUMENTS:
        doc = _load(name)
        paths.update(doc["paths"])
        for kind, items in doc.get("components", {}).items():
            components.setdefault(kind, {}).update(items)
    paths = copy.deepcopy(paths)
    reltio_extra.extend(paths)
    paths.update(copy.deepcopy(native.PATHS))
    components["schemas"].update(native.SCHEMAS)
    components["schemas"].update(errors.SCHEMAS)
    errors.complete(paths)
    precise.tighten(paths, components["schemas"], components.get("parameters"))
    precise.v2_bodies(components.get("requestBodies", {}))
    precise.v2_properties(components["schemas"])
    components["schemas"].update(reltio_extra.WORKFLOW_SCHEMAS)
    reltio_extra.workflow(paths, components["schemas"])
    reltio_workflow.extend(paths, components["schemas"])
    components["securitySchemes"]["bearerAuth"] = {
        "type": "http", "scheme": "bearer",
        "description": "A bondline API token (`bondline tokens create ACCOUNT_ID`).",
    }
    components["securitySchemes"].setdefault("basicAuth", {"type": "http", "scheme": "basic"})
    components["securitySchemes"]["uiSession"] = {
        "type": "apiKey", "in": "cookie", "name": "bondline_ui",
        "description": "The review inbox's session cookie, set by POST /ui/sign-in.",
    }
    tags.append({"name": "bondline", "description": "bondline's own endpoints"})
    tags.append({"name": "bondline review inbox", "description": "The review inbox's HTML pages and forms (/ui)"})
    tags.append({"name": reltio_extra.TAG, "description": "bondline's Reltio endpoints beyond Reltio's definitions"})
    tags.append({"name": reltio_workflow.TAG, "description": "Reltio's Workflow API (the DCR review process), "
                 "described from Reltio's documentation"})
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "bondline",
            "version": __version__,
            "description": (
                "bondline speaks the Confluence Cloud REST API v1 and v2 and Reltio's tenant data API "
                "(operations and schemas below are Atlassian's and Reltio's own, from their official OpenAPI "
                "documents; v2's schemas are prefixed `v2.`, Reltio's `reltio.`) and adds its own endpoints "
                "(tags `bondline` and `bondline (Reltio)`). Authenticate with `Authorization: Bearer <token>` or Basic "
                "`email:token`; Reltio clients may also get a token from `/oauth/token`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"basicAuth": []}],
        "tags": tags,
        "paths": dict(sorted(paths.items())),
        "components": components,
    }


@functools.lru_cache(maxsize=1)
def document_bytes() -> bytes:
    return json.dumps(document(), separators=(",", ":")).encode()
