"""Extract, from the vendors' OpenAPI documents, the operations bondline implements, with every
component they reference, into src/bondline/openapi/*.json (served, with bondline's own additions,
as /openapi.json).

Run after adding routes or vendoring a newer document:  python scripts/extract_openapi.py
A test (tests/api/test_openapi.py) fails when the committed files are out of date.

The documents are those vendored in src/bondline/openapi/vendor/ (Atlassian's newest Confluence
Cloud v1 and v2 definitions — v2's paths mounted under /wiki/api/v2, its component names prefixed
"v2." so they cannot collide with v1's —, Reltio's Operate and Ingest definitions), with the repairs
`bondline.openapi.vendor.repairs` makes where a document contradicts its own examples or is not
valid OpenAPI. Atlassian has since removed from its v1 document some operations bondline still
serves, because clients still call them (content and space reads and writes, now in its v2 API):
those come from the older document bondline was built from (../shared/specs/confluence/), with
their components taken from the newest document wherever it still has them.
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bondline.openapi import vendor  # noqa: E402

LEGACY_CONFLUENCE = ROOT.parent / "shared" / "specs" / "confluence" / "swagger.v3.json"
OUT = ROOT / "src" / "bondline" / "openapi"

# name -> (path prefix of the implemented operations, prefix for component names). Reltio's
# component names get "reltio." in front (and every $ref is rewritten) so they cannot collide with
# Confluence's.
SOURCES: dict[str, tuple[str, str]] = {
    "confluence": ("/wiki/rest/api/", ""),
    "confluence_v2": ("/wiki/api/v2/", "v2."),
    "reltio": ("/services/reltio/api/", "reltio."),
}
METHODS = ("get", "put", "post", "delete", "patch", "head")


def implemented_routes() -> set[tuple[str, str]]:
    from bondline.bootstrap import build
    from bondline.config import Settings

    app = build(Settings(database_url="sqlite:///unused.db"))
    return {(r.method.lower(), r.pattern) for r in app.router.routes}


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def legacy(name: str) -> dict[str, Any] | None:
    """The older document, for operations the newest one no longer has (Confluence only)."""
    if name != "confluence":
        return None
    if not LEGACY_CONFLUENCE.exists():
        raise SystemExit(f"the older Confluence document is not at {LEGACY_CONFLUENCE}")
    return json.loads(LEGACY_CONFLUENCE.read_text())


def extract(docs: list[dict[str, Any]], prefix: str, routes: set[tuple[str, str]]) -> dict[str, Any]:
    """The implemented operations from the first document that has each, and every component they
    reach, from the first document that has it."""
    paths: dict[str, Any] = {}
    for doc in reversed(docs):  # earlier documents win
        for path, item in doc["paths"].items():
            if not path.startswith(prefix):
                continue
            ops = {m: op for m, op in item.items() if m in METHODS and (m, path) in routes}
            if ops:
                shared = {k: v for k, v in item.items() if k not in METHODS}
                paths[path] = {**paths.get(path, {}), **shared, **ops}
    components: dict[str, dict[str, Any]] = {}
    pending: set[str] = set()
    _refs(paths, pending)
    done: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in done:
            continue
        done.add(ref)
        _, _, kind, name = ref.split("/", 3)
        value = next(d["components"][kind][name] for d in docs if name in d.get("components", {}).get(kind, {}))
        components.setdefault(kind, {})[name] = value
        _refs(value, pending)
    schemes = docs[0].get("components", {}).get("securitySchemes")
    if schemes:
        components["securitySchemes"] = schemes
    # In a fixed order (the refs above are visited in a set's order, which varies between runs).
    order = ("schemas", "parameters", "requestBodies", "responses", "headers", "securitySchemes")
    components = {kind: dict(sorted(components[kind].items()))
                  for kind in sorted(components, key=lambda k: (order.index(k) if k in order else len(order), k))}
    return {"openapi": docs[0]["openapi"], "info": docs[0]["info"], "paths": dict(sorted(paths.items())),
            "components": components}


def namespaced(node: Any, prefix: str) -> Any:
    """`node` with every component reference renamed to `prefix` + name."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
                _, _, kind, name = value.split("/", 3)
                value = f"#/components/{kind}/{prefix}{name}"
            out[key] = namespaced(value, prefix)
        return out
    if isinstance(node, list):
        return [namespaced(v, prefix) for v in node]
    return node


def build() -> dict[str, dict[str, Any]]:
    routes = implemented_routes()
    out = {}
    for name, (prefix, component_prefix) in SOURCES.items():
        older = legacy(name)
        doc = extract([vendor.document(name), *([older] if older else [])], prefix, routes)
        if component_prefix:
            doc["paths"] = namespaced(doc["paths"], component_prefix)
            doc["components"] = {kind: {component_prefix + k: namespaced(v, component_prefix)
                                        for k, v in items.items()}
                                 for kind, items in doc["components"].items()}
        out[name] = doc
    return out


def main() -> int:
    for name, doc in build().items():
        target = OUT / f"{name}.json"
        target.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
        print(f"wrote {target.relative_to(ROOT)}: {sum(len(v) for v in doc['paths'].values())} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
