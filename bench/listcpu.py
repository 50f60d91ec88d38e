#!/usr/bin/env python3
"""What a listing costs the worker, without HTTP and without the machine's other load: the CPU
time (`time.process_time`) of requests made straight to the ASGI application in this process, for a
relation GET and the 25-item listings of bench/listings.py.

    python bench/listcpu.py                 # SQLite in a temporary directory; N=2000 requests a round
    N=500 python bench/listcpu.py

The data is bench/listings.py's (a page with 25 child pages, 25 comments, 25 watchers, and a
"list" relation from the user to each child and comment), made through a served bondline. Then the
application is built in this process (bondline.bootstrap.create_app, production settings), started
through its ASGI lifespan, and each request is called N times a round after a warm-up, five rounds
in turns; printed: the median CPU per request and its ratio to the relation GET's.

On a machine shared with other work (load average 6–15 here) requests/s swings by 2× between
samples; the CPU a request takes moves far less. What this leaves out is the server's part (granian,
the socket), about the same for each request apart from the larger bodies of listings.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import sys
import tempfile
import time
from typing import Any

import httpx

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import listings  # noqa: E402

API = "/wiki/rest/api"


def setup(workdir: str) -> tuple[str, str, str]:
    url = f"sqlite:///{workdir}/listcpu.db"
    token = listings.provision(url)
    headers = {"Authorization": f"Bearer {token}"}
    with common.bondline_server(url) as srv, httpx.Client(base_url=srv.url, headers=headers, timeout=30) as http:
        page = listings.populate(http)
    listings.watchers(url, page)
    return url, token, page


async def call(app: Any, path: str, token: str) -> int:
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    route, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": route, "raw_path": route.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000"), (b"authorization", f"Bearer {token}".encode())],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000)}
    await app(scope, receive, send)
    return status[0]


async def measure(url: str, token: str, page: str, n: int) -> dict[str, list[float]]:
    from bondline.bootstrap import create_app

    os.environ["BONDLINE_DATABASE_URL"] = url
    from bondline.config import Settings

    app = create_app(Settings.from_env())
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    await outbox.get()
    paths = {"relation GET": f"{API}/relation/favourite/from/user/current/to/content/{page}",
             "25 child pages": f"{API}/content/{page}/child/page?limit=25",
             "25 comments": f"{API}/content/{page}/child/comment?limit=25",
             "25 relations": f"{API}/relation/list/from/user/current/to/content?limit=25",
             "25 watchers": f"{API}/content/{page}/notification/child-created?limit=25"}
    found: dict[str, list[float]] = {name: [] for name in paths}
    try:
        for path in paths.values():
            if await call(app, path, token) != 200:
                raise RuntimeError(f"{path} did not answer 200")
            for _ in range(200):
                await call(app, path, token)
        for _ in range(5):
            for name, path in paths.items():
                started = time.process_time()
                for _ in range(n):
                    await call(app, path, token)
                found[name].append((time.process_time() - started) / n * 1e6)
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await lifespan
    return found


def main() -> int:
    n = int(os.environ.get("N", "2000"))
    with tempfile.TemporaryDirectory() as workdir:
        url, token, page = setup(workdir)
        found = asyncio.run(measure(url, token, page, n))
    base = sorted(found["relation GET"])[2]
    print(f"CPU per request in process (SQLite, {n} requests × 5 rounds, medians; load average "
          f"{os.getloadavg()[0]:.1f}):")
    for name, values in found.items():
        median = sorted(values)[2]
        print(f"  {name:16} {median:7.1f} µs  {median / base:5.2f}× the relation GET  "
              f"(rounds {', '.join(f'{v:.0f}' for v in values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
