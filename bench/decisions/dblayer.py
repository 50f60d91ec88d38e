"""Per-query cost of the database layer candidates (docs/decisions/0003-database-layer.md).

One indexed point SELECT by a 6-column unique key, repeated; prints microseconds per query.
PostgreSQL half needs BONDLINE_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test).
"""
import asyncio
import os
import sqlite3
import tempfile
import time

import sqlalchemy as sa

N = 20000
md = sa.MetaData()
rel = sa.Table("bench_rel", md, sa.Column("id", sa.Integer, primary_key=True),
               *[sa.Column(c, sa.String(200), nullable=False) for c in ("ns", "name", "st", "sk", "tt", "tk")],
               sa.Column("created_by", sa.String(128)), sa.UniqueConstraint("ns", "name", "st", "sk", "tt", "tk"))
KEY = dict(ns="confluence", name="favourite", st="user", sk="u1", tt="content", tk="123")
sel = sa.select(rel.c.id, rel.c.created_by).where(*[rel.c[k] == sa.bindparam(k) for k in KEY])


def timeit(label, fn):
    fn()
    t = time.perf_counter()
    for _ in range(N):
        fn()
    print(f"{label:40} {(time.perf_counter() - t) / N * 1e6:7.1f} us/query")


async def atimeit(label, fn):
    await fn()
    t = time.perf_counter()
    for _ in range(N):
        await fn()
    print(f"{label:40} {(time.perf_counter() - t) / N * 1e6:7.1f} us/query")


def sqlite_part():
    path = os.path.join(tempfile.mkdtemp(), "b.db")
    eng = sa.create_engine(f"sqlite:///{path}")
    md.create_all(eng)
    with eng.begin() as c:
        c.execute(rel.insert(),
                  [dict(KEY, created_by="u1")] + [dict(KEY, tk=f"x{i}", created_by="u") for i in range(1000)])
    raw = sqlite3.connect(path, isolation_level=None)
    params = tuple(KEY[k] for k in ("ns", "name", "st", "sk", "tt", "tk"))
    timeit("sqlite3 raw (compiled once from Core)", lambda: raw.execute(RAWSQL, params).fetchone())
    with eng.connect() as c:
        timeit("SQLAlchemy Core sync (pysqlite)", lambda: c.execute(sel, KEY).first())

    async def a():
        from sqlalchemy.ext.asyncio import create_async_engine
        ae = create_async_engine(f"sqlite+aiosqlite:///{path}")
        async with ae.connect() as c:
            await atimeit("SQLAlchemy Core async (aiosqlite)", lambda: c.execute(sel, KEY))
        await ae.dispose()
        import aiosqlite
        async with aiosqlite.connect(path) as db:
            async def q():
                async with db.execute(RAWSQL, params) as cur:
                    return await cur.fetchone()
            await atimeit("aiosqlite raw", q)
    asyncio.run(a())


RAWSQL = ("SELECT id, created_by FROM bench_rel WHERE ns = ? AND name = ? AND st = ? AND sk = ? AND tt = ? AND tk = ?")


async def pg_part(url):
    import asyncpg
    import psycopg
    from sqlalchemy.ext.asyncio import create_async_engine
    eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    md.drop_all(eng)
    md.create_all(eng)
    with eng.begin() as c:
        c.execute(rel.insert(),
                  [dict(KEY, created_by="u1")] + [dict(KEY, tk=f"x{i}", created_by="u") for i in range(1000)])
    eng.dispose()
    pgsql = RAWSQL.replace("?", "$%d") % (1, 2, 3, 4, 5, 6)
    params = tuple(KEY[k] for k in ("ns", "name", "st", "sk", "tt", "tk"))
    c = await asyncpg.connect(url)
    stmt = await c.prepare(pgsql)
    await atimeit("asyncpg prepared", lambda: stmt.fetchrow(*params))
    await atimeit("asyncpg fetchrow (stmt cache)", lambda: c.fetchrow(pgsql, *params))
    await c.close()
    ac = await psycopg.AsyncConnection.connect(url, autocommit=True, prepare_threshold=1)
    async def pq():
        cur = await ac.execute(RAWSQL.replace("?", "%s"), params)
        return await cur.fetchone()
    await atimeit("psycopg3 async (prepared)", pq)
    await ac.close()
    for drv in ("asyncpg", "psycopg"):
        ae = create_async_engine(url.replace("postgresql://", f"postgresql+{drv}://"))
        async with ae.connect() as conn:
            await atimeit(f"SQLAlchemy Core async ({drv})", lambda: conn.execute(sel, KEY))
        await ae.dispose()
    eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    md.drop_all(eng)
    eng.dispose()


if __name__ == "__main__":
    sqlite_part()
    url = os.environ.get("BONDLINE_TEST_POSTGRES_URL")
    if url:
        asyncio.run(pg_part(url))
    else:
        print("PostgreSQL skipped: set BONDLINE_TEST_POSTGRES_URL")
