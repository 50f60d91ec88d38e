#!/usr/bin/env python3
"""The half-load tail rule of issue 35, per endpoint and backend, in one run:

    p99 at 50% of the endpoint's maximum rate, open loop
        ≤ 10 × (1 / maximum rate) + p99 of the same generator on the bare-ASGI ceiling app at that rate

    python bench/halfload.py                                     # SQLite and PostgreSQL
    python bench/halfload.py --backends postgresql --postgres-url postgresql://postgres@127.0.0.1:5434/bench

For each endpoint (relation GET, PUT, DELETE, watch status GET, Reltio GET /relations/{id}), on one
`bondline serve` worker with the production settings and the data bench/run.py seeds:

1. its maximum rate, closed loop: wrk -t1 -c32 (bench/common.py), the median of --samples runs;
2. open loop at half that rate (bench/openloop.py: constant arrival rate, latency from each
   request's due time) for --seconds;
3. right after, the same generator at the same rate against the bare ASGI app bench/run.py uses as
   its ceiling (bench/ceiling.py under granian, the server bondline runs under): the measurement's
   own floor on this shared 2-core machine.

10× the mean service time is what an ideal single-server queue (M/D/1 or M/M/1) keeps its p99
under at half load; what exceeds it is a stall. Writes bench/results/halfload-<stamp>.json and
prints PASS/FAIL per endpoint; the load average is recorded before and after each backend (the
machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import sys
import tempfile
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import openloop  # noqa: E402
import run  # noqa: E402

SHARE = 0.5
FACTOR = 10.0


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def ceiling_server() -> common.Server:
    port = common.free_port()
    argv = [sys.executable, "-m", "granian", "--interface", "asgi", "ceiling:app", "--port", str(port),
            "--workers", "1", "--log-level", "warning", "--no-ws"]
    return common.Server(argv, "/", port, cwd=str(HERE))


def judge(name: str, closed: dict[str, Any], opened: dict[str, Any], floor: dict[str, Any]) -> dict[str, Any]:
    service_ms = 1000.0 / closed["rps"]
    limit = FACTOR * service_ms + floor["p99_ms"]
    clean = opened["timed_out"] == 0 and opened["errors"] == 0 and opened["non_2xx_3xx"] == 0
    return {"endpoint": name, "max_rps": round(closed["rps"]), "closed_loop": closed,
            "offered_rps": opened["offered_rps"], "open_loop": opened, "ceiling_same_rate": floor,
            "service_ms": round(service_ms, 3),
            "limit_ms": round(limit, 3), "p99_ms": opened["p99_ms"],
            "result": "PASS" if opened["p99_ms"] <= limit and clean else "FAIL"}


def measure_backend(backend: str, postgres_url: str, seconds: int, wrk_seconds: int) -> dict[str, Any]:
    out: dict[str, Any] = {"load_before": loadavg(), "endpoints": []}
    with tempfile.TemporaryDirectory() as workdir:
        database_url, drop = run.fresh_database(backend, workdir, postgres_url)
        try:
            per_sample = run.delete_rows_per_sample(wrk_seconds)
            # wrk's DELETE samples use offsets 0 … SAMPLES-1 × per_sample; the open-loop run the next.
            site = run.seed(database_url, workdir, delete_rows=(common.SAMPLES + 1) * per_sample)
            token = site["token"]
            auth = {"Authorization": f"Bearer {token}"}
            env = {"TOKEN": token, "PAGES": str(run.PAGES), "NAMES": str(run.GET_NAMES)}
            with common.bondline_server(database_url) as srv, ceiling_server() as ceil:
                api = srv.url + "/wiki/rest/api"
                import reltio_bench

                reltio_bench._setup(database_url)
                base = f"{srv.url}/reltio/api/{reltio_bench.TENANT}"
                relation = reltio_bench.make_relation(base, auth)
                pages = run.PAGES
                delete_offset = common.SAMPLES * per_sample

                def get(url: str) -> tuple[Any, Any]:
                    return (lambda: common.measure(url, wrk_seconds, headers=auth),
                            lambda rate: openloop.drive(url, rate, seconds, headers=auth))

                plans: dict[str, tuple[Any, Any]] = {
                    "relation GET": get(f"{api}/relation/get0/from/user/current/to/content/1"),
                    "watch status GET": get(f"{api}/user/watch/content/1"),
                    "Reltio GET /relations/{id}": get(f"{base}/{relation}"),
                    "relation PUT": (
                        lambda: common.measure_writes(api, wrk_seconds, "unique_put.lua", env,
                                                      lambda i: {"PREFIX": f"put{i}x"}),
                        lambda rate: openloop.drive(
                            api, rate, seconds, method="PUT", headers=auth,
                            paths=lambda i: f"/wiki/rest/api/relation/olput{i // pages}/from/user/current/to/content/"
                                            f"{i % pages + 1}")),
                    "relation DELETE": (
                        lambda: common.measure_writes(api, wrk_seconds, "unique_delete.lua", env,
                                                      lambda i: {"OFFSET": str(i * per_sample)}),
                        lambda rate: openloop.drive(
                            api, rate, seconds, method="DELETE", headers=auth,
                            paths=lambda i: f"/wiki/rest/api/relation/del{(delete_offset + i + 1) // pages}/from/user/"
                                            f"current/to/content/{(delete_offset + i + 1) % pages + 1}")),
                }
                for name, (closed_loop, open_loop) in plans.items():
                    print(f"  {name}: maximum rate (wrk, closed loop) …", flush=True)
                    closed = closed_loop()
                    rate = SHARE * closed["rps"]
                    print(f"  {name}: {closed['rps']:,.0f} req/s; open loop at {rate:,.0f} req/s …", flush=True)
                    opened = open_loop(rate)
                    floor = openloop.drive(ceil.url + "/", rate, seconds)
                    verdict = judge(name, closed, opened, floor)
                    verdict["load"] = loadavg()
                    out["endpoints"].append(verdict)
                    print(f"  {name}: p99 {opened['p99_ms']:.2f} ms (ceiling {floor['p99_ms']:.2f} ms at that rate), "
                          f"limit {verdict['limit_ms']:.2f} ms: {verdict['result']}  (load {verdict['load']})",
                          flush=True)
        finally:
            drop()
    out["load_after"] = loadavg()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("BONDLINE_BENCH_POSTGRES_URL", run.PG_DEFAULT))
    parser.add_argument("--seconds", type=int, default=10, help="each open-loop run")
    parser.add_argument("--wrk-seconds", type=int, default=5, help="each closed-loop (maximum rate) run")
    parser.add_argument("--samples", type=int, default=1, help="closed-loop runs per endpoint (median)")
    args = parser.parse_args()
    common.SAMPLES = args.samples
    common.ensure_wrk()
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rule": f"p99 at {SHARE:g} × max rate (open loop) ≤ {FACTOR:g} × (1 / max rate) + ceiling p99 at that rate",
        "settings": {"seconds": args.seconds, "wrk_seconds": args.wrk_seconds, "samples": args.samples,
                     "workers": 1, "cpus": os.cpu_count()},
        "backends": {},
    }
    for backend in args.backends.split(","):
        print(f"== {backend} ==", flush=True)
        results["backends"][backend] = measure_backend(backend, args.postgres_url, args.seconds, args.wrk_seconds)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = run.RESULTS / f"halfload-{stamp}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{'backend':11} {'endpoint':28} {'max req/s':>9} {'offered':>8} {'p99 ms':>8} {'limit ms':>9} "
          f"{'ceiling p99':>11}  result")
    for backend, data in results["backends"].items():
        for e in data["endpoints"]:
            print(f"{backend:11} {e['endpoint']:28} {e['max_rps']:9,} {e['offered_rps']:8,.0f} {e['p99_ms']:8.2f} "
                  f"{e['limit_ms']:9.2f} {e['ceiling_same_rate']['p99_ms']:11.2f}  {e['result']}")
    print(f"wrote {path}")
    return 0 if all(e["result"] == "PASS" for d in results["backends"].values() for e in d["endpoints"]) else 1


if __name__ == "__main__":
    sys.exit(main())
