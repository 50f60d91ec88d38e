"""The test-double layer in process: control endpoints (reset, seed, faults, journal), the journal's
bounds and redaction, each fault kind in each API's error body, reproducible with a seed; and a
server without test mode or faults is the bare application."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bondline.bootstrap import build, create_app
from bondline.config import Settings
from bondline.http.app import App
from bondline.testing import faults as fault_rules
from bondline.testing.instrument import Instrumented, instrument

HERE = pathlib.Path(__file__).parent
SITE = (HERE / "site.yaml").read_text()
ADA = "blt_AdaFixed01_abcdefghijklmnopqrstuvwxyz012345"


@dataclasses.dataclass
class Harness:
    app: App
    http: httpx.AsyncClient

    async def reset(self, seed: str = "") -> dict[str, Any]:
        r = await self.http.post("/api/v1/_reset", content=seed, headers={"content-type": "application/yaml"})
        assert r.status_code == 200, r.text
        return r.json()

    async def faults(self, rules: list[dict[str, Any]], seed: int = 0) -> None:
        r = await self.http.put("/api/v1/_faults", json={"seed": seed, "rules": rules})
        assert r.status_code == 200, r.text

    async def journal(self) -> list[dict[str, Any]]:
        r = await self.http.get("/api/v1/_journal")
        assert r.status_code == 200, r.text
        return r.json()["requests"]


async def _server(settings: Settings) -> AsyncIterator[Harness]:
    app = build(settings)
    await app.startup()
    wrapped = instrument(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://bondline.test") as c:
        yield Harness(app, c)
    await app.shutdown()


@pytest.fixture
async def ts(database_url: str) -> AsyncIterator[Harness]:
    async for server in _server(Settings(database_url=database_url, auth_cache_seconds=1, test_mode=True,
                                         journal_size=50, journal_body_bytes=256)):
        yield server


def test_no_test_mode_and_no_faults_is_the_bare_application(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plain = create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.db"))
    assert type(plain) is App and plain.controls is None
    faulty = create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.db", faults='{"rules":[{"kind":"drop"}]}'))
    assert isinstance(faulty, Instrumented) and faulty.app.controls is None  # faults, but no control endpoints
    testing = create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.db", test_mode=True))
    assert isinstance(testing, Instrumented) and testing.app.controls is testing.controls


async def test_control_endpoints_are_absent_without_test_mode(app, client) -> None:  # type: ignore[no-untyped-def]
    for method, path in (("POST", "/api/v1/_reset"), ("POST", "/api/v1/_seed"), ("GET", "/api/v1/_faults"),
                         ("PUT", "/api/v1/_faults"), ("DELETE", "/api/v1/_faults"), ("GET", "/api/v1/_journal"),
                         ("DELETE", "/api/v1/_journal")):
        r = await client.request(method, path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NO_ROUTE", (method, path, r.text)


async def test_reset_and_seed(ts: Harness) -> None:
    report = await ts.reset(SITE)
    assert report["tokens"]["ada"] == ADA and report["content"]["runbook"] == 3
    ada = {"Authorization": f"Bearer {ADA}"}
    assert (await ts.http.get("/wiki/rest/api/space/ENG", headers=ada)).status_code == 200
    more = await ts.http.post("/api/v1/_seed", params={"name": "more.json"}, json={
        "users": [{"accountId": "dee", "email": "dee@example.com", "name": "Dee"}]})
    assert more.status_code == 200 and set(more.json()["tokens"]) == {"dee"}
    bad = await ts.http.post("/api/v1/_seed", params={"name": "bad.yaml"}, content="users:\n  - {accountId: 1}\n",
                             headers={"content-type": "application/yaml"})
    assert bad.status_code == 400
    assert bad.json()["error"] == {"status": 400, "code": "INVALID_SEED",
                                   "message": "bad.yaml:2:17: users[0].accountId: Expected `str`, got `int`"}
    assert (await ts.http.post("/api/v1/_seed")).status_code == 400
    # a reset forgets everything, credentials cached by the worker included
    await ts.reset()
    assert (await ts.http.get("/wiki/rest/api/space/ENG", headers=ada)).status_code == 401
    again = await ts.reset(SITE)
    assert again["content"] == report["content"]  # ids start at 1 again


async def test_the_journal_records_requests_and_responses_without_credentials(ts: Harness) -> None:
    report = await ts.reset(SITE)
    bob = report["tokens"]["bob"]
    await ts.http.put("/wiki/rest/api/relation/favourite/from/user/current/to/content/3", params={"expand": "x"},
                      headers={"Authorization": f"Bearer {bob}", "Cookie": f"session={bob}"})
    await ts.http.get("/wiki/rest/api/user/current", auth=("ada@example.com", ADA))
    grant = await ts.http.post("/oauth/token", data={"grant_type": "password", "username": "bob@example.com",
                                                     "password": bob}, auth=("reltio_ui", "makita"))
    access_token = grant.json()["access_token"]
    await ts.http.post("/reltio/api/acme/entities", json=[{"type": "configuration/entityTypes/Individual",
                                                           "attributes": {"FirstName": [{"value": "X" * 1000}]}}],
                       headers={"Authorization": f"Bearer {access_token}"})
    entries = await ts.journal()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("PUT", "/wiki/rest/api/relation/favourite/from/user/current/to/content/3", 200),
        ("GET", "/wiki/rest/api/user/current", 200),
        ("POST", "/oauth/token", 200),
        ("POST", "/reltio/api/acme/entities", 200)]
    first = entries[0]
    assert first["query"] == "expand=x" and first["headers"]["authorization"] == "Bearer [redacted]"
    assert first["headers"]["cookie"] == "[redacted]"
    assert first["responseBody"].startswith("{\"name\":\"favourite\"") and first["responseBodyTruncated"]
    assert first["durationMs"] > 0
    assert entries[1]["headers"]["authorization"] == "Basic [redacted]"
    assert "blt_[redacted]" in entries[2]["body"] and '"access_token":"blt_[redacted]"' in entries[2]["responseBody"]
    big = entries[3]  # bodies are bounded (256 bytes here)
    assert big["bodyTruncated"] and len(big["body"]) == 256 and big["bodySize"] > 1000
    text = json.dumps(entries)
    for secret in (bob, ADA, access_token, grant.json()["refresh_token"]):
        assert secret not in text and secret[4:14] not in text
    assert [e["id"] for e in (await ts.http.get("/api/v1/_journal", params={"limit": 2})).json()["requests"]] == [3, 4]
    assert (await ts.http.delete("/api/v1/_journal")).status_code == 204
    assert await ts.journal() == []


async def test_the_journal_is_a_bounded_ring(database_url: str) -> None:
    async for ts in _server(Settings(database_url=database_url, test_mode=True, journal_size=3)):
        for i in range(5):
            await ts.http.get(f"/healthz?i={i}")
        body = (await ts.http.get("/api/v1/_journal")).json()
        assert [e["query"] for e in body["requests"]] == ["i=2", "i=3", "i=4"]
        assert body["size"] == 3 and body["recorded"] == 5
    async for ts in _server(Settings(database_url=database_url, test_mode=True, journal_size=0)):
        assert (await ts.http.get("/api/v1/_journal")).status_code == 404  # no journal
        assert (await ts.http.get("/api/v1/_faults")).status_code == 200


async def test_faults_answer_in_each_apis_error_body(ts: Harness) -> None:
    await ts.reset(SITE)
    await ts.faults([{"kind": "rate_limit", "retryAfter": 7}])
    wiki = await ts.http.get("/wiki/rest/api/space")
    assert wiki.status_code == 429 and wiki.headers["retry-after"] == "7" and "x-ratelimit-reset" in wiki.headers
    assert wiki.json() == {"statusCode": 429, "data": {"authorized": True, "valid": True, "errors": [],
                                                        "successful": False}, "message": "Rate limit exceeded."}
    reltio = await ts.http.get("/reltio/api/acme/entities/abc")
    assert reltio.status_code == 429 and reltio.json()["errorCode"] == 9013
    assert reltio.json()["errorMessage"] == "Too many requests, please try later"
    native = await ts.http.get("/api/v1/users/current/relations/favourite")
    assert native.status_code == 429 and native.json()["error"]["code"] == "TOO_MANY_REQUESTS"
    oauth = await ts.http.post("/oauth/token")
    assert oauth.status_code == 429 and oauth.json()["error"] == "temporarily_unavailable"
    # control endpoints never meet faults (nor the journal)
    assert (await ts.http.get("/api/v1/_faults")).status_code == 200
    await ts.faults([{"kind": "error", "status": 503, "path": "/wiki/*"}, {"kind": "error", "status": 500}])
    r = await ts.http.get("/wiki/rest/api/space")
    assert r.status_code == 503 and r.json()["statusCode"] == 503 and r.headers["retry-after"] == "1"
    r = await ts.http.get("/reltio/api/acme/entities/abc")
    assert r.status_code == 500 and r.json()["errorCode"] == 2001 and "retry-after" not in r.headers
    entries = await ts.journal()
    assert [e["faults"] for e in entries][-2:] == [["error:503"], ["error:500"]]
    assert all(not e["path"].startswith("/api/v1/_") for e in entries)
    assert (await ts.http.delete("/api/v1/_faults")).status_code == 204
    assert (await ts.http.get("/api/v1/_faults")).json() == {"seed": 0, "rules": []}
    assert (await ts.http.get("/healthz")).status_code == 200


async def test_fault_rules_match_path_method_times_and_after(ts: Harness) -> None:
    await ts.reset()
    await ts.faults([{"kind": "rate_limit", "path": "re:^/wiki/rest/api/space$", "methods": ["POST"], "after": 1,
                      "times": 2, "retryAfter": 0}])
    statuses = []
    for method in ("GET", "POST", "POST", "POST", "POST", "GET"):
        statuses.append((await ts.http.request(method, "/wiki/rest/api/space")).status_code)
    assert statuses == [401, 401, 429, 429, 401, 401]  # the first POST passes (after), then two 429s (times)
    assert (await ts.http.get("/wiki/rest/api/space/X")).status_code == 401  # the regex is anchored
    bad = await ts.http.put("/api/v1/_faults", json=[{"kind": "teleport"}])
    assert bad.status_code == 400 and "teleport" in bad.json()["error"]["message"]
    bad = await ts.http.put("/api/v1/_faults", content="- kind: latency\n  delay: 500\n")
    assert bad.status_code == 400 and "delay" in bad.json()["error"]["message"]


async def test_latency_is_added(ts: Harness) -> None:
    await ts.reset()
    await ts.faults([{"kind": "latency", "path": "/healthz", "delay": 0.15}])
    started = time.perf_counter()
    assert (await ts.http.get("/healthz")).status_code == 200
    assert time.perf_counter() - started >= 0.15
    entry = (await ts.journal())[-1]
    assert entry["faults"] == ["latency:0.150"] and entry["durationMs"] >= 150


async def _statuses(ts: Harness, seed: int, n: int = 40) -> list[int]:
    await ts.faults([{"kind": "error", "status": 503, "path": "/healthz", "probability": 0.3},
                     {"kind": "latency", "path": "/healthz", "delay": [0.0, 0.001]}], seed=seed)
    return [(await ts.http.get("/healthz")).status_code for _ in range(n)]


async def test_random_faults_are_reproducible_with_a_seed(ts: Harness) -> None:
    await ts.reset()
    first = await _statuses(ts, seed=7)
    assert first == await _statuses(ts, seed=7)
    assert first != await _statuses(ts, seed=8)
    assert 0 < first.count(503) < 40


def test_a_rate_limit_window() -> None:
    now = [100.0]
    plan = fault_rules.Plan(fault_rules.parse([{"kind": "rate_limit", "limit": 2, "window": 10}]), clock=lambda: now[0])
    decisions = [plan.decide("GET", "/x") for _ in range(3)]
    assert [d.action for d in decisions] == [None, None, "rate_limit"]
    assert decisions[2].retry_after == 10 and decisions[2].limit == 2
    now[0] += 6.5
    late = plan.decide("GET", "/x")
    assert late.action == "rate_limit" and late.retry_after == 4  # until the window ends, rounded up
    now[0] += 4
    assert plan.decide("GET", "/x").action is None  # a new window


def test_fault_flags_and_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = fault_rules.parse_flag("rate_limit path=/wiki/* times=2 retry_after=1 methods=GET,PUT")
    assert (rule.kind, rule.path, rule.times, rule.retry_after, rule.methods) == ("rate_limit", "/wiki/*", 2, 1,
                                                                                  ["GET", "PUT"])
    assert fault_rules.parse_flag("latency delay=0.1,0.3").delay == [0.1, 0.3]
    for bad in ("explode", "latency delay=x", "error status=200", "drop path=nope", "latency 0.1"):
        with pytest.raises(fault_rules.FaultConfigError):
            fault_rules.parse_flag(bad)
    path = tmp_path / "faults.yaml"
    path.write_text("seed: 3\nrules:\n  - kind: drop\n    probability: 0.5\n")
    config = fault_rules.from_setting(str(path))
    assert config.seed == 3 and config.rules[0].kind == "drop"
    assert fault_rules.from_setting(fault_rules.to_json(config)) == config


async def test_adding_rules_keeps_the_others_counting(ts: Harness) -> None:
    await ts.reset()
    await ts.faults([{"kind": "error", "status": 500, "path": "/healthz", "times": 2}])
    assert (await ts.http.get("/healthz")).status_code == 500
    r = await ts.http.post("/api/v1/_faults", json=[{"kind": "latency", "path": "/healthz", "delay": 0}])
    assert [rule["kind"] for rule in r.json()["rules"]] == ["error", "latency"]
    assert [(await ts.http.get("/healthz")).status_code for _ in range(3)] == [500, 200, 200]


async def test_deeply_nested_seeds_and_faults_are_refused(ts: Harness) -> None:
    """Seed files and fault rules nested 10,000 deep, in JSON and in YAML, get 400, not the parser's
    RecursionError (a 500)."""
    deep_json = "[" * 10000 + "]" * 10000
    deep_yaml = "".join(" " * i + "k:\n" for i in range(1200)) + " " * 1200 + "v: 1\n"  # block style, 700 KB
    for path, code in (("/api/v1/_seed", "INVALID_SEED"), ("/api/v1/_faults", "INVALID_FAULTS")):
        method = "PUT" if path.endswith("faults") else "POST"
        for body, kind in ((deep_json, "application/json"), ("rules: " + deep_json, "application/yaml"),
                           (deep_yaml, "application/yaml")):
            r = await ts.http.request(method, path, content=body, headers={"content-type": kind})
            assert r.status_code == 400 and r.json()["error"]["code"] == code, (path, kind, r.text[:300])
    assert (await ts.http.get("/api/v1/_faults")).json()["rules"] == []
