#!/usr/bin/env python3
"""Reltio graph reads at scale (issue 33): through HTTP, one worker, 8 connections (wrk), with N
entities and about 5 N relations (docs/decisions/0023-reltio-graph.md, docs/performance.md).

    python bench/reltio_graph.py --entities 10000 100000                     # SQLite
    python bench/reltio_graph.py --backend postgresql --entities 10000 1000000

Queries (as a ROLE_USER of the tenant):
- `search`: GET /entities?filter=equals(attributes.LastName,'Name0042')&max=25 (N / 1,000 matches);
- `relation_search`: GET /relations?filter=equals(attributes.Title,'Title042')&max=25 (relation
  attribute values, `relation_values`);
- `connections`: POST /entities/E0000000/_connections, one group of 25 — the hub with 1,000 relations;
- `hops`: GET /entities/E0000001/_hops?deep=3 — an entity whose 3-hop neighbourhood holds about
  10,000 relations (20 children, 400 grandchildren, 9,200 great-grandchildren, besides the usual 10
  relations of every entity).
Targets: search and connections p99 ≤ 30 ms, hops p99 ≤ 200 ms; each no more than 2× slower at
1,000,000 entities than at 10,000 (so at least two scales, the smallest first).

Rows are generated in SQL (INSERT … SELECT over a number sequence) the way the repositories write
them (`entities`, `entity_values` for FirstName/LastName, `relations` with their payload and
`relation_values` for Title); every entity i has `affiliatedwith` relations to i + k·7,919 (mod N)
for k = 1…5. On PostgreSQL the load ends with VACUUM ANALYZE. The load average is recorded with the
numbers (the machine is shared). Results go to bench/results/reltio-graph-<backend>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from typing import Any
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import bondline_server, ensure_wrk, wrk  # (servers, wrk)
from run import PG_DEFAULT, RESULTS, fresh_database  # (the suite's databases)

TENANT = "bench"
HUB_DEGREE = 1_000  # relations of E0000000 (connections)
TREE = (20, 20, 23)  # E0000001's children, their children, theirs (hops: ~10,000 relations)
STEP = 7_919  # entity i relates to i + k * STEP (mod N), k = 1…5
LUA_POST = "reltio_graph_post.lua"
SEARCH = "equals(attributes.LastName,'Name0042')"
RELATION_SEARCH = "equals(attributes.Title,'Title042')"


def _seq(kind: str, n: int, body: str) -> str:
    """`body` (an INSERT … SELECT … FROM seq …) over i = 0 … n - 1."""
    if kind == "sqlite":
        return f"WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {n - 1}) {body}"
    return body.replace("FROM seq", f"FROM generate_series(0, {n - 1}) AS seq(i)")


def _eid(kind: str, expr: str) -> str:
    """'E' and the 7-digit number `expr` (as the bench's ids: E0000042)."""
    if kind == "sqlite":
        return f"('E' || substr('0000000' || CAST({expr} AS TEXT), -7, 7))"
    return f"('E' || lpad(CAST({expr} AS TEXT), 7, '0'))"


def _pad(kind: str, expr: str, width: int) -> str:
    if kind == "sqlite":
        return f"substr('{'0' * width}' || CAST({expr} AS TEXT), -{width}, {width})"
    return f"lpad(CAST({expr} AS TEXT), {width}, '0')"


def statements(kind: str, n: int) -> list[str]:
    true = "1" if kind == "sqlite" else "true"
    ns = f"reltio/{TENANT}"
    eid = _eid(kind, "i")
    last = f"'Name' || {_pad(kind, 'i % 1000', 4)}"
    first = f"'First' || {_pad(kind, 'i', 7)}"
    payload = "'{\"attributes\":{},\"crosswalks\":[],\"flags\":{}}'"
    titled = ("'{\"attributes\":{\"Title\":[{\"id\":\"t' || CAST(rid AS TEXT) || '\",\"value\":\"Title' || "
              f"{_pad(kind, 'rid % 1000', 3)} || '\"}}]}},\"crosswalks\":[],\"flags\":{{}}}}'")

    def relations(count: int, name: str, start: str, end: str, offset: int, with_title: bool) -> str:
        """`count` relations (i = 0 … count - 1) of type `name` from `start` to `end` (expressions
        in i), ext ids R<offset + i>."""
        rid = f"({offset} + i)"
        body = titled.replace("rid", rid) if with_title else payload
        return _seq(kind, count, "INSERT INTO relations (namespace, name, source_type, source_key, target_type,"
                    " target_key, source_scope, target_scope, version, created_at, created_by, updated_at,"
                    f" updated_by, ext_id, payload) SELECT '{ns}', '{name}', 'entity', {_eid(kind, start)}, 'entity',"
                    f" {_eid(kind, end)}, NULL, NULL, 1, i, 'bench', i, 'bench', 'R' || CAST({rid} AS TEXT), {body}"
                    " FROM seq WHERE 1 = 1 ON CONFLICT DO NOTHING")

    out = [
        _seq(kind, n, "INSERT INTO entities (tenant_id, id, type, attributes, crosswalks, tags, roles, label,"
             " secondary_label, version, created_at, created_by, updated_at, updated_by)"
             f" SELECT '{TENANT}', {eid}, 'Individual', '{{\"FirstName\":[{{\"id\":\"f' || CAST(i AS TEXT) ||"
             f" '\",\"value\":\"' || {first} || '\"}}],\"LastName\":[{{\"id\":\"l' || CAST(i AS TEXT) ||"
             f" '\",\"value\":\"' || {last} || '\"}}]}}', '[]', '[]', '[]', {first} || ' ' || {last}, '', 1, i,"
             " 'bench', i, 'bench' FROM seq"),
        _seq(kind, n, "INSERT INTO entity_values (tenant_id, entity_id, position, path, grp, value, lvalue, words,"
             f" num, ov) SELECT '{TENANT}', {eid}, 0, 'FirstName', 'f' || CAST(i AS TEXT), {first}, lower({first}),"
             f" ' ' || lower({first}) || ' ', NULL, {true} FROM seq"),
        _seq(kind, n, "INSERT INTO entity_values (tenant_id, entity_id, position, path, grp, value, lvalue, words,"
             f" num, ov) SELECT '{TENANT}', {eid}, 1, 'LastName', 'l' || CAST(i AS TEXT), {last}, lower({last}),"
             f" ' ' || lower({last}) || ' ', NULL, {true} FROM seq"),
        _seq(kind, n, "INSERT INTO entity_values (tenant_id, entity_id, position, path, grp, value, lvalue, words,"
             f" num, ov) SELECT '{TENANT}', {eid}, 2, '#label', '', {first} || ' ' || {last},"
             f" lower({first} || ' ' || {last}), ' ' || lower({first}) || ' ' || lower({last}) || ' ', NULL, {true}"
             " FROM seq"),
    ]
    rid = 0
    for k in range(1, 6):  # the ordinary graph: 5 N relations, each with a Title
        out.append(relations(n, "affiliatedwith", "i", f"(i + {k * STEP}) % {n}", rid, True))
        rid += n
    out.append(relations(HUB_DEGREE, "HasAddress", "0", f"{n // 2} + i", rid, False))  # the hub
    rid += HUB_DEGREE
    a, b, c = TREE  # E0000001's tree, over entities 2 …
    out.append(relations(a, "Employment", "1", "2 + i", rid, False))
    rid += a
    out.append(relations(a * b, "Employment", f"2 + i / {b}", f"{2 + a} + i", rid, False))
    rid += a * b
    out.append(relations(a * b * c, "Employment", f"{2 + a} + i / {c}", f"{2 + a + a * b} + i", rid, False))
    rid += a * b * c
    out.append("INSERT INTO relation_values (tenant_id, relation_id, position, path, grp, value, lvalue, words, num,"
               f" ov) SELECT '{TENANT}', ext_id, 0, 'Title', 't' || substr(ext_id, 2), 'Title' ||"
               f" {_pad(kind, 'CAST(substr(ext_id, 2) AS INTEGER) % 1000', 3)}, 'title' ||"
               f" {_pad(kind, 'CAST(substr(ext_id, 2) AS INTEGER) % 1000', 3)}, ' title' ||"
               f" {_pad(kind, 'CAST(substr(ext_id, 2) AS INTEGER) % 1000', 3)} || ' ', NULL, {true} FROM relations"
               f" WHERE namespace = '{ns}' AND name = 'affiliatedwith'")
    if kind == "postgresql":
        out.append("SELECT setval(pg_get_serial_sequence('relations', 'id'), (SELECT max(id) FROM relations))")
        out.append("VACUUM ANALYZE")
    return out


def load(database_url: str, n: int) -> str:
    """A migrated database with the tenant, the bench user (ROLE_USER there, and its token) and the rows."""
    from bondline.config import Settings
    from bondline.services import accounts
    from bondline.services.reltio import tenants
    from bondline.store import create_store, migrate, parse

    migrate.upgrade(parse(database_url))

    async def setup() -> str:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        try:
            user = await accounts.add_user(store, "bench", "bench@example.com", "Bench")
            _, token = await accounts.create_token(store, "bench")
            await tenants.add(store, TENANT)
            await tenants.grant(store, TENANT, user.account_id, ["ROLE_USER"])
            kind = store.kind
        finally:
            await store.close()
        if kind == "sqlite":
            import sqlite3

            conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
            try:
                for sql in statements("sqlite", n):
                    conn.execute(sql)
                conn.commit()
                conn.execute("ANALYZE")
            finally:
                conn.close()
        else:
            import asyncpg

            url, _, schema = database_url.partition("?search_path=")
            pg = await asyncpg.connect(url, server_settings={"search_path": schema} if schema else None)
            try:
                for sql in statements("postgresql", n):
                    await pg.execute(sql)
            finally:
                await pg.close()
        return token

    return asyncio.run(setup())


def targets() -> dict[str, tuple[str, str | None]]:
    """name -> (path, POST body or None)."""
    base = f"/reltio/api/{TENANT}"
    return {
        "search": (f"{base}/entities?max=25&filter={quote(SEARCH)}", None),
        "relation_search": (f"{base}/relations?max=25&filter={quote(RELATION_SEARCH)}", None),
        "connections": (f"{base}/entities/E0000000/_connections", json.dumps([{"max": 25}])),
        "hops": (f"{base}/entities/E0000001/_hops?deep=3", None),
    }


def run_scale(args: argparse.Namespace, n: int, workdir: str) -> dict[str, Any]:
    url, drop = fresh_database(args.backend, workdir, args.pg_url)
    try:
        started = time.perf_counter()
        token = load(url, n)
        loaded = time.perf_counter() - started
        print(f"{n} entities loaded in {loaded:.0f} s", flush=True)
        out: dict[str, Any] = {"load_s": round(loaded), "loadavg_before": os.getloadavg()}
        with bondline_server(url) as srv:
            for name, (path, body) in targets().items():
                headers = {"Authorization": f"Bearer {token}"}
                env = None
                script = None
                if body is not None:
                    headers["Content-Type"] = "application/json"
                    script, env = LUA_POST, {"WRK_BODY": body}
                wrk(srv.url + path, duration=2, connections=args.connections, headers=headers, script=script,
                    env=env)  # warm-up
                out[name] = wrk(srv.url + path, duration=args.duration, connections=args.connections,
                                headers=headers, script=script, env=env)
                out[name]["loadavg"] = os.getloadavg()
                print(f"  {name:16} p50 {out[name]['p50_ms']:7.2f} ms  p99 {out[name]['p99_ms']:7.2f} ms"
                      f"  {out[name]['rps']:8.0f}/s  non-2xx {out[name]['non_2xx']}  load {os.getloadavg()[0]:.1f}",
                      flush=True)
        return out
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("BONDLINE_TEST_POSTGRES_URL", PG_DEFAULT))
    parser.add_argument("--entities", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if min(args.entities) < 10_000:
        parser.error("--entities: at least 10,000 (E0000001's tree needs 9,622 of them)")
    ensure_wrk()
    results: dict[str, Any] = {"backend": args.backend, "connections": args.connections, "scales": {}}
    with tempfile.TemporaryDirectory() as workdir:
        for n in args.entities:
            results["scales"][str(n)] = run_scale(args, n, workdir)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"reltio-graph-{args.backend}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
