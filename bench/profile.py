#!/usr/bin/env python3
"""Where a served request's time goes: a sampling profile of the bondline worker under load.

    pip install '.[bench]' py-spy
    python bench/profile.py --backend postgresql --endpoint relation-get   # 10 s of wrk -c32, sampled
    python bench/profile.py --backend sqlite --endpoint relation-put --seconds 15

Starts `bondline serve` (one worker, production settings) on a fresh seeded database, as
bench/run.py does, drives one endpoint with wrk, and samples the worker process with py-spy
(`--native` off, 250 Hz, idle frames excluded) for the same seconds. Prints the requests/s wrk saw
(py-spy's sampling costs a few per cent), then the functions with the largest share of samples: by
self time (where the CPU is) and inclusive (what a request's time is spent under), bondline's own
functions and the libraries' alike. The profile is a sample: compare shares, not absolute numbers.

    python bench/profile.py --backend postgresql --endpoint relation-get --cpu

`--cpu` samples nothing: it reads, from /proc, the CPU time each party spends during the wrk run —
the bondline worker, PostgreSQL's processes, wrk, and the whole machine — and prints it per request
and as a share of the machine's cores (where a request's cost goes when they share two cores).
"""

from __future__ import annotations

import argparse
import collections
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402  (bench/common.py: the server and wrk)
import reltio_bench  # noqa: E402  (the Reltio tenant and a relation)
import run  # noqa: E402  (bench/run.py: the seed)

ENDPOINTS = {
    "relation-get": ("/wiki/rest/api/relation/get0/from/user/current/to/content/1", None),
    "relation-get-random": ("/wiki/rest/api", "random_get.lua"),
    "watch-get": ("/wiki/rest/api/user/watch/content/1", None),
    "relation-put": ("/wiki/rest/api", "unique_put.lua"),
    "relation-delete": ("/wiki/rest/api", "unique_delete.lua"),
    # {relation}: a Reltio relation made for the run (bench/reltio_bench.py's tenant)
    "reltio-get": ("/reltio/api/bench/{relation}", None),
    "reltio-stage-delete": ("/reltio/api/bench/{relation}?alwaysCreateDCR=true", "delete.lua"),
}


def worker_pid(parent: int) -> int:
    """The granian worker serving requests: the parent's Python child (the parent only supervises)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = pathlib.Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    return parent


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds; 0 once it is gone."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _named(name: str) -> list[int]:
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores, from /proc/stat."""
    values = run.cpu_times()
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


def cpu_split(worker: int, run_wrk: Any) -> None:
    """Run wrk (`run_wrk()`, returning its result) and print each party's CPU time during it."""
    postgres = _named("postgres")
    before = {"bondline worker": _cpu_seconds(worker), "PostgreSQL": sum(_cpu_seconds(p) for p in postgres)}
    busy0, total0 = _machine_seconds()
    children0 = os.times()
    result = run_wrk()
    children1 = os.times()
    busy1, total1 = _machine_seconds()
    after = {"bondline worker": _cpu_seconds(worker), "PostgreSQL": sum(_cpu_seconds(p) for p in postgres)}
    spent = {k: after[k] - before[k] for k in before}
    spent["wrk"] = (children1.children_user - children0.children_user
                    + children1.children_system - children0.children_system)
    spent["everything (the machine)"] = busy1 - busy0
    requests = result["rps"] * result["seconds"]
    cores = (total1 - total0) / result["seconds"]
    print(f"{result['rps']:,.0f} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; "
          f"CPU during the run ({cores:.1f} cores):")
    for party, seconds in spent.items():
        print(f"  {party:26} {1e6 * seconds / requests:7.1f} µs per request  "
              f"{100 * seconds / (total1 - total0):5.1f} % of the machine")


def summarise(raw: pathlib.Path, top: int) -> None:
    self_time: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        total += n
        self_time[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        print("no samples (is py-spy allowed to attach? run as root or set ptrace_scope to 0)")
        return
    # Frames under every sample (the server's start-up, the event loop) say nothing: left out.
    inclusive = collections.Counter({f: n for f, n in inclusive.items() if n < 0.97 * total})
    for title, counter in (("self", self_time), ("inclusive", inclusive)):
        print(f"\n{title} time, share of {total:,} samples")
        for frame, n in counter.most_common(top):
            print(f"  {100 * n / total:5.1f} %  {frame}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--endpoint", choices=sorted(ENDPOINTS), default="relation-get")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--postgres-url", default=os.environ.get("BONDLINE_BENCH_POSTGRES_URL", run.PG_DEFAULT))
    parser.add_argument("--output", type=pathlib.Path, help="keep py-spy's raw collapsed stacks here")
    parser.add_argument("--cpu", action="store_true", help="no profile: each party's CPU time during the run")
    args = parser.parse_args()
    spy = shutil.which("py-spy")
    if spy is None and not args.cpu:
        print("py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return 1
    common.ensure_wrk()
    path, script = ENDPOINTS[args.endpoint]
    with tempfile.TemporaryDirectory() as workdir:
        database_url, drop = run.fresh_database(args.backend, workdir, args.postgres_url)
        try:
            site = run.seed(database_url, workdir, delete_rows=200_000 if "delete" in args.endpoint else 1_000)
            env = {"TOKEN": site["token"], "PAGES": str(run.PAGES), "NAMES": str(run.GET_NAMES)}
            headers = {"Authorization": f"Bearer {site['token']}"}
            if "{relation}" in path:
                reltio_bench._setup(database_url)
            with common.bondline_server(database_url) as srv:
                if "{relation}" in path:
                    relation = reltio_bench.make_relation(srv.url + "/reltio/api/bench", headers)
                    path = path.replace("{relation}", relation)
                common.wrk(srv.url + path, duration=2, headers=headers, script=script, env=env)  # warm up
                if args.cpu:
                    def measured() -> dict[str, Any]:
                        result = common.wrk(srv.url + path, duration=args.seconds, headers=headers, script=script,
                                            env=env)
                        return {**result, "seconds": args.seconds}

                    print(f"{args.endpoint} on {args.backend}: ", end="")
                    cpu_split(worker_pid(srv.proc.pid), measured)
                    return 0
                raw = pathlib.Path(args.output or pathlib.Path(workdir) / "profile.txt")
                spy_proc = subprocess.Popen([spy, "record", "--pid", str(worker_pid(srv.proc.pid)), "--rate", "250",
                                             "--duration", str(args.seconds), "--format", "raw", "--nolineno",
                                             "--output", str(raw)], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, text=True)
                time.sleep(0.5)
                result = common.wrk(srv.url + path, duration=args.seconds, headers=headers, script=script, env=env)
                _, err = spy_proc.communicate(timeout=args.seconds + 30)
                print(f"{args.endpoint} on {args.backend}: {result['rps']:,.0f} req/s, p50 {result['p50_ms']} ms, "
                      f"p99 {result['p99_ms']} ms (while sampled)")
                if not raw.exists():
                    print(f"py-spy wrote nothing: {err.strip()}", file=sys.stderr)
                    return 1
                summarise(raw, args.top)
        finally:
            drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
