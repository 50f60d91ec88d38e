#!/usr/bin/env python3
"""What Confluence's v2 API costs next to v1, measured in one run (issue 32's targets: a v2 page GET
within 1.2× of the v1 content GET, and a cursor listing of 25 pages of a space at most 3× a single
page GET, on both backends).

    python bench/v2.py                                # SQLite in a temporary directory
    python bench/v2.py --backend postgresql --postgres-url postgresql://postgres@127.0.0.1:5433/bench

On PostgreSQL, give it a server no one else commits to (bench/listings.py says why: the read cache
is judged by the server's snapshot, which every commit on that server moves).

One `bondline serve` worker (production settings) on a fresh database, a user, a space with a page
that has a body and PAGES more pages, made through the v1 API. Then four requests, each with wrk
(`-t1 -c32`, bench/common.py), taking turns — the order rotating each round — for `--samples`
rounds after a warm-up of each, so that the machine's drift falls on all of them alike:

- GET /wiki/rest/api/content/{page}                              (v1 content GET)
- GET /wiki/api/v2/pages/{page}                                  (v2 page GET)
- GET /wiki/api/v2/spaces/{space}/pages?limit=25                 (the first 25)
- GET /wiki/api/v2/spaces/{space}/pages?limit=25&cursor=…        (a later 25, the cursor followed twice)

A request's cost is the inverse of the requests/s the worker sustains for it, so the v2 page GET's
ratio is the v1 GET's median requests/s over its own, and each listing's is the v2 page GET's over
the listing's; the p50 latency ratio is printed beside each. Exits 1 when a target is missed.

    python bench/v2.py --profile listing-later      # where that request's time goes (needs py-spy)
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
from typing import Any

import httpx

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import common  # noqa: E402  (bench/common.py: servers, wrk)
import listings  # noqa: E402  (bench/listings.py: provisioning, py-spy sampling)
import run  # noqa: E402  (bench/run.py: a fresh database per backend)

API = "/wiki/rest/api"
V2 = "/wiki/api/v2"
PAGES = 80  # in the space besides the measured page: the later listing is pages 51-75
SIZE = 25
PAGE_TARGET = 1.2
LISTING_TARGET = 3.0
NAMES = ("v1 content GET", "v2 page GET", "v2 25 pages", "v2 25 pages, cursor")
PROFILES = ("v1", "v2", "listing", "listing-later")


def ok(r: httpx.Response) -> dict[str, Any]:
    if r.status_code != 200:
        raise RuntimeError(f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}")
    return r.json()


def populate(http: httpx.Client) -> dict[str, str]:
    """A space of PAGES + 1 pages; the four paths measured."""
    ok(http.post(f"{API}/space", json={"key": "VTWO", "name": "Version two"}))
    body = {"storage": {"value": "<h1>Heading</h1><p>A paragraph with <strong>bold</strong> text.</p>"
                                 "<ul><li>one</li><li>two</li></ul>", "representation": "storage"}}
    page = ok(http.post(f"{API}/content", json={"type": "page", "title": "Measured", "space": {"key": "VTWO"},
                                                "body": body}))["id"]
    for i in range(PAGES):
        ok(http.post(f"{API}/content", json={"type": "page", "title": f"Page {i}", "space": {"key": "VTWO"},
                                             "body": {"storage": {"value": f"<p>page {i}</p>",
                                                                  "representation": "storage"}}}))
    space = ok(http.get(f"{V2}/spaces", params={"keys": "VTWO"}))["results"][0]["id"]
    first = f"{V2}/spaces/{space}/pages?limit={SIZE}"
    later = first
    for _ in range(2):  # follow the cursor twice: results 51-75
        r = http.get(later)
        link = ok(r)["_links"]["next"]
        later = link
    return {NAMES[0]: f"{API}/content/{page}", NAMES[1]: f"{V2}/pages/{page}", NAMES[2]: first,
            NAMES[3]: later}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("BONDLINE_BENCH_POSTGRES_URL", run.PG_DEFAULT))
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run")
    parser.add_argument("--samples", type=int, default=common.SAMPLES, help="rounds of the four requests")
    parser.add_argument("--profile", choices=PROFILES, help="sample the worker under this request instead")
    args = parser.parse_args()
    common.ensure_wrk()
    with tempfile.TemporaryDirectory() as workdir:
        database_url, drop = run.fresh_database(args.backend, workdir, args.postgres_url)
        try:
            token = listings.provision(database_url)
            headers = {"Authorization": f"Bearer {token}"}
            with common.bondline_server(database_url, env={"BONDLINE_ACCESS_LOG": ""}) as srv, \
                    httpx.Client(base_url=srv.url, headers=headers, timeout=30) as http:
                paths = populate(http)
                if args.backend == "postgresql":
                    run.settle_postgres(database_url)  # the planner's statistics, as bench/run.py gives them
                for name, path in paths.items():  # each answers what it should before it is measured
                    found = ok(http.get(path))
                    if "pages" in name and len(found["results"]) != SIZE:
                        raise RuntimeError(f"{path} listed {len(found['results'])}, not {SIZE}")
                    common.wrk(srv.url + path, duration=min(2, args.seconds), headers=headers)
                if args.profile:
                    which = NAMES[PROFILES.index(args.profile)]
                    return listings.sample(srv, paths[which], headers, args.seconds, workdir)
                runs: dict[str, list[dict[str, Any]]] = {name: [] for name in NAMES}
                order = list(NAMES)
                for i in range(args.samples):
                    k = i % len(order)
                    for name in order[k:] + order[:k]:
                        runs[name].append(common.wrk(srv.url + paths[name], duration=args.seconds, headers=headers))
        finally:
            drop()
    found = {name: common.median_of(r) for name, r in runs.items()}
    print(f"{args.backend}, one worker, wrk -c32, {args.samples} × {args.seconds} s each, medians:")
    for name, m in found.items():
        print(f"  {name:20} {m['rps']:8,.0f} req/s  p50 {m['p50_ms']:6.2f} ms  p99 {m['p99_ms']:6.2f} ms  "
              f"(samples {', '.join(str(s['rps']) for s in m['samples'])}; non-2xx {m['non_2xx']})")
    failed = any(m["non_2xx"] > 0 for m in found.values())
    for name, base, target in ((NAMES[1], NAMES[0], PAGE_TARGET), (NAMES[2], NAMES[1], LISTING_TARGET),
                               (NAMES[3], NAMES[1], LISTING_TARGET)):
        cost = found[base]["rps"] / found[name]["rps"]
        latency = found[name]["p50_ms"] / found[base]["p50_ms"]
        within = cost <= target
        failed |= not within
        print(f"  {name} cost {cost:.2f}× the {base} (p50 {latency:.2f}×; target ≤ {target:g}×): "
              f"{'within' if within else 'OVER'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
