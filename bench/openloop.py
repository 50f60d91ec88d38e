#!/usr/bin/env python3
"""An open-loop HTTP/1.1 load generator: requests sent at a constant arrival rate, each one's
latency measured from the moment it was *meant* to be sent, so a slow response never holds back
the requests behind it and the wait it causes is counted (no coordinated omission).

    python bench/openloop.py http://127.0.0.1:8000/readyz --rate 2000 --seconds 10 \
        -H 'Authorization: Bearer …'

Why our own: the generators that do this (wrk2, vegeta, k6, oha) are neither in this machine's
apt nor on PyPI or npm as maintained packages (docs/decisions/0028-open-loop-load.md). This one is
small and cheap on CPU, because it shares two cores with the server it measures: uvloop, one
asyncio Protocol per keep-alive connection, requests pre-encoded, responses read by their
Content-Length (or chunked) without a parser library.

How it stays honest:

- Request i is due at t0 + i / rate. The scheduler sends every request that is due, then sleeps
  until the next is (timers have a millisecond's resolution; a send late by the timer or by the
  machine counts that lateness in the request's latency, and the lateness is reported as
  `send_lag_p99_ms`).
- A due request goes to an idle connection; with none idle, a new connection is opened (up to
  `max_connections`); beyond that it waits in a backlog — its clock running from its due time.
- A request not answered `grace` seconds after the last one was due is counted as `timed_out`
  with that whole wait as its latency, so a stalled server cannot improve its percentiles by not
  answering.
- `generator_cpu_share` is the generator's own CPU time over the run's wall time: what it took from
  the machine the server runs on.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import math
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, cast

RequestFor = Callable[[int], bytes]


def request_bytes(method: str, url: str, headers: dict[str, str] | None = None) -> tuple[str, int, bytes]:
    """(host, port, the request's bytes) for a body-less request."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    return host, port, encode(method, target, host, port, headers)


def encode(method: str, target: str, host: str, port: int, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if method in ("PUT", "POST"):
        lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class _Connection(asyncio.Protocol):
    def __init__(self, run: _Run) -> None:
        self.run = run
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.due = 0.0  # the in-flight request's due time
        self.busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.run.ready(self)

    def send(self, due: float, data: bytes) -> None:
        assert self.transport is not None
        self.busy = True
        self.due = due
        self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.busy:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            status = int(head[9:12])
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17:stop if stop >= 0 else len(head)])
                total = end + 4 + length
                if len(self.buffer) < total:
                    return
            elif b"\r\ntransfer-encoding: chunked" in head:
                last = self.buffer.find(b"\r\n0\r\n\r\n", end + 2)
                if last < 0 and not self.buffer.startswith(b"0\r\n\r\n", end + 4):
                    return
                total = (last + 7) if last >= 0 else end + 9
            else:
                total = end + 4
            del self.buffer[:total]
            self.busy = False
            self.run.done(self, status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.run.lost(self)


class _Run:
    def __init__(self, host: str, port: int, request_for: RequestFor, rate: float, count: int,
                 max_connections: int) -> None:
        self.loop = asyncio.get_running_loop()
        self.host, self.port = host, port
        self.request_for = request_for
        self.rate = rate
        self.count = count
        self.max_connections = max_connections
        self.idle: collections.deque[_Connection] = collections.deque()
        self.backlog: collections.deque[tuple[float, int]] = collections.deque()
        self.opening = 0
        self.open: set[_Connection] = set()
        self.latencies: list[float] = []
        self.lags: list[float] = []
        self.statuses: collections.Counter[int] = collections.Counter()
        self.errors = 0
        self.finished = asyncio.Event()
        self.answered = 0

    # connections
    def open_one(self) -> None:
        """Start opening a connection, counted at once (so the limit holds however many are started
        before the first one connects)."""
        self.opening += 1
        self.loop.create_task(self.connect())

    async def connect(self) -> None:
        """Open a connection; `opening` was counted by the caller."""
        try:
            await self.loop.create_connection(lambda: _Connection(self), self.host, self.port)
        except OSError:
            self.opening -= 1
            self.errors += 1
            self._settle()

    def ready(self, conn: _Connection) -> None:
        self.opening -= 1
        self.open.add(conn)
        self._give(conn)

    def lost(self, conn: _Connection) -> None:
        self.open.discard(conn)
        if conn in self.idle:
            self.idle.remove(conn)
        if conn.busy:  # dropped mid-request: an error, and its latency is not a measurement
            conn.busy = False
            self.errors += 1
            self.answered += 1
            self._settle()

    def _give(self, conn: _Connection) -> None:
        if self.backlog:
            due, i = self.backlog.popleft()
            self._send(conn, due, i)
        else:
            self.idle.append(conn)

    def _send(self, conn: _Connection, due: float, i: int) -> None:
        self.lags.append(time.perf_counter() - due)
        conn.send(due, self.request_for(i))

    # requests
    def dispatch(self, due: float, i: int) -> None:
        if self.idle:
            self._send(self.idle.popleft(), due, i)
            return
        self.backlog.append((due, i))
        if len(self.open) + self.opening < self.max_connections:
            self.open_one()

    def done(self, conn: _Connection, status: int) -> None:
        self.latencies.append(time.perf_counter() - conn.due)
        self.statuses[status] += 1
        self.answered += 1
        self._give(conn)
        self._settle()

    def _settle(self) -> None:
        if self.answered >= self.count:
            self.finished.set()


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


async def _drive(host: str, port: int, request_for: RequestFor, rate: float, seconds: float,
                 max_connections: int, warm_connections: int, grace: float) -> dict[str, Any]:
    count = max(1, int(rate * seconds))
    run = _Run(host, port, request_for, rate, count, max_connections)
    warm = min(warm_connections, max_connections)
    run.opening += warm
    await asyncio.gather(*(run.connect() for _ in range(warm)))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    # Due times and latencies on perf_counter (uvloop's loop.time() has a millisecond's resolution).
    start = time.perf_counter() + 0.01
    interval = 1.0 / rate
    i = 0
    while i < count:
        now = time.perf_counter()
        while i < count and start + i * interval <= now:
            run.dispatch(start + i * interval, i)
            i += 1
        if i < count:
            # At least a millisecond (the timers' resolution; a shorter sleep spins): the requests
            # due meanwhile go out together, late by up to that, and the lateness is in their latency.
            await asyncio.sleep(max(0.001, start + i * interval - time.perf_counter()))
    last_due = start + (count - 1) * interval
    try:
        await asyncio.wait_for(run.finished.wait(), timeout=max(0.1, last_due + grace - time.perf_counter()))
    except TimeoutError:
        pass
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    end = time.perf_counter()
    # Whatever is still unanswered (in flight or in the backlog) waited at least until now.
    unanswered = count - run.answered
    waited = [end - c.due for c in run.open if c.busy] + [end - due for due, _ in run.backlog]
    waited += [end - last_due] * max(0, unanswered - len(waited))
    for conn in list(run.open):
        assert conn.transport is not None
        conn.transport.close()
    values = sorted(run.latencies + waited)
    lags = sorted(run.lags)
    ms = 1000.0
    ok = sum(n for s, n in run.statuses.items() if 200 <= s < 400)
    return {
        "offered_rps": round(rate, 1), "requests": count, "answered": run.answered - run.errors,
        "achieved_rps": round(len(run.latencies) / (last_due - start + interval), 1),
        "p50_ms": round(_percentile(values, 0.50) * ms, 3), "p90_ms": round(_percentile(values, 0.90) * ms, 3),
        "p99_ms": round(_percentile(values, 0.99) * ms, 3), "p999_ms": round(_percentile(values, 0.999) * ms, 3),
        "max_ms": round(values[-1] * ms, 3) if values else math.nan,
        "send_lag_p99_ms": round(_percentile(lags, 0.99) * ms, 3),
        "non_2xx_3xx": len(run.latencies) - ok, "errors": run.errors, "timed_out": unanswered,
        "connections": len(run.open) + run.opening, "generator_cpu_share": round(cpu / wall, 3),
        "statuses": {str(k): v for k, v in sorted(run.statuses.items())},
    }


def drive(url: str, rate: float, seconds: float, *, method: str = "GET", headers: dict[str, str] | None = None,
          paths: Callable[[int], str] | None = None, max_connections: int = 256, warm_connections: int = 16,
          grace: float = 10.0) -> dict[str, Any]:
    """Send `rate` requests a second for `seconds` to `url` (or, with `paths`, to the path
    `paths(i)` for the i-th request, on url's host) and return the latency distribution, measured
    from each request's due time."""
    host, port, fixed = request_bytes(method, url, headers)
    if paths is None:
        def request_for(i: int) -> bytes:
            return fixed
    else:
        make = paths

        def request_for(i: int) -> bytes:
            return encode(method, make(i), host, port, headers)
    try:
        import uvloop
    except ImportError:  # plain asyncio: slower, still honest
        return asyncio.run(_drive(host, port, request_for, rate, seconds, max_connections, warm_connections, grace))
    return uvloop.run(_drive(host, port, request_for, rate, seconds, max_connections, warm_connections, grace))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--method", default="GET")
    parser.add_argument("-H", "--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--max-connections", type=int, default=256)
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    print(json.dumps(drive(args.url, args.rate, args.seconds, method=args.method, headers=headers,
                           max_connections=args.max_connections), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
