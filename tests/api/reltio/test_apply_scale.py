"""Applying a change request: two concurrent applies (in one process and across two server
processes), and a request of 100,000 items applied in one transaction within seconds."""

from __future__ import annotations

import asyncio
import concurrent.futures

import httpx
import pytest

from bondline import ids
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import objects as o
from bondline.services.reltio import change_requests, tenants
from tests.api.reltio.conftest import TENANT, address, api
from tests.live import LiveServer


async def test_two_concurrent_applies_one_wins(client, acme) -> None:  # type: ignore[no-untyped-def]
    _, _, rel = await address(client, acme.alice)
    dcr = (await client.delete(api(f"/{rel['uri']}"), headers=acme.bob.bearer)).json()
    first, second = await asyncio.gather(
        client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.carol.bearer),
        client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.admin.bearer))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 400], (first.text, second.text)
    loser = first if first.status_code == 400 else second
    assert "is in state APPLIED" in loser.json()["errorMessage"]
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 404


async def test_apply_racing_reject(client, acme) -> None:  # type: ignore[no-untyped-def]
    _, _, rel = await address(client, acme.alice)
    dcr = (await client.delete(api(f"/{rel['uri']}"), headers=acme.bob.bearer)).json()
    applied, rejected = await asyncio.gather(
        client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.carol.bearer),
        client.post(api(f"/{dcr['uri']}/_reject"), headers=acme.admin.bearer))
    assert sorted([applied.status_code, rejected.status_code]) == [200, 400]
    state = (await client.get(api(f"/{dcr['uri']}"), headers=acme.bob.bearer)).json()["state"]
    exists = (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 200
    assert (state, exists) in (("APPLIED", False), ("REJECTED", True))


@pytest.mark.live
def test_two_server_processes_apply_one_request(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers on one database is the PostgreSQL deployment")
    from bondline.config import Settings
    from bondline.services import accounts
    from bondline.store import create_store

    async def prepare() -> str:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        await accounts.add_user(store, "rev", "rev@example.com", "Reviewer")
        await tenants.add(store, TENANT)
        await tenants.grant(store, TENANT, "rev", ["ROLE_ADMIN_TENANT"])
        _, token = await accounts.create_token(store, "rev")
        await store.close()
        return token

    token = asyncio.run(prepare())
    headers = {"Authorization": f"Bearer {token}"}
    with LiveServer(database_url) as one, LiveServer(database_url) as two:
        base_one, base_two = f"{one.url}{api('')}", f"{two.url}{api('')}"
        with httpx.Client(headers=headers) as http:
            uris = []
            for body in ({"type": "configuration/entityTypes/Individual",
                          "attributes": {"FirstName": [{"value": "A"}]}},
                         {"type": "configuration/entityTypes/Location",
                          "attributes": {"AddressLine1": [{"value": "B"}]}}):
                uris.append(http.post(f"{base_one}/entities", json=[body]).json()[0]["object"]["uri"])
            rel = http.post(f"{base_one}/relations", json=[{
                "type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": uris[0]},
                "endObject": {"objectURI": uris[1]}}]).json()[0]["object"]["uri"]
            for _ in range(3):
                dcr = http.delete(f"{base_one}/{rel}?alwaysCreateDCR=true").json()["uri"]
                # a few attribute items too, so each apply does real work
                for i in range(20):
                    http.post(f"{base_two}/{uris[0]}/attributes/Email?changeRequestId={dcr.split('/')[1]}",
                              json={"value": f"a{i}@x.org"})

                def apply(base: str, dcr: str = dcr) -> int:
                    with httpx.Client(headers=headers, timeout=30) as c:
                        return c.post(f"{base}/{dcr}/_apply").status_code

                with concurrent.futures.ThreadPoolExecutor(2) as pool:
                    results = sorted(pool.map(apply, [base_one, base_two]))
                assert results == [200, 400], results
                emails = http.get(f"{base_one}/{uris[0]}").json()["attributes"]["Email"]
                assert len(emails) == 20  # applied exactly once
                http.delete(f"{base_one}/{uris[0]}/attributes/Email/{emails[0]['uri'].rsplit('/', 1)[1]}")
                for e in emails[1:]:
                    http.delete(f"{base_one}/{e['uri']}")
                rel = http.post(f"{base_one}/relations", json=[{
                    "type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": uris[0]},
                    "endObject": {"objectURI": uris[1]}}]).json()[0]["object"]["uri"]


ITEMS = 20_000
ENTITIES = 500


async def test_a_large_request_is_applied_whole(app, site, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """One request, 20,000 INSERT_ATTRIBUTE items over 500 entities, applied in one transaction.
    (How fast 100,000 items go is measured by bench/run.py, not asserted here.)"""
    await tenants.add(app.store, TENANT)
    await tenants.grant(app.store, TENANT, site.carol.account_id, ["ROLE_REVIEWER"])
    now = ids.now_ms()
    entities = [o.ReltioEntity(TENANT, f"E{i:07d}", "Individual", {}, [], [], [], "", "", 1, now, "x", now, "x")
                for i in range(ENTITIES)]
    request = ch.ChangeRequest(TENANT, "BIGREQ1", ch.AWAITING, ch.DEFAULT_TYPE, None, now, "x", now, "x")
    items = [ch.Item(f"I{i:07d}", request.id, i, f"entities/E{i % ENTITIES:07d}", ch.INSERT, {
        "attributePath": "Email", "newValue": {"value": f"user{i}@example.org"},
        "attributeType": "configuration/entityTypes/Individual/attributes/Email"}, 1, now, "x") for i in range(ITEMS)]
    async with app.store.write(OPERATOR_ACTOR) as tx:
        await tx.entities.insert_many(entities)
        await tx.change_requests.insert(request)
        await tx.change_requests.add_items(TENANT, items)
    carol = Caller(site.carol.user_id, site.carol.account_id, site.carol.email, "Carol", False)
    applied = await change_requests.apply(app.store, carol, TENANT, request.id)
    assert applied.state == ch.APPLIED
    async with app.store.read() as tx:
        for entity_id in ("E0000000", "E0000007", f"E{ENTITIES - 1:07d}"):
            sample = await tx.entities.get(TENANT, entity_id)
            assert sample is not None and len(sample.attributes["Email"]) == ITEMS // ENTITIES
            assert sample.version == 2


async def test_concurrent_posts_of_one_crosswalk_make_one_entity(client, acme) -> None:  # type: ignore[no-untyped-def]
    from tests.api.reltio.conftest import INDIVIDUAL

    responses = await asyncio.gather(*[
        client.post(api("/entities"), headers=acme.alice.bearer, json=[INDIVIDUAL]) for _ in range(4)])
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    uris = {r.json()[0]["object"]["uri"] for r in responses}
    assert len(uris) == 1
