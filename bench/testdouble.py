#!/usr/bin/env python3
"""What the pytest plugin costs per test: run generated test files with pytest and compare.

    python bench/testdouble.py            # 300 tests per variant, about a minute
    python bench/testdouble.py -n 100

Variants (each a fresh pytest process, in a temporary directory):
- baseline: tests that do nothing, without bondline;
- reset: `def test(bondline_server)`: a reset with the default seed (one site admin) per test;
- reset + call: the same, and one authenticated SDK call (`bondline_client.users.current()`);
- site seed: a reset loading tests/e2e/testdouble/site.yaml (3 users, 2 spaces, 5 pages, relations,
  watches, 2 Reltio tenants with entities and a change request) per test;
- module scope: `scope="module"` with the site seed: one reset per module of 50 tests.

The per-test cost is (variant - baseline) / N, after taking out the server's one-time start,
measured separately (the time from spawning `bondline serve --ephemeral` to its JSON line).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
SITE = HERE.parent / "tests" / "e2e" / "testdouble" / "site.yaml"

BODIES = {
    "baseline": "def test_{i}():\n    pass\n",
    "reset": "def test_{i}(bondline_server):\n    pass\n",
    "reset + call": "def test_{i}(bondline_client):\n    bondline_client.users.current()\n",
    "site seed": "@pytest.mark.bondline(seed='site.yaml')\ndef test_{i}(bondline_server):\n    pass\n",
    "module scope": ("@pytest.mark.bondline(seed='site.yaml', scope='module')\n"
                     "def test_{i}(bondline_server):\n    pass\n"),
}


def run_variant(name: str, n: int) -> float:
    directory = pathlib.Path(tempfile.mkdtemp(prefix="bondline-bench-"))
    try:
        shutil.copy(SITE, directory / "site.yaml")
        per_file = 50
        for start in range(0, n, per_file):
            bodies = (BODIES[name].format(i=i) for i in range(start, min(n, start + per_file)))
            text = "import pytest\n\n" + "\n".join(bodies)
            (directory / f"test_{start:05d}.py").write_text(text)
        args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
        if name == "baseline":
            args += ["-p", "no:bondline"]
        started = time.perf_counter()
        result = subprocess.run(args, cwd=directory, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"{name}: pytest failed\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return elapsed
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def server_start() -> float:
    from bondline.testing import BondlineServer

    started = time.perf_counter()
    with BondlineServer():
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=300, help="tests per variant")
    args = parser.parse_args()
    os.environ.pop("BONDLINE_DATABASE_URL", None)
    start = min(server_start() for _ in range(3))
    print(f"server start (spawn to JSON line): {start * 1000:.0f} ms, once per session (per xdist worker)")
    base = run_variant("baseline", args.n)
    print(f"{'variant':<14} {'total s':>8} {'ms/test':>8}")
    print(f"{'baseline':<14} {base:8.2f} {'-':>8}")
    for name in BODIES:
        if name == "baseline":
            continue
        total = run_variant(name, args.n)
        per_test = (total - base - start) / args.n * 1000
        print(f"{name:<14} {total:8.2f} {per_test:8.1f}")


if __name__ == "__main__":
    main()
