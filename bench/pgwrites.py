#!/usr/bin/env python3
"""Relation PUT on PostgreSQL against SQLite, in one run (issue 35: ≥ 0.6× SQLite's), and what the
PostgreSQL worker's connection pool does to it.

    python bench/pgwrites.py --postgres-url postgresql://postgres@127.0.0.1:5434/bench

Seeds both backends as bench/run.py does, then serves SQLite and PostgreSQL with each pool size of
--pools (BONDLINE_PG_POOL_SIZE; one worker each, production settings), all up at once, and drives
`unique_put.lua` (a new relation per request, wrk -t1 -c32) on each in turns, the order rotating
each round, for --rounds rounds: the machine's drift falls on all of them alike. Prints the median
requests/s, p50 and p99 of each and each PostgreSQL server's ratio to SQLite, with the load average.

A PUT on PostgreSQL is five round trips (BEGIN, the page with its space and the caller's role, the
INSERT, the audit row, COMMIT; `log_statement = all`), each a wake-up of the backend on a shared
machine, and the COMMIT waits for the WAL flush (synchronous_commit stays on). With the worker's
pool smaller than the clients, the pool is the limit: throughput is the pool size over one
transaction's latency, and the writers beyond it queue for a connection instead of sharing a WAL
flush with the others (PostgreSQL commits every transaction waiting at a flush together).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default=os.environ.get("BONDLINE_BENCH_POSTGRES_URL", run.PG_DEFAULT))
    parser.add_argument("--pools", default="10,32", help="PostgreSQL pool sizes to serve side by side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    args = parser.parse_args()
    common.ensure_wrk()
    pools = [int(p) for p in args.pools.split(",")]
    with tempfile.TemporaryDirectory() as workdir:
        sqlite_url, drop_sqlite = run.fresh_database("sqlite", workdir, args.postgres_url)
        pg_url, drop_pg = run.fresh_database("postgresql", workdir, args.postgres_url)
        try:
            token = run.seed(sqlite_url, workdir, delete_rows=0)["token"]
            pg_token = run.seed(pg_url, workdir, delete_rows=0)["token"]
            servers: dict[str, Any] = {"SQLite": (common.bondline_server(sqlite_url), token)}
            for size in pools:
                servers[f"PostgreSQL, pool {size}"] = (
                    common.bondline_server(pg_url, env={"BONDLINE_PG_POOL_SIZE": str(size)}), pg_token)
            try:
                names = list(servers)
                runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
                loads = [os.getloadavg()[0]]
                for i in range(args.rounds + 1):  # round 0: a warm-up, not counted
                    for name in names[i % len(names):] + names[:i % len(names)]:
                        srv, tok = servers[name]
                        env = {"TOKEN": tok, "PAGES": str(run.PAGES), "PREFIX": f"pw{i}x{names.index(name)}x"}
                        found = common.wrk(srv.url + "/wiki/rest/api", duration=args.seconds if i else 2,
                                           script="unique_put.lua", env=env)
                        if i:
                            runs[name].append(found)
                    loads.append(os.getloadavg()[0])
            finally:
                for srv, _ in servers.values():
                    srv.__exit__(None, None, None)
        finally:
            drop_sqlite()
            drop_pg()
    found = {name: common.median_of(r) for name, r in runs.items()}
    base = found["SQLite"]["rps"]
    print(f"relation PUT, one worker each, wrk -c32, {args.rounds} × {args.seconds} s in turns, medians "
          f"(load average {min(loads):.1f}–{max(loads):.1f}):")
    for name, m in found.items():
        print(f"  {name:22} {m['rps']:7,.0f} req/s  p50 {m['p50_ms']:7.2f} ms  p99 {m['p99_ms']:7.2f} ms  "
              f"{m['rps'] / base:5.2f}× SQLite  (samples {', '.join(str(s['rps']) for s in m['samples'])}; "
              f"non-2xx {m['non_2xx']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
