#!/usr/bin/env python3
"""Reltio entity search at the store: how long `equals(attributes.LastName,…)` (first page of 25)
and its `_total` take with N entities, and the plan the database chooses (which index serves it);
then `_facets` (type and LastName over a tag's entities: GROUP BY) and `_scan` pages of 200.

    python bench/reltio_search.py --entities 10000                       # SQLite in a temporary directory
    python bench/reltio_search.py --entities 10000 --postgres-url postgresql://postgres@127.0.0.1:5432/test

Entities are written through EntityRepo (so `entity_values` is filled as the API fills it): an
Individual each with a FirstName, a LastName drawn from 1,000 names, a nested Phone and a tag. The
search runs `--runs` times per query after a warm-up; p50 and p99 are printed (ms) with the plan of
the page query (EXPLAIN). Store-level only: no HTTP, no authorization (those are the same for every
query). Writes into a new schema / a temporary file it drops afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bondline.config import Settings
from bondline.domain.audit import Actor
from bondline.domain.reltio import filters
from bondline.domain.reltio.objects import ReltioEntity
from bondline.store import create_store, migrate, parse
from bondline.store.repos import reltio_search
from bondline.store.tables import entities

TENANT = "bench"
QUERIES = {
    "equals(LastName)": "equals(attributes.LastName,'name0042')",
    "startsWith(FirstName) and tag": "startsWith(attributes.FirstName,'first0001') and equals(tags,'t3')",
    "inSameAttributeValue(Phone)": "inSameAttributeValue(equals(attributes.Phone.Type,'home') and "
                                   "equals(attributes.Phone.Number,'555-0042'))",
}


def entity(i: int) -> ReltioEntity:
    attrs = {"FirstName": [{"id": f"f{i}", "value": f"First{i:06d}"}],
             "LastName": [{"id": f"l{i}", "value": f"Name{i % 1000:04d}"}],
             "Phone": [{"id": f"p{i}", "value": {"Type": [{"id": f"pt{i}", "value": "Home"}],
                                                 "Number": [{"id": f"pn{i}", "value": f"555-{i % 10000:04d}"}]}}]}
    return ReltioEntity(TENANT, f"E{i:07d}", "Individual", attrs,
                        [{"id": f"x{i}", "type": "configuration/sources/S", "value": f"k{i}"}], [f"t{i % 10}"], [],
                        f"First{i:06d} Name{i % 1000:04d}", "", 1, i, "bench", i, "bench")


async def main(args: argparse.Namespace) -> None:
    drop = None
    if args.postgres_url:
        import asyncpg

        schema = f"bench_rsearch_{uuid.uuid4().hex[:8]}"
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
            if args.postgres_url:
                async with store.write(Actor("bench", "bench")) as tx:
                    await tx.conn.execute(sa.text("ANALYZE entities, entity_values"))
            for name, text in QUERIES.items():
                node = filters.parse(text)
                page: list[float] = []
                count: list[float] = []
                for run in range(args.runs + 5):
                    async with store.read() as tx:
                        t0 = time.perf_counter()
                        found = await tx.entities.search(TENANT, node, limit=25)
                        t1 = time.perf_counter()
                        await tx.entities.count(TENANT, node)
                        t2 = time.perf_counter()
                    if run >= 5:
                        page.append((t1 - t0) * 1000)
                        count.append((t2 - t1) * 1000)
                q = statistics.quantiles
                print(f"{name:34} found {len(found):3}  page p50 {statistics.median(page):6.2f} ms "
                      f"p99 {q(page, n=100)[98]:6.2f} ms   total p50 {statistics.median(count):6.2f} ms")
                if args.explain:
                    stmt = sa.select(entities.c.id).where(reltio_search.where(TENANT, node, False)).order_by(
                        *reltio_search.order_by(None, False)).limit(25)
                    prefix = "EXPLAIN " if args.postgres_url else "EXPLAIN QUERY PLAN "
                    async with store.read() as tx:
                        compiled = stmt.compile(dialect=tx.conn.engine_dialect if hasattr(tx.conn, "engine_dialect")
                                                else None, compile_kwargs={"literal_binds": True})
                        for row in await tx.conn.all(sa.text(prefix + str(compiled))):
                            print("    ", " | ".join(str(c) for c in row))
            await _facets_and_scan(store, args.runs)
        finally:
            await store.close()
    finally:
        if drop is not None:
            await drop()


async def _facets_and_scan(store: Any, runs: int) -> None:
    node = filters.parse("equals(tags,'t3')")
    specs = [filters.facet("type"), filters.facet("attributes.LastName", page_size=25)]
    timings: list[float] = []
    for run in range(runs + 5):
        async with store.read() as tx:
            t0 = time.perf_counter()
            for spec in specs:
                await tx.entities.facet(TENANT, node, spec)
            if run >= 5:
                timings.append((time.perf_counter() - t0) * 1000)
    print(f"{'_facets type+LastName (tag t3)':34} p50 {statistics.median(timings):6.2f} ms "
          f"p99 {statistics.quantiles(timings, n=100)[98]:6.2f} ms")
    pages: list[float] = []
    after, node = "", filters.parse("exists(attributes.LastName)")
    while True:
        async with store.read() as tx:
            t0 = time.perf_counter()
            found = await tx.entities.scan(TENANT, node, after=after, limit=200)
            pages.append((time.perf_counter() - t0) * 1000)
        if not found:
            break
        after = found[-1].id
    print(f"{'_scan pages of 200':34} {len(pages) - 1:4} pages  p50 {statistics.median(pages):6.2f} ms "
          f"max {max(pages):6.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres-url")
    parser.add_argument("--explain", action="store_true")
    asyncio.run(main(parser.parse_args()))
