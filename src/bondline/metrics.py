"""Prometheus metrics: requests and their latency per route, the database pool, change requests by state.

Request metrics are labelled by route *pattern* (``/wiki/rest/api/relation/{relationName}/…``), never
by the raw path, so a scrape stays small whatever keys callers use.

Why not prometheus_client's `Counter`/`Histogram` on the request path: each of their updates takes a
lock and several calls, and a counter plus a histogram cost ~17,000 instructions per request (5% of
a relation GET, measured with callgrind); counting into a plain list costs ~4,700. So requests are
counted here, per process, and prometheus_client renders them (its metric families and exposition
format) when scraped.

With several worker processes (`bondline serve --workers N`), `serve` sets ``BONDLINE_METRICS_DIR``:
every worker writes a snapshot of its numbers there each second (and at exit), and whichever worker
answers ``/metrics`` writes its own, then sums every snapshot. Counts of workers that have exited stay
in the sum (counters never go down while the server runs); their pool gauges do not. Change-request
counts are read from the database at scrape time, so they are right whichever process answers.

Change requests are counted per state, summed over tenants: a scrape needs no credentials by default,
and per-tenant series would tell anyone who can reach it every tenant's id. `by_tenant`
(``BONDLINE_METRICS_TENANT_LABELS``) adds the tenant label back.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

import msgspec
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DIR_ENV = "BONDLINE_METRICS_DIR"
# Request latency buckets (seconds): most requests take well under a millisecond in-process.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SNAPSHOT_SECONDS = 1.0
UNMATCHED = "(unmatched)"

# (method, route, status) -> [count, sum of seconds, one count per bucket, then +Inf]
Stats = dict[tuple[str, str, int], list[float]]


class RequestMetrics:
    """This process's request counts. `observe` is on every request's path, so it does the least it can."""

    __slots__ = ("stats",)

    def __init__(self) -> None:
        self.stats: Stats = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        stats = self.stats.get(key)
        if stats is None:
            stats = self.stats[key] = [0, 0.0] + [0] * (len(BUCKETS) + 1)
        stats[0] += 1
        stats[1] += seconds
        stats[2 + bisect_left(BUCKETS, seconds)] += 1


class _Snapshot(msgspec.Struct):
    requests: list[tuple[str, str, int, list[float]]]
    pool: dict[str, int]


def _snapshot(requests: RequestMetrics, pool: dict[str, int]) -> _Snapshot:
    return _Snapshot([(m, r, s, v) for (m, r, s), v in requests.stats.items()], pool)


_CACHE_COUNTS = ("read_cache_hits", "read_cache_misses")
# PostgreSQL with a read replica (decision 0029): reads it answered, and reads meant for it that the
# primary answered (it had not replayed the client's token yet; it could not be reached).
_REPLICA_COUNTS = ("replica_reads", "replica_behind", "replica_down")


def metrics_dir() -> str | None:
    return os.environ.get(DIR_ENV) or None


def write_snapshot(requests: RequestMetrics, store: Any) -> None:
    """This worker's numbers, to ``$BONDLINE_METRICS_DIR/{pid}.json`` (replaced atomically)."""
    directory = metrics_dir()
    if directory is None:
        return
    data = msgspec.json.encode(_snapshot(requests, store.pool_stats()))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(directory, f"{os.getpid()}.json"))
    except BaseException:
        os.unlink(tmp)
        raise


async def snapshot_forever(requests: RequestMetrics, store: Any) -> None:
    while True:
        await asyncio.sleep(SNAPSHOT_SECONDS)
        write_snapshot(requests, store)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _gather(requests: RequestMetrics, store: Any) -> tuple[Stats, dict[str, int]]:
    """Every worker's request counts summed, and the pools of the live ones."""
    directory = metrics_dir()
    if directory is None:
        return requests.stats, store.pool_stats()
    write_snapshot(requests, store)
    total: Stats = {}
    pool = {"size": 0, "idle": 0, "max": 0, "waiting": 0}
    cache = dict.fromkeys(_CACHE_COUNTS, 0)
    replica = "replica_reads" in store.pool_stats()
    if replica:
        cache.update(dict.fromkeys(_REPLICA_COUNTS, 0))
    for name in os.listdir(directory):
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(directory, name), "rb") as f:
                snap = msgspec.json.decode(f.read(), type=_Snapshot)
        except (OSError, msgspec.DecodeError):
            continue  # a worker that died while writing: its previous file was replaced atomically
        for method, route, status, values in snap.requests:
            into = total.setdefault((method, route, status), [0.0] * len(values))
            for i, value in enumerate(values):
                into[i] += value
        for key in cache:  # counters: a worker that exited still counted what it did
            cache[key] += snap.pool.get(key, 0)
        if _alive(int(name[:-5])):
            for key in pool:
                pool[key] += snap.pool.get(key, 0)
    return total, {**pool, **cache}


class _Collected(Collector):
    def __init__(self, stats: Stats, pool: dict[str, int], change_requests: Iterable[tuple[str, str, int]] | None,
                 by_tenant: bool) -> None:
        self.stats, self.pool = stats, pool
        self.change_requests = None if change_requests is None else list(change_requests)
        self.by_tenant = by_tenant

    def collect(self) -> Iterable[Any]:
        requests = CounterMetricFamily("bondline_http_requests", "HTTP requests answered, by method, route "
                                       "pattern and status.", labels=("method", "route", "status"))
        per_route: dict[tuple[str, str], list[float]] = {}
        for (method, route, status), values in sorted(self.stats.items()):
            requests.add_metric((method, route, str(status)), values[0])
            into = per_route.setdefault((method, route), [0.0] * len(values))
            for i, value in enumerate(values):
                into[i] += value
        yield requests
        latency = HistogramMetricFamily("bondline_http_request_duration_seconds", "Time from receiving a "
                                        "request to sending its response, by method and route pattern.",
                                        labels=("method", "route"))
        for (method, route), values in per_route.items():
            buckets, running = [], 0.0
            for bound, count in zip(BUCKETS + (float("inf"),), values[2:], strict=True):
                running += count
                buckets.append((floatToGoString(bound), running))
            latency.add_metric((method, route), buckets, values[1])
        yield latency
        connections = GaugeMetricFamily("bondline_db_pool_connections", "Database connections held by the "
                                        "workers' pools, by state (busy: in a unit of work; idle: ready).",
                                        labels=("state",))
        connections.add_metric(("busy",), self.pool["size"] - self.pool["idle"])
        connections.add_metric(("idle",), self.pool["idle"])
        yield connections
        yield GaugeMetricFamily("bondline_db_pool_max_connections", "Most connections the workers' pools may "
                                "open.", value=self.pool["max"])
        yield GaugeMetricFamily("bondline_db_pool_waiting", "Units of work waiting for a database connection "
                                "(SQLite: for the writer).", value=self.pool["waiting"])
        reads = CounterMetricFamily("bondline_db_read_cache", "Reads answered from the worker's memory "
                                    "(hit) or by the database (miss), of those the store may keep until anything is "
                                    "committed (PostgreSQL: reads sent past the cache while it is not hitting are "
                                    "not counted).",
                                    labels=("result",))
        reads.add_metric(("hit",), self.pool.get("read_cache_hits", 0))
        reads.add_metric(("miss",), self.pool.get("read_cache_misses", 0))
        yield reads
        if "replica_reads" in self.pool:
            routed = CounterMetricFamily("bondline_db_replica_reads", "Reads while a read replica is configured "
                                         "that could use it, by where they ran: the replica; the primary because "
                                         "the replica had not yet replayed the client's consistency token "
                                         "(behind); the primary because the replica could not be reached (down).",
                                         labels=("served_by",))
            routed.add_metric(("replica",), self.pool["replica_reads"])
            routed.add_metric(("primary_behind",), self.pool["replica_behind"])
            routed.add_metric(("primary_down",), self.pool["replica_down"])
            yield routed
        yield GaugeMetricFamily("bondline_database_up", "1 when the database answered this scrape, 0 during an "
                                "outage (the change request counts are then left out).",
                                value=0 if self.change_requests is None else 1)
        if self.change_requests is None:
            return
        if self.by_tenant:
            dcrs = GaugeMetricFamily("bondline_change_requests", "Reltio change requests, by tenant and state.",
                                     labels=("tenant", "state"))
            for tenant, state, count in self.change_requests:
                dcrs.add_metric((tenant, state), count)
        else:
            dcrs = GaugeMetricFamily("bondline_change_requests", "Reltio change requests of all tenants, by "
                                     "state.", labels=("state",))
            per_state: dict[str, int] = {}
            for _, state, count in self.change_requests:
                per_state[state] = per_state.get(state, 0) + count
            for state, count in per_state.items():
                dcrs.add_metric((state,), count)
        yield dcrs


def render(requests: RequestMetrics, store: Any, change_requests: Iterable[tuple[str, str, int]] | None, *,
           by_tenant: bool = False) -> bytes:
    """The exposition text (Prometheus text format 0.0.4); change requests per tenant only if `by_tenant`,
    and none when the database could not be asked (`change_requests` None)."""
    stats, pool = _gather(requests, store)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collected(stats, pool, change_requests, by_tenant))
    return generate_latest(registry)
