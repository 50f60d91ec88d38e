"""Concurrency across two server processes on one database (PostgreSQL, the scale-out deployment,
and SQLite, where processes share one file and take turns on its write lock).

- The same change request applied from both servers at once: one 200, one 400 with Reltio's error
  body, state APPLIED, every item applied exactly once.
- The same relation PUT by 32 clients at once: one row, and every client gets that row back.
- Watches added and removed by many users at once: the final state is each user's last
  acknowledged call; calls of one user racing each other all succeed.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from bondline.services.reltio import tenants
from tests.e2e.reliability.conftest import (
    API,
    TENANT,
    XSRF,
    Servers,
    User,
    expected_emails,
    make_tenant,
    make_users,
    reltio_error,
    request_effects,
    rows,
    stage_requests,
)
from tests.helpers import on_store
from tests.live import LiveServer

pytestmark = pytest.mark.live

SEED = 8
Pair = tuple[str, LiveServer, LiveServer]


@pytest.fixture(scope="module")
def pair(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Two server processes on one database, shared by this module's tests (each uses users,
    spaces and requests of its own)."""
    found = Servers(module_database_url, str(tmp_path_factory.mktemp("servers")))
    try:
        yield module_database_url, found.start(), found.start()
    finally:
        found.stop_all()
BODY = {"body": {"storage": {"value": "<p/>", "representation": "storage"}}}


def _race(calls: list[Any]) -> list[Any]:
    """Run the calls in threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))

    def go(call: Any) -> Any:
        barrier.wait(30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


# --- one change request, two servers -------------------------------------------------------------

# (request id, entity prefix, items, entities): a small request (applied inline) and larger ones
# (above 2,000 items: applied as a long job, on SQLite in a thread of its own)
RACED = [("RACE0", "A", 40, 10), ("RACE1", "B", 3_000, 100), ("RACE2", "C", 5_000, 100), ("RACE3", "D", 40, 10)]


def test_one_request_applied_from_two_servers_at_once(pair: Pair) -> None:
    database_url, one, two = pair
    people = make_users(database_url, ["rev1", "rev2"])
    make_tenant(database_url, ["rev1", "rev2"])
    stage_requests(database_url, RACED)
    clients = [httpx.Client(base_url=one.url, headers=people["rev1"].headers, timeout=60),
               httpx.Client(base_url=two.url, headers=people["rev2"].headers, timeout=60)]
    try:
        for request_id, prefix, items, count in RACED:
            path = f"/reltio/api/{TENANT}/changeRequests/{request_id}/_apply"
            first, second = _race([lambda c=c, path=path: c.post(path) for c in clients])
            assert sorted([first.status_code, second.status_code]) == [200, 400], (first.text, second.text)
            winner, loser = (first, second) if first.status_code == 200 else (second, first)
            assert winner.json() == {"status": "success"}, winner.text
            reltio_error(loser, 400, fragment="is in state APPLIED")
            for c in clients:  # both servers see it applied
                assert c.get(f"/reltio/api/{TENANT}/changeRequests/{request_id}").json()["state"] == "APPLIED"
            state, found = request_effects(database_url, request_id, prefix)
            assert state == "APPLIED"
            wanted = expected_emails(request_id, prefix, items, count)
            for entity_id, (version, emails) in found.items():
                # applied once: each value once, and one new version of the entity
                assert emails == wanted[entity_id] and version == 2, (request_id, entity_id, version, len(emails))
    finally:
        for c in clients:
            c.close()


# --- one relation, many clients -------------------------------------------------------------------

CLIENTS = 32
KEYS = 4


def test_concurrent_puts_of_one_relation_make_one_row(pair: Pair) -> None:
    database_url, one, two = pair
    names = [f"c{i:02d}" for i in range(CLIENTS)]
    people = make_users(database_url, ["owner1", *names])
    with httpx.Client(base_url=one.url, headers=people["owner1"].headers, timeout=30) as http:
        assert http.post(f"{API}/space", json={"key": "ONE", "name": "One"}).status_code == 200
        pages = []
        for i in range(KEYS + 1):
            r = http.post(f"{API}/content", json={"type": "page", "title": f"P{i}", "space": {"key": "ONE"}, **BODY})
            assert r.status_code == 200, r.text
            pages.append(r.json()["id"])
    clients = [httpx.Client(base_url=(one if i % 2 else two).url, headers=people[n].headers, timeout=30)
               for i, n in enumerate(names)]
    try:
        for k in range(KEYS):
            path = f"{API}/relation/reviewer/from/content/{pages[0]}/to/content/{pages[k + 1]}?expand=relationData"
            responses = _race([lambda c=c, path=path: c.put(path) for c in clients])
            assert [r.status_code for r in responses] == [200] * CLIENTS, [r.text for r in responses
                                                                          if r.status_code != 200][:3]
            # every client got the one row back: the same creator and creation time (only the
            # links' base differs, naming the server that answered, and the creator's email, which
            # only the creator sees)
            bodies = [json.loads(r.text.replace(one.url, "").replace(two.url, "")) for r in responses]
            for body in bodies:
                body["relationData"]["createdBy"].pop("email")
            assert all(b == bodies[0] for b in bodies), _difference(bodies)
            assert bodies[0]["relationData"]["createdBy"]["accountId"] in names
    finally:
        for c in clients:
            c.close()
    stored = rows(database_url,
                  "SELECT target_key, count(*) FROM relations WHERE name = 'reviewer' GROUP BY target_key")
    assert sorted(stored) == sorted((p, 1) for p in pages[1:])
    created = rows(database_url, "SELECT object, count(*) FROM audit_log WHERE action = 'relation.create' "
                   "AND object LIKE '%/reviewer/%' GROUP BY object")
    assert len(created) == KEYS and all(n == 1 for _, n in created), created


def _difference(bodies: list[dict[str, Any]]) -> list[Any]:
    def flat(d: Any, prefix: str = "") -> dict[str, Any]:
        if isinstance(d, dict):
            return {k: v for key, value in d.items() for k, v in flat(value, f"{prefix}.{key}").items()}
        return {prefix: d}

    first = flat(bodies[0])
    return [(k, first.get(k), v) for b in bodies for k, v in flat(b).items() if first.get(k) != v][:6]


# --- watches: many users, add and remove ---------------------------------------------------------

WATCHERS = 12
CALLS = 16


def test_concurrent_watch_add_and_remove_end_at_each_users_last_call(pair: Pair) -> None:
    database_url, one, two = pair
    names = [f"w{i:02d}" for i in range(WATCHERS)]
    people = make_users(database_url, ["owner2", *names])
    with httpx.Client(base_url=one.url, headers=people["owner2"].headers, timeout=30) as http:
        assert http.post(f"{API}/space", json={"key": "WAT", "name": "Watched"}).status_code == 200
        r = http.post(f"{API}/content", json={"type": "page", "title": "Watched", "space": {"key": "WAT"}, **BODY})
        assert r.status_code == 200, r.text
        page = r.json()["id"]
    targets = [f"{API}/user/watch/content/{page}", f"{API}/user/watch/space/WAT"]
    rng = random.Random(SEED)
    plans = {n: [(rng.choice(targets), rng.random() < 0.5, rng.choice([one, two]).url) for _ in range(CALLS)]
             for n in names}
    last: dict[tuple[str, str], bool] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def sequential(name: str) -> None:
        """One user's calls in order, each answered before the next, on either server."""
        with httpx.Client(headers={**people[name].headers, **XSRF}, timeout=30) as http:
            for target, add, base in plans[name]:
                r = http.request("POST" if add else "DELETE", base + target)
                with lock:
                    if r.status_code != 204:
                        failures.append(f"{name} {target}: {r.status_code} {r.text[:200]}")
                    else:
                        last[(name, target)] = add

    _race([lambda n=n: sequential(n) for n in names])
    assert not failures, failures
    _check_watches(one.url, people, names, targets, last)

    # Calls of one user racing each other (add and remove of one watch at once, on both servers):
    # every one succeeds, and the watch ends in one of the two states; a last call then decides.
    def burst(name: str) -> list[int]:
        with httpx.Client(headers={**people[name].headers, **XSRF}, timeout=30) as http:
            calls = [lambda i=i: http.request("POST" if i % 2 else "DELETE", [one, two][i // 2 % 2].url + targets[0])
                     for i in range(8)]
            return [r.status_code for r in _race(calls)]

    for _ in range(2):
        statuses = _race([lambda n=n: burst(n) for n in names])
        assert all(s == [204] * 8 for s in statuses), statuses
    final = {}
    for name in names:
        add = rng.random() < 0.5
        with httpx.Client(headers={**people[name].headers, **XSRF}, timeout=30) as http:
            assert http.request("POST" if add else "DELETE", one.url + targets[0]).status_code == 204
        final[(name, targets[0])] = add
    last.update(final)
    _check_watches(two.url, people, names, targets, last)
    stored = rows(database_url, "SELECT source_key, target_type, target_key, version FROM relations "
                  "WHERE name = 'watch' AND source_key LIKE 'w%'")
    assert all(version == 1 for *_, version in stored)
    assert len(stored) == len(set(stored)) == sum(last.values())


def _check_watches(base: str, people: dict[str, User], names: list[str], targets: list[str],
                   last: dict[tuple[str, str], bool]) -> None:
    with httpx.Client(base_url=base, timeout=30) as http:
        for name in names:
            for target in targets:
                r = http.get(target, headers=people[name].headers)
                assert r.status_code == 200, r.text
                assert r.json() == {"watching": last.get((name, target), False)}, (name, target)


PAIRS = 8
PAIR_ROUNDS = 40


def test_put_racing_delete_of_one_relation_never_fails(pair: Pair) -> None:
    """A PUT and a DELETE of an existing favourite at the same moment, on two servers: both succeed
    (200 with the relation, 204), and the relation ends either present or absent. On PostgreSQL a
    PUT could find the row in the way of its insert, then find it gone (deleted and committed in
    between) and answer 500; it now inserts again."""
    database_url, one, two = pair
    names = [f"p{i:02d}" for i in range(PAIRS)]
    people = make_users(database_url, ["owner3", *names])
    with httpx.Client(base_url=one.url, headers=people["owner3"].headers, timeout=30) as http:
        assert http.post(f"{API}/space", json={"key": "RACE", "name": "Race"}).status_code == 200
    path = f"{API}/relation/favourite/from/user/current/to/space/RACE"
    puts = [httpx.Client(base_url=one.url, headers=people[n].headers, timeout=30) for n in names]
    deletes = [httpx.Client(base_url=two.url, headers=people[n].headers, timeout=30) for n in names]
    try:
        # the race needs PostgreSQL's READ COMMITTED; SQLite (writers take turns) gets a few rounds
        for _ in range(PAIR_ROUNDS if database_url.startswith("postgresql") else PAIR_ROUNDS // 4):
            assert all(r.status_code == 200 for r in _race([lambda c=c: c.put(path) for c in puts]))
            results = _race([*(lambda c=c: c.put(path) for c in puts), *(lambda c=c: c.delete(path) for c in deletes)])
            bad = [(r.status_code, r.text[:200]) for r in results[:PAIRS] if r.status_code != 200]
            bad += [(r.status_code, r.text[:200]) for r in results[PAIRS:] if r.status_code != 204]
            assert not bad, bad
            for r, name in zip(results[:PAIRS], names, strict=True):  # the PUTs' answers
                assert r.json()["_links"]["self"].endswith(f"/from/user/{name}/to/space/RACE")
            for c in puts:
                assert c.get(path).status_code in (200, 404)
    finally:
        for c in puts + deletes:
            c.close()


# --- a worker's kept tenant types never outlive a change made through another server -------------

def test_types_replaced_through_one_server_are_used_at_once_by_the_other(pair: Pair) -> None:
    """Each worker keeps a tenant's parsed types, checked against the version every request reads
    with the caller's roles. A type added or removed through one server must be what the other
    server uses on the very next request, without any wait, round after round."""
    database_url, one, two = pair
    people = make_users(database_url, ["typer"])

    async def job(store: Any) -> None:
        await tenants.add(store, "kept")
        await tenants.grant(store, "kept", "typer", ["ROLE_ADMIN_TENANT"])

    on_store(database_url, job)
    base = "/reltio/api/kept"
    with httpx.Client(base_url=one.url, headers=people["typer"].headers, timeout=30) as a, \
            httpx.Client(base_url=two.url, headers=people["typer"].headers, timeout=30) as b:
        config = b.get(f"{base}/configuration").json()  # server two keeps the default types
        config.pop("uri")
        gadget = {"type": "configuration/entityTypes/Gadget", "attributes": {"Serial": [{"value": "G-1"}]}}
        for round_ in range(5):
            writer, reader = (a, b) if round_ % 2 == 0 else (b, a)
            with_gadget = {**config, "entityTypes": [*config["entityTypes"], {
                "uri": "configuration/entityTypes/Gadget", "attributes": [{"name": "Serial", "type": "String"}],
                "dataLabelPattern": "{Serial}"}]}
            assert writer.put(f"{base}/configuration", json=with_gadget).status_code == 200
            made = reader.post(f"{base}/entities", json=[gadget])
            assert made.status_code == 200 and made.json()[0]["successful"], made.text
            assert made.json()[0]["object"]["label"] == "G-1"
            assert writer.put(f"{base}/configuration", json=config).status_code == 200
            refused = reader.post(f"{base}/entities", json=[gadget])
            assert refused.status_code in (200, 400), refused.text
            assert "Gadget" not in json.dumps([t["uri"] for t in reader.get(f"{base}/configuration").json()
                                               ["entityTypes"]])
            assert not (refused.status_code == 200 and refused.json()[0].get("successful")), refused.text


# --- reads kept by a worker never outlive a write made through another server -------------------

def _read_cache_hits(server: LiveServer) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(server.url + "/metrics", timeout=30).text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "bondline_db_read_cache_total" and s.labels.get("result") == "hit")


def test_reads_through_one_server_see_writes_through_the_other_at_once(pair: Pair) -> None:
    """On SQLite each worker answers a repeated relation check, watch status or Reltio relation
    from memory until anything is committed (store/readcache.py). Each read here is made twice
    through server one (the second may come from memory), then the state is changed through server
    two — or straight in the database, as an operator's command does — and the very next read
    through server one must show the change. On PostgreSQL the same reads always ask the database."""
    database_url, one, two = pair
    people = make_users(database_url, ["kept1", "kept2"])
    owner, user = people["kept1"], people["kept2"]

    async def job(store: Any) -> None:
        await tenants.add(store, "cache")
        await tenants.grant(store, "cache", "kept2", ["ROLE_ADMIN_TENANT"])

    on_store(database_url, job)
    with httpx.Client(base_url=one.url, headers=user.headers, timeout=30) as a, \
            httpx.Client(base_url=two.url, headers={**user.headers, **XSRF}, timeout=30) as b:
        assert b.post(f"{API}/space", json={"key": "KEPT", "name": "Kept"}, headers=owner.headers).status_code == 200
        pages = []
        for i in range(2):
            r = b.post(f"{API}/content", headers=owner.headers,
                       json={"type": "page", "title": f"Kept {i}", "space": {"key": "KEPT"}, **BODY})
            assert r.status_code == 200, r.text
            pages.append(r.json()["id"])
        favourite = f"{API}/relation/favourite/from/user/current/to/content/{pages[0]}"
        watch = f"{API}/user/watch/content/{pages[0]}"

        def twice(path: str) -> httpx.Response:
            first, second = a.get(path), a.get(path)
            assert (first.status_code, first.text) == (second.status_code, second.text)
            return second

        for _ in range(10):
            assert twice(favourite).status_code == 404
            assert b.put(favourite).status_code == 200
            assert twice(favourite).status_code == 200
            assert b.delete(favourite).status_code == 204
            assert a.get(favourite).status_code == 404
            assert twice(watch).json() == {"watching": False}
            assert b.post(watch).status_code == 204
            assert twice(watch).json() == {"watching": True}
            assert b.delete(watch).status_code == 204
            assert a.get(watch).json() == {"watching": False}
        # the page itself goes: the kept row held it with its space and the caller's role
        assert b.put(favourite).status_code == 200
        assert twice(favourite).status_code == 200
        assert b.delete(f"{API}/content/{pages[0]}", headers={**owner.headers, **XSRF}).status_code == 204
        assert a.get(favourite).status_code == 404

        reltio = "/reltio/api/cache"
        made = b.post(f"{reltio}/entities", json=[
            {"type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": "Kept"}]}},
            {"type": "configuration/entityTypes/Location", "attributes": {"City": [{"value": "Kept"}]}}])
        assert made.status_code == 200, made.text
        start, end = (x["object"]["uri"] for x in made.json())
        relation = [{"type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": start},
                     "endObject": {"objectURI": end}}]
        for _ in range(5):
            r = b.post(f"{reltio}/relations", json=relation)
            assert r.status_code == 200 and r.json()[0]["successful"], r.text
            uri = r.json()[0]["object"]["uri"]
            assert twice(f"{reltio}/{uri}").json()["uri"] == uri
            assert b.delete(f"{reltio}/{uri}").status_code == 200
            assert a.get(f"{reltio}/{uri}").status_code == 404
        uri = b.post(f"{reltio}/relations", json=relation).json()[0]["object"]["uri"]
        assert twice(f"{reltio}/{uri}").status_code == 200

        async def revoke(store: Any) -> None:  # the operator's command, straight in the database
            await tenants.grant(store, "cache", "kept2", ["ROLE_USER"], replace=True)

        on_store(database_url, revoke)
        assert twice(f"{reltio}/{uri}").status_code == 200  # ROLE_USER may still read

        async def revoke_all(store: Any) -> None:
            await tenants.grant(store, "cache", "kept2", [], replace=True)

        on_store(database_url, revoke_all)
        assert a.get(f"{reltio}/{uri}").status_code == 403
    if database_url.startswith("sqlite"):
        assert _read_cache_hits(one) > 0  # the reads above did come from memory, some of them
