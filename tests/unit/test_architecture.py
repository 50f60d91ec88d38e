"""The layers depend one way (README, "How it is built"; docs/decisions/0013): the HTTP kernel knows
no wire API, use case, metrics, dispatcher or test double; only the composition root and the command
line wire the test double in; the domain depends on nothing outside it. Imports are read with `ast`,
those inside functions and under `if TYPE_CHECKING:` included."""

from __future__ import annotations

import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "bondline"


def _module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: pathlib.Path, root: pathlib.Path = SRC) -> set[str]:
    """Every module `path` (under `root`) imports, anywhere in it; `from a import b` counts as `a` and
    `a.b` (b may be a module)."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules_under(folder: str) -> list[pathlib.Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def offending(path: pathlib.Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(name for name in imports_of(path)
                  if any(name == f or name.startswith(f + ".") for f in forbidden))


def test_the_http_kernel_imports_no_layer_above_it() -> None:
    forbidden = ("bondline.dialects", "bondline.ui", "bondline.testing", "bondline.services", "bondline.dispatch",
                 "bondline.metrics", "bondline.bootstrap", "bondline.store")
    found = {str(p.relative_to(SRC)): bad for p in modules_under("http") if (bad := offending(p, forbidden))}
    assert not found, f"bondline/http imports what is built on it: {found}"


def test_only_the_composition_root_and_the_command_line_import_the_test_double() -> None:
    allowed = (PACKAGE / "testing", PACKAGE / "bootstrap.py", PACKAGE / "cli")
    found = {str(p.relative_to(SRC)): bad for p in sorted(PACKAGE.rglob("*.py"))
             if not any(p == a or a in p.parents for a in allowed)
             if (bad := offending(p, ("bondline.testing",)))}
    assert not found, f"modules outside bondline/testing that import it: {found}"


def test_the_domain_imports_nothing_outside_it() -> None:
    forbidden = ("bondline.store", "bondline.http", "bondline.dialects", "bondline.services", "bondline.ui",
                 "bondline.testing", "bondline.bootstrap")
    found = {str(p.relative_to(SRC)): bad for p in modules_under("domain") if (bad := offending(p, forbidden))}
    assert not found, f"bondline/domain imports outer layers: {found}"


@pytest.mark.parametrize("source, expected", [
    ("import bondline.dialects.native", {"bondline.dialects.native"}),
    ("def f():\n    from bondline import metrics\n", {"bondline", "bondline.metrics"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bondline.services.auth import A\n",
     {"typing", "typing.TYPE_CHECKING", "bondline.services.auth", "bondline.services.auth.A"}),
    ("from ..testing import faults", {"bondline.testing", "bondline.testing.faults"}),
])
def test_imports_are_found_wherever_they_are(tmp_path: pathlib.Path, source: str, expected: set[str]) -> None:
    """The reader the checks above rely on sees function-level, TYPE_CHECKING and relative imports."""
    module = tmp_path / "bondline" / "http" / "x.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)
    assert imports_of(module, tmp_path) == expected


def test_repositories_only_persist() -> None:
    """Audit entries and outbox events are written by the unit of work at commit (store/unit.py,
    decision 0014): no other repository reaches the audit or outbox repositories or their tables, and
    nothing in the store reads ambient request state (the request id lives in bondline.logs, for log
    lines only)."""
    side_effects = ("bondline.store.repos.audit", "bondline.store.repos.webhooks.OutboxRepo",
                    "bondline.store.tables.audit_log", "bondline.store.tables.outbox_events",
                    "bondline.store.tables.webhook_deliveries")
    own = {"audit.py", "webhooks.py"}
    found = {str(p.relative_to(SRC)): bad for p in modules_under("store/repos")
             if p.name not in own and (bad := offending(p, side_effects))}
    assert not found, f"repositories that write side effects: {found}"
    ambient = {str(p.relative_to(SRC)): bad for p in modules_under("store")
               if (bad := offending(p, ("bondline.logs", "bondline.context")))}
    assert not ambient, f"the store reads request state: {ambient}"
