"""A parsed seed file and where each of its parts was written, so that any check, and the loader,
can point a problem at its line and column."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from bondline.domain.errors import Invalid
from bondline.seedfile.schema import SeedFile

Path = tuple[str | int, ...]
T = TypeVar("T")


class InvalidSeed(Invalid):
    """A seed file that cannot be loaded: where (file, line, column, path) and why."""

    default_reason = "INVALID_SEED"

    def __init__(self, reason: str, *, source: str = "seed", line: int | None = None, column: int | None = None,
                 path: str = "") -> None:
        where = f"{source}:{line}:{column}" if line is not None else source
        super().__init__(f"{where}: {path + ': ' if path else ''}{reason}",
                         details={"line": line, "column": column, "path": path, "problem": reason})
        self.source = source
        self.line = line
        self.column = column
        self.path = path
        self.problem = reason


@dataclasses.dataclass
class Document:
    """A checked seed file: the data, and where each part of it was written."""

    spec: SeedFile
    source: str = "seed"
    marks: dict[Path, tuple[int, int]] = dataclasses.field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def error(self, path: Path, reason: str, *, at_key: bool = False) -> InvalidSeed:
        """The problem at `path`, placed at the nearest node that has a position (at the key rather
        than the value with `at_key`, e.g. for an unknown field)."""
        line = column = None
        probe = path
        table = self.key_marks if at_key and path in self.key_marks else self.marks
        while True:
            if probe in table:
                line, column = table[probe]
                break
            if not probe:
                break
            probe = probe[:-1]
            table = self.marks
        return InvalidSeed(reason, source=self.source, line=line, column=column, path=render_path(path))

    def apply(self, path: Path, rule: Callable[..., T], *args: Any) -> T:
        """Run one of the domain's rules; what it finds Invalid is a problem at `path`."""
        try:
            return rule(*args)
        except Invalid as err:
            raise self.error(path, err.message) from None

    def content_order(self) -> list[int]:
        """Indexes of `spec.content` with every parent before its children; parents that form a
        cycle are a problem at the `parent` of the item that closes it."""
        items = self.spec.content
        by_key = {item.key: i for i, item in enumerate(items) if item.key is not None}
        order: list[int] = []
        state: dict[int, str] = {}

        def visit(i: int, chain: list[int]) -> None:
            if state.get(i) == "done":
                return
            if state.get(i) == "visiting":
                raise self.error(("content", i, "parent"), "the parents form a cycle: "
                                 + " -> ".join(str(items[j].key) for j in chain + [i]))
            state[i] = "visiting"
            parent = items[i].parent
            if parent is not None and parent in by_key:
                visit(by_key[parent], chain + [i])
            state[i] = "done"
            order.append(i)

        for i in range(len(items)):
            visit(i, [])
        return order


def render_path(path: Path) -> str:
    """`users[1].email`: a path as the error messages write it."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out
