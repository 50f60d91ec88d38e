"""What changed in the vendors' contracts for the operations bondline serves.

Compares the documents bondline was first built from (`../shared/specs/`, Atlassian's 2021 copy and
Reltio's definitions) with the ones vendored in `src/bondline/openapi/vendor/` (newest first: see
SOURCES.md there), limited to what matters to bondline:

- every operation bondline serves that either document has: added, removed, or changed (parameters,
  responses, security, extensions), each change with its JSON path;
- every component schema those operations reach, in either document: added, removed, or changed —
  where a newly required property (`isGuest` on WatchUser, say) shows up.

    python scripts/contract_diff.py                  # both vendors
    python scripts/contract_diff.py confluence --old path/to/older.json

Descriptions are left out unless --descriptions is given (they change often and say little). The diff
is DeepDiff's (deepdiff on PyPI), printed one change per line.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
from collections.abc import Iterable
from typing import Any

from deepdiff import DeepDiff

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bondline.openapi import vendor  # noqa: E402

OLD = {
    "confluence": [ROOT.parent / "shared" / "specs" / "confluence" / "swagger.v3.json"],
    "reltio": [ROOT.parent / "shared" / "specs" / "reltio" / "data-operation.openapi.json",
               ROOT.parent / "shared" / "specs" / "reltio" / "data-ingestion.openapi.json"],
}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def served_operations() -> set[tuple[str, str]]:
    """(method, path as the vendors write it) for every route bondline serves."""
    from bondline.bootstrap import build
    from bondline.config import Settings

    app = build(Settings(database_url="sqlite:///unused.db"))
    out = set()
    for route in app.router.routes:
        path = route.pattern
        if path.startswith("/reltio/api/"):
            path = "/services" + path
        out.add((route.method.lower(), path))
    return out


def operations(doc: dict[str, Any], served: set[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    found = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method in METHODS and (method, path) in served:
                shared = item.get("parameters")
                found[f"{method.upper()} {path}"] = {**op, **({"pathParameters": shared} if shared else {})}
    return found


def refs(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            out.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            refs(value, out)
    elif isinstance(node, list):
        for value in node:
            refs(value, out)
    return out


def reachable(doc: dict[str, Any], roots: Iterable[Any]) -> set[str]:
    schemas = doc.get("components", {}).get("schemas", {})
    pending = refs(list(roots), set())
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        pending |= refs(schemas[name], set()) - seen
    return seen


def without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: without_descriptions(v) for k, v in node.items() if k not in ("description", "summary")}
    if isinstance(node, list):
        return [without_descriptions(v) for v in node]
    return node


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 140 else text[:137] + "..."


def changes(old: Any, new: Any) -> list[str]:
    """One line per change, with its path (`root[...]` shortened to a/b/c)."""
    diff = DeepDiff(old, new, ignore_order=True, verbose_level=2)
    lines = []

    def where(path: str) -> str:
        return "/".join(re.findall(r"\['?([^\]']*)'?\]", path)) or "(whole)"

    labels = {"dictionary_item_added": "+", "dictionary_item_removed": "-", "iterable_item_added": "+",
              "iterable_item_removed": "-"}
    for kind, items in diff.items():
        if kind in labels:
            for path, value in items.items():
                lines.append(f"{labels[kind]} {where(path)}: {_short(value)}")
        elif kind in ("values_changed", "type_changes"):
            for path, change in items.items():
                lines.append(f"~ {where(path)}: {_short(change['old_value'])} -> {_short(change['new_value'])}")
    return sorted(lines, key=lambda line: (line[2:], line[0]))


def report(name: str, old: dict[str, Any], new: dict[str, Any], descriptions: bool) -> list[str]:
    served = served_operations()
    clean = (lambda x: x) if descriptions else without_descriptions
    old_ops, new_ops = operations(old, served), operations(new, served)
    out = [f"# {name}: {old['info'].get('version')} ({len(old['paths'])} paths) -> "
           f"{new['info'].get('version')} ({len(new['paths'])} paths)", "",
           f"## Operations bondline serves ({len(set(old_ops) | set(new_ops))} in either document)"]
    for key in sorted(set(old_ops) | set(new_ops)):
        if key not in new_ops:
            out.append(f"- {key}: REMOVED from the new document")
        elif key not in old_ops:
            out.append(f"- {key}: ADDED in the new document")
        else:
            found = changes(clean(old_ops[key]), clean(new_ops[key]))
            if found:
                out.append(f"- {key}")
                out += [f"    {line}" for line in found]
    old_schemas = old.get("components", {}).get("schemas", {})
    new_schemas = new.get("components", {}).get("schemas", {})
    names = reachable(old, old_ops.values()) | reachable(new, new_ops.values())
    out += ["", f"## Schemas those operations reach ({len(names)})"]
    unchanged = 0
    for schema in sorted(names):
        if schema not in new_schemas:
            out.append(f"- {schema}: REMOVED")
        elif schema not in old_schemas:
            out.append(f"- {schema}: ADDED")
        else:
            found = changes(clean(old_schemas[schema]), clean(new_schemas[schema]))
            if found:
                out.append(f"- {schema}")
                out += [f"    {line}" for line in found]
            else:
                unchanged += 1
    out.append(f"({unchanged} unchanged)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vendor", nargs="*", choices=["confluence", "reltio", []], default=[])
    parser.add_argument("--old", action="append", type=pathlib.Path,
                        help="the older document(s) to compare with (default: ../shared/specs/)")
    parser.add_argument("--descriptions", action="store_true", help="show changed descriptions too")
    args = parser.parse_args(argv)
    for name in args.vendor or ["confluence", "reltio"]:
        paths = args.old or OLD[name]
        missing = [p for p in paths if not p.exists()]
        if missing:
            print(f"{name}: no older document at {', '.join(map(str, missing))}", file=sys.stderr)
            return 1
        old = vendor.merged([json.loads(p.read_text()) for p in paths])
        print("\n".join(report(name, old, vendor.raw(name), args.descriptions)))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
