"""The dispatcher as processes: `bondline dispatch` killed with SIGKILL mid-delivery loses nothing,
`bondline serve` delivers from its workers (and not with --no-dispatch), the `bondline webhooks`
commands, and SQLiteStore.close() waiting for a checkpoint still running in its thread."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
from typer.testing import CliRunner

from bondline.cli import app as cli
from bondline.domain import events as ev
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.services import accounts, webhooks
from tests.helpers import on_store
from tests.live import LiveServer
from tests.receiver import Receiver

SECRET = "s3cret-s3cret-s3cret"
# The receivers listen on 127.0.0.1, which servers and dispatchers refuse unless told to allow it.
FAST = {"BONDLINE_WEBHOOK_TIMEOUT": "4", "BONDLINE_WEBHOOK_LEASE_SECONDS": "5",
        "BONDLINE_WEBHOOK_BACKOFF_BASE": "0.05", "BONDLINE_DISPATCH_INTERVAL": "0.1",
        "BONDLINE_WEBHOOK_ALLOW_LOCAL": "1"}


def queue_event(database_url: str, url: str) -> None:
    """A webhook for `url`, and one event for it (written as a change writes it)."""
    async def job(store: Any) -> None:
        await webhooks.create(store, None, url, ["*"], SECRET, allow_local=True)
        async with store.write(OPERATOR_ACTOR) as tx:
            tx.emit([ev.Event(ev.CONTENT_UPDATED, {"watcher": {"accountId": "a"}, "data": {}})])
    on_store(database_url, job)


def deliveries(database_url: str) -> list[Any]:
    return on_store(database_url, lambda store: webhooks.deliveries(store, None, None))


def dispatcher(database_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bondline", "dispatch", "--database-url", database_url],
                            env={**os.environ, **FAST}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killing_the_dispatcher_mid_delivery_loses_nothing(database_url: str) -> None:
    with Receiver(hang_first=1, hang_seconds=60) as receiver:
        queue_event(database_url, receiver.url)
        first = dispatcher(database_url)
        try:
            receiver.wait(1, timeout=30, ok=False)  # the first dispatcher is mid-delivery (the receiver hangs)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        [pending] = deliveries(database_url)
        assert (pending.status, pending.attempts) == ("pending", 0)  # nothing recorded, nothing lost
        second = dispatcher(database_url)
        try:
            # the first lease runs out (5 s) and the second dispatcher delivers the same event
            [got] = receiver.wait(1, timeout=30)
            assert got.delivery == str(pending.id)
            deadline = time.monotonic() + 10
            while deliveries(database_url)[0].status != "delivered":
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(15) == 0  # a clean stop
        assert [r.delivery for r in receiver.requests] == [str(pending.id)] * 2
        [done] = deliveries(database_url)
        assert (done.status, done.attempts) == ("delivered", 1)


def test_serve_delivers_and_no_dispatch_does_not(database_url: str) -> None:
    async def people(store: Any) -> tuple[str, str]:
        await accounts.add_user(store, "ops", "ops@example.com", "Ops", True)
        await accounts.add_user(store, "writer", "writer@example.com", "Writer", False)
        return (await accounts.create_token(store, "ops"))[1], (await accounts.create_token(store, "writer"))[1]

    admin, writer = on_store(database_url, people)
    with Receiver() as receiver:
        with LiveServer(database_url, "--no-dispatch", env=FAST) as server:
            r = httpx.post(server.url + "/api/v1/webhooks", headers={"Authorization": f"Bearer {admin}"},
                           json={"url": receiver.url, "events": ["content.updated"], "secret": SECRET})
            assert r.status_code == 201, r.text
            r = httpx.post(server.url + "/api/v1/webhooks", headers={"Authorization": f"Bearer {writer}"},
                           json={"url": receiver.url, "events": ["*"]})
            assert r.status_code == 403
            h = {"Authorization": f"Bearer {writer}"}
            assert httpx.post(server.url + "/wiki/rest/api/space", headers=h,
                              json={"key": "LIV", "name": "Live"}).status_code == 200
            page = httpx.post(server.url + "/wiki/rest/api/content", headers=h, json={
                "type": "page", "title": "Live", "space": {"key": "LIV"}}).json()
            assert httpx.put(server.url + f"/wiki/rest/api/content/{page['id']}", headers=h, json={
                "type": "page", "title": "Live", "version": {"number": 2}}).status_code == 200
            time.sleep(1)
            assert receiver.requests == []  # --no-dispatch
        with LiveServer(database_url, "--workers", "2", env=FAST):
            [got] = receiver.wait(1, timeout=30)
            assert got.json["type"] == "content.updated" and got.json["watcher"] == {"accountId": "writer"}
            time.sleep(0.5)
            assert len(receiver.requests) == 1  # two workers, one delivery


def test_webhooks_commands(database_url: str) -> None:
    runner = CliRunner()

    def run(*args: str) -> Any:
        result = runner.invoke(cli, [*args, "--database-url", database_url])
        assert result.exit_code == 0, result.output
        return result

    with Receiver(fail_first=1) as receiver:
        refused = runner.invoke(cli, ["webhooks", "add", receiver.url, "--events", "content.updated",
                                      "--database-url", database_url], env={"BONDLINE_WEBHOOK_ALLOW_LOCAL": ""})
        said = " ".join(refused.output.split())  # as one line, however the console wrapped it
        assert refused.exit_code == 1 and "loopback address (127.0.0.1)" in said and "--webhook-allow-local" in said
        added = run("webhooks", "add", receiver.url, "--events", "content.updated,change_request.*",
                    "--webhook-allow-local")
        assert "added webhook 1" in added.output and "secret (shown once" in added.output
        listed = run("webhooks", "list", "--json")
        assert [h["events"] for h in json.loads(listed.output)] == [["content.updated", "change_request.*"]]
        assert "secret" not in listed.output
        bad = runner.invoke(cli, ["webhooks", "add", "http://x/", "--events", "nope", "--database-url", database_url])
        assert bad.exit_code == 1 and "Unknown event type" in bad.output

        async def event(store: Any) -> None:
            async with store.write(OPERATOR_ACTOR) as tx:
                tx.emit([ev.Event(ev.CONTENT_UPDATED, {"data": {}})])

        on_store(database_url, event)
        env = {**os.environ, **FAST, "BONDLINE_WEBHOOK_MAX_ATTEMPTS": "1"}
        once = subprocess.run([sys.executable, "-m", "bondline", "dispatch", "--once", "--database-url",
                               database_url], env=env, capture_output=True, text=True, timeout=60)
        assert once.returncode == 0 and "attempted 1 delivery" in once.stdout, once.stderr
        shown = run("webhooks", "deliveries", "--status", "dead", "--json")
        assert '"eventType": "content.updated"' in shown.output and '"lastError": "HTTP 500"' in shown.output
        assert "dead" in run("webhooks", "deliveries").output  # the table
        replayed = run("webhooks", "replay", "1")
        assert "delivery 1 (content.updated to webhook 1) is pending again" in replayed.output
        once = subprocess.run([sys.executable, "-m", "bondline", "dispatch", "--once", "--database-url",
                               database_url], env=env, capture_output=True, text=True, timeout=60)
        assert once.returncode == 0, once.stderr
        assert receiver.wait(1)[0].delivery == "1"
        assert '"status": "delivered"' in run("webhooks", "deliveries", "--json").output
        assert "removed webhook 1" in run("webhooks", "remove", "1").output
        assert json.loads(run("webhooks", "list", "--json").output) == []
        gone = runner.invoke(cli, ["webhooks", "remove", "1", "--database-url", database_url])
        assert gone.exit_code == 1 and "No webhook with id 1" in gone.output


async def test_sqlite_close_waits_for_a_checkpoint_in_its_thread(tmp_path: Any, monkeypatch: Any) -> None:
    """close() used to cancel the checkpoint task and close its connection while the thread was still
    checkpointing on it (a segfault at shutdown); now the thread is seen to the end first."""
    from bondline.store import sqlite as backend

    events: list[str] = []
    checkpointing = threading.Event()

    class Slow:
        def __init__(self, raw: Any) -> None:
            self.raw = raw
            self.busy = False

        def __getattr__(self, name: str) -> Any:
            return getattr(self.raw, name)

        def execute(self, sql: str, *args: Any) -> Any:
            if "wal_checkpoint" in sql:
                self.busy = True
                events.append("checkpoint")
                checkpointing.set()
                time.sleep(0.4)
                try:
                    return self.raw.execute(sql, *args)
                finally:
                    self.busy = False
                    events.append("checkpoint done")
            return self.raw.execute(sql, *args)

        def close(self) -> None:
            events.append("closed under a checkpoint" if self.busy else "closed")
            self.raw.close()

    real = backend.connect
    monkeypatch.setattr(backend, "connect", lambda *a, **k: Slow(real(*a, **k)))
    monkeypatch.setattr(backend, "CHECKPOINT_INTERVAL", 0.01)
    store = backend.SQLiteStore(str(tmp_path / "close.db"))
    await store.open()
    async with store.write(OPERATOR_ACTOR) as tx:
        tx.conn.raw.execute("CREATE TABLE t (x)")
    assert await asyncio.to_thread(checkpointing.wait, 60), "no checkpoint started"
    await store.close()
    assert "closed under a checkpoint" not in events
    assert events.index("checkpoint done") < len(events) - 3  # then the checkpointer's, reader's, writer's
    await store.close()  # twice is harmless


def test_demo_site_delivers_content_and_change_request_events(tmp_path: Any) -> None:
    server = LiveServer(None, "--demo", cwd=str(tmp_path), env=FAST)
    try:
        tokens = {}
        for line in server.stdout:
            if "token:" in line:
                tokens[line.split()[0]] = line.split("token:")[1].strip()
            if line.startswith("Webhooks:"):
                break
        server.wait_ready()
        alice = {"Authorization": f"Bearer {tokens['demo-alice']}"}
        bob = {"Authorization": f"Bearer {tokens['demo-bob']}"}
        with Receiver() as receiver:
            r = httpx.post(server.url + "/api/v1/webhooks", headers=alice,
                           json={"url": receiver.url, "events": ["content.updated", "change_request.*"],
                                 "secret": SECRET})
            assert r.status_code == 201, r.text
            [page] = httpx.get(server.url + "/wiki/rest/api/content", headers=bob, params={
                "spaceKey": "DEMO", "title": "Welcome to bondline"}).json()["results"]  # (beside the home page)
            r = httpx.put(server.url + f"/wiki/rest/api/content/{page['id']}", headers=bob, json={
                "type": "page", "title": page["title"], "version": {"number": page["version"]["number"] + 1}})
            assert r.status_code == 200, r.text
            base = server.url + "/reltio/api/demo"
            found = httpx.get(base + "/changeRequests?max=100&filter=equals(createdBy,'bob@example.com')",
                              headers=alice).json()
            assert isinstance(found, list), found
            uri = next(cr["uri"] for cr in found if cr["state"] == "AWAITING_REVIEW")
            r = httpx.post(f"{base}/{uri}/_reject", headers=alice)
            assert r.status_code == 200, r.text
            got = receiver.wait(2, timeout=30)
            from bondline.dispatch import verify

            assert all(verify(SECRET, g.body, g.headers["x-bondline-signature"]) for g in got)
            assert sorted(g.json["type"] for g in got) == ["change_request.rejected", "content.updated"]
            rejected = next(g.json for g in got if g.json["type"] == "change_request.rejected")
            assert rejected["data"]["changeRequest"]["uri"] == uri and rejected["actor"] == {"accountId": "demo-alice"}
    finally:
        server.stop()
