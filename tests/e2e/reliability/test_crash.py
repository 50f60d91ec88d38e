"""Durability and atomicity across a crash: the server (granian and its worker) is killed with
SIGKILL at a random moment chosen by a seeded generator, restarted, and what it acknowledged is
checked against what the database holds.

- Relations and watches written by concurrent clients: every acknowledged write is there after a
  restart, an acknowledged DELETE stays deleted, a write whose answer never came is either wholly
  there (with its audit entry) or wholly absent, and no row is half-written.
- A 20,000-item change request killed while it is being applied: afterwards it is either applied
  in full (state APPLIED) or not at all (AWAITING_REVIEW, and it then applies cleanly, once).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.e2e.reliability.conftest import (
    API,
    TENANT,
    XSRF,
    Servers,
    User,
    client,
    expected_emails,
    make_tenant,
    make_users,
    request_effects,
    rows,
    stage_requests,
    write_transaction_open,
)

pytestmark = pytest.mark.live

SEED = 20261123
ROUNDS = 3
USERS = 12
PAGES = 4
SPACE = "CRASH"
MIN_ACKS = 60  # acknowledged calls in a round before its kill may come


# --- relations and watches ----------------------------------------------------------------------

@dataclass
class Op:
    request_id: str
    key: tuple[str, str, str]  # (user, kind: favourite | watch, target: content id or space key)
    present: bool  # the state the call asks for: PUT/POST → True, DELETE → False
    outcome: str = "pending"  # ack (2xx) | refused (never connected) | unknown (sent, no answer)
    status: int | None = None


@dataclass
class Log:
    ops: list[Op] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _call(http: httpx.Client, op: Op) -> httpx.Response:
    user, kind, target = op.key
    target_type = "space" if target == SPACE else "content"
    headers = {"X-Request-Id": op.request_id}
    if kind == "favourite":
        path = f"{API}/relation/favourite/from/user/current/to/{target_type}/{target}"
        return http.request("PUT" if op.present else "DELETE", path, headers=headers)
    path = f"{API}/user/watch/{target_type}/{target}"
    return http.request("POST" if op.present else "DELETE", path, headers={**headers, **XSRF})


def _client_loop(server_url: str, user: User, targets: list[str], rng: random.Random, tag: str, log: Log,
                 stop: threading.Event) -> None:
    """One user's writes, one after another (so each key's calls are ordered), until the server
    goes away: the call in flight at the kill is `unknown`, and the loop ends."""
    with httpx.Client(base_url=server_url, headers=user.headers, timeout=10) as http:
        n = 0
        while not stop.is_set():
            op = Op(f"{tag}-{user.account_id}-{n}", (user.account_id, rng.choice(["favourite", "watch"]),
                                                     rng.choice(targets)), rng.random() < 0.6)
            n += 1
            log.ops.append(op)
            try:
                r = _call(http, op)
            except httpx.ConnectError:
                op.outcome = "refused"
                return
            except httpx.TransportError:
                op.outcome = "unknown"
                return
            op.status = r.status_code
            if 200 <= r.status_code < 300:
                op.outcome = "ack"
            else:
                op.outcome = "error"
                log.errors.append(f"{op}: {r.text[:300]}")
                return


def _observe(server_url: str, users: dict[str, User], targets: list[str]) -> dict[tuple[str, str, str], bool]:
    """Every key's state as the restarted server reports it; favourites are read back whole."""
    found = {}
    with httpx.Client(base_url=server_url, timeout=30) as http:
        for name, user in users.items():
            for target in targets:
                target_type = "space" if target == SPACE else "content"
                r = http.get(f"{API}/relation/favourite/from/user/current/to/{target_type}/{target}"
                             "?expand=relationData", headers=user.headers)
                assert r.status_code in (200, 404), r.text
                if r.status_code == 200:
                    data = r.json()["relationData"]
                    assert data["createdBy"]["accountId"] == name, data
                    assert data["createdDate"] and data["friendlyCreatedDate"], data
                found[(name, "favourite", target)] = r.status_code == 200
                r = http.get(f"{API}/user/watch/{target_type}/{target}", headers=user.headers)
                assert r.status_code == 200, r.text
                found[(name, "watch", target)] = r.json()["watching"]
    return found


def test_acknowledged_relation_and_watch_writes_survive_sigkill(servers: Servers, database_url: str) -> None:
    names = [f"u{i:02d}" for i in range(USERS)]
    people = make_users(database_url, ["boss", *names], admin="boss")
    users = {n: people[n] for n in names}
    server = servers.start()
    with client(server, people["boss"]) as http:
        assert http.post(f"{API}/space", json={"key": SPACE, "name": "Crash"}).status_code == 200
        pages = []
        for i in range(PAGES):
            r = http.post(f"{API}/content", json={"type": "page", "title": f"P{i}", "space": {"key": SPACE},
                                                  "body": {"storage": {"value": "<p/>", "representation": "storage"}}})
            assert r.status_code == 200, r.text
            pages.append(r.json()["id"])
    targets = [*pages, SPACE]
    state = {(n, kind, t): False for n in names for kind in ("favourite", "watch") for t in targets}
    rng = random.Random(SEED)
    everything: list[Op] = []
    acknowledged = unknown_seen = 0
    for round_no in range(ROUNDS):
        log, stop = Log(), threading.Event()
        threads = [threading.Thread(target=_client_loop, args=(
            server.url, users[n], targets, random.Random(rng.random()), f"r{round_no}", log, stop))
            for n in names]
        for t in threads:
            t.start()
        # The kill comes a random moment after the round has got going (counted in acknowledged
        # calls, not seconds, so a loaded machine still gets a real round).
        deadline = time.monotonic() + 60
        while sum(op.outcome == "ack" for op in log.ops) < MIN_ACKS and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.5))
        server.kill()
        stop.set()
        for t in threads:
            t.join(30)
        assert not log.errors, log.errors
        assert all(op.outcome != "pending" for op in log.ops)
        server = servers.start()
        observed = _observe(server.url, users, targets)

        for key in state:
            ops = [op for op in log.ops if op.key == key]
            before = state[key]
            for op in ops:
                if op.outcome == "ack":
                    before = op.present
            last = ops[-1] if ops else None
            allowed = {before}
            if last is not None and last.outcome == "unknown":
                allowed.add(last.present)  # it may or may not have committed before the kill
            acked = [(o.request_id, o.present) for o in ops if o.outcome == "ack"]
            assert observed[key] in allowed, (
                f"round {round_no}: {key} is {'present' if observed[key] else 'absent'}; expected "
                f"{'present' if before else 'absent'} after the acknowledged calls {acked[-3:]}"
                f", in flight: {last if last and last.outcome == 'unknown' else None}")
            state[key] = observed[key]
        everything += log.ops
        acknowledged += sum(op.outcome == "ack" for op in log.ops)
        unknown_seen += sum(op.outcome == "unknown" for op in log.ops)

    server.stop()
    assert acknowledged >= MIN_ACKS * ROUNDS, acknowledged  # the rounds did real work
    assert unknown_seen >= 1, "no write was in flight at any kill"
    _check_rows_and_audit(database_url, state, everything, names)


def _check_rows_and_audit(database_url: str, state: dict[tuple[str, str, str], bool], ops: list[Op],
                          names: list[str]) -> None:
    """The rows themselves are whole, exactly the expected ones exist, and the audit log (written in
    the same transaction as each change) agrees with them request by request."""
    stored = rows(database_url, "SELECT name, source_key, target_type, target_key, version, created_at, created_by, "
                  "updated_at, updated_by, id FROM relations WHERE namespace = 'confluence' AND source_type = 'user'")
    present = set()
    for name, source, target_type, target, version, created_at, created_by, updated_at, updated_by, rid in stored:
        if source not in names:
            continue  # the pages' author watches them
        assert version == 1 and rid is not None, (name, source, target)
        assert created_at and updated_at and created_at <= updated_at, (name, source, target)
        assert created_by == source and updated_by == source, (name, source, target)
        assert target_type == ("space" if target == SPACE else "content")
        present.add((source, name, target))
    assert present == {key for key, on in state.items() if on}

    audit = {r[0]: (r[1], r[2]) for r in rows(
        database_url, "SELECT request_id, action, object FROM audit_log WHERE request_id LIKE 'r%-u%'")}
    verbs = {("favourite", True): "relation.create", ("favourite", False): "relation.delete",
             ("watch", True): "watch.add", ("watch", False): "watch.remove"}
    # Replay each key's calls: a call that changed the state left exactly one audit entry with its
    # request id, in the same transaction; a call that changed nothing (or never ran) left none.
    current = {key: False for key in state}
    by_key: dict[tuple[str, str, str], list[Op]] = {}
    for op in ops:
        by_key.setdefault(op.key, []).append(op)
    for key, key_ops in by_key.items():
        for op in key_ops:
            prior = current[key]
            entry = audit.pop(op.request_id, None)
            if op.outcome == "ack":
                if op.present != prior:
                    assert entry is not None and entry[0] == verbs[(op.key[1], op.present)], (op, entry)
                    assert entry[1].endswith(f"/user:{op.key[0]}/{'space' if op.key[2] == SPACE else 'content'}:"
                                             f"{op.key[2]}"), entry
                else:
                    assert entry is None, (op, entry)
                current[key] = op.present
            elif op.outcome == "unknown":
                if entry is not None:  # it committed before the kill
                    assert entry[0] == verbs[(op.key[1], op.present)] and op.present != prior, (op, entry)
                    current[key] = op.present
            else:
                assert entry is None, (op, entry)
    assert not audit, f"audit entries of requests never made: {list(audit)[:5]}"
    assert current == state


# --- a large change request ---------------------------------------------------------------------

ITEMS = 20_000
ENTITIES = 500
CRASH_REQUESTS = 4  # staged; the test stops once MIDWAY kills landed mid-apply
MIDWAY = 2


def _apply_in_thread(url: str, user: User, request_id: str, result: dict[str, Any]) -> threading.Thread:
    def go() -> None:
        try:
            with httpx.Client(base_url=url, headers=user.headers, timeout=120) as http:
                result["response"] = http.post(f"/reltio/api/{TENANT}/changeRequests/{request_id}/_apply")
        except httpx.TransportError as exc:
            result["error"] = exc

    thread = threading.Thread(target=go)
    thread.start()
    return thread


def _all_or_nothing(database_url: str, request_id: str, prefix: str) -> tuple[str, bool]:
    """The request's state and whether its effects are there; fails unless they agree and each
    entity has either none or exactly all of its items applied."""
    state, found = request_effects(database_url, request_id, prefix)
    wanted = expected_emails(request_id, prefix, ITEMS, ENTITIES)
    assert set(found) == set(wanted)
    applied = {entity_id for entity_id, (_, emails) in found.items() if emails}
    if state == "APPLIED":
        for entity_id, (version, emails) in found.items():
            assert emails == wanted[entity_id] and version == 2, (request_id, entity_id, version, len(emails))
        return state, True
    assert state == "AWAITING_REVIEW", (request_id, state)
    assert not applied, f"{request_id} is {state} but {len(applied)} of its entities changed"
    assert all(version == 1 for version, _ in found.values())
    return state, False


def test_a_large_apply_killed_midway_is_all_or_nothing(servers: Servers, database_url: str) -> None:
    """Calibrate: apply one 20,000-item request and time it. Then, for each crash request, start
    its apply, wait a random share of that time, check the apply's write transaction is open, and
    SIGKILL the server. After the restart the request is APPLIED with every item's effect, or
    AWAITING_REVIEW with none (and then applies cleanly, once). A kill that came too late (the
    apply had committed) moves the next kill earlier, one that came before its transaction began
    moves it later; the test needs MIDWAY kills that landed inside the apply's transaction."""
    people = make_users(database_url, ["reviewer"])
    reviewer = people["reviewer"]
    make_tenant(database_url, ["reviewer"])
    crash = [(f"KILL{i}", f"K{i}", ITEMS, ENTITIES) for i in range(CRASH_REQUESTS)]
    stage_requests(database_url, [("CALIB", "C", ITEMS, ENTITIES), *crash])

    server = servers.start()
    with client(server, reviewer, 120) as http:
        started = time.monotonic()
        r = http.post(f"/reltio/api/{TENANT}/changeRequests/CALIB/_apply")
        duration = time.monotonic() - started
    assert r.status_code == 200, r.text
    rng = random.Random(SEED)
    low, high = 0.2, 0.7
    midway = 0
    for request_id, prefix, _, _ in crash:
        delay = rng.uniform(low, high) * duration
        result: dict[str, Any] = {}
        thread = _apply_in_thread(server.url, reviewer, request_id, result)
        time.sleep(delay)
        under_way = write_transaction_open(database_url)
        server.kill()
        thread.join(60)
        answered = "response" in result
        server = servers.start()
        state, applied = _all_or_nothing(database_url, request_id, prefix)
        if answered:
            assert result["response"].status_code == 200 and applied, result["response"].text
        if applied:  # too late: the apply committed before the kill
            low, high = low / 2, high / 2
            continue
        if under_way:
            midway += 1
        else:  # too early: its transaction had not begun
            low, high = min(low * 1.5, 0.9), min(high * 1.5, 0.95)
        # a killed apply left nothing behind that would stop it or double it
        with client(server, reviewer, 120) as http:
            r = http.post(f"/reltio/api/{TENANT}/changeRequests/{request_id}/_apply")
            assert r.status_code == 200, r.text
            assert http.get(f"/reltio/api/{TENANT}/changeRequests/{request_id}").json()["state"] == "APPLIED"
        assert _all_or_nothing(database_url, request_id, prefix) == ("APPLIED", True)
        if midway == MIDWAY:
            break
    # the acknowledged calibration apply survived every kill
    assert _all_or_nothing(database_url, "CALIB", "C") == ("APPLIED", True)
    assert midway == MIDWAY, f"only {midway} of {CRASH_REQUESTS} kills landed while the apply ran"
