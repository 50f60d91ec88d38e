"""Routing by path segments.

Patterns look like ``/wiki/rest/api/relation/{relationName}/from/{sourceType}``; a pattern ending in
``/`` (``/ui/``) matches only paths with that trailing slash. Patterns are stored in
a trie: literal segments are dict lookups, a `{param}` matches any non-empty segment, and literals
win over parameters. Matching costs one dict lookup per segment, whatever the number of routes.

Paths are split on the *raw* path and each segment is percent-decoded afterwards, so an encoded
slash (``%2F``) stays inside its segment instead of creating a new one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

Handler = Callable[..., Awaitable[Any]]


@dataclasses.dataclass(slots=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    dialect: Any
    param_names: tuple[str, ...]
    auth: str = "required"  # "required" | "optional" | "none"
    options: dict[str, Any] = dataclasses.field(default_factory=dict)


class _Node:
    __slots__ = ("literal", "param", "routes")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.routes: dict[str, Route] = {}


class BadPath(ValueError):
    """The path is not valid percent-encoded UTF-8."""


def split_path(raw_path: bytes) -> list[str]:
    """Segments of a raw path, each percent-decoded (``/a/b%2Fc`` → ``["a", "b/c"]``)."""
    try:
        text = raw_path.decode("ascii")
    except UnicodeDecodeError:
        raise BadPath("The request path is not valid") from None
    parts = text.split("/")[1:]
    if "%" in text:
        try:
            parts = [unquote(p, errors="strict") for p in parts]
        except UnicodeDecodeError:
            raise BadPath("The request path is not valid percent-encoded UTF-8") from None
    return parts


class Router:
    def __init__(self) -> None:
        self._root = _Node()
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, *, dialect: Any, auth: str = "required",
            **options: Any) -> Route:
        node = self._root
        names: list[str] = []
        # A trailing slash is a segment of its own ("/ui/" matches "/ui/" but not "/ui").
        body = pattern[1:] if pattern.endswith("/") and len(pattern) > 1 else pattern.strip("/")
        for segment in body.split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                names.append(segment[1:-1])
                if node.param is None:
                    node.param = _Node()
                node = node.param
            else:
                node = node.literal.setdefault(segment, _Node())
        if method in node.routes:
            raise ValueError(f"duplicate route {method} {pattern}")
        route = Route(method, pattern, handler, dialect, tuple(names), auth, options)
        node.routes[method] = route
        self.routes.append(route)
        return route

    def match(self, segments: list[str]) -> tuple[dict[str, Route] | None, list[str]]:
        """The routes (by method) whose pattern matches, and the parameter values in order."""
        values: list[str] = []
        # Depth-first, literals before parameters. `stack` keeps the parameter branches passed over
        # for a matching literal, in case the literal branch dead-ends later.
        stack: list[tuple[_Node, int, int]] = []
        node: _Node | None = self._root
        i = 0
        n = len(segments)
        while True:
            if node is not None:
                if i == n:
                    if node.routes:
                        return node.routes, values
                    node = None
                    continue
                segment = segments[i]
                param = node.param if segment else None
                child = node.literal.get(segment)
                if child is not None:
                    if param is not None:
                        stack.append((param, i, len(values)))
                    node = child
                elif param is not None:
                    values.append(segment)
                    node = param
                else:
                    node = None
                    continue
                i += 1
                continue
            if not stack:
                return None, []
            node, i, depth = stack.pop()
            del values[depth:]
            values.append(segments[i])
            i += 1
