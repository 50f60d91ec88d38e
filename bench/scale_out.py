"""What the issue-35 mix needs at 100× this machine's load: workers, PostgreSQL primary and read
replicas, connections (docs/how-to/scale-out.md shows this script's output and where each cost
comes from).

A model, not a load test: each operation's CPU per request — the worker's and PostgreSQL's, as
`bench/profile.py --cpu` measures them on PostgreSQL, or estimated where no such measurement exists
(marked) — weighted by the mix, then scaled. Run `python bench/scale_out.py [--factor 100]
[--busy 0.5] [--replica-share 1.0]`.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Op:
    name: str
    share: float  # of all requests in the mix
    worker_us: float  # the bondline worker's CPU per request (µs)
    pg_us: float  # PostgreSQL's processes' CPU per request (µs)
    kind: str  # "read" (may run on a replica), "write" (primary)
    source: str


# Measured: bench/results/LOG.md, `profile.py --cpu` on PostgreSQL, the highest of each range; the
# reads with the read cache missing (a mix with 25 % writes empties it on every commit).
CHECK = (120, 61, "measured: relation GET uncached, worker 114-120 / PostgreSQL 59-61 µs")
RELTIO_GET = (233, 65, "measured: Reltio GET, worker 187-233 / PostgreSQL 57-65 µs")
WRITE = (269, 243, "measured: relation DELETE, worker 245-269 / PostgreSQL 198-243 µs")
STAGE = (476, 404, "measured: DCR-staging DELETE, worker 456-476 / PostgreSQL 376-404 µs")
# Estimated: measured only as rates or in-process use-case CPU (no per-party split on record).
LIST = (3 * CHECK[0], 3 * CHECK[1], "estimated: 3× a relation GET (issue 30/32 targets, met: 1.4-2.9×)")
CQL = (1000, 1000, "estimated: use case 0.22-0.89 ms in-process at 100 k pages + HTTP; PostgreSQL taken equal")

MIX = [
    Op("relation check", 0.20, *CHECK[:2], "read", CHECK[2]),
    Op("watch status", 0.15, *CHECK[:2], "read", "as the relation check (same path)"),
    Op("lists (25 items)", 0.10, *LIST[:2], "read", LIST[2]),
    Op("CQL first page", 0.05, *CQL[:2], "read", CQL[2]),
    Op("v2 page GET", 0.10, 2 * CHECK[0], 2 * CHECK[1], "read", "estimated: 2× a relation GET (1,719 vs ~3,400 req/s)"),
    Op("Reltio search", 0.05, *LIST[:2], "read", "estimated: as a 25-item list"),
    Op("Reltio _connections", 0.05, *LIST[:2], "read", "estimated: as a 25-item list"),
    Op("favourite/watch PUT/DELETE", 0.15, *WRITE[:2], "write", WRITE[2]),
    Op("page update", 0.05, 2 * WRITE[0], 2 * WRITE[1], "write", "estimated: 2× a relation write"),
    Op("Reltio update", 0.05, *STAGE[:2], "write", "estimated: as DCR staging (an entity, its values, audit)"),
    Op("DCR staging", 0.04, *STAGE[:2], "write", STAGE[2]),
    Op("DCR apply", 0.01, 2 * STAGE[0], 2 * STAGE[1], "write", "estimated: 2× staging"),
]
MACHINE_CORES = 2
# A replica's CPU to replay one write: measured by bench/replica.py (relation PUTs, 1.5-1.6 kB of
# WAL each: 46.7 µs of the startup process per write at load average 8, 66.7 µs at 16). Replay is
# one process, so a replica follows at most 1e6 / REPLAY_US writes per second, whatever its cores.
REPLAY_US = 46.7
POOL_SIZE = 10  # BONDLINE_PG_POOL_SIZE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, default=100.0, help="times this machine's load")
    parser.add_argument("--busy", type=float, default=0.5, help="target CPU share per core (the half-load rule)")
    parser.add_argument("--replica-share", type=float, default=1.0,
                        help="share of the reads that may run on replicas (session clients: nearly all)")
    parser.add_argument("--workers-per-host", type=int, default=8)
    args = parser.parse_args()
    assert abs(sum(op.share for op in MIX) - 1.0) < 1e-9

    print(f"{'operation':30} {'share':>6} {'worker µs':>10} {'PG µs':>7}  source")
    for op in MIX:
        print(f"{op.name:30} {op.share:6.0%} {op.worker_us:10.0f} {op.pg_us:7.0f}  {op.source}")
    worker = sum(op.share * op.worker_us for op in MIX)
    pg_read = sum(op.share * op.pg_us for op in MIX if op.kind == "read")
    pg_write = sum(op.share * op.pg_us for op in MIX if op.kind == "write")
    pg = pg_read + pg_write
    print(f"\nper request of the mix: worker {worker:.0f} µs, PostgreSQL {pg:.0f} µs "
          f"(reads {pg_read:.0f}, writes {pg_write:.0f})")
    base = MACHINE_CORES * 1e6 / (worker + pg)
    target = args.factor * base
    print(f"this machine ({MACHINE_CORES} cores, worker and PostgreSQL together, 100 % busy): "
          f"{base:,.0f} req/s; ×{args.factor:g} = {target:,.0f} req/s")

    worker_cores = target * worker / 1e6 / args.busy
    primary_cores = target * (pg_write + (1 - args.replica_share) * pg_read) / 1e6 / args.busy
    replica_cores = target * (args.replica_share * pg_read) / 1e6 / args.busy
    write_share = sum(op.share for op in MIX if op.kind == "write")
    writes = target * write_share
    replay_cores = writes * REPLAY_US / 1e6  # per replica, on one core
    print(f"\nat {args.busy:.0%} busy:")
    print(f"  bondline workers: {target:,.0f} × {worker:.0f} µs / {args.busy:g} = {worker_cores:,.0f} cores "
          f"({math.ceil(worker_cores / args.workers_per_host)} hosts of {args.workers_per_host} workers)")
    print(f"  PostgreSQL primary (writes{'' if args.replica_share >= 1 else ' and the reads kept on it'}): "
          f"{target:,.0f} × {pg_write + (1 - args.replica_share) * pg_read:.0f} µs / {args.busy:g} = "
          f"{primary_cores:,.0f} cores")
    print(f"  (PostgreSQL on one server, no replica: {target * pg / 1e6 / args.busy:,.0f} cores; the replicas take "
          f"{args.replica_share * pg_read / pg:.0%} of PostgreSQL's CPU off the primary)")
    print(f"  PostgreSQL reads on replicas: {target:,.0f} × {args.replica_share * pg_read:.0f} µs / {args.busy:g} = "
          f"{replica_cores:,.0f} cores, e.g. {math.ceil(replica_cores / 32)} replicas of 32 cores")
    print(f"  writes: {writes:,.0f}/s ({write_share:.0%}); one replica's replay process needs "
          f"{writes:,.0f} × {REPLAY_US} µs = {replay_cores:,.2f} cores of one core")
    if replay_cores > args.busy:
        shards = math.ceil(replay_cores / args.busy)
        print(f"  → replay cannot follow on one core at {args.busy:.0%}: {shards} primaries (shards by tenant or "
              f"space), each with its own replicas; one primary and its replicas carry at most "
              f"{args.busy * 1e6 / REPLAY_US / write_share:,.0f} req/s of this mix "
              f"({args.busy * 1e6 / REPLAY_US / write_share / base:.1f}× this machine)")
    processes = math.ceil(worker_cores)
    print(f"\nconnections: {processes} worker processes × {POOL_SIZE} = {processes * POOL_SIZE:,} client "
          f"connections; busy at once on the primary ≈ its cores × 2 = {math.ceil(primary_cores * 2)} "
          f"(a pooler in transaction mode between them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
