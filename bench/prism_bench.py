"""bondline beside the test double people pick today: Stoplight Prism mocking the same Confluence
operations from Atlassian's document (bench/run.py's last section).

Prism (`@stoplight/prism-cli`, pinned in bench/prism/package-lock.json; `npm ci --prefix bench/prism`)
answers from the document alone: examples or bodies generated from the schemas, no state. bondline
keeps real state. Measured in the same run, on the same machine:

- throughput and p99 of watch status GET (`/user/watch/content/{id}`, a body Prism can generate)
  and relation GET (whose schema Prism finds "too complex to generate": it answers 500), as ratios
  bondline ÷ Prism;
- what a fresh state costs each: Prism has none to reset, so a test that wants one restarts it (its
  start-up, spawn to first answer, median of three); bondline resets and seeds a running ephemeral
  server (`POST /api/v1/_reset` with a seed file: three users, a space, a page, a relation and a
  watch; median of fifty).
"""

from __future__ import annotations

import json
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # bench/common.py

from common import measure as wrk_measure  # noqa: E402

PRISM = HERE / "prism" / "node_modules" / ".bin" / "prism"
WATCH = "/wiki/rest/api/user/watch/content/1"
RELATION = "/wiki/rest/api/relation/favourite/from/user/current/to/content/1"
SEED = """
users:
  - {accountId: ada, email: ada@example.com, name: Ada, siteAdmin: true}
  - {accountId: bob, email: bob@example.com, name: Bob}
  - {accountId: cyd, email: cyd@example.com, name: Cyd}
spaces:
  - {key: ENG, name: Engineering, admins: [bob]}
content:
  - {key: home, space: ENG, title: Home}
relations:
  - {name: favourite, source: "user:ada", target: "content:home"}
watches:
  - {user: bob, content: home}
"""


def available() -> str | None:
    """Why Prism cannot be measured here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not PRISM.exists():
        subprocess.run(["npm", "ci", "--prefix", str(HERE / "prism"), "--no-audit", "--no-fund", "--loglevel=error"],
                       check=False, capture_output=True)
    return None if PRISM.exists() else "Prism is not installed (npm ci --prefix bench/prism)"


def _document(path: pathlib.Path) -> None:
    """Atlassian's document with the operations bondline serves (as bondline is measured on them)."""
    from bondline.openapi import document, vendor

    served = document()["paths"]
    doc = vendor.confluence()
    methods = ("get", "put", "post", "delete", "patch")
    doc["paths"] = {p: {m: op for m, op in item.items() if m not in methods or m in served.get(p, {})}
                    for p, item in doc["paths"].items() if p in served}
    path.write_text(json.dumps(doc))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(document: pathlib.Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = _free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), "--errors", str(document)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = started + 120
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prism exited with {proc.returncode}")
        try:
            httpx.get(url + WATCH, timeout=1, headers={"Authorization": "Bearer x"})
            return proc, url, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("prism did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def reset_and_seed_seconds(rounds: int = 50) -> list[float]:
    """Each round: POST /api/v1/_reset with SEED on a running ephemeral bondline (SQLite)."""
    proc = subprocess.Popen([sys.executable, "-m", "bondline", "serve", "--ephemeral", "--port", "0",
                             "--exit-with-parent"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        url = json.loads(proc.stdout.readline())["url"]
        times = []
        with httpx.Client(timeout=30) as http:
            for _ in range(rounds):
                started = time.perf_counter()
                r = http.post(url + "/api/v1/_reset", content=SEED, headers={"Content-Type": "application/yaml"})
                times.append(time.perf_counter() - started)
                r.raise_for_status()
        return times
    finally:
        proc.terminate()
        proc.wait(20)


def measure(bondline_endpoints: dict[str, dict[str, Any]], duration: int) -> dict[str, Any]:
    why = available()
    if why:
        return {"skipped": why}
    with tempfile.TemporaryDirectory() as workdir:
        document = pathlib.Path(workdir) / "confluence.json"
        _document(document)
        starts = []
        for _ in range(2):  # two cold starts for the median below, with the measured one
            proc, _, seconds = _start(document)
            starts.append(seconds)
            _stop(proc)
        proc, url, seconds = _start(document)
        starts.append(seconds)
        try:
            auth = {"Authorization": "Bearer x"}
            watch = wrk_measure(url + WATCH, duration, headers=auth)
            relation = wrk_measure(url + RELATION, duration, headers=auth)
        finally:
            _stop(proc)
    resets = reset_and_seed_seconds()
    ours = bondline_endpoints.get("watch status GET")
    out: dict[str, Any] = {
        "prism watch status GET": {k: watch[k] for k in ("rps", "p50_ms", "p99_ms", "non_2xx")},
        "prism relation GET": {k: relation[k] for k in ("rps", "p50_ms", "p99_ms", "non_2xx")},
        "prism start-up s (median of 3)": round(statistics.median(starts), 2),
        "bondline reset + seed ms (median of 50)": round(1000 * statistics.median(resets), 1),
    }
    if ours:
        out["bondline ÷ prism, watch status GET req/s"] = round(ours["rps"] / watch["rps"], 1)
        out["bondline ÷ prism, watch status GET p99"] = round(ours["p99_ms"] / watch["p99_ms"], 3)
    out["prism start-up ÷ bondline reset + seed"] = round(statistics.median(starts) / statistics.median(resets), 1)
    return out
