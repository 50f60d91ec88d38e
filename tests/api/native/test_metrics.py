"""GET /metrics: Prometheus text that a scraper parses, with request counts and latency per route
pattern, the database pool, and change requests by state (by tenant too only when configured); summed
over worker processes; behind a bearer token when one is configured."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bondline.bootstrap import build
from bondline.config import Settings
from bondline.services.reltio import tenants
from tests.helpers import on_store
from tests.live import LiveServer


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(found: dict, name: str, **labels: str) -> float | None:  # type: ignore[type-arg]
    return found.get((name, tuple(sorted(labels.items()))))


RELATION = "/wiki/rest/api/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}/{targetKey}"
TOKEN = "scrape-7Hc2-kQ9v-token"


@contextlib.asynccontextmanager
async def served(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Another server on the same database, configured with `changes`."""
    app = build(dataclasses.replace(settings, **changes))
    await app.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bondline.test") as c:
            yield c
    finally:
        await app.shutdown()


async def change_requests_in_two_tenants(app: Any, client: Any, site: Any) -> None:
    """acme-z7q: two awaiting review, one rejected; globex-k2p: one awaiting review."""
    for tenant, made, rejected in (("acme-z7q", 3, 1), ("globex-k2p", 1, 0)):
        await tenants.add(app.store, tenant)
        await tenants.grant(app.store, tenant, site.alice.account_id, ["ROLE_INITIATOR", "ROLE_REVIEWER"])
        uris = []
        for _ in range(made):
            r = await client.post(f"/reltio/api/{tenant}/changeRequests", headers=site.alice.bearer)
            assert r.status_code == 200, r.text
            uris.append(r.json()["uri"])
        for uri in uris[:rejected]:
            r = await client.post(f"/reltio/api/{tenant}/{uri}/_reject", headers=site.alice.bearer)
            assert r.status_code == 200, r.text


async def test_requests_are_counted_per_route_pattern_and_status(client, site) -> None:  # type: ignore[no-untyped-def]
    before = samples((await client.get("/metrics")).text)
    for key in ("secret-key-1", "secret-key-2", "secret-key-3"):
        r = await client.get(f"/wiki/rest/api/relation/favourite/from/user/current/to/space/{key}",
                             headers=site.alice.bearer)
        assert r.status_code == 404
    await client.get("/wiki/rest/api/space")  # 401: no credentials
    await client.get("/no/such/route")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "secret-key" not in r.text  # labels are route patterns, never raw paths
    after = samples(r.text)

    def delta(name: str, **labels: str) -> float:
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert delta("bondline_http_requests_total", method="GET", route=RELATION, status="404") == 3
    assert delta("bondline_http_requests_total", method="GET", route="/wiki/rest/api/space", status="401") == 1
    assert delta("bondline_http_requests_total", method="GET", route="(unmatched)", status="404") == 1
    assert delta("bondline_http_request_duration_seconds_count", method="GET", route=RELATION) == 3
    assert delta("bondline_http_request_duration_seconds_bucket", method="GET", route=RELATION, le="+Inf") == 3
    assert value(after, "bondline_http_request_duration_seconds_sum", method="GET", route=RELATION) > 0
    # the pool: SQLite's two connections, or the asyncpg pool's
    idle = value(after, "bondline_db_pool_connections", state="idle")
    busy = value(after, "bondline_db_pool_connections", state="busy")
    assert idle is not None and busy is not None and idle + busy >= 1
    assert value(after, "bondline_db_pool_max_connections") >= idle + busy
    assert value(after, "bondline_db_pool_waiting") == 0


async def test_change_requests_by_state_name_no_tenant(app, client, site) -> None:  # type: ignore[no-untyped-def]
    """/metrics needs no credentials by default, so it must not tell a stranger which tenants exist."""
    await change_requests_in_two_tenants(app, client, site)
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert "acme" not in r.text and "globex" not in r.text and 'tenant="' not in r.text
    found = samples(r.text)
    assert value(found, "bondline_change_requests", state="AWAITING_REVIEW") == 3  # 2 + 1
    assert value(found, "bondline_change_requests", state="REJECTED") == 1
    assert value(found, "bondline_change_requests", state="APPLIED") == 0


async def test_change_requests_by_tenant_and_state_when_configured(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    await tenants.add(app.store, "acme")
    async with served(settings, metrics_tenant_labels=True) as scraper:
        found = samples((await scraper.get("/metrics")).text)
        for state in ("AWAITING_REVIEW", "APPLIED", "REJECTED"):
            assert value(found, "bondline_change_requests", tenant="acme", state=state) == 0
        await change_requests_in_two_tenants(app, client, site)
        found = samples((await scraper.get("/metrics")).text)
    assert value(found, "bondline_change_requests", tenant="acme-z7q", state="AWAITING_REVIEW") == 2
    assert value(found, "bondline_change_requests", tenant="acme-z7q", state="REJECTED") == 1
    assert value(found, "bondline_change_requests", tenant="acme-z7q", state="APPLIED") == 0
    assert value(found, "bondline_change_requests", tenant="globex-k2p", state="AWAITING_REVIEW") == 1
    assert value(found, "bondline_change_requests", state="AWAITING_REVIEW") is None  # no unlabelled series


async def test_a_metrics_token_keeps_out_whoever_lacks_it(app, client, site, settings) -> None:  # type: ignore[no-untyped-def]
    async with served(settings, metrics_token=TOKEN) as scraper:
        for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Bearer {TOKEN}x"},
                        {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN}, site.admin.bearer):
            r = await scraper.get("/metrics", headers=headers)
            assert r.status_code == 401, (headers, r.text)
            assert r.json()["error"]["status"] == 401 and r.json()["error"]["code"] == "UNAUTHENTICATED"
            assert "BONDLINE_METRICS_TOKEN" in r.json()["error"]["message"] and TOKEN not in r.text
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert "bondline_" not in r.text
        for scheme in ("Bearer", "bearer"):
            r = await scraper.get("/metrics", headers={"Authorization": f"{scheme} {TOKEN}"})
            assert r.status_code == 200, r.text
            assert "bondline_http_requests_total" in r.text
    assert (await client.get("/metrics")).status_code == 200  # the server without a token


@pytest.mark.live
def test_metrics_are_summed_over_worker_processes(database_url: str) -> None:
    with LiveServer(database_url, workers=2) as server:
        with httpx.Client(base_url=server.url) as http:
            for _ in range(40):
                # a new connection each time, so that both workers answer some
                r = http.get("/healthz", headers={"connection": "close"})
                assert r.status_code == 200
            # Each worker writes its numbers every second, once it has started: the server answers
            # as soon as one worker is up, so on a slow machine the second may still be starting.
            deadline = time.monotonic() + 20
            while True:
                found = samples(http.get("/metrics").text)
                count = value(found, "bondline_http_requests_total", method="GET", route="/healthz", status="200")
                pools = value(found, "bondline_db_pool_max_connections")
                if (count == 40 and pools in (4, 20)) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert count == 40
            # both workers' pools: twice one worker's maximum
            assert pools in (4, 20)


@pytest.mark.live
def test_every_worker_takes_the_metrics_settings(database_url: str) -> None:
    """`serve --metrics-tenant-labels` and BONDLINE_METRICS_TOKEN reach every worker process."""
    on_store(database_url, lambda store: tenants.add(store, "acme-z7q"))
    env = {"BONDLINE_METRICS_TOKEN": TOKEN}
    with LiveServer(database_url, "--metrics-tenant-labels", workers=2, env=env) as server:
        for _ in range(12):  # a new connection each time, so that both workers answer some
            r = httpx.get(server.url + "/metrics", headers={"connection": "close"})
            assert r.status_code == 401 and r.json()["error"]["status"] == 401
            r = httpx.get(server.url + "/metrics", headers={"connection": "close", "Authorization": f"Bearer {TOKEN}"})
            assert r.status_code == 200
            assert value(samples(r.text), "bondline_change_requests", tenant="acme-z7q", state="APPLIED") == 0


@pytest.mark.live
def test_metrics_can_be_turned_off(tmp_path: Any) -> None:
    with LiveServer(f"sqlite:///{tmp_path}/m.db", "--no-metrics") as server:
        r = httpx.get(server.url + "/metrics")
        assert r.status_code == 404 and r.json()["error"]["code"] == "NO_ROUTE"
