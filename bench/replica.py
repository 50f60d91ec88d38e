"""What a write costs a streaming replica: WAL bytes per write and the replica's replay CPU per write.

WAL replay on a PostgreSQL standby is one process (the startup process), so the rate of writes the
primary can take and a replica can follow is bounded by one core divided by this cost
(docs/how-to/scale-out.md). Builds a primary and a hot standby (PostgreSQL 15 binaries, temporary
directory, free ports, as tests/storage/test_pg_replica.py does), serves bondline on the pair in
process, makes N relation PUTs through the API, waits for the replica to replay them, and reads the
startup process's CPU time from /proc.

`python bench/replica.py [--writes 3000]` (writes bench/results/replica-<time>.json)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import asyncpg
import httpx

from bondline.bootstrap import build
from bondline.config import Settings
from bondline.services import accounts
from bondline.store import migrate, parse

BIN = "/usr/lib/postgresql/15/bin"
API = "/wiki/rest/api"


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_us(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1e6 / os.sysconf("SC_CLK_TCK")  # utime + stime


async def measure(primary: str, replica: str, writes: int, concurrency: int = 16) -> dict[str, object]:
    app = build(Settings(database_url=primary, pg_replica_url=replica, auth_cache_seconds=0, dispatch=False,
                         blob_dir=tempfile.mkdtemp(prefix="bondline-replica-blobs-")))
    await app.startup()
    p, r = await asyncpg.connect(primary), await asyncpg.connect(replica)
    try:
        user = await accounts.add_user(app.store, "acc-bench", "bench@example.com", "Bench", True)
        _, token = await accounts.create_token(app.store, user.account_id)
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b.test") as client:
            await client.post(f"{API}/space", headers=auth, json={"key": "B", "name": "B"})
            page = (await client.post(f"{API}/content", headers=auth, json={
                "type": "page", "title": "P", "space": {"key": "B"},
                "body": {"storage": {"value": "<p/>", "representation": "storage"}}})).json()["id"]
            startup = await r.fetchval("SELECT pid FROM pg_stat_activity WHERE backend_type = 'startup'")
            before_lsn = await p.fetchval("SELECT pg_current_wal_insert_lsn()")
            before_cpu = _cpu_us(startup)
            names = iter(range(writes))

            async def one() -> None:
                for i in names:
                    res = await client.put(f"{API}/relation/n{i % 997}x{i}/from/user/current/to/content/{page}",
                                           headers=auth)
                    assert res.status_code == 200, res.text

            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(concurrency)))
            took = time.perf_counter() - started
            after_lsn = await p.fetchval("SELECT pg_current_wal_insert_lsn()")
            for _ in range(1200):  # replayed within a minute, or the measurement says so
                if await r.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", after_lsn):
                    break
                await asyncio.sleep(0.05)
            else:
                raise SystemExit("the replica did not replay the writes within a minute")
            replay_us = (_cpu_us(startup) - before_cpu) / writes
            wal = await p.fetchval("SELECT $1::pg_lsn - $2::pg_lsn", after_lsn, before_lsn)
        print(f"{writes} relation PUTs in {took:.1f} s ({writes / took:,.0f}/s, in process, "
              "both servers on this machine)")
        result = {"started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                  "load_average": os.getloadavg()[0], "cpus": os.cpu_count(), "writes": writes,
                  "writes_per_second": round(writes / took, 1), "wal_bytes_per_write": round(float(wal) / writes),
                  "replay_cpu_us_per_write": round(replay_us, 1)}
        print(f"WAL per write: {float(wal) / writes:,.0f} bytes")
        print(f"replica's replay CPU per write: {replay_us:.1f} µs "
              f"(one replay process: at most {1e6 / replay_us:,.0f} writes/s followed)" if replay_us > 0 else
              "replica's replay CPU per write: below the clock's resolution")
        return result
    finally:
        await p.close()
        await r.close()
        await app.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=3000)
    args = parser.parse_args()
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = tempfile.mkdtemp(prefix="bondline-replica-bench-")
    if as_pg:
        shutil.chown(root, "postgres")
    pp, rp = _port(), _port()
    prim, repl = os.path.join(root, "primary"), os.path.join(root, "replica")
    started: list[str] = []

    def ctl(d: str, *a: str) -> None:
        _run([*as_pg, f"{BIN}/pg_ctl", "-D", d, "-w", "-l", d + ".log", *a])

    try:
        _run([*as_pg, f"{BIN}/initdb", "-D", prim, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions"])
        with open(os.path.join(prim, "postgresql.conf"), "a") as conf:
            conf.write(f"port = {pp}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n"
                       "wal_level = replica\nmax_wal_senders = 4\n")
        with open(os.path.join(prim, "pg_hba.conf"), "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        ctl(prim, "start")
        started.append(prim)
        primary = f"postgresql://postgres@127.0.0.1:{pp}/postgres"
        migrate.upgrade(parse(primary))
        _run([*as_pg, f"{BIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(pp), "-U", "postgres", "-D", repl,
              "-R", "-X", "stream", "-c", "fast", "--no-sync"])
        with open(os.path.join(repl, "postgresql.conf"), "a") as conf:
            conf.write(f"port = {rp}\nhot_standby = on\n")
        ctl(repl, "start")
        started.append(repl)
        result = asyncio.run(measure(primary, f"postgresql://postgres@127.0.0.1:{rp}/postgres", args.writes))
        stamp = str(result["started"]).replace("-", "").replace(":", "").replace("+0000", "Z")
        out = pathlib.Path(__file__).resolve().parent / "results" / f"replica-{stamp}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        for d in reversed(started):
            ctl(d, "stop", "-m", "immediate")
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
