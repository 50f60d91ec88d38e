"""Structured logs: with --log-format json every line is one JSON object, request lines carry the
request id the client saw in X-Request-Id, and no credential ever reaches the log."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from bondline import ids
from bondline.config import Settings
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.domain.model import Token
from bondline.services import accounts
from bondline.store import create_store, parse
from bondline.store import migrate as migrations
from tests.live import free_port

pytestmark = pytest.mark.live


def _people(database_url: str) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        try:
            user = await accounts.add_user(store, "log-user", "log@example.com", "Log User", False)
            _, good = await accounts.create_token(store, user.account_id)
            revoked_token, revoked = await accounts.create_token(store, user.account_id)
            await accounts.revoke_token(store, revoked_token.id)
            token_id, expired = ids.new_token()
            now = ids.now_ms()
            async with store.write(OPERATOR_ACTOR) as tx:
                await tx.tokens.add(Token(token_id, user.id, ids.hash_token(expired), None, now - 10_000, now - 1,
                                          None))
            return {"good": good, "revoked": revoked, "expired": expired, "user": user}
        finally:
            await store.close()

    return asyncio.run(go())


def _serve(database_url: str, log_path: str, *flags: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bondline", "serve", "--port", str(port), "--database-url", database_url, *flags],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "BONDLINE_AUTH_CACHE_SECONDS": "0"})
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(open(log_path).read())


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_json_access_log_has_request_ids_and_no_credentials(database_url: str, tmp_path: Any) -> None:
    migrations.upgrade(parse(database_url))
    people = _people(database_url)
    secrets = [people["good"], people["revoked"], people["expired"], "bad-token-never-valid-7f3a9c"]
    log_path = str(tmp_path / "server.log")
    proc, url = _serve(database_url, log_path, "--log-format", "json", "--access-log")
    sent: list[tuple[str, str, int, str | None]] = []  # (method, path, status, request id)
    try:
        with httpx.Client(base_url=url) as http:
            def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
                r = http.request(method, path, **kwargs)
                sent.append((method, path.split("?")[0], r.status_code, r.headers.get("x-request-id")))
                for secret in secrets:
                    assert secret not in r.text
                return r

            assert call("GET", "/wiki/rest/api/space",
                        headers={"Authorization": f"Bearer {people['good']}"}).status_code == 200
            assert call("GET", "/wiki/rest/api/user/current",
                        auth=("log@example.com", people["good"])).status_code == 200
            for name in ("revoked", "expired"):
                assert call("GET", "/wiki/rest/api/space",
                            headers={"Authorization": f"Bearer {people[name]}"}).status_code == 401
                assert call("GET", "/wiki/rest/api/space", auth=("log@example.com", people[name])).status_code == 401
            assert call("GET", "/wiki/rest/api/space",
                        headers={"Authorization": "Bearer bad-token-never-valid-7f3a9c"}).status_code == 401
            # a token pasted into the query string is not logged either (the path is, its query is not)
            assert call("GET", f"/wiki/rest/api/space?token={people['good']}",
                        headers={"Authorization": f"Bearer {people['good']}"}).status_code == 200
            r = call("PUT", "/wiki/rest/api/relation/favourite/from/user/current/to/space/NOPE",
                     headers={"Authorization": f"Bearer {people['good']}", "X-Request-Id": "my-request-42"})
            assert r.status_code == 404 and r.headers["x-request-id"] == "my-request-42"
    finally:
        _stop(proc)
    raw = open(log_path, encoding="utf-8").read()
    for secret in secrets + [base64.b64encode(f"log@example.com:{people['good']}".encode()).decode()]:
        assert secret not in raw
    entries = []
    for line in raw.splitlines():
        if not line.startswith("{"):
            continue  # the start-up banner goes to the terminal
        entry = json.loads(line)
        assert {"ts", "level", "logger", "message"} <= set(entry)
        entries.append(entry)
    access = [e for e in entries if e["logger"] == "bondline.access"]
    by_id = {e["request_id"]: e for e in access}
    for method, path, status, request_id in sent:
        entry = by_id[request_id]
        assert (entry["method"], entry["path"], entry["status"]) == (method, path, status)
        assert entry["duration_ms"] >= 0
    assert by_id[sent[0][3]]["caller"] == people["user"].account_id
    assert by_id[sent[2][3]]["caller"] is None  # the revoked token authenticated nobody
    assert "my-request-42" in by_id


def test_text_logs_name_the_request(database_url: str, tmp_path: Any) -> None:
    migrations.upgrade(parse(database_url))
    log_path = str(tmp_path / "server.log")
    proc, url = _serve(database_url, log_path, "--access-log")
    try:
        r = httpx.get(url + "/healthz", headers={"X-Request-Id": "text-req-1"})
        assert r.status_code == 200
    finally:
        _stop(proc)
    lines = [line for line in open(log_path).read().splitlines() if "bondline.access" in line]
    assert any("GET /healthz 200" in line and line.endswith("[text-req-1]") for line in lines), lines
