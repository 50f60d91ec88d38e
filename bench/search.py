#!/usr/bin/env python3
"""CQL search at scale (issue 31): GET /wiki/rest/api/search latency with N pages in 1,000 spaces,
1,000 users and 1,000,000 favourites and watches, at 8 connections on one worker.

    python bench/search.py                                  # SQLite, 10,000 then 100,000 pages
    python bench/search.py --backend postgresql --duration 10

Queries (the caller is a plain user: the visibility condition is part of every one):
favourite = currentUser() order by lastmodified desc (a page of 25); label = X and space = Y;
ancestor = <a page with 1,000 descendants>; a two-word text ~. The target: p99 ≤ 50 ms at 100,000
pages, and the 10,000-page numbers no more than 2× faster. And backlinks: the first page (25) of the
pages linking to a page linked from 1,000 pages, through the relation API with `expand=source`
(GET /relation/link/to/content/{id}/from/content), target p99 ≤ 20 ms. Rows are generated in SQL (INSERT …
SELECT over a number sequence), the full-text rows from the same bodies ContentRepo would index;
on PostgreSQL the load ends with VACUUM ANALYZE, as autovacuum would soon after it. The machines are
shared and noisy: compare runs made together.
Results go to bench/results/search-<backend>.json. At the larger scales a query whose page holds more
items than at the smallest is run again with the smaller scale's `limit` (the same number of items
rendered at both scales). `--cpu` measures the search use case's CPU per call in-process instead
(bench/results/search-cpu-<backend>.json): what the worker spends, which the machine's other load
disturbs least.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import urllib.request
from typing import Any
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import bondline_server, ensure_wrk, wrk  # (servers, wrk)
from run import PG_DEFAULT, RESULTS, fresh_database  # (the suite's databases)

USERS = 1_000
SPACES = 1_000
RELATIONS = 1_000_000
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "lambda", "sigma", "omega",
         "kubernetes", "postgres", "runbook", "deploy", "release", "incident", "budget", "roadmap", "design",
         "review", "meeting", "notes", "draft", "policy", "security", "network", "storage", "backup", "restore",
         "upgrade", "migration", "schema", "index", "query", "latency", "cache", "queue", "worker", "service",
         "client", "server", "token", "account", "billing", "invoice", "support", "ticket", "customer", "partner"]
LINKERS = 1_000  # pages linking to BACKLINKED
QUERIES = {
    "favourites": "favourite = currentUser() order by lastmodified desc",
    "label_and_space": "label = l5 and space = S6",
    "ancestor": "ancestor = 1",
    "text": 'text ~ "alpha beta"',
}
# --cpu: the search use case's CPU time per call, in this process (process time counts the driver's
# threads too; on PostgreSQL the statement's own time is the server's and not counted). Other load
# on the machine disturbs it far less than wrk's latencies. (name, CQL, limit)
CPU_QUERIES = [
    ("favourites", QUERIES["favourites"], 25),
    ("label_and_space, 9 items", QUERIES["label_and_space"], 9),
    ("ancestor", QUERIES["ancestor"], 25),
    ("text, 8 items", QUERIES["text"], 8),
    ("text ~ \"5005\" (one page)", 'text ~ "5005"', 25),
]


def backlinked(pages: int) -> int:
    """The page that LINKERS pages link to (in the middle of the range)."""
    return pages // 2


def backlinks_path(pages: int) -> str:
    """The first page of its backlinks through the relation API, with each source, as clients read them."""
    return f"/wiki/rest/api/relation/link/to/content/{backlinked(pages)}/from/content?expand=source&limit=25"


def _seq(kind: str, n: int, body: str) -> str:
    """`body` (an INSERT … SELECT … FROM seq …) over i = 1 … n."""
    if kind == "sqlite":
        return f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n}) {body}"
    return body.replace("FROM seq", f"FROM generate_series(1, {n}) AS seq(i)")


def statements(kind: str, pages: int) -> list[str]:
    words = ", ".join(f"({n}, '{w}')" for n, w in enumerate(WORDS))
    w = len(WORDS)
    false = "0" if kind == "sqlite" else "false"
    account = "CASE WHEN u = 1 THEN 'bench' ELSE 'u' || CAST(u AS TEXT) END"
    out = [
        "CREATE TABLE bench_words (n INTEGER PRIMARY KEY, w VARCHAR(20))",
        f"INSERT INTO bench_words VALUES {words}",
        _seq(kind, USERS - 1, "INSERT INTO users (id, account_id, email, display_name, site_admin, created_at)"
             f" SELECT i + 1, 'u' || CAST(i + 1 AS TEXT), 'u' || CAST(i + 1 AS TEXT) || '@example.com',"
             f" 'User ' || CAST(i + 1 AS TEXT), {false}, 0 FROM seq"),
        _seq(kind, SPACES, "INSERT INTO spaces (id, key, name, description, type, status, private, created_by,"
             f" created_at) SELECT i, 'S' || CAST(i AS TEXT), 'Space ' || CAST(i AS TEXT), '', 'global', 'current',"
             f" {false}, 1, 0 FROM seq"),
        # pages 2…101 are children of page 1, 102…1001 grandchildren: 1,000 descendants of page 1
        _seq(kind, pages, "INSERT INTO content (id, type, status, space_id, parent_id, title, body, representation,"
             " version, version_message, minor_edit, created_by, created_at, updated_by, updated_at, position)"
             " SELECT i, 'page', 'current', CASE WHEN i <= 1001 THEN 1 ELSE (i % 1000) + 1 END,"
             " CASE WHEN i = 1 THEN NULL WHEN i <= 101 THEN 1 WHEN i <= 1001 THEN ((i - 102) % 100) + 2 END,"
             " 'Page ' || CAST(i AS TEXT) || ' ' || a.w, '<p>' || a.w || ' ' || b.w || ' notes for page '"
             f" || CAST(i AS TEXT) || '</p>', 'storage', 1, '', {false}, 1, i, 1, i * 1000, i"
             f" FROM seq JOIN bench_words a ON a.n = i % {w} JOIN bench_words b ON b.n = (i / {w}) % {w}"),
        _seq(kind, 100, "INSERT INTO labels (id, prefix, name) SELECT i, 'global', 'l' || CAST(i - 1 AS TEXT)"
             " FROM seq"),
        _seq(kind, pages, "INSERT INTO content_labels (content_id, label_id, created_at, created_by)"
             " SELECT i, (i % 100) + 1, 0, 1 FROM seq"),
        # a million favourites and watches: user u marks pages spread over the whole range
        _seq(kind, RELATIONS, "INSERT INTO relations (namespace, name, source_type, source_key, target_type,"
             " target_key, source_scope, target_scope, version, created_at, created_by, updated_at, updated_by)"
             f" SELECT 'confluence', CASE WHEN (i / {USERS}) % 2 = 0 THEN 'favourite' ELSE 'watch' END, 'user',"
             f" {account}, 'content', CAST(t AS TEXT), NULL, NULL, 1, i, 'bench', i, 'bench'"
             f" FROM (SELECT i, (i % {USERS}) + 1 AS u,"
             f" ((CAST(i AS BIGINT) * 7919 + i / {USERS}) % {pages}) + 1 AS t FROM seq) AS r"
             " WHERE 1 = 1 ON CONFLICT DO NOTHING"),
        # the computed `link` relations of LINKERS pages spread over the spaces to one page, as
        # services/links.sync writes them (each end's space as its scope)
        _seq(kind, LINKERS, "INSERT INTO relations (namespace, name, source_type, source_key, target_type,"
             " target_key, source_scope, target_scope, version, created_at, created_by, updated_at, updated_by)"
             " SELECT 'confluence', 'link', 'content', CAST(src.id AS TEXT), 'content', CAST(dst.id AS TEXT),"
             " src.space_id, dst.space_id, 1, seq.i, 'bench', seq.i, 'bench'"
             f" FROM seq JOIN content src ON src.id = ((seq.i * 97) % {pages}) + 1"
             f" JOIN content dst ON dst.id = {backlinked(pages)} WHERE src.id <> dst.id ON CONFLICT DO NOTHING"),
    ]
    if kind == "sqlite":
        out.append("INSERT INTO content_fts (rowid, title, body) SELECT id, title,"
                   " replace(replace(body, '<p>', ''), '</p>', '') FROM content")
    else:
        out.append("INSERT INTO content_fts (content_id, document) SELECT id, setweight(to_tsvector('english',"
                   " title), 'A') || setweight(to_tsvector('english', replace(replace(body, '<p>', ''), '</p>', '')),"
                   " 'B') FROM content")
        for table in ("users", "spaces", "content", "labels"):  # identities continue after the generated ids
            out.append(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        out.append("VACUUM ANALYZE")  # what autovacuum does soon after a load: statistics, the visibility
        # map (index-only scans), the GIN index's pending list merged
    out.append("DROP TABLE bench_words")
    return out


def load(database_url: str, pages: int) -> str:
    """A migrated database with the bench user (and its token) and the generated rows."""
    from bondline.config import Settings
    from bondline.services import accounts
    from bondline.store import create_store, migrate, parse

    migrate.upgrade(parse(database_url))

    async def setup() -> str:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        try:
            await accounts.add_user(store, "bench", "bench@example.com", "Bench")
            _, token = await accounts.create_token(store, "bench")
            kind = store.kind
        finally:
            await store.close()
        if kind == "sqlite":
            import sqlite3

            conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
            try:
                for sql in statements("sqlite", pages):
                    conn.execute(sql)
                conn.commit()
            finally:
                conn.close()
        else:
            import asyncpg

            url, _, schema = database_url.partition("?search_path=")
            pg = await asyncpg.connect(url, server_settings={"search_path": schema} if schema else None)
            try:
                for sql in statements("postgresql", pages):
                    await pg.execute(sql)
            finally:
                await pg.close()
        return token

    return asyncio.run(setup())


def _sizes(url: str, token: str) -> tuple[int, int | None]:
    """What one answer holds: (items on the page, totalSize where the response has one)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    return body["size"], body.get("totalSize")


def run_scale(args: argparse.Namespace, pages: int, workdir: str,
              page_sizes: dict[str, int] | None = None) -> dict[str, Any]:
    """Each query's first page at `pages` pages. With `page_sizes` (the items each query returned at the
    smaller scale) a query whose page is now fuller runs a second time with that `limit`: the same
    number of items rendered at both scales, so the ratio shows what finding the matches costs."""
    url, drop = fresh_database(args.backend, workdir, args.pg_url)
    try:
        started = time.perf_counter()
        token = load(url, pages)
        print(f"{pages} pages loaded in {time.perf_counter() - started:.0f} s", flush=True)
        out: dict[str, Any] = {}
        targets = {name: f"/wiki/rest/api/search?limit=25&cql={quote(cql)}" for name, cql in QUERIES.items()}
        targets["backlinks"] = backlinks_path(pages)
        with bondline_server(url) as srv:
            headers = {"Authorization": f"Bearer {token}"}
            for name, path in list(targets.items()):
                size, total = _sizes(srv.url + path, token)
                if page_sizes and name in QUERIES and size > page_sizes.get(name, size):
                    targets[f"{name}@{page_sizes[name]}"] = path.replace("limit=25", f"limit={page_sizes[name]}")
            for name, path in targets.items():
                target = srv.url + path
                size, total = _sizes(target, token)
                wrk(target, duration=2, connections=args.connections, headers=headers)  # warm-up
                out[name] = wrk(target, duration=args.duration, connections=args.connections, headers=headers)
                out[name].update(size=size, totalSize=total)
                print(f"  {name:18} p50 {out[name]['p50_ms']:7.2f} ms  p99 {out[name]['p99_ms']:7.2f} ms"
                      f"  {out[name]['rps']:8.0f}/s  non-2xx {out[name]['non_2xx']}"
                      f"  items {size}" + (f" of {total}" if total is not None else ""), flush=True)
        return out
    finally:
        drop()


async def _cpu_per_call(database_url: str) -> dict[str, Any]:
    from bondline.config import Settings
    from bondline.domain.model import Caller
    from bondline.services import search as use_case
    from bondline.store import create_store

    store = create_store(Settings(database_url=database_url))
    await store.open()
    try:
        async with store.read() as tx:
            user = await tx.users.by_account_id("bench")
        assert user is not None
        caller = Caller.of(user)
        out: dict[str, Any] = {}
        for name, cql, limit in CPU_QUERIES:
            for _ in range(30):  # warm-up: parse cache, read cache, page cache
                await use_case.search(store, caller, cql, limit=limit)
            runs = []
            for _ in range(5):
                began = time.process_time()
                for _ in range(100):
                    found = await use_case.search(store, caller, cql, limit=limit)
                runs.append((time.process_time() - began) * 10)  # ms per call
            out[name] = {"cpu_ms": round(min(runs), 3), "size": len(found.items), "totalSize": found.total}
        return out
    finally:
        await store.close()


def cpu_scale(args: argparse.Namespace, pages: int, workdir: str) -> dict[str, Any]:
    """The use case's CPU per call at `pages` pages (the best of five runs of 100 calls)."""
    url, drop = fresh_database(args.backend, workdir, args.pg_url)
    try:
        load(url, pages)
        out = asyncio.run(_cpu_per_call(url))
        for name, r in out.items():
            print(f"  {pages:>7} pages  {name:28} {r['cpu_ms']:7.3f} ms  items {r['size']} of {r['totalSize']}",
                  flush=True)
        return out
    finally:
        drop()


def scaling(results: dict[str, Any]) -> None:
    """How much slower each query is at the largest scale than at the smallest (requests/s, one run),
    as asked and with the smaller scale's number of items on the page."""
    scales = sorted(results["scales"], key=int)
    if len(scales) < 2:
        return
    small, large = results["scales"][scales[0]], results["scales"][scales[-1]]
    print(f"{scales[-1]} pages against {scales[0]} (requests/s ratio; target ≤ 2×):")
    for name in small:
        same = next((key for key in large if key.startswith(f"{name}@")), None)
        line = f"  {name:16} {small[name]['rps'] / large[name]['rps']:5.2f}×"
        if same:
            line += f"   {small[name]['rps'] / large[same]['rps']:5.2f}× with {small[name]['size']} items on both"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("BONDLINE_TEST_POSTGRES_URL", PG_DEFAULT))
    parser.add_argument("--pages", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--cpu", action="store_true",
                        help="measure the search use case's CPU per call in-process instead of latency with wrk")
    args = parser.parse_args()
    if args.cpu:
        cpu: dict[str, Any] = {"backend": args.backend, "scales": {}}
        with tempfile.TemporaryDirectory() as workdir:
            for pages in args.pages:
                cpu["scales"][str(pages)] = cpu_scale(args, pages, workdir)
        scales = [cpu["scales"][str(p)] for p in args.pages]
        print(f"{args.pages[-1]} pages against {args.pages[0]} (CPU per call):")
        for name in scales[0]:
            print(f"  {name:28} {scales[-1][name]['cpu_ms'] / scales[0][name]['cpu_ms']:5.2f}×")
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"search-cpu-{args.backend}.json").write_text(json.dumps(cpu, indent=2) + "\n")
        return
    ensure_wrk()
    results: dict[str, Any] = {"backend": args.backend, "connections": args.connections, "scales": {}}
    with tempfile.TemporaryDirectory() as workdir:
        page_sizes: dict[str, int] | None = None
        for pages in args.pages:
            results["scales"][str(pages)] = run_scale(args, pages, workdir, page_sizes)
            if page_sizes is None:
                page_sizes = {name: r["size"] for name, r in results["scales"][str(pages)].items()}
    scaling(results)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"search-{args.backend}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
