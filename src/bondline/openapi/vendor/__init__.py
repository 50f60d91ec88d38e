"""The vendors' own OpenAPI documents, vendored whole and unchanged (where each came from, and when,
is in `SOURCES.md` beside them).

They are the contract bondline is held to: `scripts/extract_openapi.py` takes the operations bondline
serves from them for `/openapi.json`, `scripts/contract_diff.py` shows what changed between the
older copies bondline was first built from and these, and the test suite validates every response
it receives against them (`tests/contract.py`). Where a document contradicts its own examples, the
loaders below make the smallest repair (`repairs.py`, each with its evidence).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from bondline.openapi.vendor import repairs

CONFLUENCE = (("confluence", "swagger.v3.json"),)
CONFLUENCE_V2 = (("confluence", "openapi-v2.v3.json"),)
RELTIO = (("reltio", "data-operation.openapi.json"), ("reltio", "data-ingestion.openapi.json"))
FILES = {"confluence": CONFLUENCE, "confluence_v2": CONFLUENCE_V2, "reltio": RELTIO}
# Where a document's paths are mounted when its paths are relative to its server's URL: Atlassian's
# v2 document says `/pages` for `https://{your-domain}/wiki/api/v2/pages`.
MOUNTS = {"confluence_v2": "/wiki/api/v2"}


def _read(folder: str, name: str) -> dict[str, Any]:
    return json.loads(resources.files(__name__).joinpath(folder, name).read_text(encoding="utf-8"))


def merged(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Documents as one: paths side by side (a path in several documents with the operations of
    each: Operate describes GET /entities, Ingest POST /entities), components merged (Reltio's
    Operate and Ingest definitions share theirs)."""
    out: dict[str, Any] = {"paths": {}, "components": {}}
    for doc in documents:
        out.setdefault("openapi", doc["openapi"])
        out.setdefault("info", doc["info"])
        for path, item in doc["paths"].items():  # one path in both (GET in Operate, POST in Ingest): both
            out["paths"][path] = {**out["paths"].get(path, {}), **item}
        for kind, items in doc.get("components", {}).items():
            out["components"].setdefault(kind, {}).update(items)
    return out


@functools.cache
def raw(name: str) -> dict[str, Any]:
    """The vendor's document as published ("confluence" or "reltio", Operate and Ingest merged)."""
    return merged([_read(*f) for f in FILES[name]])


@functools.cache
def document(name: str) -> dict[str, Any]:
    """The vendor's document with its repairs made, its paths where bondline serves them: what
    bondline is held to."""
    doc = repairs.apply(name, raw(name))
    mount = MOUNTS.get(name)
    if mount:
        doc["paths"] = {mount + path: item for path, item in doc["paths"].items()}
    return doc


def confluence() -> dict[str, Any]:
    """Atlassian's Confluence Cloud REST API v1 document."""
    return document("confluence")


def confluence_v2() -> dict[str, Any]:
    """Atlassian's Confluence Cloud REST API v2 document, its paths under /wiki/api/v2."""
    return document("confluence_v2")


def reltio() -> dict[str, Any]:
    """Reltio's Operate and Ingest documents as one."""
    return document("reltio")
