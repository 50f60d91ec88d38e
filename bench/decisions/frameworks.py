"""Measure candidate web frameworks x servers with wrk (one worker each).

Prints requests/s and each ratio to the bare-ASGI ceiling. Needs wrk on PATH and the candidates
installed (pip install starlette litestar fastapi uvicorn[standard] granian msgspec).
Run: python bench/decisions/frameworks.py   (DUR=10s for longer runs)
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = "/wiki/rest/api/relation/favourite/from/user/current/to/content/123"
DUR = os.environ.get("DUR", "5s")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def serve(server, app, port):
    if server == "uvicorn":
        cmd = [sys.executable, "-m", "uvicorn", f"apps:{app}", "--port", str(port), "--log-level", "warning",
               "--no-access-log", "--loop", "uvloop", "--http", "httptools"]
    else:
        cmd = [sys.executable, "-m", "granian", "--interface", "asgi", f"apps:{app}", "--port", str(port),
               "--log-level", "warning", "--no-ws", "--loop", "uvloop"]
    return subprocess.Popen(cmd, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wrk(port):
    out = subprocess.run(["wrk", "-t1", "-c32", "-d" + DUR, "-H", "Authorization: Bearer tok_abc",
                          f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    rows = []
    for app in ["bare", "raw_db", "starlette_router", "starlette_app", "litestar_app", "fastapi_app"]:
        for server in ["uvicorn", "granian"]:
            port = free_port()
            p = serve(server, app, port)
            try:
                wait(port)
                wrk(port) if DUR else None  # warm-up run
                rps = wrk(port)
            finally:
                p.send_signal(signal.SIGINT)
                p.wait(10)
            rows.append((app, server, rps))
            print(f"{app:18} {server:8} {rps:10.0f}", flush=True)
    ceiling = max(r for a, s, r in rows if a == "bare")
    print(f"\nratio to the bare-ASGI ceiling ({ceiling:.0f} req/s)")
    for a, s, r in rows:
        print(f"{a:18} {s:8} {r:10.0f}  {r / ceiling:5.2f}")


if __name__ == "__main__":
    main()
