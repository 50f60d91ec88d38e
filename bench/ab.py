#!/usr/bin/env python3
"""Before and after: two versions of bondline measured in turn, in one run, on the same machine.

    python bench/ab.py --before 3534545                      # that commit vs the working tree, PostgreSQL
    python bench/ab.py --before v1 --after v2 --backend sqlite --rounds 5
    python bench/ab.py --before . --before-env BONDLINE_READ_CACHE=0   # one tree, two settings

A change is measured against the version before it, not against a number from another day: the
machines drift by 2× within an hour (see docs/performance.md), so one run of `bench/run.py` per
version compares the machine as much as the code. Here each version gets its own checkout (`git
worktree`; `--after` defaults to the working tree), its own fresh database seeded by its own code
(`bench/run.py`'s seed and Reltio tenant), and its own `bondline serve` (one worker, production
settings). Then, round after round, the two servers take turns — the order alternating each round —
on the same endpoints with `wrk -t1 -c32`: relation GET, watch status GET, relation PUT and DELETE
(on rows of each round's own), random relation GETs while PUTs run (28 + 4 connections), Reltio GET
/relations/{id} and the DCR-staging DELETE. It prints each version's median req/s and p99 over the
rounds and the ratio after ÷ before, and writes the JSON to `bench/results/ab-<stamp>.json`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402  (bench/common.py: servers, wrk)
import reltio_bench  # noqa: E402  (its tenant, and a relation to read and stage)
import run  # noqa: E402  (bench/run.py: seeding)

TENANT = reltio_bench.TENANT


@contextlib.contextmanager
def checkout(ref: str | None, workdir: str) -> Iterator[pathlib.Path]:
    """The tree of `ref` (a detached worktree, removed afterwards), or the working tree for None or "."."""
    if ref is None or ref == ".":
        yield ROOT
        return
    path = pathlib.Path(workdir) / f"tree-{ref.replace('/', '_')}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), ref], check=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False)


def _working_tree_label() -> str:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "src"],
                           capture_output=True, text=True, check=True).stdout.strip()
    return f"working tree ({head}{' + uncommitted changes in src' if dirty else ''})"


def _settings(parser: argparse.ArgumentParser, pairs: list[str]) -> dict[str, str]:
    """`NAME=VALUE` arguments as a dict (a malformed one is a usage error)."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            parser.error(f"expected NAME=VALUE, got {pair!r}")
        out[name] = value
    return out


def _env(tree: pathlib.Path) -> dict[str, str]:
    """Python finds `bondline` in `tree` first (PYTHONPATH precedes the installed package)."""
    return {"PYTHONPATH": str(tree / "src")}


def seed_with(tree: pathlib.Path, database_url: str, workdir: str, delete_rows: int) -> dict[str, Any]:
    """Seed with the tree's own code (its migrations, its services), in a child process."""
    done = subprocess.run([sys.executable, str(HERE / "ab.py"), "--seed-into", database_url, "--workdir", workdir,
                           "--delete-rows", str(delete_rows)], env={**os.environ, **_env(tree)},
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"seeding with {tree} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _seed_child(database_url: str, workdir: str, delete_rows: int) -> None:
    site = run.seed(database_url, workdir, delete_rows=delete_rows)
    reltio_bench._setup(database_url)
    print(json.dumps(site))


def one_round(srv: common.Server, token: str, duration: int, index: int) -> dict[str, dict[str, Any]]:
    """One wrk run of each endpoint (after a short warm-up of the first), writes on rows of their own."""
    auth = {"Authorization": f"Bearer {token}"}
    api = srv.url + "/wiki/rest/api"
    env = {"TOKEN": token, "PAGES": str(run.PAGES), "NAMES": str(run.GET_NAMES)}
    out: dict[str, dict[str, Any]] = {}
    common.wrk(f"{api}/relation/get0/from/user/current/to/content/1", duration=1, headers=auth)
    out["relation GET"] = common.wrk(f"{api}/relation/get0/from/user/current/to/content/1", duration=duration,
                                     headers=auth)
    out["watch status GET"] = common.wrk(f"{api}/user/watch/content/1", duration=duration, headers=auth)
    out["relation PUT"] = common.wrk(api, duration=duration, script="unique_put.lua",
                                     env={**env, "PREFIX": f"ab{index}x"})
    # Reads while writes commit all the time (a worker's kept reads last only until the next commit:
    # this is where keeping them could cost rather than save): random relation GETs on 28
    # connections, PUTs of new relations on 4 more, at once.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        writes = pool.submit(common.wrk, api, duration=duration, connections=4, script="unique_put.lua",
                             env={**env, "PREFIX": f"ab{index}m"})
        out["relation GET (random keys) during PUTs"] = common.wrk(api, duration=duration, connections=28,
                                                                   script="random_get.lua", env=env)
        out["relation PUT (4 connections) during GETs"] = writes.result()
    out["relation DELETE"] = common.wrk(api, duration=duration, script="unique_delete.lua",
                                        env={**env, "OFFSET": str(index * run.delete_rows_per_sample(duration))})
    base = f"{srv.url}/reltio/api/{TENANT}"
    relation = reltio_bench.make_relation(base, auth)
    out["Reltio GET /relations/{id}"] = common.wrk(f"{base}/{relation}", duration=duration, headers=auth)
    out["Reltio DELETE ?alwaysCreateDCR=true"] = common.wrk(f"{base}/{relation}?alwaysCreateDCR=true",
                                                            duration=duration, headers=auth, script="delete.lua")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="git ref of the version before ('.': the working tree)")
    parser.add_argument("--before-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server before (repeatable)")
    parser.add_argument("--after-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server after (repeatable)")
    parser.add_argument("--after", default=None, help="git ref of the version after (default: the working tree)")
    parser.add_argument("--backend", default="postgresql", choices=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--postgres-url", default=os.environ.get("BONDLINE_BENCH_POSTGRES_URL", run.PG_DEFAULT))
    parser.add_argument("--seed-into", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--delete-rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_into:
        _seed_child(args.seed_into, args.workdir, args.delete_rows)
        return 0
    if not args.before:
        parser.error("--before is required")
    common.ensure_wrk()
    settings = {"before": _settings(parser, args.before_env), "after": _settings(parser, args.after_env)}
    labels = {"before": args.before if args.before != "." else _working_tree_label(),
              "after": args.after or _working_tree_label()}
    for side, extra in settings.items():
        if extra:
            labels[side] += " with " + " ".join(f"{k}={v}" for k, v in extra.items())
    samples: dict[str, list[dict[str, dict[str, Any]]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as workdir, contextlib.ExitStack() as stack:
        trees = {"before": stack.enter_context(checkout(args.before, workdir)),
                 "after": stack.enter_context(checkout(args.after, workdir))}
        sites: dict[str, tuple[str, dict[str, Any]]] = {}
        for side, tree in trees.items():
            url, drop = run.fresh_database(args.backend, workdir, args.postgres_url)
            stack.callback(drop)
            print(f"seeding {side} ({labels[side]}) …", flush=True)
            sites[side] = url, seed_with(tree, url, workdir,
                                         delete_rows=args.rounds * run.delete_rows_per_sample(args.duration))
        for index in range(args.rounds):
            order = ["before", "after"] if index % 2 == 0 else ["after", "before"]
            for side in order:
                url, site = sites[side]
                print(f"round {index + 1}/{args.rounds}: {side} …", flush=True)
                with common.bondline_server(url, env={**_env(trees[side]), **settings[side]}) as srv:
                    samples[side].append(one_round(srv, site["token"], args.duration, index))
    results = summarize(samples)
    report(results, labels, args)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = run.RESULTS / f"ab-{stamp}.json"
    path.write_text(json.dumps({"labels": labels, "settings": settings, "backend": args.backend, "rounds": args.rounds,
                                "duration_s": args.duration, "results": results, "samples": samples}, indent=1))
    print(f"\nwrote {path}")
    return 0


def summarize(samples: dict[str, list[dict[str, dict[str, Any]]]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for endpoint in samples["before"][0]:
        row: dict[str, Any] = {}
        for side in ("before", "after"):
            runs = [s[endpoint] for s in samples[side]]
            row[side] = {"rps": round(statistics.median(r["rps"] for r in runs)),
                         "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
                         "non_2xx": sum(r["non_2xx"] for r in runs)}
        row["rps after ÷ before"] = round(row["after"]["rps"] / row["before"]["rps"], 2)
        row["p99 after ÷ before"] = round(row["after"]["p99_ms"] / row["before"]["p99_ms"], 2)
        out[endpoint] = row
    return out


def report(results: dict[str, dict[str, Any]], labels: dict[str, str], args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{labels['before']} → {labels['after']} ({args.backend}, {args.rounds} rounds of "
                        f"{args.duration} s, medians)")
    for column in ("endpoint", "before req/s", "after req/s", "×", "before p99 ms", "after p99 ms", "×"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for endpoint, row in results.items():
        table.add_row(endpoint, f"{row['before']['rps']:,}", f"{row['after']['rps']:,}",
                      f"{row['rps after ÷ before']:.2f}", f"{row['before']['p99_ms']:.2f}",
                      f"{row['after']['p99_ms']:.2f}", f"{row['p99 after ÷ before']:.2f}")
    Console().print(table)
    errors = {e: r[s]["non_2xx"] for e, r in results.items() for s in ("before", "after") if r[s]["non_2xx"]}
    if errors:
        print(f"non-2xx answers (a broken measurement): {errors}")


if __name__ == "__main__":
    if shutil.which("git") is None:
        sys.exit("bench/ab.py needs git")
    sys.exit(main())
