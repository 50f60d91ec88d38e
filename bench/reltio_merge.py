#!/usr/bin/env python3
"""Reltio match and merge (docs/decisions/0026-reltio-match-merge.md), through the services (the
caller's tenant context, authorization, locking, the domain's plan, the writes and the merged
entity's view; no HTTP):

1. merge: two entities with 1,000 relations each (and one between them) merged with
   POST /entities/{id}/_sameAs's use case; p50/p99 over `--runs` fresh pairs. Target p99 ≤ 250 ms.
2. a write with match evaluation: POST /entities of one new Individual with `--entities`
   Individuals stored, with no match groups ("off") and with an automatic match group on Email
   ("on": evaluated in the write's own transaction); p50/p99 of each. Target: "on" within 2× of "off".

    python bench/reltio_merge.py                                   # SQLite in a temporary directory
    python bench/reltio_merge.py --postgres-url postgresql://postgres@127.0.0.1:5432/test --entities 1000000

Rows are generated in SQL (INSERT … SELECT over a number sequence, as bench/search.py does); on
PostgreSQL the load ends with ANALYZE. Writes into a new schema / a temporary file it drops
afterwards. The machines are shared and noisy: compare runs made together.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
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
from bondline.domain.model import Caller
from bondline.domain.reltio.objects import ReltioEntity
from bondline.domain.reltio.types import DEFAULT_CONFIGURATION
from bondline.services import accounts
from bondline.services.reltio import entities, merge, tenants
from bondline.store import create_store, migrate, parse

TENANT = "bench"
DEGREE = 1000
IND = "configuration/entityTypes/Individual"
PAYLOAD = '{"attributes":{},"crosswalks":[],"flags":{}}'


def _seq(kind: str, n: int, body: str, first: int = 1) -> str:
    """`body` (an INSERT … SELECT … FROM seq …) over i = first … n."""
    if kind == "sqlite":
        return f"WITH RECURSIVE seq(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM seq WHERE i < {n}) {body}"
    return body.replace("FROM seq", f"FROM generate_series({first}, {n}) AS seq(i)")


def pair_entity(eid: str, now: int) -> ReltioEntity:
    attrs = {"FirstName": [{"id": f"f{eid}", "value": "Ada", "x": f"x{eid}"}],
             "LastName": [{"id": f"l{eid}", "value": eid, "x": f"x{eid}"}]}
    xws = [{"id": f"x{eid}", "type": "configuration/sources/S", "value": eid, "created": now, "updated": now}]
    return ReltioEntity(TENANT, eid, "Individual", attrs, xws, [], [], f"Ada {eid}", "", 1, now, "bench", now, "bench")


def relations_of(kind: str, eid: str, first_target: int) -> str:
    return _seq(kind, DEGREE, "INSERT INTO relations (namespace, name, source_type, source_key, target_type,"
                " target_key, version, created_at, created_by, updated_at, updated_by, ext_id, payload)"
                f" SELECT 'reltio/{TENANT}', 'affiliatedwith', 'entity', '{eid}', 'entity',"
                f" 'T' || CAST(i + {first_target} AS TEXT), 1, 0, 'bench', 0, 'bench',"
                f" '{eid}r' || CAST(i AS TEXT), '{PAYLOAD}' FROM seq")


def individuals(kind: str, first: int, n: int) -> list[str]:
    """Individuals I{first} … I{n} with a FirstName and an Email each, and their index rows."""
    true = "1" if kind == "sqlite" else "true"
    attrs = ("'{\"FirstName\":[{\"id\":\"f' || CAST(i AS TEXT) || '\",\"value\":\"First' || CAST(i AS TEXT) ||"
             " '\",\"x\":\"x' || CAST(i AS TEXT) || '\"}],\"Email\":[{\"id\":\"m' || CAST(i AS TEXT) ||"
             " '\",\"value\":\"u' || CAST(i AS TEXT) || '@x.org\",\"x\":\"x' || CAST(i AS TEXT) || '\"}]}'")
    xws = ("'[{\"id\":\"x' || CAST(i AS TEXT) || '\",\"type\":\"configuration/sources/S\",\"value\":\"k' ||"
           " CAST(i AS TEXT) || '\",\"created\"\\:0,\"updated\"\\:0}]'")  # \\: a colon, not a bind parameter
    out = [
        _seq(kind, n, "INSERT INTO entities (tenant_id, id, type, attributes, crosswalks, tags, roles, label,"
             " secondary_label, version, created_at, created_by, updated_at, updated_by)"
             f" SELECT '{TENANT}', 'I' || CAST(i AS TEXT), 'Individual', {attrs}, {xws}, '[]', '[]',"
             " 'First' || CAST(i AS TEXT), '', 1, i, 'bench', i, 'bench' FROM seq", first),
        _seq(kind, n, "INSERT INTO entity_crosswalks (tenant_id, type, value, entity_id)"
             f" SELECT '{TENANT}', 'configuration/sources/S', 'k' || CAST(i AS TEXT), 'I' || CAST(i AS TEXT)"
             " FROM seq", first),
        _seq(kind, n, "INSERT INTO entity_values (tenant_id, entity_id, position, path, grp, value, lvalue, words,"
             f" num, ov) SELECT '{TENANT}', 'I' || CAST(i AS TEXT), 0, 'FirstName', 'f' || CAST(i AS TEXT),"
             " 'First' || CAST(i AS TEXT), 'first' || CAST(i AS TEXT), ' first' || CAST(i AS TEXT) || ' ', NULL,"
             f" {true} FROM seq", first),
        _seq(kind, n, "INSERT INTO entity_values (tenant_id, entity_id, position, path, grp, value, lvalue, words,"
             f" num, ov) SELECT '{TENANT}', 'I' || CAST(i AS TEXT), 1, 'Email', 'm' || CAST(i AS TEXT),"
             " 'u' || CAST(i AS TEXT) || '@x.org', 'u' || CAST(i AS TEXT) || '@x.org',"
             f" ' u' || CAST(i AS TEXT) || ' x org ', NULL, {true} FROM seq", first),
    ]
    return out


def configuration(rules: bool) -> dict[str, Any]:
    doc = copy.deepcopy(DEFAULT_CONFIGURATION)
    for t in doc["entityTypes"]:
        if t["uri"] == IND:
            if rules:
                t["matchGroups"] = [{"uri": IND + "/matchGroups/SameEmail", "type": "automatic",
                                     "rule": {"exact": [IND + "/attributes/Email"]}}]
    return doc


def stats(name: str, times: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
    p50, p99 = statistics.median(times), q[98]
    print(f"{name:44} n={len(times):4}  p50 {p50:8.2f} ms  p99 {p99:8.2f} ms")
    return p50, p99


async def main(args: argparse.Namespace) -> None:
    drop = None
    kind = "postgresql" if args.postgres_url else "sqlite"
    if args.postgres_url:
        import asyncpg

        schema = f"bench_rmerge_{uuid.uuid4().hex[:8]}"
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
            user = await accounts.add_user(store, "bench", "bench@example.com", "Bench")
            await tenants.add(store, TENANT)
            await tenants.grant(store, TENANT, "bench", ["ROLE_ADMIN_TENANT"])
            caller = Caller.of(user)
            t0 = time.perf_counter()
            for first in range(1, args.entities + 1, 20_000):  # statements short enough for a loaded machine
                async with store.write(Actor("bench", "bench")) as tx:
                    for statement in individuals(kind, first, min(args.entities, first + 19_999)):
                        await tx.conn.execute(sa.text(statement))
            if kind == "postgresql":
                async with store.write(Actor("bench", "bench")) as tx:
                    await tx.conn.execute(sa.text("ANALYZE"))
            print(f"{kind}: loaded {args.entities} Individuals in {time.perf_counter() - t0:.1f} s")

            # 1. merging two entities with 1,000 relations each
            times = []
            for run in range(args.runs + 3):
                a, b = f"A{run:05d}", f"B{run:05d}"
                async with store.write(Actor("bench", "bench")) as tx:
                    await tx.entities.insert_many([pair_entity(a, run), pair_entity(b, run + 1)])
                    await tx.conn.execute(sa.text(relations_of(kind, a, 0)))
                    await tx.conn.execute(sa.text(relations_of(kind, b, DEGREE)))
                    await tx.conn.execute(sa.text(
                        "INSERT INTO relations (namespace, name, source_type, source_key, target_type, target_key,"
                        " version, created_at, created_by, updated_at, updated_by, ext_id, payload) VALUES"
                        f" ('reltio/{TENANT}', 'affiliatedwith', 'entity', '{b}', 'entity', '{a}', 1, 0, 'bench', 0,"
                        f" 'bench', '{b}x', '{PAYLOAD}')"))
                if run == 0 and kind == "postgresql":
                    async with store.write(Actor("bench", "bench")) as tx:
                        await tx.conn.execute(sa.text("ANALYZE"))
                t1 = time.perf_counter()
                merged = await merge.merge(store, caller, TENANT, a, f"entities/{b}", f"entities/{a}")
                t2 = time.perf_counter()
                assert merged.entity.id == a and len(merged.entity.crosswalks) == 2
                if run >= 3:
                    times.append((t2 - t1) * 1000)
            async with store.read() as tx:
                moved = len(await tx.reltio_relations.of_entity(TENANT, "A00003"))
            assert moved == 2 * DEGREE, moved  # the relation between the two is gone
            stats(f"merge, 2 x {DEGREE} relations (winner has {moved})", times)

            # 2. a write with match evaluation against the stored Individuals, and without
            results: dict[bool, list[float]] = {False: [], True: []}
            for block in range(4):
                on = block % 2 == 1
                await tenants.set_types(store, None, TENANT, configuration(on))
                for run in range(args.runs + 3):
                    key = f"w{block}-{run}"
                    body = [{"type": IND, "attributes": {"FirstName": [{"value": "New"}],
                                                         "Email": [{"value": f"{key}@new.org"}]},
                             "crosswalks": [{"type": "configuration/sources/S", "value": key}]}]
                    t1 = time.perf_counter()
                    saved = await entities.save(store, caller, TENANT, body)
                    t2 = time.perf_counter()
                    assert isinstance(saved, list) and saved[0].entity is not None
                    if run >= 3:
                        results[on].append((t2 - t1) * 1000)
            off = stats(f"write, matching off ({args.entities} stored)", results[False])
            on_ = stats(f"write, automatic rule on ({args.entities} stored)", results[True])
            print(f"on/off: p50 {on_[0] / off[0]:.2f}x  p99 {on_[1] / off[1]:.2f}x")
            # a write whose automatic rule finds a stored entity: the merge happens in the write
            merged_times = []
            for run in range(args.runs):
                body = [{"type": IND, "attributes": {"Email": [{"value": f"u{run + 1}@x.org"}]},
                         "crosswalks": [{"type": "configuration/sources/S", "value": f"dup{run}"}]}]
                t1 = time.perf_counter()
                await entities.save(store, caller, TENANT, body)
                merged_times.append((time.perf_counter() - t1) * 1000)
            async with store.read() as tx:
                assert await tx.merges.resolve(TENANT, "I1") is None and len(await tx.merges.contributors(
                    TENANT, "I1")) == 1
            stats("write that auto-merges into a stored entity", merged_times)
        finally:
            await store.close()
    finally:
        if drop is not None:
            await drop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--postgres-url")
    asyncio.run(main(parser.parse_args()))
