"""Extract, from the official OpenAPI documents in ../shared/specs/, the operations bondline
implements, with every component they reference, into src/bondline/openapi/*.json.

Run after adding routes:  python scripts/extract_openapi.py
A test (tests/test_openapi.py) fails when the committed files are out of date.

Two defects in Reltio's definitions would make the served document invalid OpenAPI, so the
extract repairs them (and nothing else): parameters typed "int" become "integer" (with their string
defaults made numbers), and an empty `requestBody: {}` (OpenAPI requires `content`) is dropped.
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
OUT = ROOT / "src" / "bondline" / "openapi"

# name -> (definitions, path prefix of the implemented operations, prefix for component names).
# Reltio's component names get "reltio." in front (and every $ref is rewritten) so they cannot
# collide with Confluence's; its two definitions share identical components.
SOURCES: dict[str, tuple[tuple[pathlib.Path, ...], str, str]] = {
    "confluence": ((SPECS / "confluence" / "swagger.v3.json",), "/wiki/rest/api/", ""),
    "reltio": ((SPECS / "reltio" / "data-operation.openapi.json", SPECS / "reltio" / "data-ingestion.openapi.json"),
               "/services/reltio/api/", "reltio."),
}


def implemented_routes() -> set[tuple[str, str]]:
    from bondline.config import Settings
    from bondline.http.app import App

    app = App(Settings(database_url="sqlite:///unused.db"))
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


def repaired(op: dict[str, Any]) -> dict[str, Any]:
    """An operation with the definitions' two invalid constructs fixed (see the module docstring)."""
    op = json.loads(json.dumps(op))
    if op.get("requestBody") == {}:
        del op["requestBody"]
    for param in op.get("parameters", []):
        schema = param.get("schema", {}) if isinstance(param, dict) else {}
        if schema.get("type") == "int":
            schema["type"] = "integer"
            if isinstance(schema.get("default"), str) and schema["default"].isdigit():
                schema["default"] = int(schema["default"])
    return op


def extract(spec: dict[str, Any], prefix: str, routes: set[tuple[str, str]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        if not path.startswith(prefix):
            continue
        ops = {m: repaired(op) for m, op in item.items() if (m, path) in routes}
        if ops:
            shared = {k: v for k, v in item.items() if k not in ("get", "put", "post", "delete", "patch", "head")}
            paths[path] = {**shared, **ops}
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
        value = spec["components"][kind][name]
        components.setdefault(kind, {})[name] = value
        _refs(value, pending)
    schemes = spec.get("components", {}).get("securitySchemes")
    if schemes:
        components["securitySchemes"] = schemes
    for kind in components:
        components[kind] = dict(sorted(components[kind].items()))
    return {"openapi": spec["openapi"], "info": spec["info"], "paths": dict(sorted(paths.items())),
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
    for name, (paths, prefix, component_prefix) in SOURCES.items():
        merged: dict[str, Any] = {}
        for path in paths:
            doc = extract(json.loads(path.read_text()), prefix, routes)
            if component_prefix:
                doc["paths"] = namespaced(doc["paths"], component_prefix)
                doc["components"] = {kind: {component_prefix + k: namespaced(v, component_prefix)
                                            for k, v in items.items()}
                                     for kind, items in doc["components"].items()}
            if not merged:
                merged = doc
                continue
            for p, item in doc["paths"].items():
                merged["paths"].setdefault(p, {}).update(item)
            for kind, items in doc["components"].items():
                merged["components"].setdefault(kind, {}).update(items)
        merged["paths"] = dict(sorted(merged["paths"].items()))
        merged["components"] = {k: dict(sorted(v.items())) for k, v in merged["components"].items()}
        out[name] = merged
    return out


def main() -> int:
    if not SPECS.exists():
        print(f"the official definitions are not at {SPECS}", file=sys.stderr)
        return 1
    for name, doc in build().items():
        target = OUT / f"{name}.json"
        target.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
        print(f"wrote {target.relative_to(ROOT)}: {sum(len(v) for v in doc['paths'].values())} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
