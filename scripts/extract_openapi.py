"""Extract, from the official OpenAPI documents in ../shared/specs/, the operations bondline
implements, with every component they reference, into src/bondline/openapi/*.json.

Run after adding routes:  python scripts/extract_openapi.py
A test (tests/test_openapi.py) fails when the committed files are out of date.
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
OUT = ROOT / "src" / "bondline" / "openapi"

SOURCES = {
    "confluence": (SPECS / "confluence" / "swagger.v3.json", "/wiki/rest/api/"),
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


def extract(spec: dict[str, Any], prefix: str, routes: set[tuple[str, str]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        if not path.startswith(prefix):
            continue
        ops = {m: op for m, op in item.items() if (m, path) in routes}
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


def build() -> dict[str, dict[str, Any]]:
    routes = implemented_routes()
    out = {}
    for name, (path, prefix) in SOURCES.items():
        out[name] = extract(json.loads(path.read_text()), prefix, routes)
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
