#!/usr/bin/env python3
"""Route matching on bondline's real route table: bondline's segment trie (bondline.http.router)
against Starlette's Router holding the same patterns (decision 0001).

    pip install -e . starlette && python bench/decisions/routing.py

The table is the one a served worker builds (`bootstrap.build(settings).router`, nothing opened). Starlette gets
one `Route` per distinct pattern, in bondline's registration order, with every method bondline has
for it (its kindest form: fewer routes to scan than one per method); bondline's `{name}` is
Starlette's syntax too. For the first, a middle and the last pattern of that order, and the two
reads the benchmarks drive hardest (relation GET, Reltio GET /relations/{id}), it times:

- bondline: `Router.match` on the path's segments, and `split_path` + `Router.match` (what a request
  pays: the raw path split and percent-decoded, then matched);
- Starlette: the scan `Router.app` runs before it dispatches (`route.matches(scope)` for each route
  until one matches in full), and `Router.app` itself around a no-op ASGI endpoint.

Each number is the fastest of 7 repeats of a timed loop (0.2 s or more each), in µs per match: as
timeit's documentation advises, the slower repeats measure the shared machine's other work, not the
code. The ratio is Starlette's scan over bondline's split + match; compare ratios from one run.
"""

from __future__ import annotations

import pathlib
import re
import sys
import tempfile
import timeit
from collections.abc import Callable
from typing import Any

from starlette.routing import Match, Route
from starlette.routing import Router as StarletteRouter

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))

from bondline.bootstrap import build
from bondline.config import Settings
from bondline.http.router import Router, split_path

REPEATS = 7
# The two reads bench/run.py drives hardest.
RELATION_GET = "/wiki/rest/api/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}/{targetKey}"
RELTIO_GET = "/reltio/api/{tenantId}/relations/{id}"


def route_table() -> tuple[list[tuple[str, list[str]]], Router]:
    """bondline's router as a served worker builds it, and its patterns in registration order, each
    with its methods."""
    with tempfile.TemporaryDirectory() as workdir:
        app = build(Settings(database_url=f"sqlite:///{workdir}/routing.db"))
    methods: dict[str, list[str]] = {}
    for route in app.router.routes:
        methods.setdefault(route.pattern, []).append(route.method)
    return list(methods.items()), app.router


def concrete(pattern: str) -> str:
    """A path the pattern matches: each {name} filled with a plausible value."""
    values = {"relationName": "favourite", "sourceType": "user", "sourceKey": "current", "targetType": "content",
              "targetKey": "123", "tenantId": "acme", "name": "app.css"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x1Y2"), pattern)


class _NoOp:
    """An ASGI endpoint that answers nothing (Starlette calls a non-function endpoint as ASGI)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


def _drive(coroutine: Any) -> None:
    """Run a coroutine that never suspends, without an event loop's cost in the timing."""
    try:
        coroutine.send(None)
    except StopIteration:
        return
    raise RuntimeError("the coroutine suspended")


def per_call_us(fn: Callable[[], Any]) -> float:
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()  # enough calls for 0.2 s
    return min(timer.repeat(REPEATS, number)) / number * 1e6


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Any) -> None:
    return None


def measure(bondline: Router, starlette: StarletteRouter, pattern: str, methods: list[str]) -> list[float]:
    """µs per match of one pattern's path: trie, split + trie, Starlette's scan, Starlette's Router.app."""
    path = concrete(pattern)
    method = "GET" if "GET" in methods else methods[0]
    raw = path.encode()
    segments = split_path(raw)
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}

    def scan() -> Route:
        for route in starlette.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route  # type: ignore[return-value]
        raise LookupError(path)

    def app() -> None:
        _drive(starlette.app(dict(scope), _receive, _send))

    routes, _ = bondline.match(segments)
    assert routes is not None and routes[method].pattern == pattern, (pattern, routes)
    assert scan().path == pattern, (pattern, scan().path)  # the same route, not an earlier lookalike
    return [per_call_us(lambda: bondline.match(segments)), per_call_us(lambda: bondline.match(split_path(raw))),
            per_call_us(scan), per_call_us(app)]


def main() -> int:
    table, bondline = route_table()
    starlette = StarletteRouter(routes=[Route(p, _NoOp(), methods=m) for p, m in table])
    patterns = [p for p, _ in table]
    picks = [("first", 0), ("middle", len(table) // 2), ("last", len(table) - 1),
             ("relation GET", patterns.index(RELATION_GET)), ("Reltio GET", patterns.index(RELTIO_GET))]
    print(f"{len(bondline.routes)} routes, {len(table)} patterns (Starlette: one Route per pattern)\n")
    print(f"{'route':14} {'#':>4}  {'trie match':>10} {'split+match':>11}  {'Starlette scan':>14} "
          f"{'Router.app':>10}  {'scan ÷ split+match':>18}  path")
    for label, index in picks:
        pattern, methods = table[index]
        trie, split_trie, scanned, whole = measure(bondline, starlette, pattern, methods)
        method = "GET" if "GET" in methods else methods[0]
        print(f"{label:14} {index + 1:>4}  {trie:>10.2f} {split_trie:>11.2f}  {scanned:>14.2f} {whole:>10.2f}  "
              f"{scanned / split_trie:>17.1f}×  {method} {concrete(pattern)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
