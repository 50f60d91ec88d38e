"""Webhooks: the admin API, events for every watcher written with the change, delivery to a real
receiver on 127.0.0.1 with a valid signature, retries with backoff, dead after N, replay, and Reltio
change request events. On both backends."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
from typing import Any

import pytest

from bondline.dispatch import Dispatcher, verify
from bondline.domain import events as ev
from tests.helpers import API, make_page, make_space
from tests.receiver import Receiver
from tests.reltio.conftest import acme, api  # noqa: F401  (the fixture)

SECRET = "s3cret-s3cret-s3cret"
HOOKS = "/api/v1/webhooks"
XSRF = {"X-Atlassian-Token": "no-check"}


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


async def deliver_until(app: Any, settings: Any, done: Any, timeout: float = 10.0) -> None:
    """Run dispatcher rounds (backoff included) until `done()` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
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
        assert {d["status"] for d in done} == {"delivered"} and {d["attempts"] for d in done} == {1}, [(d["attempts"], d["lastError"]) for d in done]
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
        async with app.store.write() as tx:  # bob leaves the space
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
        async with app.store.write() as tx:
            await tx.outbox.add_wanted([ev.Event(ev.CONTENT_UPDATED, {"data": {}})])
            raise RuntimeError("the change fails after its events were written")
    async with app.store.read() as tx:
        assert await tx.webhooks.counts() == {}
    async with app.store.write() as tx:
        assert await tx.outbox.add_wanted([ev.Event(ev.CONTENT_UPDATED, {"data": {}})]) == 1
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
