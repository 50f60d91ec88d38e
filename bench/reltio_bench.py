"""The Reltio measurements of bench/run.py: GET /relations/{id}, DELETE /relations/{id}
?alwaysCreateDCR=true, and applying a 100,000-item change request over HTTP."""

from __future__ import annotations

import asyncio
import pathlib
import sys
import time
from typing import Any

import httpx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # bench/common.py

from common import bondline_server, measure

TENANT = "bench"


def _setup(database_url: str) -> None:
    from bondline.config import Settings
    from bondline.services.reltio import tenants
    from bondline.store import create_store

    async def go() -> None:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        try:
            await tenants.add(store, TENANT)
            await tenants.grant(store, TENANT, "bench", ["ROLE_ADMIN_TENANT"])
        finally:
            await store.close()

    asyncio.run(go())


def make_relation(base: str, auth: dict[str, str]) -> str:
    """A HasAddress relation between a new Individual and a new Location, over HTTP: its URI."""
    with httpx.Client(headers=auth, timeout=30) as http:
        made = http.post(f"{base}/entities", json=[
            {"type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": "Ada"}]}},
            {"type": "configuration/entityTypes/Location", "attributes": {"AddressLine1": [{"value": "1 Loop"}]}},
        ]).json()
        start, end = (m["object"]["uri"] for m in made)
        return http.post(f"{base}/relations", json=[{
            "type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": start},
            "endObject": {"objectURI": end}}]).json()[0]["object"]["uri"]


def endpoints(srv: Any, database_url: str, site: dict[str, Any], duration: int) -> dict[str, dict[str, Any]]:
    _setup(database_url)
    base = f"{srv.url}/reltio/api/{TENANT}"
    auth = {"Authorization": f"Bearer {site['token']}"}
    relation = make_relation(base, auth)
    out = {"Reltio GET /relations/{id}": measure(f"{base}/{relation}", duration, headers=auth)}
    # Each staging DELETE makes a change request of its own; the relation stays until one is applied.
    out["Reltio DELETE /relations/{id}?alwaysCreateDCR=true"] = measure(
        f"{base}/{relation}?alwaysCreateDCR=true", duration, headers=auth, script="delete.lua")
    return out


def dcr_apply(database_url: str, site: dict[str, Any], items: int) -> dict[str, Any]:
    """Stage `items` INSERT_ATTRIBUTE items over 1,000 entities in one change request (written
    directly, as a bulk load would), then apply it over HTTP and check every item landed."""
    from bondline import ids
    from bondline.config import Settings
    from bondline.domain.reltio import changes as ch
    from bondline.domain.reltio import objects as o
    from bondline.store import create_store

    entities_count = 1_000

    async def stage() -> str:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        try:
            now = ids.now_ms()
            entities = [o.ReltioEntity(TENANT, f"B{i:07d}", "Individual", {}, [], [], [], "", "", 1, now, "bench", now,
                                 "bench") for i in range(entities_count)]
            request = ch.ChangeRequest(TENANT, "BENCHDCR", ch.AWAITING, ch.DEFAULT_TYPE, None, now, "bench", now,
                                       "bench")
            staged = [ch.Item(f"J{i:07d}", request.id, i, f"entities/B{i % entities_count:07d}", ch.INSERT, {
                "attributePath": "Email", "newValue": {"value": f"user{i}@example.org"},
                "attributeType": "configuration/entityTypes/Individual/attributes/Email"}, 1, now, "bench")
                for i in range(items)]
            async with store.write() as tx:
                await tx.entities.insert_many(entities)
                await tx.change_requests.insert(request)
                await tx.change_requests.add_items(TENANT, staged)
            return request.id
        finally:
            await store.close()

    request_id = asyncio.run(stage())
    with bondline_server(database_url) as srv, httpx.Client(
            headers={"Authorization": f"Bearer {site['token']}"}, timeout=300) as http:
        base = f"{srv.url}/reltio/api/{TENANT}"
        started = time.perf_counter()
        response = http.post(f"{base}/changeRequests/{request_id}/_apply")
        seconds = time.perf_counter() - started
        state = http.get(f"{base}/changeRequests/{request_id}").json().get("state")
        sample = http.get(f"{base}/entities/B0000007").json()
    per_entity = len(sample.get("attributes", {}).get("Email", []))
    return {"items": items, "seconds": round(seconds, 2), "status": response.status_code, "state": state,
            "all applied": per_entity == items // entities_count}
