#!/usr/bin/env python3
"""An attachment's memory cost: upload and download a 10 MB file against a live server and print how
much the worker's peak RSS grew (issue 30's target: less than 2 MB, the file never held whole).

    python bench/attachments.py                       # SQLite in a temporary directory
    python bench/attachments.py --database-url postgresql://postgres@127.0.0.1:5432/bench --size-mb 50

One `bondline serve` worker (production settings), a user and a page. A warm-up round (a 1 MB file up
and down, twice) loads every code path first; then, in each of `--rounds` rounds, the 10 MB file is
uploaded (streamed from disk by the client; each round a new version) and downloaded (streamed,
discarded), and before each of the two the worker's peak RSS is reset (Linux: `5` written to
/proc/PID/clear_refs) and its resident set read; after it, the new peak. The worker is the process
whose pid the answers' X-Request-Id starts with. Prints the times, the checksum round trip and the
peak RSS growth; writes nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import sys
import tempfile
import time
import uuid
from typing import Any

import httpx

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import common  # noqa: E402  (bench/common.py: servers)

API = "/wiki/rest/api"
TARGET_MB = 2.0


def kib(pid: int, field: str) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def reset_peak(pid: int) -> None:
    pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux ≥ 4.0)


def provision(database_url: str) -> str:
    from tests.live import provision as make_user

    return make_user(database_url, f"bench-attachments-{uuid.uuid4().hex[:8]}")


def worker_pid(response: httpx.Response) -> int:
    return int(response.headers["x-request-id"].split("-")[0], 16)


def make_file(path: pathlib.Path, size: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as f:
        written = 0
        while written < size:
            chunk = block[:min(len(block), size - written)]
            f.write(chunk)
            digest.update(chunk)
            written += len(chunk)
    return digest.hexdigest()


def round_trip(http: httpx.Client, page: str, path: pathlib.Path, name: str, pid: int | None = None
               ) -> dict[str, Any]:
    """Upload then download; with `pid`, the worker's peak RSS growth during each (reset before each)."""
    peaks: dict[str, float] = {}
    if pid is not None:
        reset_peak(pid)
        before = kib(pid, "VmRSS")
    started = time.perf_counter()
    with open(path, "rb") as f:  # httpx streams a file part from disk
        r = http.put(f"{API}/content/{page}/child/attachment", files={"file": (name, f, "application/octet-stream")},
                     headers={"X-Atlassian-Token": "no-check"}, timeout=120)
    r.raise_for_status()
    uploaded = time.perf_counter() - started
    att = r.json()["results"][0]
    if pid is not None:
        peaks["upload"] = (kib(pid, "VmHWM") - before) / 1024
        reset_peak(pid)
        before = kib(pid, "VmRSS")
    digest = hashlib.sha256()
    started = time.perf_counter()
    with http.stream("GET", "/wiki" + att["_links"]["download"], timeout=120) as got:
        got.raise_for_status()
        for chunk in got.iter_bytes():
            digest.update(chunk)
    downloaded = time.perf_counter() - started
    if pid is not None:
        peaks["download"] = (kib(pid, "VmHWM") - before) / 1024
    return {"upload_s": uploaded, "download_s": downloaded, "sha256": digest.hexdigest(),
            "stored_sha256": att["extensions"]["fileId"], "pid": worker_pid(r), "peaks": peaks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    parser.add_argument("--size-mb", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (each a new version)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        subprocess_env = {"BONDLINE_BLOB_DIR": str(work / "blobs"), "BONDLINE_ACCESS_LOG": ""}
        import subprocess

        subprocess.run([sys.executable, "-m", "bondline", "migrate", "--database-url", url], check=True,
                       capture_output=True)
        token = provision(url)
        size = int(args.size_mb * 1024 * 1024)
        big, small = work / "big.bin", work / "small.bin"
        expected = make_file(big, size)
        make_file(small, 1024 * 1024)
        with common.bondline_server(url, env=subprocess_env) as server, httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as http:
            key = "BENCH" + uuid.uuid4().hex[:6].upper()  # a database given may have had runs before
            assert http.post(f"{API}/space", json={"key": key, "name": "Bench"}).status_code == 200
            page = http.post(f"{API}/content", json={"type": "page", "title": "Files",
                                                     "space": {"key": key}}).json()["id"]
            warm = round_trip(http, page, small, "warm.bin")
            round_trip(http, page, small, "warm.bin")  # a new version too
            pid = warm["pid"]
            threads = kib(pid, "Threads")
            results = [round_trip(http, page, big, "big.bin", pid) for _ in range(args.rounds)]
            threads_after = kib(pid, "Threads")
            assert all(r["pid"] == pid for r in results), "another worker answered"
        ok = all(r["sha256"] == expected == r["stored_sha256"] for r in results)
        growth_mb = max(max(r["peaks"].values()) for r in results)
        print(f"attachment of {args.size_mb:g} MB on {url.split(':')[0]}, {args.rounds} rounds: upload "
              f"{min(r['upload_s'] for r in results):.2f} s, download {min(r['download_s'] for r in results):.2f} s "
              f"(best), checksum round trips {'ok' if ok else 'MISMATCH'}")
        for n, r in enumerate(results, 1):
            print(f"  round {n}: worker {pid}'s peak RSS growth: upload {r['peaks']['upload']:.2f} MB, "
                  f"download {r['peaks']['download']:.2f} MB")
        print(f"worker threads: {threads} before the first round, {threads_after} after")
        print(f"largest peak RSS growth of any upload or download: {growth_mb:.2f} MB (target < {TARGET_MB:g} MB): "
              f"{'within' if growth_mb < TARGET_MB else 'OVER'}")
        if not ok or growth_mb >= TARGET_MB:
            sys.exit(1)


if __name__ == "__main__":
    main()
