"""Graceful shutdown: on SIGTERM the server stops accepting connections, lets the requests in
flight finish (and commit), then exits with status 0."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import httpx
import pytest

from tests.e2e.reliability.conftest import (
    API,
    TENANT,
    XSRF,
    Servers,
    expected_emails,
    make_tenant,
    make_users,
    request_effects,
    rows,
    stage_requests,
    write_transaction_open,
)

pytestmark = pytest.mark.live

DELAY = 2.0  # seconds every write waits (injected latency) before it runs
EXIT_WITHIN = 15.0


def _in_threads(calls: list[Any]) -> tuple[list[threading.Thread], dict[int, Any]]:
    results: dict[int, Any] = {}

    def go(i: int, call: Any) -> None:
        try:
            results[i] = call()
        except httpx.HTTPError as exc:
            results[i] = exc

    threads = [threading.Thread(target=go, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    return threads, results


def _refused(url: str) -> bool:
    try:
        httpx.get(url + "/healthz", timeout=2)
    except httpx.ConnectError:
        return True
    except httpx.HTTPError:
        return False
    return False


def test_sigterm_lets_requests_in_flight_finish(servers: Servers, database_url: str) -> None:
    """Eight writes (favourites and watches) are in flight on a server with two worker processes,
    each held back by injected latency, when SIGTERM arrives: new connections are refused at once, every
    write still answers 2xx, the process exits 0 (an idle keep-alive connection does not hold it up), and every write is
    in the database."""
    names = [f"s{i}" for i in range(8)]
    people = make_users(database_url, ["owner", *names])
    server = servers.start("--fault", f"latency path=/wiki/rest/api/relation/* methods=PUT delay={DELAY}",
                           "--fault", f"latency path=/wiki/rest/api/user/watch/* methods=POST delay={DELAY}",
                           workers=2)
    with httpx.Client(base_url=server.url, headers=people["owner"].headers, timeout=30) as http:
        assert http.post(f"{API}/space", json={"key": "TERM", "name": "Term"}).status_code == 200

    def write(i: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, headers=people[names[i]].headers, timeout=30) as http:
            if i % 2:
                return http.post(f"{API}/user/watch/space/TERM", headers=XSRF)
            return http.put(f"{API}/relation/favourite/from/user/current/to/space/TERM")

    started = time.monotonic()
    threads, results = _in_threads([lambda i=i: write(i) for i in range(len(names))])
    idle = httpx.Client(base_url=server.url, timeout=30)  # a keep-alive connection, idle: no reason to wait
    assert idle.get("/healthz").status_code == 200
    time.sleep(DELAY / 3)  # every write has arrived and waits
    server.proc.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    while not _refused(server.url):
        assert time.monotonic() - signalled < DELAY / 3, "new connections were still accepted after SIGTERM"
        time.sleep(0.05)
    for t in threads:
        t.join(30)
    answered = time.monotonic()
    idle.close()
    for i in range(len(names)):
        r = results[i]
        assert isinstance(r, httpx.Response), f"write {i} got no answer: {r!r}"
        assert r.status_code == (204 if i % 2 else 200), r.text
    assert answered - started >= DELAY  # they really were in flight
    server.proc.wait(EXIT_WITHIN)
    assert server.proc.returncode == 0, server.output()
    assert time.monotonic() - signalled < EXIT_WITHIN

    # committed: the rows are in the database
    stored = rows(database_url, "SELECT name, source_key FROM relations WHERE target_key = 'TERM' "
                  "AND source_key LIKE 's%'")
    assert sorted(stored) == sorted(("watch" if i % 2 else "favourite", n) for i, n in enumerate(names))


ITEMS = 20_000
ENTITIES = 500


def test_sigterm_during_a_large_apply_waits_for_it(servers: Servers, database_url: str) -> None:
    """SIGTERM while a 20,000-item change request is being applied (its write transaction open):
    the apply finishes and answers 200, the server exits 0, and the request is APPLIED with every
    item after a restart."""
    people = make_users(database_url, ["reviewer"])
    make_tenant(database_url, ["reviewer"])
    stage_requests(database_url, [("TERM", "T", ITEMS, ENTITIES)])
    server = servers.start()
    threads, results = _in_threads([lambda: httpx.post(
        f"{server.url}/reltio/api/{TENANT}/changeRequests/TERM/_apply", headers=people["reviewer"].headers,
        timeout=120)])
    deadline = time.monotonic() + 60
    while not write_transaction_open(database_url):
        assert time.monotonic() < deadline and 0 not in results, results.get(0)
        time.sleep(0.02)
    server.proc.send_signal(signal.SIGTERM)
    threads[0].join(120)
    r = results[0]
    assert isinstance(r, httpx.Response), f"the apply got no answer: {r!r}"
    assert r.status_code == 200, r.text
    server.proc.wait(EXIT_WITHIN)
    assert server.proc.returncode == 0, server.output()

    state, found = request_effects(database_url, "TERM", "T")
    assert state == "APPLIED"
    wanted = expected_emails("TERM", "T", ITEMS, ENTITIES)
    assert all(found[e] == (2, wanted[e]) for e in wanted)
