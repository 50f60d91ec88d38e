"""Webhooks: the admin API, events for every watcher written with the change, delivery to a real
receiver on 127.0.0.1 with a valid signature, retries with backoff, dead after N, replay, Reltio
change request events, and where a webhook may point (loopback and link-local refused by default,
when registered and when delivered). On both backends."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import ipaddress
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bondline.bootstrap import build
from bondline.config import Settings
from bondline.dispatch import Dispatcher, verify
from bondline.domain import events as ev
from bondline.domain.audit import OPERATOR_ACTOR
from tests.api.reltio.conftest import api
from tests.helpers import API, make_page, make_space
from tests.receiver import Receiver

SECRET = "s3cret-s3cret-s3cret"
HOOKS = "/api/v1/webhooks"
XSRF = {"X-Atlassian-Token": "no-check"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The receivers here listen on 127.0.0.1, which a server refuses by default: this module's
    server allows local targets, explicitly. The tests of the default use `default_server`."""
    return Settings(database_url=database_url, auth_cache_seconds=0, webhook_allow_local=True)


@contextlib.asynccontextmanager
async def default_server(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A server on the same database with the default setting (local webhook targets refused) and `changes`."""
    app = build(dataclasses.replace(settings, webhook_allow_local=False, **changes))
    await app.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bondline.test") as c:
            yield c
    finally:
        await app.shutdown()


def fast(settings: Any, **changes: Any) -> Any:
    return dataclasses.replace(settings, webhook_backoff_base=0.01, webhook_timeout=5, webhook_lease_seconds=6,
                               **changes)


async def register(client: Any, who: Any, url: str, events: list[str], secret: str | None = SECRET) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url, "events": events}
    if secret is not None:
        body["secret"] = secret
    r = await client.post(HOOKS, headers=who.bearer, json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def deliver_until(app: Any, settings: Any, done: Any, within: float = 10.0) -> None:
    """Run dispatcher rounds (backoff included) until `done()` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with Dispatcher(app.store, settings) as dispatcher:
        while not await done():
            assert loop.time() < deadline, "deliveries did not settle in time"
            if await dispatcher.round() == 0:
                await asyncio.sleep(0.02)


async def deliveries(client: Any, who: Any, hook_id: int, status: str | None = None) -> list[dict[str, Any]]:
    r = await client.get(f"{HOOKS}/{hook_id}/deliveries" + (f"?status={status}" if status else ""),
                         headers=who.bearer)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def settled(client: Any, who: Any, hook_id: int) -> Any:
    async def check() -> bool:
        return not await deliveries(client, who, hook_id, "pending")
    return check


def check_signed(got: Any, secret: str = SECRET) -> dict[str, Any]:
    """The documented request: JSON body, signature over the raw body, event and delivery headers."""
    assert got.headers["content-type"] == "application/json"
    expected = "sha256=" + hmac.new(secret.encode(), got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(got.headers["x-bondline-signature"], expected)
    assert verify(secret, got.body, got.headers["x-bondline-signature"])
    assert not verify("another-secret-entirely", got.body, got.headers["x-bondline-signature"])
    body = got.json
    assert got.headers["x-bondline-event"] == body["type"]
    assert got.headers["x-bondline-delivery"].isdigit()
    assert isinstance(body["id"], int) and body["createdAt"].endswith("Z")
    return body


# --- the admin API ----------------------------------------------------------------------------

async def test_admin_api_is_for_site_admins(client, site) -> None:  # type: ignore[no-untyped-def]
    calls = [("POST", HOOKS, {"url": "http://127.0.0.1:9/x", "events": ["*"]}), ("GET", HOOKS, None),
             ("DELETE", f"{HOOKS}/1", None), ("GET", f"{HOOKS}/1/deliveries", None),
             ("POST", f"{HOOKS}/deliveries/1/replay", None)]
    for method, path, body in calls:
        r = await client.request(method, path, headers=site.bob.bearer, json=body)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["error"]["code"] == "FORBIDDEN" or r.json()["error"]["status"] == 403
        r = await client.request(method, path, json=body)
        assert r.status_code == 401, (method, path, r.text)
        assert r.json()["error"]["status"] == 401


async def test_register_list_remove(client, site) -> None:  # type: ignore[no-untyped-def]
    made = await register(client, site.admin, "https://hooks.example/in", ["content.*", "change_request.applied"],
                          secret=None)
    assert set(made) == {"id", "url", "events", "active", "createdAt", "createdBy", "secret"}
    assert made["events"] == ["content.*", "change_request.applied"] and made["active"] is True
    assert made["createdBy"] == site.admin.account_id and len(made["secret"]) >= 32
    listed = (await client.get(HOOKS, headers=site.admin.bearer)).json()["results"]
    assert listed == [{k: v for k, v in made.items() if k != "secret"}]  # the secret is shown once
    for bad in ({"url": "ftp://x/y", "events": ["*"]}, {"url": "http://u:p@x/y", "events": ["*"]},
                {"url": "http://[::1/y", "events": ["*"]}, {"url": "http://x:99999/y", "events": ["*"]},
                {"url": "http://x/y", "events": ["content.nope"]}, {"url": "http://x/y", "events": []},
                {"url": "http://x/y", "events": ["*"], "secret": "short"}, {"url": "http://x/y"},
                {"url": "http://x/y", "events": "content.*"}):
        r = await client.post(HOOKS, headers=site.admin.bearer, json=bad)
        assert r.status_code == 400, (bad, r.text)
        assert set(r.json()["error"]) == {"status", "code", "message"}
    assert await deliveries(client, site.admin, made["id"]) == []
    r = await client.get(f"{HOOKS}/{made['id']}/deliveries?status=lost", headers=site.admin.bearer)
    assert r.status_code == 400
    assert (await client.delete(f"{HOOKS}/{made['id']}", headers=site.admin.bearer)).status_code == 204
    for path in (f"{HOOKS}/{made['id']}", f"{HOOKS}/x1"):
        r = await client.delete(path, headers=site.admin.bearer)
        assert r.status_code == 404 and r.json()["error"]["code"] == "WEBHOOK_NOT_FOUND"
    r = await client.post(f"{HOOKS}/deliveries/999/replay", headers=site.admin.bearer)
    assert r.status_code == 404 and r.json()["error"]["code"] == "DELIVERY_NOT_FOUND"
    # the audit trail has both, without the secret
    trail = (await client.get("/api/v1/audit?objectPrefix=webhook/", headers=site.admin.bearer)).json()["results"]
    assert [e["action"] for e in trail] == ["webhook.delete", "webhook.create"]
    assert made["secret"] not in str(trail)


# --- events for every watcher -------------------------------------------------------------------

async def test_every_watcher_gets_every_content_event(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        hook = await register(client, site.admin, receiver.url, ["*"])
        await make_space(client, site.alice, "ENG")
        page = await make_page(client, site.alice, "ENG", "Plans")  # alice watches what she creates
        pid = page["id"]
        r = await client.post(f"{API}/user/watch/content/{pid}", headers={**site.bob.bearer, **XSRF})
        assert r.status_code == 204, r.text
        r = await client.post(f"{API}/user/watch/space/ENG", headers={**site.carol.bearer, **XSRF})
        assert r.status_code == 204, r.text
        r = await client.post(f"{API}/user/watch/space/ENG?contentType=blogpost", headers={**site.bob.bearer, **XSRF})
        assert r.status_code == 204, r.text

        child = await make_page(client, site.bob, "ENG", "Child", ancestors=[{"id": pid}])
        r = await client.put(f"{API}/content/{pid}", headers=site.alice.bearer,
                             json={"type": "page", "title": "Plans v2", "version": {"number": 2}})
        assert r.status_code == 200, r.text
        r = await client.post(f"{API}/content/{pid}/label", headers=site.alice.bearer,
                              json=[{"prefix": "global", "name": "roadmap"}])
        assert r.status_code == 200, r.text
        r = await client.delete(f"{API}/content/{pid}/label/roadmap", headers=site.alice.bearer)
        assert r.status_code == 204, r.text
        assert (await client.delete(f"{API}/content/{pid}", headers=site.alice.bearer)).status_code == 204
        r = await client.put(f"{API}/content/{pid}", headers=site.alice.bearer,
                             json={"type": "page", "title": "Plans v2", "status": "current", "version": {"number": 3}})
        assert r.status_code == 200, r.text
        assert (await client.delete(f"{API}/content/{pid}", headers=site.alice.bearer)).status_code == 204
        r = await client.delete(f"{API}/content/{pid}?status=trashed", headers=site.admin.bearer)
        assert r.status_code == 204, r.text

        await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        got = receiver.wait(17)
        assert len(got) == 17
        bodies = [check_signed(g) for g in got]
        seen = sorted((b["type"], b["watcher"]["accountId"]) for b in bodies)
        alice, bob, carol = site.alice.account_id, site.bob.account_id, site.carol.account_id
        assert seen == sorted([
            # Plans: nobody watched the space yet; Child: carol (bob's watch is for blog posts only)
            (ev.SPACE_CONTENT_CREATED, carol),
            (ev.CONTENT_CHILD_CREATED, alice), (ev.CONTENT_CHILD_CREATED, bob),
            (ev.CONTENT_UPDATED, alice), (ev.CONTENT_UPDATED, bob),
            (ev.CONTENT_LABELS_CHANGED, alice), (ev.CONTENT_LABELS_CHANGED, bob),
            (ev.CONTENT_LABELS_CHANGED, alice), (ev.CONTENT_LABELS_CHANGED, bob),
            (ev.CONTENT_TRASHED, alice), (ev.CONTENT_TRASHED, bob),
            (ev.CONTENT_RESTORED, alice), (ev.CONTENT_RESTORED, bob),
            (ev.CONTENT_TRASHED, alice), (ev.CONTENT_TRASHED, bob),
            (ev.CONTENT_PURGED, alice), (ev.CONTENT_PURGED, bob),
        ])
        by_type: dict[str, list[dict[str, Any]]] = {}
        for b in bodies:
            by_type.setdefault(b["type"], []).append(b)
        updated = by_type[ev.CONTENT_UPDATED][0]
        assert set(updated) == {"id", "type", "createdAt", "watcher", "actor", "data"}
        assert updated["actor"] == {"accountId": alice}
        assert updated["data"] == {"content": {"id": pid, "type": "page", "status": "current", "title": "Plans v2",
                                               "version": 2, "spaceKey": "ENG", "parentId": None}}
        child_event = by_type[ev.CONTENT_CHILD_CREATED][0]
        assert child_event["data"]["content"]["id"] == child["id"]
        assert child_event["data"]["parent"]["id"] == pid and child_event["actor"] == {"accountId": bob}
        labels = sorted((b["data"]["added"], b["data"]["removed"]) == ([{"prefix": "global", "name": "roadmap"}], [])
                        for b in by_type[ev.CONTENT_LABELS_CHANGED])
        assert labels == [False, False, True, True]
        assert {b["data"]["content"]["status"] for b in by_type[ev.CONTENT_PURGED]} == {"deleted"}
        # one delivery per event, all delivered at the first attempt, each with its own id
        done = await deliveries(client, site.admin, hook["id"])
        assert {d["status"] for d in done} == {"delivered"} and {d["attempts"] for d in done} == {1}, \
            [(d["attempts"], d["lastError"]) for d in done]
        assert len({g.delivery for g in got}) == len(got) == len(done)
        assert all(d["lastStatus"] == 200 and d["deliveredAt"] for d in done)


async def test_deleting_a_space_tells_the_watchers_of_its_content(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        hook = await register(client, site.admin, receiver.url, [ev.CONTENT_PURGED])
        await make_space(client, site.alice, "OLD")
        first = await make_page(client, site.alice, "OLD", "One")
        second = await make_page(client, site.bob, "OLD", "Two")
        r = await client.delete(f"{API}/space/OLD", headers=site.admin.bearer)
        assert r.status_code == 202, r.text
        await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        got = sorted((g.json["data"]["content"]["id"], g.json["watcher"]["accountId"]) for g in receiver.wait(2))
        assert got == sorted([(first["id"], site.alice.account_id), (second["id"], site.bob.account_id)])


async def test_a_watcher_who_left_a_private_space_hears_nothing_of_it(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from bondline.services import spaces
    from bondline.store.tables import space_roles

    with Receiver() as receiver:
        hook = await register(client, site.admin, receiver.url, [ev.CONTENT_UPDATED])
        await make_space(client, site.alice, "PRV", private=True)
        await spaces.set_member(app.store, None, "PRV", site.bob.account_id)
        page = await make_page(client, site.alice, "PRV", "Secret plans")
        r = await client.post(f"{API}/user/watch/content/{page['id']}", headers={**site.bob.bearer, **XSRF})
        assert r.status_code == 204, r.text
        async with app.store.write(OPERATOR_ACTOR) as tx:  # bob leaves the space
            await tx.conn.execute(space_roles.delete().where(space_roles.c.user_id == sa.bindparam("user")),
                                  {"user": site.bob.user_id})
        r = await client.put(f"{API}/content/{page['id']}", headers=site.alice.bearer,
                             json={"type": "page", "title": "Secret plans", "version": {"number": 2}})
        assert r.status_code == 200, r.text
        await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        assert [g.json["watcher"]["accountId"] for g in receiver.wait(1)] == [site.alice.account_id]


async def test_events_are_filtered_and_only_for_watchers(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        hook = await register(client, site.admin, receiver.url, [ev.CONTENT_UPDATED])
        await make_space(client, site.alice, "OPS")
        page = await make_page(client, site.alice, "OPS", "Runbook")
        r = await client.put(f"{API}/content/{page['id']}", headers=site.alice.bearer,
                             json={"type": "page", "title": "Runbook", "version": {"number": 2}})
        assert r.status_code == 200
        # alice stops watching: her next edit reaches nobody
        r = await client.delete(f"{API}/user/watch/content/{page['id']}", headers={**site.alice.bearer, **XSRF})
        assert r.status_code == 204
        r = await client.put(f"{API}/content/{page['id']}", headers=site.alice.bearer,
                             json={"type": "page", "title": "Runbook", "version": {"number": 3}})
        assert r.status_code == 200
        await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        got = receiver.wait(1)
        assert [(g.json["type"], g.json["data"]["content"]["version"]) for g in got] == [(ev.CONTENT_UPDATED, 2)]
        assert len(await deliveries(client, site.admin, hook["id"])) == 1


async def test_events_share_the_transaction_of_the_change(app, client, site) -> None:  # type: ignore[no-untyped-def]
    await register(client, site.admin, "http://127.0.0.1:9/unused", ["*"])
    with pytest.raises(RuntimeError):
        async with app.store.write(OPERATOR_ACTOR) as tx:
            tx.emit([ev.Event(ev.CONTENT_UPDATED, {"data": {}})])
            raise RuntimeError("the change fails after its events were emitted")
    async with app.store.read() as tx:
        assert await tx.webhooks.counts() == {}
    async with app.store.write(OPERATOR_ACTOR) as tx:
        tx.emit([ev.Event(ev.CONTENT_UPDATED, {"data": {}})])
    async with app.store.read() as tx:
        assert await tx.webhooks.counts() == {"pending": 1}


# --- retries, dead, replay ------------------------------------------------------------------------

async def _one_update(client: Any, site: Any, key: str) -> None:
    await make_space(client, site.alice, key)
    page = await make_page(client, site.alice, key, "Notes")
    r = await client.put(f"{API}/content/{page['id']}", headers=site.alice.bearer,
                         json={"type": "page", "title": "Notes", "version": {"number": 2}})
    assert r.status_code == 200


async def test_a_failing_receiver_gets_the_event_on_a_retry(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    with Receiver(fail_first=2) as receiver:
        hook = await register(client, site.admin, receiver.url, [ev.CONTENT_UPDATED])
        await _one_update(client, site, "RET")
        await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        got = receiver.wait(1)
        assert len(receiver.requests) == 3
        assert {r.delivery for r in receiver.requests} == {got[0].delivery}  # the same delivery each time
        assert [r.headers["x-bondline-attempt"] for r in receiver.requests] == ["1", "2", "3"]
        assert len({r.body for r in receiver.requests}) == 1  # byte for byte the same body
        [done] = await deliveries(client, site.admin, hook["id"])
        assert (done["status"], done["attempts"], done["lastStatus"], done["lastError"]) == ("delivered", 3, 200, None)


async def test_dead_after_n_failures_then_replayed(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    with Receiver(fail_first=3) as receiver:
        hook = await register(client, site.admin, receiver.url, [ev.CONTENT_UPDATED])
        await _one_update(client, site, "DED")
        await deliver_until(app, fast(settings, webhook_max_attempts=3), settled(client, site.admin, hook["id"]))
        [dead] = await deliveries(client, site.admin, hook["id"], "dead")
        assert (dead["attempts"], dead["lastStatus"], dead["lastError"]) == (3, 500, "HTTP 500")
        assert receiver.ok == [] and len(receiver.requests) == 3
        r = await client.post(f"{HOOKS}/deliveries/{dead['id']}/replay", headers=site.admin.bearer)
        assert r.status_code == 202, r.text
        assert (r.json()["status"], r.json()["attempts"]) == ("pending", 0)
        await deliver_until(app, fast(settings, webhook_max_attempts=3), settled(client, site.admin, hook["id"]))
        [done] = await deliveries(client, site.admin, hook["id"], "delivered")
        assert done["id"] == dead["id"] and done["attempts"] == 1
        assert receiver.wait(1)[0].delivery == str(dead["id"])
        # replaying a delivered one sends it again (the receiver de-duplicates by delivery id)
        r = await client.post(f"{HOOKS}/deliveries/{dead['id']}/replay", headers=site.admin.bearer)
        assert r.status_code == 202
        await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        assert [g.delivery for g in receiver.wait(2)] == [str(dead["id"])] * 2


async def test_an_unreachable_receiver_is_retried_and_recorded(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.live import free_port

    hook = await register(client, site.admin, f"http://127.0.0.1:{free_port()}/nobody", [ev.CONTENT_UPDATED])
    await _one_update(client, site, "GON")
    await deliver_until(app, fast(settings, webhook_max_attempts=2), settled(client, site.admin, hook["id"]))
    [dead] = await deliveries(client, site.admin, hook["id"], "dead")
    assert dead["attempts"] == 2 and dead["lastStatus"] is None and "ConnectError" in dead["lastError"]


# --- Reltio change requests -------------------------------------------------------------------------

async def test_change_request_lifecycle_events(app, client, acme, settings) -> None:  # type: ignore[no-untyped-def]
    site = acme
    with Receiver() as receiver:
        hook = await register(client, site.admin, receiver.url, ["change_request.*"])
        applied = (await client.post(api("/changeRequests"), headers=site.bob.bearer)).json()
        rejected = (await client.post(api("/changeRequests"), headers=site.bob.bearer)).json()
        r = await client.post(api(f"/entities?changeRequestId={applied['uri'].split('/')[1]}"),
                              headers=site.bob.bearer, json=[{"type": "configuration/entityTypes/Individual",
                                                              "attributes": {"FirstName": [{"value": "Grace"}]}}])
        assert r.status_code == 200, r.text
        assert (await client.post(api(f"/{applied['uri']}/_apply"), headers=site.carol.bearer)).status_code == 200
        assert (await client.post(api(f"/{rejected['uri']}/_reject"), headers=site.carol.bearer)).status_code == 200
        # a second apply fails: no event
        r = await client.post(api(f"/{applied['uri']}/_apply"), headers=site.carol.bearer)
        assert r.status_code == 400
        await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        got = [check_signed(g) for g in receiver.wait(4)]
        assert sorted((b["type"], b["data"]["changeRequest"]["uri"]) for b in got) == sorted([
            (ev.DCR_CREATED, applied["uri"]), (ev.DCR_CREATED, rejected["uri"]),
            (ev.DCR_APPLIED, applied["uri"]), (ev.DCR_REJECTED, rejected["uri"])])
        applied_event = next(b for b in got if b["type"] == ev.DCR_APPLIED)
        assert set(applied_event) == {"id", "type", "createdAt", "actor", "data"}
        assert applied_event["actor"] == {"accountId": site.carol.account_id}
        assert applied_event["data"]["tenant"] == "acme"
        assert applied_event["data"]["changeRequest"]["state"] == "APPLIED"
        assert applied_event["data"]["changeRequest"]["createdBy"] == "bob@example.com"
        assert len(await deliveries(client, site.admin, hook["id"])) == 4


# --- where a webhook may point ------------------------------------------------------------------------

# Every spelling of a loopback, link-local, unspecified, multicast or broadcast address a resolver
# accepts (inet_aton's decimal, hex and octal forms; IPv6, IPv4-mapped, -compatible and NAT64).
REFUSED = ["http://127.0.0.1/", "http://127.0.0.1:8080/admin", "http://127.1/", "http://127.0.0.1./",
           "http://2130706433/", "http://0x7f.1/", "http://0x7f000001/", "http://0177.0.0.1/", "https://[::1]/",
           "http://0.0.0.0:9/", "http://0/", "http://[::]/", "http://169.254.169.254/latest/meta-data/",
           "http://0xa9fea9fe/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/", "http://[::ffff:127.0.0.1]/",
           "http://[::ffff:7f00:1]/", "http://[::ffff:169.254.169.254]/", "http://[::127.0.0.1]/",
           "http://[64:ff9b::a9fe:a9fe]/", "http://localhost:8080/", "http://LOCALHOST./", "http://admin.localhost/",
           "http://224.0.0.1/", "http://[ff02::1]/", "http://255.255.255.255/"]
# Private networks are where a self-hosted server's receivers live: allowed by default.
ALLOWED = ["http://10.0.0.5/hook", "http://192.168.1.20:8443/hook", "https://172.16.3.4/", "http://[fd00::5]/hook",
           "http://100.64.0.9/", "https://hooks.example/in", "http://[64:ff9b::808:808]/"]


async def test_local_targets_are_refused_when_registered(client, site, settings) -> None:  # type: ignore[no-untyped-def]
    async with default_server(settings) as default:
        for url in REFUSED:
            r = await default.post(HOOKS, headers=site.admin.bearer, json={"url": url, "events": ["*"]})
            assert r.status_code == 400, (url, r.text)
            error = r.json()["error"]
            assert error["code"] == "LOCAL_WEBHOOK_URL" and "BONDLINE_WEBHOOK_ALLOW_LOCAL=1" in error["message"], error
        assert (await default.get(HOOKS, headers=site.admin.bearer)).json()["results"] == []
        trail = (await default.get("/api/v1/audit?objectPrefix=webhook/", headers=site.admin.bearer)).json()
        assert trail["results"] == []  # nothing stored
        for url in ALLOWED:
            r = await default.post(HOOKS, headers=site.admin.bearer, json={"url": url, "events": ["*"]})
            assert r.status_code == 201, (url, r.text)
    # a test server (`serve --ephemeral`) is a test setup: its tests' receivers listen on 127.0.0.1
    async with default_server(settings, test_mode=True) as test_server:
        r = await test_server.post(HOOKS, headers=site.admin.bearer,
                                   json={"url": "http://127.0.0.1:9/", "events": ["*"]})
        assert r.status_code == 201, r.text
    await client.delete(f"{HOOKS}/{r.json()['id']}", headers=site.admin.bearer)
    # a server that allows local targets takes them all
    for url in REFUSED:
        r = await client.post(HOOKS, headers=site.admin.bearer, json={"url": url, "events": ["*"]})
        assert r.status_code == 201, (url, r.text)
    assert len((await client.get(HOOKS, headers=site.admin.bearer)).json()["results"]) == len(REFUSED + ALLOWED)


class FakeDNS:
    """Names that resolve to the addresses given, one answer per lookup (the last one repeats; None: no
    such name); other names go to the real resolver. Counts the lookups of each."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str | None]]) -> None:
        real = socket.getaddrinfo
        self.lookups: dict[str, int] = dict.fromkeys(answers, 0)

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else host
            if name not in answers:
                return real(host, port, *args, **kwargs)
            queue = answers[name]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            self.lookups[name] += 1
            if answer is None:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return real(answer, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


async def test_a_local_target_is_not_delivered_to_without_the_setting(app, client, site, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Checked again when a delivery connects, after resolving: a name that resolves to 127.0.0.1 (and
    a webhook registered while local targets were allowed) fails its attempt, and nothing is sent."""
    dns = FakeDNS(monkeypatch, {"hooks.internal.test": ["127.0.0.1"]})
    with Receiver() as receiver:
        async with default_server(settings) as default:
            named = await register(default, site.admin, f"http://hooks.internal.test:{receiver.port}/hook", ["*"])
        hooks = [named] + [await register(client, site.admin, f"http://{host}:{receiver.port}/hook", ["*"])
                           for host in ("localhost", "127.0.0.1", "[::ffff:127.0.0.1]")]
        await _one_update(client, site, "LOC")
        refusing = fast(settings, webhook_allow_local=False, webhook_max_attempts=1)
        for hook in hooks:
            await deliver_until(app, refusing, settled(client, site.admin, hook["id"]))
        for hook, address in zip(hooks, ("127.0.0.1", "127.0.0.1", "127.0.0.1", "::ffff:127.0.0.1"), strict=True):
            [dead] = await deliveries(client, site.admin, hook["id"], "dead")
            assert dead["lastStatus"] is None, dead
            assert f"is {address}, a loopback address: refused" in dead["lastError"], dead
            assert "BONDLINE_WEBHOOK_ALLOW_LOCAL=1" in dead["lastError"]
        assert receiver.requests == []  # not one request
        assert dns.lookups["hooks.internal.test"] == 1
        # allowed, the same deliveries go through (replayed)
        for hook in hooks:
            [dead] = await deliveries(client, site.admin, hook["id"], "dead")
            assert (await client.post(f"{HOOKS}/deliveries/{dead['id']}/replay",
                                      headers=site.admin.bearer)).status_code == 202
        for hook in hooks:
            await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        assert len(receiver.wait(len(hooks))) == len(hooks)


def outward_address() -> str:
    """One of this machine's own addresses that is not loopback (the one a packet to a private
    network would leave from), or skip."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 9))  # UDP: nothing is sent
        except OSError:
            pytest.skip("this machine has no route to a private network")
        address = s.getsockname()[0]
    if ev.address_refusal(ipaddress.ip_address(address)) is not None:
        pytest.skip(f"this machine's outward address {address} is itself local")
    return address


async def test_a_delivery_connects_to_the_address_it_checked(app, client, site, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The name is resolved once: a resolver that answers differently the second time (DNS rebinding,
    here to 127.0.0.1) is never asked again, and the delivery goes to the address that was checked."""
    address = outward_address()
    dns = FakeDNS(monkeypatch, {"rebinding.internal.test": [address, "127.0.0.1"]})
    with Receiver(host=address) as receiver:
        async with default_server(settings) as default:
            literal = await register(default, site.admin, receiver.url, [ev.CONTENT_UPDATED])
            named = await register(default, site.admin, f"http://rebinding.internal.test:{receiver.port}/hook",
                                   [ev.CONTENT_UPDATED])
        await _one_update(client, site, "OUT")
        refusing = fast(settings, webhook_allow_local=False)
        for hook in (literal, named):
            await deliver_until(app, refusing, settled(client, site.admin, hook["id"]))
        got = receiver.wait(2)
        assert sorted(g.headers["host"] for g in got) == sorted([f"{address}:{receiver.port}",
                                                                 f"rebinding.internal.test:{receiver.port}"])
        assert dns.lookups["rebinding.internal.test"] == 1


def self_signed(directory: Any, name: str) -> tuple[str, str]:
    """A certificate for `name` and its key (files), or skip."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
                   check=True, capture_output=True)
    return cert, key


async def test_https_deliveries_check_the_certificate_against_the_name(  # type: ignore[no-untyped-def]
        app, client, site, settings, monkeypatch, tmp_path) -> None:
    """Connecting to the address that was checked, TLS still verifies the certificate against the
    webhook's host name (sent as SNI), not against the address."""
    cert, key = self_signed(tmp_path, "hooks.tls.test")
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # the dispatcher trusts this certificate
    FakeDNS(monkeypatch, {"hooks.tls.test": ["127.0.0.1"], "other.tls.test": ["127.0.0.1"]})
    with Receiver(tls=(cert, key)) as receiver:
        right = await register(client, site.admin, f"https://hooks.tls.test:{receiver.port}/hook", [ev.CONTENT_UPDATED])
        wrong = await register(client, site.admin, f"https://other.tls.test:{receiver.port}/hook", [ev.CONTENT_UPDATED])
        await _one_update(client, site, "TLS")
        for hook in (right, wrong):
            await deliver_until(app, fast(settings, webhook_max_attempts=1), settled(client, site.admin, hook["id"]))
        [delivered] = await deliveries(client, site.admin, right["id"])
        assert (delivered["status"], delivered["lastStatus"]) == ("delivered", 200)
        [dead] = await deliveries(client, site.admin, wrong["id"])
        assert dead["status"] == "dead" and "CERTIFICATE_VERIFY_FAILED" in dead["lastError"], dead
        assert [g.headers["host"] for g in receiver.requests] == [f"hooks.tls.test:{receiver.port}"]
