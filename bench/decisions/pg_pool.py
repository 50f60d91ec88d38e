#!/usr/bin/env python3
"""asyncpg's Pool against bondline's own (bondline.store.pgpool): client CPU per
acquire + one prepared query + release, 32 concurrent tasks on 10 connections, medians of 5 rounds.

    BONDLINE_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test python bench/decisions/pg_pool.py

CPU time (time.process_time) is what the worker spends; it moves less with a noisy machine than wall
time. asyncpg's pool runs with a no-op reset (bondline keeps no session state), its fastest setting.
"""
import asyncio
import os
import pathlib
import statistics
import sys
import time

import asyncpg

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))
from bondline.store.pgpool import Pool

URL = os.environ.get("BONDLINE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
N=3000
async def noop(c): pass
async def run(acq, rel):
    async def worker():
        for _ in range(N // 32):
            c = await acq()
            try:
                await c.fetchrow("SELECT $1::int", 1)
            finally:
                await rel(c)
    t=time.process_time()
    w=time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(32)])
    return (time.process_time()-t)/N*1e6, (time.perf_counter()-w)/N*1e6
async def main():
    ap = await asyncpg.create_pool(URL, min_size=1, max_size=10, reset=noop)
    mine = Pool(lambda: asyncpg.connect(URL), 10)
    await mine.open()
    async def mrel(c): mine.release(c)
    res={"asyncpg":[], "pgpool":[]}
    for _ in range(5):
        res["asyncpg"].append(await run(ap.acquire, ap.release))
        res["pgpool"].append(await run(mine.acquire, mrel))
    for k,v in res.items():
        print(k, "cpu µs/op median", round(statistics.median(x[0] for x in v),1),
              "wall", round(statistics.median(x[1] for x in v),1))
    await ap.close()
    await mine.close()
asyncio.run(main())
