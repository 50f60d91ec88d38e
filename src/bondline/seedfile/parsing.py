"""Reading a seed file: YAML or JSON text into Python data with the position of every node, then
the schema (msgspec), then the cross-checks. Every problem is an `InvalidSeed` with its position."""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

from bondline.seedfile.checks import cross_check
from bondline.seedfile.document import Document, InvalidSeed, Path, render_path
from bondline.seedfile.schema import SeedFile

MAX_DEPTH = 64
Marks = dict[Path, tuple[int, int]]


def parse(text: str, source: str = "seed", *, fmt: str | None = None) -> Document:
    """Parse and check a seed file. `fmt` is "yaml" or "json"; by default JSON when the text starts
    with `{`, else YAML (JSON is YAML too)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if fmt is None:
        fmt = "json" if stripped.startswith("{") else "yaml"
    marks: Marks = {}
    key_marks: Marks = {}
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidSeed(f"invalid JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno) from None
        except RecursionError:  # the parser recurses once per level; the YAML path checks MAX_DEPTH
            raise InvalidSeed("the document is nested too deeply", source=source) from None
        try:  # positions, through the YAML reader (JSON is YAML); without them errors name paths only
            _compose(text, source, marks, key_marks)
        except InvalidSeed:
            marks.clear()
            key_marks.clear()
    else:
        data = _compose(text, source, marks, key_marks)
    return check(data, source, marks, key_marks)


def from_data(data: Any, source: str = "seed") -> Document:
    """Check a seed given as Python data (a dict); errors name paths, there are no lines."""
    return check(data, source, {}, {})


def check(data: Any, source: str, marks: Marks, key_marks: Marks) -> Document:
    """Check parsed data against the schema, then across items."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidSeed("a seed file is a mapping with users, spaces, content, relations, watches and reltio",
                          source=source, line=marks.get((), (None, None))[0], column=marks.get((), (None, None))[1])
    try:
        spec = msgspec.convert(data, SeedFile, strict=True)
    except msgspec.ValidationError as exc:
        raise _schema_error(str(exc), Document(SeedFile(), source, marks, key_marks)) from None
    doc = Document(spec, source, marks, key_marks)
    cross_check(doc)
    return doc


def _schema_error(message: str, doc: Document) -> InvalidSeed:
    """msgspec's "reason - at `$.users[1].email`" as a problem at that node (at the key, for an
    unknown field)."""
    reason, _, at = message.partition(" - at `")
    path = _parse_msgspec_path(at.rstrip("`")) if at else ()
    unknown = re.match(r"Object contains unknown field `([^`]+)`", reason)
    if unknown:
        return doc.error(path + (unknown.group(1),), reason, at_key=True)
    return doc.error(path, reason)


_MSGSPEC_PATH = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def _parse_msgspec_path(text: str) -> Path:
    parts: list[str | int] = []
    for name, index in _MSGSPEC_PATH.findall(text):
        if name:
            parts.append(name)
        elif index == "...":
            break  # a dict key msgspec does not name: the mapping itself is the best position
        else:
            parts.append(int(index))
    return tuple(parts)


def _compose(text: str, source: str, marks: Marks, key_marks: Marks) -> Any:
    """The YAML document as Python data, recording each node's position in `marks` (and each
    mapping key's in `key_marks`)."""
    import yaml

    # libyaml's parser when PyYAML has it (the pure-Python one takes ~10 ms for a 100-line file);
    # both give every node its position.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            reason = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
            raise InvalidSeed(f"invalid YAML: {reason}", source=source,
                              line=mark.line + 1 if mark else None,
                              column=mark.column + 1 if mark else None) from None
        except yaml.YAMLError as exc:
            raise InvalidSeed(f"invalid YAML: {exc}", source=source) from None
        if node is None:
            return None
        return _Converter(loader, source, marks, key_marks).convert(node, ())
    finally:
        loader.dispose()


class _Converter:
    """Turns composed YAML nodes into JSON's kinds of values, noting where each one was written."""

    def __init__(self, loader: Any, source: str, marks: Marks, key_marks: Marks) -> None:
        self.loader = loader
        self.source = source
        self.marks = marks
        self.key_marks = key_marks

    def error(self, reason: str, mark: Any, path: Path) -> InvalidSeed:
        return InvalidSeed(reason, source=self.source, line=mark.line + 1, column=mark.column + 1,
                           path=render_path(path))

    def convert(self, node: Any, path: Path) -> Any:
        import yaml

        mark = node.start_mark
        self.marks[path] = (mark.line + 1, mark.column + 1)
        if len(path) > MAX_DEPTH:
            raise self.error("the document is nested too deeply", mark, path)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node: Any, path: Path) -> dict[str, Any]:
        self.loader.flatten_mapping(node)  # YAML merge keys (<<)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, path)
            if key in out:
                raise self.error(f"duplicate key {key!r}", key_node.start_mark, path)
            self.key_marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.convert(value_node, path + (key,))
        return out

    def key(self, node: Any, path: Path) -> str:
        """A mapping key as a string; only plain scalars may be keys."""
        import yaml

        try:
            key = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.error(f"invalid key: {exc}", node.start_mark, path) from None
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise self.error("keys must be plain scalars", node.start_mark, path)
        return str(key) if not isinstance(key, str) else key

    def scalar(self, node: Any, path: Path) -> Any:
        import yaml

        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.error(f"invalid value: {exc}", node.start_mark, path) from None
        if not isinstance(value, (str, int, float, bool, type(None))):
            # dates and binary: a seed holds JSON's kinds of values only
            value = node.value
        return value
