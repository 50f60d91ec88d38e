#!/usr/bin/env python3
"""Scale: relation GET latency with 10,000 relations stored, then with 10,000,000.

    python bench/scale.py                      # SQLite; about 6 minutes, most of it loading 10 M rows
    python bench/scale.py --backend postgresql --relations 10000000

Lookups use random keys spread over every stored relation (wrk + bench/lua/random_get.lua), so
the second measurement walks a 10-million-row index, not a hot corner of it. The target: p50 at
10 M ≤ 1.3 × p50 at 10 k. Results go to bench/results/scale.json (and into latest.json's "scale").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import bondline_server, ensure_wrk, measure  # (servers, wrk)
from run import PAGES, PG_DEFAULT, RESULTS, fresh_database, seed  # (the suite's data)


def lines(first_name: int, last_name: int) -> Iterator[bytes]:
    for n in range(first_name, last_name):
        for page in range(1, PAGES + 1):
            yield b'{"name":"get%d","source":"user:bench","target":"content:%d"}\n' % (n, page)


def load(database_url: str, first_name: int, last_name: int) -> float:
    """Import names get<first_name>…get<last_name - 1> × every page, streamed to the CLI."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bondline", "import", "relations", "-", "--batch", "50000",
                             "--database-url", database_url], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    chunk: list[bytes] = []
    for line in lines(first_name, last_name):
        chunk.append(line)
        if len(chunk) >= 100_000:
            proc.stdin.write(b"".join(chunk))
            chunk.clear()
    proc.stdin.write(b"".join(chunk))
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("the import failed")
    return time.perf_counter() - started


def lookup(database_url: str, token: str, names: int, duration: int) -> dict[str, Any]:
    with bondline_server(database_url) as srv:
        return measure(srv.url + "/wiki/rest/api", duration, script="random_get.lua",
                       env={"TOKEN": token, "PAGES": str(PAGES), "NAMES": str(names)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--relations", type=int, default=10_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--postgres-url", default=os.environ.get("BONDLINE_BENCH_POSTGRES_URL", PG_DEFAULT))
    args = parser.parse_args()
    ensure_wrk()
    small_names = 10_000 // PAGES
    big_names = args.relations // PAGES
    with tempfile.TemporaryDirectory() as workdir:
        database_url, drop = fresh_database(args.backend, workdir, args.postgres_url)
        try:
            site = seed(database_url, workdir, delete_rows=0)  # users, pages; its own relations use other names
            load(database_url, 0, small_names)
            small = lookup(database_url, site["token"], small_names, args.duration)
            print(f"10,000 relations: p50 {small['p50_ms']:.2f} ms, {small['rps']:,.0f} req/s", flush=True)
            seconds = load(database_url, small_names, big_names)
            print(f"loaded {args.relations - 10_000:,} more relations in {seconds:.0f} s", flush=True)
            big = lookup(database_url, site["token"], big_names, args.duration)
            print(f"{args.relations:,} relations: p50 {big['p50_ms']:.2f} ms, {big['rps']:,.0f} req/s", flush=True)
        finally:
            drop()
    result = {"backend": args.backend, "relations": args.relations, "load_seconds": round(seconds),
              "p50_ms_10k": small["p50_ms"], "p50_ms_big": big["p50_ms"],
              "rps_10k": round(small["rps"]), "rps_big": round(big["rps"]),
              "ratio": round(big["p50_ms"] / small["p50_ms"], 2)}
    verdict = "PASS" if result["ratio"] <= 1.3 else "FAIL"
    print(f"p50 at {args.relations:,} ÷ p50 at 10,000 = {result['ratio']} (target ≤ 1.3): {verdict}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(result, indent=2) + "\n")
    latest = RESULTS / "latest.json"
    if latest.exists():
        doc = json.loads(latest.read_text())
        doc["scale"] = result
        latest.write_text(json.dumps(doc, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
