"""What bench/run.py and the scripts beside it share: wrk (installed if missing, its output read
into requests/s, p50 and p99, medians over SAMPLES runs) and server processes (`bondline serve`
with the production settings) started for the duration of a `with` block.

Imported by run.py, reltio_bench.py, prism_bench.py, ab.py, profile.py and scale.py; it imports none
of them, so imports go one way.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

HERE = pathlib.Path(__file__).resolve().parent
LUA = HERE / "lua"


# --- tools ------------------------------------------------------------------------------------

def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is not installed; installing it with apt-get …", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


class Server:
    """A server process for the duration of a `with` block."""

    def __init__(self, argv: list[str], ready_path: str, port: int, env: dict[str, str] | None = None,
                 cwd: str | None = None) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        # Its own process group, so that a crash can take the server and its workers at once.
        self.proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, cwd=cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        wait_ready(self.url + ready_path, self.proc)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def bondline_server(database_url: str, workers: int = 1, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bondline", "serve", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--database-url", database_url]
    return Server(argv, "/readyz", port, env)


# --- wrk ----------------------------------------------------------------------------------------

# Every unit wrk prints a duration in (its stats.c: us, ms, s, m, h).
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str) -> float:
    """A wrk duration ("812.00us", "1.02m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if match is None:
        raise ValueError(f"wrk printed a duration this script cannot read: {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _field(pattern: str, out: str, argv: list[str]) -> str:
    found = re.search(pattern, out)
    if found is None:
        raise RuntimeError(f"no {pattern!r} in the output of {' '.join(argv)}:\n{out}")
    return found.group(1)


def wrk(url: str, *, duration: int, connections: int = 32, headers: dict[str, str] | None = None,
        script: str | None = None, env: dict[str, str] | None = None) -> dict[str, Any]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    for key, value in (headers or {}).items():
        argv += ["-H", f"{key}: {value}"]
    if script:
        argv += ["-s", str(LUA / script)]
    run = subprocess.run(argv + [url], capture_output=True, text=True, env={**os.environ, **(env or {})})
    out = run.stdout + run.stderr
    rps = float(_field(r"Requests/sec:\s+([\d.]+)", out, argv))
    # The distribution's own lines ("     50%    3.38ms"), not a "+/- Stdev" column that ends in
    # "50%" ("89.50%") followed by the next line's first word.
    p50 = _ms(_field(r"(?m)^[ \t]*50%[ \t]+(\S+)[ \t]*$", out, argv))
    p99 = _ms(_field(r"(?m)^[ \t]*99%[ \t]+(\S+)[ \t]*$", out, argv))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


SAMPLES = 3  # measured runs per endpoint; reported: their medians (set by --samples)


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median requests/s, p50 and p99 of repeated runs (each its own median: the machines are
    noisy, and one slow run must not decide a target), with every sample kept."""
    return {"rps": statistics.median(r["rps"] for r in runs),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs),
            "socket_errors": "; ".join(r["socket_errors"] for r in runs if r["socket_errors"]),
            "samples": [{"rps": round(r["rps"]), "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"]} for r in runs]}


def measure(url: str, duration: int, **kwargs: Any) -> dict[str, Any]:
    """A short warm-up, then SAMPLES measured runs; their medians."""
    wrk(url, duration=min(2, duration), **kwargs)
    return median_of([wrk(url, duration=duration, **kwargs) for _ in range(SAMPLES)])


def measure_writes(url: str, duration: int, script: str, env: dict[str, str], vary: Any) -> dict[str, Any]:
    """SAMPLES runs of a write script, each with its own `vary(sample)` environment (a PUT prefix, a
    DELETE offset), so no run finds the rows another made or removed; their medians."""
    return median_of([wrk(url, duration=duration, script=script, env={**env, **vary(i)}) for i in range(SAMPLES)])
