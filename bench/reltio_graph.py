#!/usr/bin/env python3
"""Reltio graph reads at the store: `_connections` of an entity with 1,000 relations (first page
of 25, and its total), and `_hops` (3 levels from an ordinary entity, 2 from the hub), with N
entities (docs/decisions/0023-reltio-graph.md).

    python bench/reltio_graph.py --entities 10000                       # SQLite in a temporary directory
    python bench/reltio_graph.py --entities 10000 --postgres-url postgresql://postgres@127.0.0.1:5432/test

Entities are Individuals (as bench/reltio_search.py writes them); entity i has affiliatedwith
relations to i+1 … i+4 (mod N), and the hub E0000000 HasAddress relations to 1,000 others. Each
query runs `--runs` times after a warm-up; p50 and p99 are printed (ms). Store-level only (no HTTP,
no authorization); the hops run the service's breadth-first loop through `ReltioGraphRepo`.
Writes into a new schema / a temporary file it drops afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reltio_search import TENANT, entity

from bondline.config import Settings
from bondline.domain.audit import Actor
from bondline.domain.reltio import graph
from bondline.domain.reltio.objects import ReltioRelation
from bondline.store import create_store, migrate, parse
from bondline.store.unit import Tx

HUB_DEGREE = 1000


def relation(n: int, kind: str, start: int, end: int) -> ReltioRelation:
    return ReltioRelation(TENANT, f"R{n:07d}", kind, f"E{start:07d}", f"E{end:07d}", {}, [], {}, 1, n, "bench", n,
                          "bench")


def relations(n_entities: int) -> list[ReltioRelation]:
    out = [relation(i, "HasAddress", 0, 1 + i) for i in range(min(HUB_DEGREE, n_entities - 1))]
    for i in range(n_entities):
        for k in range(1, 5):
            out.append(relation(len(out), "affiliatedwith", i, (i + k) % n_entities))
    return out


async def hops(tx: Tx, start: str, deep: int) -> tuple[int, int]:
    """The service's loop (services/reltio/graph.py), without the entities' rendering."""
    reached, kept, frontier, budget = {start}, set(), {start}, graph.HOPS_MAX_RELATIONS
    for _ in range(deep):
        found = (await tx.reltio_graph.touching(TENANT, frontier, None, budget))[:budget]
        budget -= len(found)
        new = [r for r in found if r.id not in kept]
        ids = {x for r in new for x in (r.start_id, r.end_id)} - reached
        if len(reached) + len(ids) > graph.HOPS_MAX_ENTITIES:
            break
        kept.update(r.id for r in new)
        reached |= ids
        frontier = ids
        if budget <= 0:
            break
    await tx.entities.get_many(TENANT, reached)
    await tx.reltio_graph.degree(TENANT, reached)
    return len(reached), len(kept)


async def measure(store: Any, runs: int, fn: Callable[[Tx], Awaitable[Any]]) -> tuple[list[float], Any]:
    times, result = [], None
    for run in range(runs + 5):
        async with store.read() as tx:
            t0 = time.perf_counter()
            result = await fn(tx)
            t1 = time.perf_counter()
        if run >= 5:
            times.append((t1 - t0) * 1000)
    return times, result


async def main(args: argparse.Namespace) -> None:
    drop = None
    if args.postgres_url:
        import asyncpg

        schema = f"bench_rgraph_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(args.postgres_url)
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        await conn.close()
        url = f"{args.postgres_url}{'&' if '?' in args.postgres_url else '?'}search_path={schema}"

        async def drop_schema() -> None:
            c = await asyncpg.connect(args.postgres_url)
            await c.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await c.close()

        drop = drop_schema
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    try:
        await asyncio.to_thread(migrate.upgrade, parse(url))
        store = create_store(Settings(database_url=url))
        await store.open()
        try:
            async with store.write(Actor("bench", "bench")) as tx:
                await tx.tenants.add(TENANT, 0)
            for start in range(0, args.entities, 2000):
                async with store.write(Actor("bench", "bench")) as tx:
                    await tx.entities.insert_many([entity(i) for i in range(start, min(args.entities, start + 2000))])
            rels = relations(args.entities)
            for start in range(0, len(rels), 5000):
                async with store.write(Actor("bench", "bench")) as tx:
                    await tx.reltio_relations.insert_many(rels[start:start + 5000])
            if args.postgres_url:
                async with store.write(Actor("bench", "bench")) as tx:
                    await tx.conn.execute(sa.text("ANALYZE entities, entity_values, relations"))

            def connections(by_label: bool) -> Callable[[Tx], Awaitable[Any]]:
                async def run(tx: Tx) -> Any:
                    total, page = await tx.reltio_graph.connections(
                        TENANT, "E0000000", out_types=None, in_types=None, entity_types=None, condition=None,
                        by_ov=False, by_label=by_label, offset=0, limit=25)
                    return total, len(page)
                return run

            cases: dict[str, Callable[[Tx], Awaitable[Any]]] = {
                "_connections hub (page 25)": connections(False),
                "_connections hub by label": connections(True),
                "_hops deep=3 ordinary": lambda tx: hops(tx, f"E{args.entities // 2:07d}", 3),
                "_hops deep=2 hub": lambda tx: hops(tx, "E0000000", 2),
            }
            print(f"{args.entities} entities, {len(rels)} relations")
            for name, fn in cases.items():
                times, result = await measure(store, args.runs, fn)
                q = statistics.quantiles(times, n=100)
                print(f"{name:30} {result!s:14} p50 {statistics.median(times):7.2f} ms  p99 {q[98]:7.2f} ms")
        finally:
            await store.close()
    finally:
        if drop is not None:
            await drop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--postgres-url")
    asyncio.run(main(parser.parse_args()))
